package explore_test

// Cross-checks of the explorer against references that share none of its
// code (internal/progtest): a brute-force enumerator over every reads-from
// and modification-order candidate filtered by the model (must give the
// same multiset of executions: nothing missing, nothing twice), and for sc
// the interleavings of the threads over a plain memory (same set, and no
// execution visited twice). Programs with branches and loops are
// cross-checked in flowcheck_test.go, against a state-space search.
//
//	go test ./explore -run CrossCheck -crosscheck.n=3000     # more programs
//	go test ./explore -run CrossCheck -crosscheck.seed=42    # other programs
//	go test ./explore -run CrossCheck -crosscheck.max=1e8    # bigger programs
//	go test ./explore -run CrossCheck/rc11 -crosscheck.only=17  # one program again

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
)

var (
	ccN        = flag.Int("crosscheck.n", 0, "random programs per model for the cross-checks (0: 300, or 60 with -short)")
	ccSeed     = flag.Uint64("crosscheck.seed", 1, "seed of the cross-checks' random programs")
	ccMax      = flag.Float64("crosscheck.max", 1e6, "redraw random programs whose brute-force candidate estimate (progtest.Estimate) exceeds this")
	ccFail     = flag.Int("crosscheck.failures", 3, "report at most this many mismatching programs per test")
	ccOnly     = flag.Int("crosscheck.only", -1, "check only this program number of each stream")
	ccCoherent = flag.Bool("crosscheck.coherent", false, "run TestCrossCheckCoherentHMC although CoherentHMC is not used")
)

func ccCount() int {
	switch {
	case *ccN > 0:
		return *ccN
	case testing.Short():
		return 60
	}
	return 300
}

// ccProgram returns program i of a stream: random specs, redrawn until the
// brute force's estimate is within budget (0: any).
func ccProgram(stream, i uint64, budget float64) (*progtest.Spec, *prog.Program, int) {
	r := rand.New(rand.NewPCG(*ccSeed, stream<<32|i))
	for redraws := 0; ; redraws++ {
		s := progtest.Random(r)
		p := s.Build()
		if budget <= 0 || progtest.Estimate(p) <= budget {
			return s, p, redraws
		}
	}
}

// explored is what the explorer reported for one program.
type explored struct {
	keys   []string          // graph.Graph.Key of each complete execution
	canon  []string          // progtest.Canon of each
	regs   map[string]string // canon → final registers
	issues []string          // anything else that is wrong
	stats  explore.Stats
}

func runExplorer(p *prog.Program, m *model.Model) *explored {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ex := &explored{regs: map[string]string{}}
	ex.stats = explore.Explore(ctx, p, explore.Options{Model: m}, func(x *explore.Execution) {
		if x.Status != explore.Complete {
			ex.issues = append(ex.issues, fmt.Sprintf("execution with status %d:\n%s", x.Status, x.Graph().Key()))
			return
		}
		if len(x.Failures) > 0 {
			ex.issues = append(ex.issues, fmt.Sprintf("failures %v", x.Failures))
		}
		if err := x.Graph().Validate(); err != nil {
			ex.issues = append(ex.issues, fmt.Sprintf("invalid graph: %v\n%s", err, x.Graph().Key()))
		}
		c := progtest.Canon(x.Graph())
		ex.keys = append(ex.keys, x.Graph().Key())
		ex.canon = append(ex.canon, c)
		ex.regs[c] = regsText(func(t int) []uint64 { return x.Threads[t].Regs }, len(x.Threads))
	})
	if ex.stats.Stopped {
		ex.issues = append(ex.issues, "exploration stopped (timeout)")
	}
	if ex.stats.Complete != len(ex.keys) || ex.stats.Blocked != 0 || ex.stats.Bounded != 0 {
		ex.issues = append(ex.issues, fmt.Sprintf("stats %+v, but %d complete executions visited", ex.stats, len(ex.keys)))
	}
	return ex
}

func regsText(regs func(t int) []uint64, n int) string {
	var b strings.Builder
	for t := range n {
		fmt.Fprintf(&b, "T%d%v ", t, regs(t))
	}
	return b.String()
}

// compareBrute compares the explorer with the brute force on p under m and
// describes every difference ("" when there is none). It also returns the
// number of executions.
func compareBrute(p *prog.Program, m *model.Model) (string, int) {
	ex := runExplorer(p, m)
	bf, _, err := progtest.BruteForce(p, m, progtest.Options{})
	if err != nil {
		return "brute force: " + err.Error(), 0
	}
	var bkeys, bcanon []string
	bregs := map[string]string{}
	for _, x := range bf {
		c := progtest.Canon(x.G)
		bkeys = append(bkeys, x.G.Key())
		bcanon = append(bcanon, c)
		bregs[c] = regsText(func(t int) []uint64 { return x.Regs[t] }, len(x.Regs))
	}
	var b strings.Builder
	for _, s := range ex.issues {
		fmt.Fprintf(&b, "explorer: %s\n", s)
	}
	missing, extra := progtest.Diff(bkeys, ex.keys)
	dups := progtest.Duplicates(ex.keys)
	cmissing, cextra := progtest.Diff(bcanon, ex.canon)
	if len(missing)+len(extra)+len(dups) > 0 {
		fmt.Fprintf(&b, "explorer: %d executions, brute force: %d\n", len(ex.keys), len(bkeys))
		for _, k := range dups {
			fmt.Fprintf(&b, "DUPLICATED by the explorer:\n%s", progtest.Indent(k, "    "))
		}
		for _, k := range missing {
			fmt.Fprintf(&b, "MISSING from the explorer (consistent, found by brute force):\n%s", progtest.Indent(k, "    "))
			for _, x := range bf {
				if x.G.Key() == k {
					fmt.Fprintf(&b, "  in full:\n%s", progtest.Indent(progtest.Canon(x.G), "    "))
					break
				}
			}
		}
		for _, k := range extra {
			fmt.Fprintf(&b, "EXTRA in the explorer (not a consistent execution per brute force, or a surplus copy):\n%s", progtest.Indent(k, "    "))
		}
	} else if len(cmissing)+len(cextra) > 0 {
		// Same keys but different events: values or orderings differ.
		for _, c := range cmissing {
			fmt.Fprintf(&b, "brute force only (canonical form):\n%s", progtest.Indent(c, "    "))
		}
		for _, c := range cextra {
			fmt.Fprintf(&b, "explorer only (canonical form):\n%s", progtest.Indent(c, "    "))
		}
	} else {
		for c, r := range bregs {
			if ex.regs[c] != r {
				fmt.Fprintf(&b, "final registers differ: explorer %s, reference %s, in\n%s", ex.regs[c], r, progtest.Indent(c, "    "))
			}
		}
	}
	return b.String(), len(bkeys)
}

// compareInterleavings compares the explorer under sc with the
// interleavings of p.
func compareInterleavings(p *prog.Program) (string, int) {
	ex := runExplorer(p, model.SC)
	il, err := progtest.Interleavings(p)
	if err != nil {
		return "interleavings: " + err.Error(), 0
	}
	var b strings.Builder
	for _, s := range ex.issues {
		fmt.Fprintf(&b, "explorer: %s\n", s)
	}
	for _, k := range progtest.Duplicates(ex.keys) {
		fmt.Fprintf(&b, "DUPLICATED key in the explorer:\n%s", progtest.Indent(k, "    "))
	}
	for _, k := range progtest.Duplicates(ex.canon) {
		fmt.Fprintf(&b, "DUPLICATED execution in the explorer:\n%s", progtest.Indent(k, "    "))
	}
	missing, extra := progtest.Diff(il, progtest.SortedSet(ex.canon))
	if len(missing)+len(extra) > 0 {
		fmt.Fprintf(&b, "explorer: %d distinct executions, interleavings: %d\n", len(progtest.SortedSet(ex.canon)), len(il))
	}
	for _, k := range missing {
		fmt.Fprintf(&b, "MISSING from the explorer (some interleaving yields it):\n%s", progtest.Indent(k, "    "))
	}
	for _, k := range extra {
		fmt.Fprintf(&b, "EXTRA in the explorer (no interleaving yields it):\n%s", progtest.Indent(k, "    "))
	}
	return b.String(), len(il)
}

// crossCheck runs compare on ccCount random programs of a stream, shrinking
// and reporting the ones that differ.
func crossCheck(t *testing.T, stream uint64, budget float64, what string, compare func(*prog.Program) (string, int)) {
	n := ccCount()
	if *ccOnly >= n {
		n = *ccOnly + 1
	}
	failures, execs, redraws, checked := 0, 0, 0, 0
	start := time.Now()
	for i := 0; i < n; i++ {
		if *ccOnly >= 0 && i != *ccOnly {
			continue
		}
		checked++
		s, p, rd := ccProgram(stream, uint64(i), budget)
		redraws += rd
		diff, ne := compare(p)
		execs += ne
		if diff == "" {
			continue
		}
		failures++
		small := progtest.Shrink(s, func(c *progtest.Spec) bool {
			d, _ := compare(c.Build())
			return d != ""
		})
		sdiff, _ := compare(small.Build())
		t.Errorf("%s: program %d (rerun: -crosscheck.seed=%d -crosscheck.max=%g -crosscheck.only=%d) differs:\n%s\n%s"+
			"shrunk to:\n%s\n%s\n%s",
			what, i, *ccSeed, *ccMax, i, progtest.Indent(s.String(), "    "), diff,
			progtest.Indent(small.String(), "    "), progtest.Indent(progtest.Format(small.Build()), "    "), sdiff)
		if failures >= *ccFail {
			t.Logf("%s: stopping after %d mismatching programs", what, failures)
			break
		}
	}
	t.Logf("%s: %d programs (%d redrawn as too big), %d reference executions, %d mismatches, %v",
		what, checked, redraws, execs, failures, time.Since(start).Round(time.Millisecond))
}

func TestCrossCheckBruteForce(t *testing.T) {
	for i, m := range []*model.Model{model.SC, model.RC11, model.C20, model.C11, model.X86} {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			crossCheck(t, uint64(i+1), *ccMax, "explorer vs brute force under "+m.Name, func(p *prog.Program) (string, int) {
				return compareBrute(p, m)
			})
		})
	}
}

func TestCrossCheckInterleavings(t *testing.T) {
	t.Parallel()
	crossCheck(t, 100, *ccMax, "explorer (sc) vs interleavings", compareInterleavings)
}

package explore_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"happens"
	"happens/explore"
	"happens/frontend/herdc"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
)

// TestCorpusARMv8 (opt-in: -corpus.armv8) checks the armv8 engines on
// every litmus test of herd7's C corpus (beside the project, as
// frontend/herdc's TestConformance finds it; tests its parser rejects are
// skipped) and on the project's own golden programs:
//
//  1. hmc: explore.HMC against value speculation (explore.Speculate)
//     under model.ARMv8, the same executions (engineRunFor's keys), each
//     once;
//  2. coherent: explore.CoherentHMC against speculation under
//     model.CoherentCycles filtered by !DepsCycle (diffCoherent).
//
// Tests speculation does not finish within -corpus.spec are skipped, not
// failed. Each difference names the file, the counts and the first
// missed and extra executions. When written, it found no difference (all
// of herd's tests the parser takes compare with -corpus.spec 150s), and
// it did not find the bug of testdata/cas-fails-before-swap either when
// run on the commit before its fix: herd's corpus has few read-modify-
// write chains, which the random cross-checks draw more of. For example
//
//	nice go test ./explore -run CorpusARMv8 -corpus.armv8 -parallel 2 -v  # about a minute on two cores
//	go test ./explore -run CorpusARMv8 -corpus.armv8 -corpus.only LB -v
var (
	corpusARMv8 = flag.Bool("corpus.armv8", false, "run TestCorpusARMv8 (HMC and CoherentHMC against speculation on herd7's C corpus and the golden programs)")
	corpusSpec  = flag.Duration("corpus.spec", 5*time.Second, "time speculation gets per test and check in TestCorpusARMv8 (slower tests are skipped)")
	corpusHMC   = flag.Duration("corpus.hmc", 60*time.Second, "time HMC and CoherentHMC get per test in TestCorpusARMv8 (stopping is a difference)")
	corpusOnly  = flag.String("corpus.only", "", "check only the files whose path contains this")
	corpusShow  = flag.Int("corpus.show", 2, "missed and extra executions shown per difference")
)

// herdCorpus is herd7's C11 conformance corpus, beside the project.
const herdCorpus = "../../shared/conformance/herd-c11"

// corpusTally counts, for one check, what happened to the tests.
type corpusTally struct {
	compared, skipped, differed int
	blind                       int // of compared: HMCBlind (HMC is speculation itself)
	names                       []string
}

type corpusTallies struct {
	mu       sync.Mutex
	rejected int
	hmc      corpusTally
	coherent corpusTally
}

func (c *corpusTallies) add(f func(*corpusTallies)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func TestCorpusARMv8(t *testing.T) {
	if !*corpusARMv8 {
		t.Skip("opt-in: -corpus.armv8")
	}
	var herd []string
	if _, err := os.Stat(herdCorpus); err == nil {
		err := filepath.Walk(herdCorpus, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.IsDir() && strings.HasSuffix(path, ".litmus") {
				herd = append(herd, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		t.Logf("herd7's corpus not present (%s): golden programs only", herdCorpus)
	}
	var golden []string
	for _, glob := range []string{"../testdata/*.litmus", "testdata/hmc/*.litmus", "../examples/*.litmus", "../examples/*.rs"} {
		fs, _ := filepath.Glob(glob)
		golden = append(golden, fs...)
	}
	sort.Strings(herd)
	sort.Strings(golden)
	for _, group := range []struct {
		name  string
		files []string
		parse func(string, []byte) (*prog.Program, error)
	}{
		{"herd", herd, herdc.Parse},
		{"golden", golden, func(f string, src []byte) (*prog.Program, error) { return happens.Parse(f, src, nil) }},
	} {
		var tally corpusTallies
		t.Run(group.name, func(t *testing.T) {
			for _, file := range group.files {
				if *corpusOnly != "" && !strings.Contains(file, *corpusOnly) {
					continue
				}
				name := strings.TrimPrefix(file, herdCorpus+"/")
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					src, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					p, err := group.parse(file, src)
					if err != nil {
						tally.add(func(c *corpusTallies) { c.rejected++ })
						t.Skip("rejected by the parser")
					}
					checkCorpusHMC(t, name, p, &tally)
					checkCorpusCoherent(t, name, p, &tally)
				})
			}
		})
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %d rejected by the parser\n", group.name, tally.rejected)
		for _, c := range []struct {
			what string
			*corpusTally
		}{{"hmc", &tally.hmc}, {"coherent", &tally.coherent}} {
			blind := ""
			if c.what == "hmc" {
				blind = fmt.Sprintf(" (%d HMCBlind: HMC is speculation there)", c.blind)
			}
			fmt.Fprintf(&b, "  %-8s %d compared%s, %d skipped (speculation over %v), %d differ\n",
				c.what, c.compared, blind, c.skipped, *corpusSpec, c.differed)
			sort.Strings(c.names)
			for _, n := range c.names {
				fmt.Fprintf(&b, "    differs: %s\n", n)
			}
		}
		t.Log(b.String())
	}
}

// guarded runs f, turning a panic into an error text.
func guarded(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	f()
	return ""
}

// repeats counts the elements of sorted a equal to the one before.
func repeats(a []string) int {
	n := 0
	for i := 1; i < len(a); i++ {
		if a[i] == a[i-1] {
			n++
		}
	}
	return n
}

// checkCorpusHMC is check 1: HMC against speculation under armv8.
func checkCorpusHMC(t *testing.T, name string, p *prog.Program, tally *corpusTallies) {
	t.Helper()
	var spec, hmc []string
	var ss, sh explore.Stats
	if msg := guarded(func() { spec, ss = engineRunFor(*corpusSpec, explore.Speculate, p, model.ARMv8) }); msg != "" {
		tally.add(func(c *corpusTallies) {
			c.hmc.differed++
			c.hmc.names = append(c.hmc.names, name+" (speculation panics)")
		})
		t.Errorf("hmc: speculation %s", msg)
		return
	}
	if ss.Stopped {
		tally.add(func(c *corpusTallies) { c.hmc.skipped++ })
		t.Logf("hmc: speculation does not finish within %v", *corpusSpec)
		return
	}
	blind := explore.HMCBlind(p)
	if msg := guarded(func() { hmc, sh = engineRunFor(*corpusHMC, explore.HMC, p, model.ARMv8) }); msg != "" {
		tally.add(func(c *corpusTallies) {
			c.hmc.compared++
			c.hmc.differed++
			c.hmc.names = append(c.hmc.names, name+" (HMC panics)")
		})
		t.Errorf("hmc: HMC %s", msg)
		return
	}
	only, extra := diffSorted(spec, hmc)
	dups, specDups := repeats(hmc), repeats(spec)
	differs := sh.Stopped || len(only)+len(extra)+dups+specDups > 0
	tally.add(func(c *corpusTallies) {
		c.hmc.compared++
		if blind {
			c.hmc.blind++
		}
		if differs {
			c.hmc.differed++
			c.hmc.names = append(c.hmc.names, fmt.Sprintf("%s (HMC %d, speculation %d: %d missed, %d extra, %d repeated)",
				name, len(hmc), len(spec), len(only), len(extra), dups))
		}
	})
	if !differs {
		return
	}
	var d strings.Builder
	fmt.Fprintf(&d, "hmc: %s: HMC %d executions (stopped %v, %d repeated, HMCBlind %v), speculation %d (%d repeated); %d missed, %d extra\n",
		name, len(hmc), sh.Stopped, dups, blind, len(spec), specDups, len(only), len(extra))
	for j, x := range only {
		if j < *corpusShow {
			fmt.Fprintf(&d, "HMC misses:\n%s", progtest.Indent(x, "    "))
		}
	}
	for j, x := range extra {
		if j < *corpusShow {
			fmt.Fprintf(&d, "HMC has more of:\n%s", progtest.Indent(x, "    "))
		}
	}
	shown := 0
	for i := 1; i < len(hmc) && shown < *corpusShow; i++ {
		if hmc[i] == hmc[i-1] && (i == 1 || hmc[i-1] != hmc[i-2]) {
			fmt.Fprintf(&d, "HMC repeats:\n%s", progtest.Indent(hmc[i], "    "))
			shown++
		}
	}
	t.Error(d.String())
}

// checkCorpusCoherent is check 2: CoherentHMC against speculation under
// CoherentCycles without deps ∪ rf cycles.
func checkCorpusCoherent(t *testing.T, name string, p *prog.Program, tally *corpusTallies) {
	t.Helper()
	var msg string
	if m := guarded(func() { msg = diffCoherent(p, *corpusSpec) }); m != "" {
		msg = m
	}
	tally.add(func(c *corpusTallies) {
		switch msg {
		case "skip":
			c.coherent.skipped++
		case "":
			c.coherent.compared++
		default:
			c.coherent.compared++
			c.coherent.differed++
			first, _, _ := strings.Cut(msg, "\n")
			c.coherent.names = append(c.coherent.names, name+" ("+first+")")
		}
	})
	switch msg {
	case "skip":
		t.Logf("coherent: speculation does not finish within %v", *corpusSpec)
	case "":
	default:
		t.Errorf("coherent: %s: %s", name, msg)
	}
}

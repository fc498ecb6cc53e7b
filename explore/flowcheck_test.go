package explore_test

// Cross-check of the explorer under sc on random programs with control
// flow (branches, counted and retry loops, spin loops, spinlocks, weak
// compare-exchanges, assertions, assumptions) against progtest.SCReach, an
// explicit-state search over the interleavings of the same programs that
// shares no code with the explorer or package interp: loops there are
// plain jumps, and deadlocks and lost wake-ups are terminal strongly
// connected components of its state graph.
//
// For each program, when both sides are complete, they must agree on:
//   - the set of outcomes (every thread's locals and the final memory) of
//     the executions in which every thread ran to its end or failed;
//   - the set of failures (thread, source position, message);
//   - liveness: the explorer reports a thread spinning forever iff some
//     reachable terminal component never finishes with nothing failed,
//     and the threads named are those that never finish there.
//
// When one side is cut (the explorer by its loop bound, work bound or
// timeout, the reference by its state bound), the other is checked for
// soundness only: what the explorer reports must be reachable, what the
// reference reached must be reported. The weaker models are checked the
// same way against the sc reference, for inclusion only
// (TestCrossCheckFlowModels).
//
// A mismatch prints the program as source, both sides' answers, a path of
// the reference to what the explorer misses, and the program shrunk.
//
//	go test ./explore -run 'CrossCheckFlow$' -crosscheck.flow=5000          # more programs
//	go test ./explore -run 'CrossCheckFlow$' -crosscheck.seed=7             # other programs
//	go test ./explore -run 'CrossCheckFlow$' -crosscheck.only=17 -v         # one program, printed
//	go test ./explore -run CrossCheckFlowModels -crosscheck.models=c11,armv8 -crosscheck.flowmodels=500
//	go test ./explore -run 'CrossCheckFlow|FoundBugs'   # no known-bug allowance

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
	"happens/result"
)

var (
	ccFlowN       = flag.Int("crosscheck.flow", 0, "random programs with control flow for TestCrossCheckFlow (0: 150, or 40 with -short)")
	ccFlowModelsN = flag.Int("crosscheck.flowmodels", 0, "random programs with control flow per weaker model for TestCrossCheckFlowModels (0: 40, or 12 with -short)")
	ccFlowModels  = flag.String("crosscheck.models", "c20,rc11,c11,x86,armv8", "TestCrossCheckFlowModels: the weaker models checked against the sc reference")
	ccFlowStates  = flag.Int("crosscheck.states", 100000, "state bound of the reference search (programs beyond it are inconclusive)")
	ccFlowUnroll  = flag.Int("crosscheck.unroll", 5, "the explorer's loop bound in the control-flow cross-checks")
	ccFlowStrict  = flag.Bool("crosscheck.strict", true, "control-flow cross-checks: take the explorer's hangs as reported, including those of stuck executions in which another thread spins on a replaced value or a spurious failure (a known explore.Classify bug; by default those executions are counted as blocked and the programs listed), and run TestKnownBugs")
	ccFlowTimeout = flag.Duration("crosscheck.timeout", 5*time.Second, "control-flow cross-checks: the explorer's time bound per program (a program cut by it is checked for soundness only)")
	ccFlowSteps   = flag.Int("crosscheck.steps", 50000, "the explorer's work bound (explore.Options.MaxSteps) in the control-flow cross-checks; 0: none")
)

// memTexts prints a memory as the explorer's hangs print the values read:
// "X=1".
func memTexts(p *prog.Program, mem []uint64) []string {
	var out []string
	for l, v := range mem {
		out = append(out, p.Locs[l].Name+"="+p.FormatValue(p.Locs[l].Type, v))
	}
	return out
}

// flowVerdict classifies one program's cross-check.
type flowVerdict int

const (
	flowAgree        flowVerdict = iota // both complete, same answers
	flowPartial                         // the explorer was cut; checked for soundness
	flowInconclusive                    // the reference was cut; checked for soundness
	flowBroken                          // the program does not compile
	flowRacy                            // c11, with a data race: undefined, not compared
	flowMismatch
)

// flowReport is what the cross-check of one program found.
type flowReport struct {
	verdict flowVerdict
	diff    string
	// Statistics.
	outcomes, failures, hangs, states int
	stats                             explore.Stats
	// suspect counts the explorer's stuck executions in which another
	// thread spins without hanging.
	suspect int
	// knownBug: the hangs as the explorer reports them differ from the
	// reference's because of those executions.
	knownBug bool
}

// exploreFlow runs the explorer under m and collects the result. It also counts the
// stuck executions in which some thread spins without hanging (it spins
// on a value a later write replaced, or on a spurious failure): see
// ccFlowStrict. Unless strict, those are passed on as blocked. It returns
// the result, that count, the threads of every hang as reported, and
// problems with the executions themselves (one visited twice, an invalid
// graph).
func exploreFlow(p *prog.Program, m *model.Model) (*result.Result, int, []string, []string) {
	ctx, cancel := context.WithTimeout(context.Background(), *ccFlowTimeout)
	defer cancel()
	c := result.NewCollector(p, m, result.ShowNone)
	suspect := 0
	var raw []string // threads of every hang, as reported
	var issues []string
	seen := map[string]explore.Status{}
	visit := func(x *explore.Execution) {
		// Each execution is visited once, whatever its status, and is a
		// well-formed graph.
		k := progtest.Canon(x.Graph())
		if st, ok := seen[k]; ok && len(issues) < 5 {
			issues = append(issues, fmt.Sprintf("execution visited twice (%v, then %v):\n%s", st, x.Status, progtest.Indent(k, "    ")))
		}
		seen[k] = x.Status
		if err := x.Graph().Validate(); err != nil && len(issues) < 5 {
			issues = append(issues, fmt.Sprintf("invalid graph (%v): %v\n%s", x.Status, err, progtest.Indent(k, "    ")))
		}
		for _, h := range x.Hangs {
			raw = append(raw, p.Threads[h.Thread].Name)
		}
		if x.Status == explore.Stuck {
			spinning := 0
			for t, th := range x.Threads {
				if th.PC < len(p.Threads[t].Code) {
					spinning++ // in a stuck execution, every thread is done or spins
				}
			}
			if spinning > len(x.Hangs) {
				suspect++
				if !*ccFlowStrict {
					y := *x
					y.Status, y.Hangs = explore.Blocked, nil
					x = &y
				}
			}
		}
		c.Visit(x)
	}
	stats := explore.Explore(ctx, p, explore.Options{Model: m, Unroll: *ccFlowUnroll, MaxSteps: *ccFlowSteps}, visit)
	return c.Finish(stats, *ccFlowUnroll), suspect, progtest.SortedSet(raw), issues
}

func failureKey(thread string, pos fmt.Stringer, msg string) string {
	return fmt.Sprintf("%s at %v: %s", thread, pos, msg)
}

type posText struct{ line, col int }

func (p posText) String() string { return fmt.Sprintf("%d:%d", p.line, p.col) }

// compareFlow cross-checks one program.
//
// Under sc the two must agree. Under a weaker model m, every sc execution
// is one of m's, and one that ends with a thread spinning forever still
// does, so what the reference finds must be reported (outcomes, failures,
// hanging threads), and m may add more.
func compareFlow(s *progtest.FlowSpec, m *model.Model) flowReport {
	p, err := s.Build()
	if err != nil {
		return flowReport{verdict: flowBroken, diff: "does not compile: " + err.Error()}
	}
	progtest.ObserveAll(p)
	res, suspect, rawHang, issues := exploreFlow(p, m)
	ref, err := progtest.SCReach(p, progtest.ReachOptions{MaxStates: *ccFlowStates, StrongCAS: m.StrongCAS})
	if err != nil {
		return flowReport{verdict: flowBroken, diff: "reference: " + err.Error()}
	}
	rep := flowReport{stats: res.Stats, states: ref.States, suspect: suspect}

	// The explorer's side, as sets of texts.
	var exOut []string
	for _, o := range res.Outcomes {
		var parts []string
		for i, v := range o.Values {
			parts = append(parts, fmt.Sprintf("%s=%d", res.Observed[i].Name, v))
		}
		exOut = append(exOut, strings.Join(parts, " "))
	}
	exOut = progtest.SortedSet(exOut)
	var exFail []string
	for _, f := range res.Failures {
		exFail = append(exFail, failureKey(f.Thread, posText{f.Pos.Line, f.Pos.Col}, f.Msg))
	}
	exFail = progtest.SortedSet(exFail)
	var exHang []string
	for _, h := range res.Hangs {
		exHang = append(exHang, h.Thread)
	}
	exHang = progtest.SortedSet(exHang)

	// The reference's.
	refOut := ref.Outcomes(p.Observed)
	var refFail []string
	for _, f := range ref.Failures {
		pos := p.Threads[f.Thread].Code[f.PC].Pos
		refFail = append(refFail, failureKey(p.Threads[f.Thread].Name, posText{pos.Line, pos.Col}, f.Msg))
	}
	refFail = progtest.SortedSet(refFail)
	var refHang []string
	for _, h := range ref.Hangs {
		for _, t := range h.Threads {
			refHang = append(refHang, p.Threads[t].Name)
		}
	}
	refHang = progtest.SortedSet(refHang)
	rep.outcomes, rep.failures, rep.hangs = len(refOut), len(refFail), len(ref.Hangs)
	if m == model.SC && !*ccFlowStrict && res.Complete() && ref.Inconclusive == "" && strings.Join(rawHang, ",") != strings.Join(refHang, ",") {
		rep.knownBug = true
	}

	var b strings.Builder
	for _, is := range issues {
		fmt.Fprintf(&b, "explorer: %s", is)
	}
	// sub reports the elements of a missing from b.
	sub := func(what string, a, bb []string, note string) {
		missing, _ := progtest.Diff(a, bb)
		for _, m := range missing {
			fmt.Fprintf(&b, "%s %s\n", what, note)
			fmt.Fprintf(&b, "    %s\n", m)
		}
	}
	exComplete := res.Complete()
	refComplete := ref.Inconclusive == ""
	switch {
	case exComplete && refComplete:
		rep.verdict = flowAgree
	case !exComplete:
		rep.verdict = flowPartial
	default:
		rep.verdict = flowInconclusive
	}
	if m == model.C11 && len(res.Races) > 0 {
		// C++11 (Batty et al.) lets a plain read read only a visible
		// side effect, so a racy program loses sc's racy outcomes there;
		// the race, reported, is the answer.
		rep.verdict = flowRacy
		return rep
	}
	if refComplete && m == model.SC {
		// Whatever the explorer reports must be reachable.
		sub("outcome", exOut, refOut, "reported by the explorer, unreachable in the reference:")
		sub("failure", exFail, refFail, "reported by the explorer, unreachable in the reference:")
		sub("hanging thread", exHang, refHang, "reported by the explorer, but no terminal component of the reference leaves it unfinished:")
	}
	if exComplete {
		// Whatever the reference reaches must be reported.
		sub("outcome", refOut, exOut, "reachable in the reference, missing from the explorer:")
		sub("failure", refFail, exFail, "reachable in the reference, missing from the explorer:")
		if refComplete {
			sub("hanging thread", refHang, exHang, "never finishes in a terminal component of the reference, not reported by the explorer:")
		}
	}
	if refComplete && m == model.SC {
		// The values a hanging thread keeps reading are those memory
		// holds in a terminal component where it never finishes.
		for _, h := range res.Hangs {
			found := false
			for _, rh := range ref.Hangs {
				in := false
				for _, t := range rh.Threads {
					in = in || p.Threads[t].Name == h.Thread
				}
				for _, mem := range rh.Mems {
					ok := in
					for _, rd := range h.Reads {
						ok = ok && slices.Contains(memTexts(p, mem), rd)
					}
					found = found || ok
				}
			}
			if !found {
				fmt.Fprintf(&b, "hang reported by the explorer: %s reading %v, but no terminal component of the reference where it never finishes has that memory\n", h.Thread, h.Reads)
			}
		}
	}
	if b.Len() > 0 {
		rep.verdict = flowMismatch
		fmt.Fprintf(&b, "explorer: %d complete, %d blocked, %d bounded, %d stuck, %d duplicate; %d outcomes; partial %v\n",
			res.Stats.Complete, res.Stats.Blocked, res.Stats.Bounded, res.Stats.Stuck, res.Stats.Duplicates, len(exOut), res.Partial())
		for _, h := range res.Hangs {
			fmt.Fprintf(&b, "    explorer hang: %s at %v reading %v (%d executions)\n", h.Thread, posText{h.Pos.Line, h.Pos.Col}, h.Reads, h.Count)
		}
		fmt.Fprintf(&b, "reference: %d states, %d edges, %d final states, %d outcomes, %d terminal components that never finish; inconclusive: %q\n",
			ref.States, ref.Edges, len(ref.Finals), len(refOut), len(ref.Hangs), ref.Inconclusive)
		for _, h := range ref.Hangs {
			fmt.Fprintf(&b, "    reference hang (%d states): %s\n      reached by: %s\n", h.Size, h.State, h.Trace)
		}
		// A path to each outcome the explorer misses.
		missing, _ := progtest.Diff(refOut, exOut)
		for _, m := range missing {
			for i := range ref.Finals {
				if ref.Finals[i].Values(p.Observed) == m {
					fmt.Fprintf(&b, "    reference path to %s:\n      %s\n", m, ref.Trace(i))
					break
				}
			}
		}
		rep.diff = b.String()
	}
	return rep
}

func flowCount() int {
	switch {
	case *ccFlowN > 0:
		return *ccFlowN
	case testing.Short():
		return 40
	}
	return 150
}

func TestCrossCheckFlow(t *testing.T) {
	t.Parallel()
	crossCheckFlow(t, model.SC, 200, flowCount())
}

// TestCrossCheckFlowModels checks the weaker models against the sc
// reference: nothing sc reaches may be missing (under c11, racy programs
// excepted), armv8 included (explored by revisits).
func TestCrossCheckFlowModels(t *testing.T) {
	n := *ccFlowModelsN
	if n == 0 {
		n = 40
		if testing.Short() {
			n = 12
		}
	}
	for i, name := range strings.Split(*ccFlowModels, ",") {
		m, err := model.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		k := n
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			crossCheckFlow(t, m, uint64(201+i), k)
		})
	}
}

// crossCheckFlow cross-checks n random programs of a stream under m.
func crossCheckFlow(t *testing.T, m *model.Model, stream uint64, n int) {
	what := fmt.Sprintf("explorer (%s) vs sc state space", m.Name)
	if *ccOnly >= n {
		n = *ccOnly + 1
	}
	var count [flowMismatch + 1]int
	var withHangs, withFailures, withBlocked, withStuck, withDup, withSuspect, knownBug, states int
	mismatches := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		if *ccOnly >= 0 && i != *ccOnly {
			continue
		}
		s := progtest.RandomFlow(rand.New(rand.NewPCG(*ccSeed, stream<<32|uint64(i))))
		t0 := time.Now()
		rep := compareFlow(s, m)
		if d := time.Since(t0); d > 300*time.Millisecond && testing.Verbose() {
			t.Logf("program %d took %v (%d reference states, %d+%d+%d+%d+%d executions)", i, d.Round(time.Millisecond), rep.states,
				rep.stats.Complete, rep.stats.Blocked, rep.stats.Bounded, rep.stats.Stuck, rep.stats.Duplicates)
		}
		count[rep.verdict]++
		states += rep.states
		if rep.hangs > 0 {
			withHangs++
		}
		if rep.failures > 0 {
			withFailures++
		}
		if rep.stats.Blocked > 0 {
			withBlocked++
		}
		if rep.stats.Stuck > 0 {
			withStuck++
		}
		if rep.stats.Duplicates > 0 {
			withDup++
		}
		if rep.suspect > 0 {
			withSuspect++
		}
		if rep.knownBug && rep.verdict != flowMismatch {
			knownBug++
			if knownBug <= 3 {
				t.Logf("known bug (explore.Classify reports a thread as spinning forever while another spins on a replaced value or a spurious failure): program %d (rerun with -crosscheck.strict -crosscheck.only=%d)", i, i)
			}
		}
		if *ccOnly >= 0 {
			t.Logf("program %d (%v, %d reference states):\n%s%s", i, rep.verdict, rep.states, progtest.Indent(s.Source(), "    "), rep.diff)
		}
		switch rep.verdict {
		case flowBroken:
			t.Errorf("program %d: %s\n%s", i, rep.diff, progtest.Indent(s.Source(), "    "))
			continue
		case flowMismatch:
		default:
			continue
		}
		mismatches++
		small := progtest.ShrinkFlow(s, func(c *progtest.FlowSpec) bool {
			return compareFlow(c, m).verdict == flowMismatch
		})
		srep := compareFlow(small, m)
		t.Errorf("%s: program %d (rerun: -crosscheck.seed=%d -crosscheck.only=%d) differs:\n%s%s"+
			"shrunk to:\n%s%s",
			what, i, *ccSeed, i, progtest.Indent(s.Source(), "    "), rep.diff,
			progtest.Indent(small.Source(), "    "), srep.diff)
		if mismatches >= *ccFail {
			t.Logf("stopping after %d mismatching programs", mismatches)
			break
		}
	}
	t.Logf("%s: %d programs: %d agree, %d explorer partial and %d reference inconclusive (soundness checked), %d racy under c11 (not compared), %d mismatches; "+
		"%d with hangs, %d with failures, %d with blocked, %d with stuck, %d with duplicate executions; "+
		"%d with stuck executions in which another thread spins without hanging, in %d of which the explorer's liveness answer is wrong (known bug); %d reference states; %v",
		what, count[flowAgree]+count[flowPartial]+count[flowInconclusive]+count[flowMismatch]+count[flowBroken]+count[flowRacy],
		count[flowAgree], count[flowPartial], count[flowInconclusive], count[flowRacy], count[flowMismatch],
		withHangs, withFailures, withBlocked, withStuck, withDup, withSuspect, knownBug, states, time.Since(start).Round(time.Millisecond))
}

// compareBranches compares the explorer's executions under sc, complete
// and blocked, with the exact set progtest.SCBranchExecutions finds, for a
// program with branches and counted loops but no spin or retry loop (so
// the explorer prunes nothing: every interleaving's execution is one of
// its executions, visited once). It returns the differences ("" when
// none), the numbers of reference executions (complete, blocked), and
// whether the comparison was conclusive.
func compareBranches(s *progtest.FlowSpec) (string, int, int, bool) {
	p, err := s.Build()
	if err != nil {
		return "does not compile: " + err.Error(), 0, 0, true
	}
	ref, err := progtest.SCBranchExecutions(p, 0)
	if err != nil {
		return "reference: " + err.Error(), 0, 0, true
	}
	if ref.Inconclusive != "" {
		return "", 0, 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), *ccFlowTimeout)
	defer cancel()
	var b strings.Builder
	var complete, blocked []string
	stats := explore.Explore(ctx, p, explore.Options{Model: model.SC, MaxSteps: *ccFlowSteps}, func(x *explore.Execution) {
		c := progtest.Canon(x.Graph())
		switch x.Status {
		case explore.Complete:
			complete = append(complete, c)
		case explore.Blocked:
			blocked = append(blocked, c)
		default:
			fmt.Fprintf(&b, "explorer: execution with status %v in a program without spin or retry loops:\n%s", x.Status, progtest.Indent(c, "    "))
		}
		if err := x.Graph().Validate(); err != nil {
			fmt.Fprintf(&b, "explorer: invalid graph: %v\n%s", err, progtest.Indent(c, "    "))
		}
	})
	if stats.Stopped {
		return "", 0, 0, false
	}
	for _, what := range []struct {
		name    string
		ex, ref []string
	}{{"complete", complete, ref.Complete}, {"blocked", blocked, ref.Blocked}} {
		for _, k := range progtest.Duplicates(what.ex) {
			fmt.Fprintf(&b, "DUPLICATED %s execution in the explorer:\n%s", what.name, progtest.Indent(k, "    "))
		}
		missing, extra := progtest.Diff(what.ref, progtest.SortedSet(what.ex))
		if len(missing)+len(extra) > 0 {
			fmt.Fprintf(&b, "%s executions: explorer %d, interleavings %d\n", what.name, len(what.ex), len(what.ref))
		}
		for _, k := range missing {
			fmt.Fprintf(&b, "MISSING %s execution (some interleaving yields it):\n%s", what.name, progtest.Indent(k, "    "))
		}
		for _, k := range extra {
			fmt.Fprintf(&b, "EXTRA %s execution (no interleaving yields it):\n%s", what.name, progtest.Indent(k, "    "))
		}
	}
	return b.String(), len(ref.Complete), len(ref.Blocked), true
}

// TestCrossCheckBranches: programs with branches, counted loops,
// assertions and assumptions, whose sc executions the interleavings give
// exactly (nothing missing, nothing extra, nothing twice).
func TestCrossCheckBranches(t *testing.T) {
	t.Parallel()
	n := flowCount()
	if *ccOnly >= n {
		n = *ccOnly + 1
	}
	checked, inconclusive, complete, blocked, failures := 0, 0, 0, 0, 0
	start := time.Now()
	for i := 0; i < n; i++ {
		if *ccOnly >= 0 && i != *ccOnly {
			continue
		}
		s := progtest.RandomBranching(rand.New(rand.NewPCG(*ccSeed, 300<<32|uint64(i))))
		diff, nc, nb, ok := compareBranches(s)
		if !ok {
			inconclusive++
			continue
		}
		checked++
		complete += nc
		blocked += nb
		if *ccOnly >= 0 {
			t.Logf("program %d (%d complete and %d blocked executions):\n%s%s", i, nc, nb, progtest.Indent(s.Source(), "    "), diff)
		}
		if diff == "" {
			continue
		}
		failures++
		small := progtest.ShrinkFlow(s, func(c *progtest.FlowSpec) bool {
			d, _, _, ok := compareBranches(c)
			return ok && d != ""
		})
		sdiff, _, _, _ := compareBranches(small)
		t.Errorf("explorer (sc) vs interleavings with branches: program %d (rerun: -run CrossCheckBranches -crosscheck.seed=%d -crosscheck.only=%d) differs:\n%s%s"+
			"shrunk to:\n%s%s", i, *ccSeed, i, progtest.Indent(s.Source(), "    "), diff, progtest.Indent(small.Source(), "    "), sdiff)
		if failures >= *ccFail {
			break
		}
	}
	t.Logf("explorer (sc) vs interleavings with branches: %d programs (%d inconclusive), %d complete and %d blocked reference executions, %d mismatches, %v",
		checked, inconclusive, complete, blocked, failures, time.Since(start).Round(time.Millisecond))
}

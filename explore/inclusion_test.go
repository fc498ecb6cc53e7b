package explore_test

// Inclusions between models that are theorems, checked on random programs
// at the level of what a user sees: the outcomes of complete executions
// (every thread's locals and the final value of every location) and the
// failures reached (thread, source position, message). Unlike the
// cross-checks against value speculation or brute force, this needs no
// slow reference, so it runs on bigger programs; it cannot say that a
// model is too weak, only that one forgot an outcome a stronger model
// proves possible (as armv8 once found 10 executions of a program where
// sc finds 12).
//
// Asserted, with why each holds:
//
//   - sc ⊆ c20, rc11. happens' sc is acyclic(sb ∪ rf ∪ mo ∪ rb) with RMW
//     atomicity (model/models.go). Take a linearisation L of
//     sb ∪ rf ∪ mo ∪ rb: hb ⊆ (sb ∪ rf)⁺ ⊆ L and eco ⊆ (rf ∪ mo ∪ rb)⁺ ⊆ L,
//     so coherence (irreflexive(hb ; eco?)) and no-thin-air
//     (acyclic(sb ∪ rf)) hold, and every relation the SC axioms of rc11
//     (psc) and c20 (shb ∪ eco and the fence terms, all made of hb and eco)
//     order SC events by is in L, so it is acyclic. Neither model has an
//     axiom about plain accesses (races are reported, not excluded), so
//     this holds with non-atomics too. (Lahav et al., PLDI 2017: SC is the
//     strongest of these.)
//   - sc ⊆ c11, on programs without non-atomic locations (with
//     -inclusion.c11: c11's engine is several times slower). The same L
//     gives hb acyclic, coherence, and S (L on SC events) containing hb,
//     mo and the fence edges, with every SC read reading the L-last write
//     before it (so the last SC write, or a later non-SC one not hb before
//     it). c11's "visible side effect" rule for plain reads holds only in
//     race-free executions (a racy plain read may read an L-latest write
//     not hb before it), hence the restriction.
//   - sc ⊆ armv8, run on the compiled program (model/armv8.go): an
//     interleaving of the source is one of the compiled code (an RMW's
//     exclusive pair succeeds when nothing intervenes; a failing
//     compare-exchange is a load), and every SC execution is an ARMv8 one.
//     compare_exchange_weak may fail spuriously on both sides (exclusive
//     pairs).
//   - sc with strong compare-exchange ⊆ x86. x86's lock cmpxchg never
//     fails spuriously (model.X86.StrongCAS) while sc's weak one may, so
//     the sc side is sc with StrongCAS; then, as for armv8, an SC execution
//     of the compiled program is a TSO one.
//   - x86 ⊆ rc11: the standard x86-64 mapping is correct for RC11 (Lahav,
//     Vafeiadis, Kang, Hur, Dreyer, PLDI 2017, §7: every TSO-consistent
//     execution of the compiled program is RC11-consistent; TSO keeps
//     po from reads to writes, so it has no load buffering either). This
//     is a graph-level result, needing no race freedom, and rc11 here is
//     exactly herd7's rc11.cat.
//
// Not asserted, because they are false: rc11 ⊆ c20 and c20 ⊆ rc11 (the
// README's table: IRIW with relaxed stores and four SeqCst loads is Never
// under c20, Sometimes under rc11; a release sequence through a later
// relaxed store is Sometimes under c20, Never under rc11; both are in
// testdata/), c11 against either (the c11/c20 table), armv8 ⊆ any
// language model (load buffering: armv8 allows it, all four forbid
// acyclic(sb ∪ rf) violations), x86 ⊆ armv8 and back (different
// hardware). x86 ⊆ c20 is left out: c20's SC axiom is stronger than
// RC11's psc (eco paths through non-SC writes) and the x86 result above is
// for RC11.
//
// Programs are straight-line (progtest.Random), with control flow
// (progtest.RandomFlow), or many RMWs on one or two locations
// (randomRMWs). A pair whose runs were cut (timeout, step bound, loop
// bound) is skipped, not compared. A violation prints the program and
// what the larger model misses, and shrinks it (-inclusion.shrink).
//
//	go test ./explore -run 'Inclusion$' -inclusion.n=20000 -inclusion.seed=7 -crosscheck.failures=100
//	go test ./explore -run 'Inclusion$/rmw' -inclusion.only=17 -v   # one program
//	go test ./explore -run InclusionFiles -inclusion.files='../testdata/*.litmus'

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
)

var (
	inclN       = flag.Int("inclusion.n", 0, "random programs of each kind for TestInclusion (0: 200, or 50 with -short)")
	inclStrict  = flag.Bool("inclusion.strict", false, "make sc ⊆ armv8 violations of the revisit engine errors (known open: happens.Run guards against them)")
	inclSeed    = flag.Uint64("inclusion.seed", 1, "seed of TestInclusion's random programs")
	inclOnly    = flag.Int("inclusion.only", -1, "TestInclusion: check only this program number of each kind")
	inclTimeout = flag.Duration("inclusion.timeout", 10*time.Second, "TestInclusion: time bound of one exploration (a program cut by it is skipped)")
	inclSteps   = flag.Int("inclusion.steps", 100000, "TestInclusion: work bound (explore.Options.MaxSteps) of one exploration")
	inclShrink  = flag.Bool("inclusion.shrink", true, "TestInclusion: shrink a violating program")
	inclWorkers = flag.Int("inclusion.workers", 2, "TestInclusion: programs checked at once per kind")
	inclC11     = flag.Bool("inclusion.c11", false, "TestInclusion: check sc ⊆ c11 too (c11's engine makes it several times slower)")
	inclFiles   = flag.String("inclusion.files", "testdata/hmc/*.litmus", "TestInclusionFiles: the litmus files checked")
)

const inclUnroll = 5

func inclCount() int {
	switch {
	case *inclN > 0:
		return *inclN
	case testing.Short():
		return 50
	}
	return 200
}

// scStrong is sc whose compare_exchange_weak never fails spuriously, the
// sc side of sc ⊆ x86. It keeps the name "sc", by which the engine picks
// its consistency check.
var scStrong = func() *model.Model { m := *model.SC; m.StrongCAS = true; return &m }()

// modelName names a model in reports.
func modelName(m *model.Model) string {
	if m == scStrong {
		return "sc(strong CAS)"
	}
	return m.Name
}

// inclusion is one asserted inclusion sub ⊆ sup.
type inclusion struct {
	sub, sup *model.Model
	// applies says whether the inclusion is a theorem for p.
	applies func(p *prog.Program) bool
}

func always(*prog.Program) bool { return true }

// atomicOnly: no non-atomic location (sc ⊆ c11 needs race freedom).
func atomicOnly(p *prog.Program) bool {
	for _, l := range p.Locs {
		if !l.Atomic {
			return false
		}
	}
	return true
}

var inclusions = []inclusion{
	{model.SC, model.C20, always},
	{model.SC, model.RC11, always},
	{model.SC, model.ARMv8, always},
	{model.SC, model.C11, func(p *prog.Program) bool { return *inclC11 && atomicOnly(p) }},
	{scStrong, model.X86, always},
	{model.X86, model.RC11, always},
}

// behaviour is what one exploration showed a user.
type behaviour struct {
	outcomes map[string]bool // locals and final memory of complete executions
	failures map[string]bool // thread, position, message, from executions of any status
	stats    explore.Stats
	took     time.Duration
	visit    func(*explore.Execution)
}

func (b *behaviour) cut() bool { return b.stats.Stopped || b.stats.Bounded > 0 }

// outcomeKey prints a complete execution's final state: every thread's
// locals (and the final code's), then every location's final value.
func outcomeKey(p *prog.Program, x *explore.Execution) string {
	var b strings.Builder
	for t, th := range p.Threads {
		fmt.Fprintf(&b, "%s:", th.Name)
		for _, l := range th.Locals {
			fmt.Fprintf(&b, " %s=%d", l.Name, x.Local(t, l.Reg))
		}
		b.WriteString("; ")
	}
	if p.Final != nil && x.Final != nil {
		b.WriteString("final:")
		for _, l := range p.Final.Locals {
			fmt.Fprintf(&b, " %s=%d", l.Name, x.Local(len(p.Threads), l.Reg))
		}
		b.WriteString("; ")
	}
	for i, l := range p.Locs {
		fmt.Fprintf(&b, "%s=%d ", l.Name, x.FinalMem(i))
	}
	return strings.TrimSpace(b.String())
}

func behave(p *prog.Program, m *model.Model) *behaviour {
	ctx, cancel := context.WithTimeout(context.Background(), *inclTimeout)
	defer cancel()
	b := &behaviour{outcomes: map[string]bool{}, failures: map[string]bool{}}
	b.visit = b.visitFor(p)
	start := time.Now()
	defer func() { b.took = time.Since(start) }()
	opts := explore.Options{Model: m, Unroll: inclUnroll, MaxSteps: *inclSteps}
	b.stats = explore.Explore(ctx, p, opts, b.visit)
	if b.stats.Stopped && b.stats.Cut == explore.CutRevisits && ctx.Err() == nil {
		// As happens.Run does: value speculation instead.
		b.outcomes, b.failures = map[string]bool{}, map[string]bool{}
		b.stats = explore.Speculate(ctx, p, opts, b.visit)
	}
	return b
}

func (b *behaviour) visitFor(p *prog.Program) func(x *explore.Execution) {
	return func(x *explore.Execution) {
		for _, f := range x.Failures {
			pos := ""
			if f.Instr != nil {
				pos = fmt.Sprint(f.Instr.Pos)
			}
			b.failures[fmt.Sprintf("t%d at %s: %s", f.Thread, pos, f.Msg)] = true
		}
		if x.Status == explore.Complete {
			b.outcomes[outcomeKey(p, x)] = true
		}
	}
}

// missing lists what sub shows and sup does not.
func missing(sub, sup *behaviour) []string {
	var out []string
	for k := range sub.outcomes {
		if !sup.outcomes[k] {
			out = append(out, "outcome "+k)
		}
	}
	for k := range sub.failures {
		if !sup.failures[k] {
			out = append(out, "failure "+k)
		}
	}
	sort.Strings(out)
	return out
}

// inclReport is the check of one program.
type inclReport struct {
	compared, skipped map[string]int           // per inclusion name
	took              map[string]time.Duration // per model
	violations        []inclViolation
}

type inclViolation struct {
	inc  inclusion
	miss []string
	nSub int
	nSup int
}

func incName(inc inclusion) string { return modelName(inc.sub) + "⊆" + modelName(inc.sup) }

// checkInclusions explores p under the models the inclusions name (each
// once) and checks every inclusion that applies. only, when not nil,
// restricts the check to that inclusion.
func checkInclusions(p *prog.Program, only *inclusion) inclReport {
	rep := inclReport{compared: map[string]int{}, skipped: map[string]int{}, took: map[string]time.Duration{}}
	runs := map[*model.Model]*behaviour{}
	var run func(m *model.Model) *behaviour
	run = func(m *model.Model) *behaviour {
		if m == scStrong && !hasWeakCAS(p) {
			return run(model.SC) // the same executions
		}
		if b, ok := runs[m]; ok {
			return b
		}
		b := behave(p, m)
		runs[m] = b
		rep.took[modelName(m)] += b.took
		return b
	}
	for _, inc := range inclusions {
		if only != nil && (inc.sub != only.sub || inc.sup != only.sup) || !inc.applies(p) {
			continue
		}
		sub := run(inc.sub)
		if sub.cut() {
			rep.skipped[incName(inc)]++
			continue
		}
		sup := run(inc.sup)
		if sup.cut() {
			rep.skipped[incName(inc)]++
			continue
		}
		rep.compared[incName(inc)]++
		if miss := missing(sub, sup); len(miss) > 0 {
			rep.violations = append(rep.violations, inclViolation{inc, miss, len(sub.outcomes), len(sup.outcomes)})
		}
	}
	return rep
}

func hasWeakCAS(p *prog.Program) bool {
	for _, th := range p.Threads {
		for _, in := range th.Code {
			if in.Op == prog.OpCAS && in.Weak {
				return true
			}
		}
	}
	if p.Final != nil {
		for _, in := range p.Final.Code {
			if in.Op == prog.OpCAS && in.Weak {
				return true
			}
		}
	}
	return false
}

// inclProgram is a random program of one kind, with what shrinks it and
// prints it as a Rust-style litmus test.
type inclProgram struct {
	p      *prog.Program
	source string
	// shrink returns the smallest program still failing fails, as source.
	shrink func(fails func(*prog.Program) bool) string
}

var inclKinds = []struct {
	name string
	draw func(r *rand.Rand) *inclProgram
}{
	{"straight", func(r *rand.Rand) *inclProgram { return specProgram(progtest.Random(r)) }},
	{"flow", func(r *rand.Rand) *inclProgram { return flowProgram(progtest.RandomFlow(r)) }},
	{"rmw", func(r *rand.Rand) *inclProgram { return flowProgram(randomRMWs(r)) }},
}

func specProgram(s *progtest.Spec) *inclProgram {
	return &inclProgram{p: s.Build(), source: specSource(s), shrink: func(fails func(*prog.Program) bool) string {
		small := progtest.Shrink(s, func(c *progtest.Spec) bool { return fails(c.Build()) })
		return specSource(small) + "\n(as built by progtest.Spec:)\n" + small.String()
	}}
}

func flowProgram(s *progtest.FlowSpec) *inclProgram {
	p, err := s.Build()
	if err != nil {
		return nil
	}
	return &inclProgram{p: p, source: s.Source(), shrink: func(fails func(*prog.Program) bool) string {
		small := progtest.ShrinkFlow(s, func(c *progtest.FlowSpec) bool {
			q, err := c.Build()
			return err == nil && fails(q)
		})
		return small.Source()
	}}
}

// specSource prints a straight-line spec in the Rust-style language (via
// the flow programs' printer: a compare-exchange's result is the value
// read, plus 10 when it failed).
func specSource(s *progtest.Spec) string {
	f := &progtest.FlowSpec{Init: make([]uint64, s.NumLocs)}
	for _, th := range s.Threads {
		var ss []progtest.FStmt
		for i, o := range th {
			st := progtest.FStmt{Loc: o.Loc, Dst: i, Src2: -1, Val: o.Val, Exp: o.Exp, Ord: o.Ord, Ord2: o.Ord2, Weak: o.Weak}
			switch o.Kind {
			case progtest.Load:
				st.Kind = progtest.FLoad
			case progtest.Store:
				st.Kind = progtest.FStore
			case progtest.FetchAdd:
				st.Kind, st.RMW = progtest.FRMW, prog.RMWAdd
			case progtest.Swap:
				st.Kind, st.RMW = progtest.FRMW, prog.RMWSwap
			case progtest.CAS:
				st.Kind = progtest.FCAS
			case progtest.Fence:
				st.Kind = progtest.FFence
			case progtest.NALoad:
				st.Kind = progtest.FNALoad
			case progtest.NAStore:
				st.Kind = progtest.FNAStore
			}
			ss = append(ss, st)
		}
		f.Threads = append(f.Threads, ss)
	}
	return f.Source()
}

// randomRMWs draws the pattern that found an armv8 bug (a failing
// compare-exchange and swaps, three threads, one location): 2–4 threads
// (mostly 3–4) of 1–4 accesses each, at most 9 in all, mostly
// read-modify-writes (compare_exchange, compare_exchange_weak,
// swap, fetch_add, with the odd load or store) on 1–2 locations, values
// kept small so that compare-exchanges both succeed and fail.
func randomRMWs(r *rand.Rand) *progtest.FlowSpec {
	ords := []prog.Ordering{prog.Relaxed, prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
	failOrds := []prog.Ordering{prog.Relaxed, prog.Acquire, prog.SeqCst}
	loadOrds := []prog.Ordering{prog.Relaxed, prog.Acquire, prog.SeqCst}
	storeOrds := []prog.Ordering{prog.Relaxed, prog.Release, prog.SeqCst}
	pk := func(os []prog.Ordering) prog.Ordering { return os[r.IntN(len(os))] }
	nlocs := 1 + r.IntN(2)
	s := &progtest.FlowSpec{Init: make([]uint64, nlocs)}
	nt := []int{2, 3, 3, 4, 4}[r.IntN(5)]
	budget := 9 // accesses in all: more makes sc alone too slow
	for t := range nt {
		var th []progtest.FStmt
		n := min(1+r.IntN(4), budget-(nt-1-t)) // leave one for each thread after
		budget -= n
		for i := range n {
			st := progtest.FStmt{Loc: r.IntN(nlocs), Dst: i, Src2: -1}
			switch x := r.IntN(100); {
			case x < 30:
				st.Kind, st.Ord, st.Ord2 = progtest.FCAS, pk(ords), pk(failOrds)
				st.Exp, st.Val, st.Weak = uint64(r.IntN(3)), uint64(r.IntN(3)), r.IntN(3) == 0
			case x < 55:
				st.Kind, st.Ord, st.RMW, st.Val = progtest.FRMW, pk(ords), prog.RMWSwap, uint64(r.IntN(3))
			case x < 72:
				st.Kind, st.Ord, st.RMW, st.Val = progtest.FRMW, pk(ords), prog.RMWAdd, 1
			case x < 86:
				st.Kind, st.Ord = progtest.FLoad, pk(loadOrds)
			default:
				st.Kind, st.Ord, st.Val = progtest.FStore, pk(storeOrds), uint64(1+r.IntN(2))
			}
			th = append(th, st)
		}
		s.Threads = append(s.Threads, th)
	}
	return s
}

// TestInclusion checks the inclusions above on random programs of three
// kinds: straight-line (progtest.Random), with control flow
// (progtest.RandomFlow), and many RMWs on few locations (randomRMWs).
func TestInclusion(t *testing.T) {
	n := inclCount()
	for k, kind := range inclKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			compared, skipped := map[string]int{}, map[string]int{}
			took := map[string]time.Duration{}
			programs, failed, engineMisses := 0, 0, 0
			next := make(chan int)
			var wg sync.WaitGroup
			for range max(1, *inclWorkers) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						ip := kind.draw(rand.New(rand.NewPCG(*inclSeed, uint64(500+k)<<32|uint64(i))))
						if ip == nil {
							continue
						}
						rep := checkInclusions(ip.p, nil)
						mu.Lock()
						programs++
						for c, v := range rep.compared {
							compared[c] += v
						}
						for c, v := range rep.skipped {
							skipped[c] += v
						}
						for m, d := range rep.took {
							took[m] += d
						}
						var strict, known []inclViolation
						for _, v := range rep.violations {
							if !*inclStrict && v.inc.sub == model.SC && v.inc.sup == model.ARMv8 {
								known = append(known, v)
							} else {
								strict = append(strict, v)
							}
						}
						report := len(strict) > 0 && failed < *ccFail
						if len(strict) > 0 {
							failed++
						}
						logKnown := len(known) > 0 && engineMisses < *ccFail
						if len(known) > 0 {
							engineMisses++
						}
						mu.Unlock()
						if report {
							t.Error(describeViolation(ip, i, strict))
						}
						if logKnown {
							t.Log("KNOWN OPEN (the revisit engine misses sc outcomes; happens.Run's sc check catches it and speculates; -inclusion.strict makes this an error):\n" + describeViolation(ip, i, known))
						}
					}
				}()
			}
			if *inclOnly >= 0 {
				next <- *inclOnly
			} else {
				for i := range n {
					next <- i
				}
			}
			close(next)
			wg.Wait()
			var names []string
			for _, inc := range inclusions {
				c := incName(inc)
				names = append(names, fmt.Sprintf("%s %d (%d cut)", c, compared[c], skipped[c]))
			}
			var times []string
			for m, d := range took {
				times = append(times, fmt.Sprintf("%s %v", m, d.Round(time.Millisecond)))
			}
			sort.Strings(times)
			t.Logf("%s: %d programs, %d violate, %d with sc outcomes the armv8 engine misses (known, open); compared (cut, skipped): %s; exploration time: %s",
				kind.name, programs, failed, engineMisses, strings.Join(names, ", "), strings.Join(times, ", "))
		})
	}
}

func describeViolation(ip *inclProgram, i int, vs []inclViolation) string {
	var d strings.Builder
	fmt.Fprintf(&d, "program %d (rerun: -inclusion.seed=%d -inclusion.only=%d)\n%s", i, *inclSeed, i, progtest.Indent(ip.source, "    "))
	for _, v := range vs {
		fmt.Fprintf(&d, "%s: %s has %d outcomes, %s %d; %s misses:\n", incName(v.inc), modelName(v.inc.sub), v.nSub, modelName(v.inc.sup), v.nSup, modelName(v.inc.sup))
		for j, m := range v.miss {
			if j < 4 {
				fmt.Fprintf(&d, "    %s\n", m)
			}
		}
	}
	if *inclShrink {
		inc := vs[0].inc
		small := ip.shrink(func(q *prog.Program) bool { return len(checkInclusions(q, &inc).violations) > 0 })
		fmt.Fprintf(&d, "shrunk (%s):\n%s", incName(inc), progtest.Indent(small, "    "))
	}
	return d.String()
}

// TestInclusionFiles checks the inclusions on litmus files (by default the
// programs the cross-checks found bugs with, testdata/hmc).
func TestInclusionFiles(t *testing.T) {
	files, _ := filepath.Glob(*inclFiles)
	if len(files) == 0 {
		t.Fatalf("no files match %s", *inclFiles)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			p := progtest.ParseFile(t, file)
			rep := checkInclusions(p, nil)
			for _, v := range rep.violations {
				var d strings.Builder
				fmt.Fprintf(&d, "%s: %s has %d outcomes, %s %d; %s misses:\n", incName(v.inc), modelName(v.inc.sub), v.nSub, modelName(v.inc.sup), v.nSup, modelName(v.inc.sup))
				for _, m := range v.miss {
					fmt.Fprintf(&d, "    %s\n", m)
				}
				t.Error(d.String())
			}
			if len(rep.skipped) > 0 {
				t.Logf("cut, not compared: %v", rep.skipped)
			}
		})
	}
}

// Package result turns explored executions into what a user asks about:
// the distinct outcomes with their counts, the condition's verdict, data
// races and assertion failures, each with an execution that shows it.
package result

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"happens/explore"
	"happens/graph"
	"happens/model"
	"happens/prog"
	"happens/source"
)

// Outcome is one distinct final state over the observed values.
type Outcome struct {
	Values    []uint64
	Count     int
	Satisfies bool // the condition holds in this state (false without one)
	Witness   *graph.Graph
	key       string // its key in the Collector, for Merge
}

// Access names one event of a report by thread and source.
type Access struct {
	Thread string
	Kind   string // "read", "write", "rmw"
	Loc    string
	Pos    source.Pos
	Text   string
}

// Race is a data race found in some execution: one per pair of source
// accesses.
type Race struct {
	A, B Access
	// Locs are the locations the pair races on, over every execution
	// (several when the accesses index an array); A.Loc and B.Loc are
	// the witness's.
	Locs []string
	// Count: the complete executions that show it; Incomplete: the
	// others that do (blocked, stuck, cut by a bound, or duplicates),
	// which are not among the executions a result counts.
	Count, Incomplete int
	Witness           *graph.Graph
	key               string // its key in the Collector, for Merge
}

// Hang is a liveness violation: a thread that spins forever.
type Hang struct {
	Thread string
	Pos    source.Pos // the loop
	// Reads are the values its last iteration read, which memory keeps
	// for ever: "X=1".
	Reads   []string
	Count   int
	Witness *graph.Graph
	key     string // its key in the Collector, for Merge
}

// Failure is an assertion failure or panic found in some execution.
type Failure struct {
	Thread            string
	Pos               source.Pos
	Msg               string
	Count, Incomplete int // as a Race's
	Witness           *graph.Graph
	key               string // its key in the Collector, for Merge
}

// Verdicts of a condition, as herd7 names them.
const (
	Always    = "Always"
	Sometimes = "Sometimes"
	Never     = "Never"
)

// Result is the summary of one exploration.
type Result struct {
	Program  *prog.Program
	Model    string
	Observed []prog.Observable
	Outcomes []*Outcome
	// Positive and Negative count complete executions that satisfy and do
	// not satisfy the condition.
	Positive, Negative int
	Verdict            string // "" without a condition
	Races              []*Race
	Failures           []*Failure
	Hangs              []*Hang
	// Hardware marks a model of a CPU running the compiled program: data
	// races are not undefined behaviour there and are not reported.
	Hardware bool
	Stats    explore.Stats
	Unroll   int
	// Shard of Shards, when the run was one part of a sharded exploration
	// split into Units units (0: not sharded).
	Shard, Shards, Units int
	// Executions holds the executions kept for --show.
	Executions []*graph.Graph
	Dropped    int // executions not kept because of the cap
}

// Complete reports whether nothing cut the exploration short.
func (r *Result) Complete() bool { return !r.Stats.Stopped && r.Stats.Bounded == 0 }

// Partial says what cut the exploration short, one line per bound, for
// every output format; nil when it is complete.
func (r *Result) Partial() []string {
	var out []string
	if n := r.Stats.Bounded; n > 0 {
		w := "executions"
		if n == 1 {
			w = "execution"
		}
		out = append(out, fmt.Sprintf("unroll: %d %s cut by the loop bound (--unroll %d)", n, w, r.Unroll))
	}
	if r.Stats.Stopped {
		switch r.Stats.Cut {
		case explore.CutLimit:
			out = append(out, "execution limit: stopped after --max-executions executions")
		case explore.CutTimeout:
			out = append(out, "timeout: stopped by --timeout")
		case explore.CutInterrupt:
			out = append(out, "interrupted: stopped by a signal")
		case explore.CutRounds:
			out = append(out, fmt.Sprintf("value-speculation rounds: the values a read may return were still growing after %d rounds", explore.MaxRounds))
		case explore.CutStates:
			out = append(out, "state limit: stopped after --max-states machine states")
		case explore.CutSize:
			out = append(out, fmt.Sprintf("size limit: under armv8 a thread ran to more than %d events, the most exploration by revisits handles, or value speculation listed more than %d runs of one thread", explore.MaxHMCEvents, explore.MaxThreadRuns))
		case explore.CutRevisits:
			out = append(out, "revisits: under armv8 the exploration by revisits refused one that may have been the only way to some executions, and value speculation did not run (so executions may be missing, and in rare cases one may be counted twice: see README)")
		default:
			out = append(out, "stopped early")
		}
	}
	return out
}

// Explored counts the executions explored, whatever their status.
func (r *Result) Explored() int {
	s := r.Stats
	return s.Complete + s.Blocked + s.Bounded + s.Stuck + s.Duplicates
}

// CondHolds reports whether the condition, read as a test, passes:
// exists is satisfiable, forall always holds, ~exists never holds.
func (r *Result) CondHolds() bool {
	if r.Program.Cond == nil {
		return true
	}
	switch r.Program.Cond.Kind {
	case prog.Exists:
		return r.Positive > 0
	case prog.Forall:
		return r.Negative == 0
	}
	return r.Positive == 0
}

// ExpectsPanic reports whether the program is a #[should_panic] test.
func (r *Result) ExpectsPanic() bool {
	return r.Program.Expect != nil && r.Program.Expect.Verdict == prog.ExpectPanic
}

// ExpectationMet says whether the program's own expectation (an expect
// line, a #[should_panic]) holds; known is false when there is none, or
// when only a complete run could tell.
func (r *Result) ExpectationMet() (met, known bool) {
	e := r.Program.Expect
	switch {
	case e == nil:
		return false, false
	case e.Verdict == prog.ExpectPanic:
		if len(r.Failures) > 0 {
			return true, true
		}
		return false, r.Complete()
	}
	return e.Verdict == r.Verdict, r.Complete()
}

// Failed reports whether the run found a problem: a failed assertion (but
// in a #[should_panic] test that is what is expected), a data race, a
// thread that spins forever, a forall / ~exists condition that does not
// hold, or an expectation that does not.
func (r *Result) Failed() bool {
	if met, known := r.ExpectationMet(); known && !met {
		return true
	}
	if len(r.Races) > 0 || len(r.Hangs) > 0 || (len(r.Failures) > 0 && !r.ExpectsPanic()) {
		return true
	}
	if r.Program.Cond != nil && r.Program.Cond.Kind != prog.Exists {
		return !r.CondHolds()
	}
	return false
}

// Show says which executions a Collector keeps.
type Show uint8

const (
	ShowNone    Show = iota
	ShowWitness      // one execution per interesting outcome
	ShowAll
)

// MaxKept caps the executions kept for ShowAll.
const MaxKept = 1000

// Collector aggregates executions into a Result.
type Collector struct {
	R       *Result
	m       *model.Model
	show    Show
	index   map[string]*Outcome
	races   map[string]*Race
	failure map[string]*Failure
	hangs   map[string]*Hang
	vals    []uint64
	seen    map[*Race]bool // races already counted in this execution
	// incomplete: the execution Visit takes did not complete; its
	// failures and races count as Incomplete.
	incomplete bool
	plain      bool   // the program has plain accesses: races are possible
	keyBuf     []byte // scratch for outcome keys
}

// NewCollector starts a Result for p under m.
func NewCollector(p *prog.Program, m *model.Model, show Show) *Collector {
	c := NewMachineCollector(p, m.Name, m.Hardware, show)
	c.m = m
	c.plain = p.HasPlainAccess()
	return c
}

// NewMachineCollector starts a Result for p on a machine that builds no
// execution graphs (the MESI simulator): outcomes, failures and hangs,
// without witnesses or races.
func NewMachineCollector(p *prog.Program, name string, hardware bool, show Show) *Collector {
	obs := Observables(p)
	return &Collector{
		R:     &Result{Program: p, Model: name, Observed: obs, Hardware: hardware},
		show:  show,
		index: map[string]*Outcome{}, races: map[string]*Race{}, failure: map[string]*Failure{},
		hangs: map[string]*Hang{}, seen: map[*Race]bool{},
	}
}

type finalState struct{ x *explore.Execution }

func (s finalState) Local(t, reg int) uint64 { return s.x.Local(t, reg) }
func (s finalState) Mem(loc int) uint64      { return s.x.FinalMem(loc) }

// Visit takes one execution from the explorer. Failures, races and hangs
// are found in executions of every status (each is real: its events form
// a consistent execution), and counted apart by whether the execution is
// complete; outcomes come only from complete ones.
func (c *Collector) Visit(x *explore.Execution) {
	c.incomplete = x.Status != explore.Complete
	for _, f := range x.Failures {
		c.Failure(f, x.Graph())
	}
	for _, h := range x.Hangs {
		c.Hang(h, x.Graph())
	}
	if c.plain {
		c.addRaces(x.Graph())
	}
	if x.Status == explore.Complete {
		c.Outcome(finalState{x}, x.Graph)
	}
}

// Outcome records the final state of a complete execution; witness, when
// not nil, gives its graph to keep as a witness (called only then).
func (c *Collector) Outcome(st prog.State, witness func() *graph.Graph) {
	r := c.R
	p := r.Program
	if p.Filter != nil && prog.Eval(p.Filter, st) == 0 {
		return
	}
	sat := false
	if p.Cond != nil {
		sat = prog.Eval(p.Cond.Expr, st) != 0
		if sat {
			r.Positive++
		} else {
			r.Negative++
		}
	}
	c.vals = c.vals[:0]
	c.keyBuf = c.keyBuf[:0]
	for _, o := range r.Observed {
		var v uint64
		if o.Thread >= 0 {
			v = st.Local(o.Thread, o.Reg)
		} else {
			v = st.Mem(o.Loc)
		}
		c.vals = append(c.vals, v)
		c.keyBuf = strconv.AppendUint(c.keyBuf, v, 10)
		c.keyBuf = append(c.keyBuf, ',')
	}
	out := c.index[string(c.keyBuf)] // no allocation for the lookup
	if out == nil {
		out = &Outcome{Values: append([]uint64(nil), c.vals...), Satisfies: sat}
		out.key = string(c.keyBuf)
		c.index[out.key] = out
		r.Outcomes = append(r.Outcomes, out)
		if c.show != ShowNone && witness != nil {
			out.Witness = witness().Clone()
			if c.show == ShowWitness && c.interesting(sat) {
				r.Executions = append(r.Executions, out.Witness)
			}
		}
	}
	out.Count++
	if c.show == ShowAll && witness != nil {
		if len(r.Executions) < MaxKept {
			r.Executions = append(r.Executions, witness().Clone())
		} else {
			r.Dropped++
		}
	}
}

// Failure records an assertion failure or panic; g (or nil) shows it.
func (c *Collector) Failure(f explore.Failure, g *graph.Graph) {
	r := c.R
	k := fmt.Sprintf("%d:%v:%s", f.Thread, f.Instr.Pos, f.Msg)
	rf := c.failure[k]
	if rf == nil {
		rf = &Failure{Thread: r.Program.ThreadName(f.Thread), Pos: f.Instr.Pos, Msg: f.Msg, Witness: clone(g)}
		rf.key = k
		c.failure[k] = rf
		r.Failures = append(r.Failures, rf)
	}
	if c.incomplete {
		rf.Incomplete++
	} else {
		rf.Count++
	}
}

// Hang records a thread that spins forever; g (or nil) shows it.
func (c *Collector) Hang(h explore.Hang, g *graph.Graph) {
	r := c.R
	p := r.Program
	var reads []string
	for _, rd := range h.Reads {
		l := &p.Locs[rd.Loc]
		s := l.Name + "=" + p.FormatValue(l.Type, rd.Val)
		if !contains(reads, s) {
			reads = append(reads, s)
		}
	}
	k := fmt.Sprintf("%d:%v:%s", h.Thread, h.Loop.Pos, strings.Join(reads, ","))
	rh := c.hangs[k]
	if rh == nil {
		rh = &Hang{Thread: p.ThreadName(h.Thread), Pos: h.Loop.Pos, Reads: reads, Witness: clone(g)}
		rh.key = k
		c.hangs[k] = rh
		r.Hangs = append(r.Hangs, rh)
	}
	rh.Count++
}

func clone(g *graph.Graph) *graph.Graph {
	if g == nil {
		return nil
	}
	return g.Clone()
}

// addRaces records g's data races, each pair of source accesses once.
func (c *Collector) addRaces(g *graph.Graph) {
	r := c.R
	if c.m == nil || !c.plain {
		return
	}
	races := c.m.Races(model.NewExec(g))
	if len(races) == 0 {
		return
	}
	clear(c.seen)
	for _, race := range races {
		a, b := access(g, race.A), access(g, race.B)
		if a.Pos.Line > b.Pos.Line || a.Pos.Line == b.Pos.Line && a.Thread > b.Thread {
			a, b = b, a
		}
		k := fmt.Sprintf("%s|%v|%s|%s|%v|%s", a.Thread, a.Pos, a.Kind, b.Thread, b.Pos, b.Kind)
		rr := c.races[k]
		if rr == nil {
			rr = &Race{A: a, B: b, Witness: g.Clone()}
			rr.key = k
			c.races[k] = rr
			r.Races = append(r.Races, rr)
		}
		if !contains(rr.Locs, a.Loc) {
			rr.Locs = append(rr.Locs, a.Loc)
		}
		if !c.seen[rr] {
			c.seen[rr] = true
			if c.incomplete {
				rr.Incomplete++
			} else {
				rr.Count++
			}
		}
	}
}

// Merge adds what o collected to what c did, as if o's executions came
// after c's in one exploration: counts add up, and each outcome, failure,
// hang and race keeps the first witness. c and o must collect the same
// program under the same model and options.
func (c *Collector) Merge(o *Collector) {
	r, q := c.R, o.R
	r.Positive += q.Positive
	r.Negative += q.Negative
	for _, out := range q.Outcomes {
		have := c.index[out.key]
		if have != nil {
			have.Count += out.Count
			continue
		}
		n := *out
		c.index[n.key] = &n
		r.Outcomes = append(r.Outcomes, &n)
		if c.show == ShowWitness && n.Witness != nil && c.interesting(n.Satisfies) {
			r.Executions = append(r.Executions, n.Witness)
		}
	}
	if c.show == ShowAll {
		for _, g := range q.Executions {
			if len(r.Executions) < MaxKept {
				r.Executions = append(r.Executions, g)
			} else {
				r.Dropped++
			}
		}
		r.Dropped += q.Dropped
	}
	for _, f := range q.Failures {
		if have := c.failure[f.key]; have != nil {
			have.Count += f.Count
			have.Incomplete += f.Incomplete
			continue
		}
		n := *f
		c.failure[n.key] = &n
		r.Failures = append(r.Failures, &n)
	}
	for _, h := range q.Hangs {
		if have := c.hangs[h.key]; have != nil {
			have.Count += h.Count
			continue
		}
		n := *h
		c.hangs[n.key] = &n
		r.Hangs = append(r.Hangs, &n)
	}
	for _, x := range q.Races {
		have := c.races[x.key]
		if have == nil {
			n := *x
			n.Locs = nil
			have = &n
			have.Count, have.Incomplete = 0, 0
			c.races[n.key] = have
			r.Races = append(r.Races, have)
		}
		have.Count += x.Count
		have.Incomplete += x.Incomplete
		for _, l := range x.Locs {
			if !contains(have.Locs, l) {
				have.Locs = append(have.Locs, l)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *Collector) interesting(sat bool) bool {
	p := c.R.Program
	if p.Cond == nil {
		return true
	}
	if p.Cond.Kind == prog.Forall {
		return !sat
	}
	return sat
}

func access(g *graph.Graph, id graph.ID) Access {
	e := &g.Events[id]
	kind := map[graph.Kind]string{graph.Read: "read", graph.Write: "write", graph.RMW: "rmw"}[e.Kind]
	a := Access{Thread: g.P.Threads[e.Thread].Name, Kind: kind, Loc: g.P.Locs[e.Loc].Name}
	if e.Instr != nil {
		a.Pos, a.Text = e.Instr.Pos, e.Instr.Text
	}
	return a
}

// Finish sorts the outcomes and sets the verdict.
func (c *Collector) Finish(stats explore.Stats, unroll int) *Result {
	r := c.R
	r.Stats = stats
	r.Unroll = unroll
	sort.Slice(r.Outcomes, func(i, j int) bool {
		a, b := r.Outcomes[i].Values, r.Outcomes[j].Values
		for k := range a {
			if a[k] != b[k] {
				return r.Observed[k].Type.Less(a[k], b[k])
			}
		}
		return false
	})
	r.setVerdict()
	return r
}

// setVerdict judges the condition over the complete executions; with none
// there is no verdict (the text says so plainly).
func (r *Result) setVerdict() {
	r.Verdict = ""
	if r.Program.Cond != nil && r.Stats.Complete > 0 {
		switch {
		case r.Positive > 0 && r.Negative == 0:
			r.Verdict = Always
		case r.Positive > 0:
			r.Verdict = Sometimes
		default:
			r.Verdict = Never
		}
	}
}

// Format prints one observed value.
func (r *Result) Format(i int, v uint64) string {
	return r.Program.FormatValue(r.Observed[i].Type, v)
}

// Observables are the values an outcome shows: those the program names
// (its condition, herd's locations), or every thread's top-level locals
// when it has no condition.
func Observables(p *prog.Program) []prog.Observable {
	obs := p.Observed
	if len(obs) == 0 && p.Cond == nil {
		for t, th := range p.Threads {
			for _, l := range th.Locals {
				obs = append(obs, prog.Observable{Name: th.Name + "." + l.Name, Thread: t, Reg: l.Reg, Loc: -1, Type: l.Type})
			}
		}
		if f := p.Final; f != nil {
			for _, l := range f.Locals {
				obs = append(obs, prog.Observable{Name: f.Name + "." + l.Name, Thread: len(p.Threads), Reg: l.Reg, Loc: -1, Type: l.Type})
			}
		}
	}
	return obs
}

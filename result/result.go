// Package result turns explored executions into what a user asks about:
// the distinct outcomes with their counts, the condition's verdict, data
// races and assertion failures, each with an execution that shows it.
package result

import (
	"fmt"
	"sort"
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
}

// Access names one event of a report by thread and source.
type Access struct {
	Thread string
	Kind   string // "read", "write", "rmw"
	Loc    string
	Pos    source.Pos
	Text   string
}

// Race is a data race found in some execution.
type Race struct {
	A, B    Access
	Count   int
	Witness *graph.Graph
}

// Failure is an assertion failure or panic found in some execution.
type Failure struct {
	Thread  string
	Pos     source.Pos
	Msg     string
	Count   int
	Witness *graph.Graph
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
	Stats              explore.Stats
	Unroll             int
	// Executions holds the executions kept for --show.
	Executions []*graph.Graph
	Dropped    int // executions not kept because of the cap
}

// Complete reports whether nothing cut the exploration short.
func (r *Result) Complete() bool { return !r.Stats.Stopped && r.Stats.Bounded == 0 }

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

// Failed reports whether the run found a problem: a failed assertion, a
// data race, or a forall / ~exists condition that does not hold.
func (r *Result) Failed() bool {
	if len(r.Races) > 0 || len(r.Failures) > 0 {
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
	vals    []uint64
}

// NewCollector starts a Result for p under m.
func NewCollector(p *prog.Program, m *model.Model, show Show) *Collector {
	obs := Observables(p)
	return &Collector{
		R:     &Result{Program: p, Model: m.Name, Observed: obs},
		m:     m,
		show:  show,
		index: map[string]*Outcome{}, races: map[string]*Race{}, failure: map[string]*Failure{},
	}
}

type finalState struct{ x *explore.Execution }

func (s finalState) Local(t, reg int) uint64 { return s.x.Threads[t].Regs[reg] }
func (s finalState) Mem(loc int) uint64      { return s.x.G.Final(loc) }

// Visit takes one execution from the explorer.
func (c *Collector) Visit(x *explore.Execution) {
	if x.Status != explore.Complete {
		return
	}
	r := c.R
	p := r.Program
	st := finalState{x}
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
	var key strings.Builder
	for _, o := range r.Observed {
		var v uint64
		if o.Thread >= 0 {
			v = st.Local(o.Thread, o.Reg)
		} else {
			v = st.Mem(o.Loc)
		}
		c.vals = append(c.vals, v)
		fmt.Fprintf(&key, "%d,", v)
	}
	out := c.index[key.String()]
	interesting := c.interesting(sat)
	if out == nil {
		out = &Outcome{Values: append([]uint64(nil), c.vals...), Satisfies: sat}
		c.index[key.String()] = out
		r.Outcomes = append(r.Outcomes, out)
		if c.show != ShowNone {
			out.Witness = x.G.Clone()
		}
		if c.show == ShowWitness && interesting {
			r.Executions = append(r.Executions, out.Witness)
		}
	}
	out.Count++
	if c.show == ShowAll {
		if len(r.Executions) < MaxKept {
			r.Executions = append(r.Executions, x.G.Clone())
		} else {
			r.Dropped++
		}
	}
	for _, f := range x.Failures {
		th := p.Threads[f.Thread].Name
		k := fmt.Sprintf("%d:%v:%s", f.Thread, f.Instr.Pos, f.Msg)
		rf := c.failure[k]
		if rf == nil {
			rf = &Failure{Thread: th, Pos: f.Instr.Pos, Msg: f.Msg, Witness: x.G.Clone()}
			c.failure[k] = rf
			r.Failures = append(r.Failures, rf)
		}
		rf.Count++
	}
	mx := model.NewExec(x.G)
	for _, race := range c.m.Races(mx) {
		a, b := access(x.G, race.A), access(x.G, race.B)
		if a.Pos.Line > b.Pos.Line || a.Pos.Line == b.Pos.Line && a.Thread > b.Thread {
			a, b = b, a
		}
		k := fmt.Sprintf("%s|%v|%s|%s|%v|%s", a.Thread, a.Pos, a.Kind, b.Thread, b.Pos, b.Kind)
		rr := c.races[k]
		if rr == nil {
			rr = &Race{A: a, B: b, Witness: x.G.Clone()}
			c.races[k] = rr
			r.Races = append(r.Races, rr)
		}
		rr.Count++
	}
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
	if r.Program.Cond != nil {
		switch {
		case r.Positive > 0 && r.Negative == 0:
			r.Verdict = Always
		case r.Positive > 0:
			r.Verdict = Sometimes
		default:
			r.Verdict = Never
		}
	}
	return r
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
	}
	return obs
}

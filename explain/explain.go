// Package explain answers "can this outcome happen, and if not, why not?".
//
// Every model here forbids cycles in sb ∪ rf, so its consistent executions
// are among the candidate executions the explorer builds when no axiom
// prunes it (model.Candidates). Explain enumerates those candidates once,
// keeps the ones that produce the outcome, and judges each with the model:
// the consistent ones show that it can happen; the others are grouped by the
// axiom they break, each group with its shortest cycle. Compare judges the
// same candidates under several models at once.
package explain

import (
	"context"
	"fmt"
	"sort"

	"happens/explore"
	"happens/graph"
	"happens/model"
	"happens/prog"
)

// Options bound the enumeration.
type Options struct {
	Unroll int
	// MaxCandidates stops the enumeration; 0 means DefaultMax.
	MaxCandidates int
}

// DefaultMax bounds the candidates enumerated.
const DefaultMax = 200000

// Step is one event of a cycle and the relation to the next event.
type Step struct {
	Event graph.ID
	Rel   string
}

// Reason groups the candidates that break one axiom.
type Reason struct {
	Axiom string
	Text  string
	Count int
	// G and Cycle are the candidate with the shortest cycle found.
	G     *graph.Graph
	Cycle []Step
	short int // length of the axiom's own cycle behind Cycle
}

// Answer is what Explain found.
type Answer struct {
	Model string
	// Candidates producing the outcome, and how many of them the model
	// accepts.
	Candidates, Consistent int
	// Witness is a consistent execution producing the outcome, if any.
	Witness *graph.Graph
	// Racy counts consistent executions producing the outcome that have a
	// data race.
	Racy int
	// Reasons group the rejected candidates by the first axiom each breaks,
	// most frequent first.
	Reasons []*Reason
	// Partial is set when a bound cut the enumeration.
	Partial bool
}

// Possible reports whether the model allows the outcome.
func (a *Answer) Possible() bool { return a.Consistent > 0 }

type state struct{ x *explore.Execution }

func (s state) Local(t, reg int) uint64 { return s.x.Threads[t].Regs[reg] }
func (s state) Mem(loc int) uint64      { return s.x.G.Final(loc) }

// enumerate visits every complete candidate execution of p. When a model
// allows cycles in po ∪ rf, the candidates include them (explore.Speculate).
func enumerate(ctx context.Context, p *prog.Program, models []*model.Model, opts Options, visit func(*explore.Execution)) bool {
	max := opts.MaxCandidates
	if max == 0 {
		max = DefaultMax
	}
	run := explore.Explore
	for _, m := range models {
		if m.Cycles {
			run = explore.Speculate
		}
	}
	st := run(ctx, p, explore.Options{Model: model.Candidates, Unroll: opts.Unroll, MaxExecutions: max}, func(x *explore.Execution) {
		if x.Status == explore.Complete {
			visit(x)
		}
	})
	return st.Stopped || st.Bounded > 0
}

// judge adds one rejected candidate to its axiom's group.
func judge(m *model.Model, g *graph.Graph, v *model.Violation, reasons map[string]*Reason) {
	r := reasons[v.Axiom]
	if r == nil {
		r = &Reason{Axiom: v.Axiom, Text: v.Text}
		reasons[v.Axiom] = r
	}
	r.Count++
	if r.G == nil || len(v.Cycle) < r.short {
		r.G, r.Cycle, r.short = g.Clone(), cycleSteps(m, g, v), len(v.Cycle)
	}
}

// cycleSteps labels each step of a violation's cycle with the most basic
// relation that holds, expanding derived steps (hb, eco, the SC order) into
// paths of sb, sw, rf, mo and fr, so every printed step is a real edge.
func cycleSteps(m *model.Model, g *graph.Graph, v *model.Violation) []Step {
	x := model.NewExec(g)
	var steps []Step
	for i, id := range v.Cycle {
		a, b := x.Dense(id), x.Dense(v.Cycle[(i+1)%len(v.Cycle)])
		label := m.EdgeLabel(x, a, b, v.Axiom)
		switch label {
		case "sb", "rf", "mo", "fr", "sw":
			steps = append(steps, Step{Event: id, Rel: label})
			continue
		}
		mid, labels := m.Path(x, a, b)
		if labels == nil {
			steps = append(steps, Step{Event: id, Rel: label})
			continue
		}
		steps = append(steps, Step{Event: id, Rel: labels[0]})
		for k, e := range mid {
			steps = append(steps, Step{Event: x.ID(e), Rel: labels[k+1]})
		}
	}
	return steps
}

func sortReasons(m map[string]*Reason) []*Reason {
	var out []*Reason
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Axiom < out[j].Axiom
	})
	return out
}

// Explain says whether m allows an execution of p whose final state
// satisfies outcome, and why not when it does not.
func Explain(ctx context.Context, p *prog.Program, m *model.Model, outcome prog.Expr, opts Options) *Answer {
	a := &Answer{Model: m.Name}
	reasons := map[string]*Reason{}
	a.Partial = enumerate(ctx, p, []*model.Model{m}, opts, func(x *explore.Execution) {
		if p.Filter != nil && prog.Eval(p.Filter, state{x}) == 0 {
			return
		}
		if prog.Eval(outcome, state{x}) == 0 {
			return
		}
		a.Candidates++
		mx := model.NewExec(x.G)
		if v := m.CheckFinal(mx); v != nil {
			judge(m, x.G, v, reasons)
			return
		}
		a.Consistent++
		racy := len(m.Races(mx)) > 0
		if racy {
			a.Racy++
		}
		// Prefer a race-free witness.
		if a.Witness == nil || (!racy && a.Consistent-a.Racy == 1) {
			a.Witness = x.G.Clone()
		}
	})
	a.Reasons = sortReasons(reasons)
	return a
}

// Interleaving returns the events of an SC-consistent graph in an order a
// single memory could perform them: a topological order of sb ∪ rf ∪ mo ∪
// rb. ok is false when the graph is not SC-consistent.
func Interleaving(g *graph.Graph) (order []graph.ID, ok bool) {
	x := model.NewExec(g)
	r := model.Union(x.SB, x.RF, x.MO, x.RB)
	n := x.N
	indeg := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if r.Has(i, j) {
				indeg[j]++
			}
		}
	}
	done := make([]bool, n)
	for picked := 0; picked < n; picked++ {
		pick := -1
		// Smallest ready event by thread, then index, for a stable answer;
		// initial writes first.
		for i := 0; i < n; i++ {
			if done[i] || indeg[i] > 0 {
				continue
			}
			if pick < 0 || less(g, x.ID(i), x.ID(pick)) {
				pick = i
			}
		}
		if pick < 0 {
			return nil, false
		}
		done[pick] = true
		for j := 0; j < n; j++ {
			if r.Has(pick, j) {
				indeg[j]--
			}
		}
		if g.Events[x.ID(pick)].Kind != graph.Init {
			order = append(order, x.ID(pick))
		}
	}
	return order, true
}

func less(g *graph.Graph, a, b graph.ID) bool {
	ea, eb := &g.Events[a], &g.Events[b]
	if ea.Thread != eb.Thread {
		return ea.Thread < eb.Thread
	}
	return ea.Index < eb.Index
}

// Cell is one model's verdict on one outcome in a comparison.
type Cell struct {
	Count   int       // consistent executions with this outcome
	Reasons []*Reason // why the other candidates with this outcome are rejected
}

// Table compares models on the outcomes of a program.
type Table struct {
	Models   []*model.Model
	Observed []prog.Observable
	Outcomes [][]uint64
	Cells    [][]Cell // [outcome][model]
	// Totals are each model's consistent executions.
	Totals  []int
	Partial bool
}

// Compare enumerates p's candidates once and judges them under each model.
// Rows are every outcome some candidate produces and some model allows.
func Compare(ctx context.Context, p *prog.Program, observed []prog.Observable, models []*model.Model, opts Options) *Table {
	t := &Table{Models: models, Observed: observed, Totals: make([]int, len(models))}
	type row struct {
		vals    []uint64
		counts  []int
		reasons []map[string]*Reason
	}
	rows := map[string]*row{}
	var order []string
	t.Partial = enumerate(ctx, p, models, opts, func(x *explore.Execution) {
		if p.Filter != nil && prog.Eval(p.Filter, state{x}) == 0 {
			return
		}
		vals := make([]uint64, len(observed))
		for i, o := range observed {
			if o.Thread >= 0 {
				vals[i] = x.Threads[o.Thread].Regs[o.Reg]
			} else {
				vals[i] = x.G.Final(o.Loc)
			}
		}
		key := fmt.Sprint(vals)
		r := rows[key]
		if r == nil {
			r = &row{vals: vals, counts: make([]int, len(models)), reasons: make([]map[string]*Reason, len(models))}
			for i := range r.reasons {
				r.reasons[i] = map[string]*Reason{}
			}
			rows[key] = r
			order = append(order, key)
		}
		mx := model.NewExec(x.G)
		for i, m := range models {
			if v := m.CheckFinal(mx); v != nil {
				judge(m, x.G, v, r.reasons[i])
				continue
			}
			r.counts[i]++
			t.Totals[i]++
		}
	})
	for _, k := range order {
		r := rows[k]
		any := false
		for _, c := range r.counts {
			if c > 0 {
				any = true
			}
		}
		if !any {
			continue
		}
		cells := make([]Cell, len(models))
		for i := range models {
			cells[i] = Cell{Count: r.counts[i], Reasons: sortReasons(r.reasons[i])}
		}
		t.Outcomes = append(t.Outcomes, r.vals)
		t.Cells = append(t.Cells, cells)
	}
	idx := make([]int, len(t.Outcomes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		va, vb := t.Outcomes[idx[a]], t.Outcomes[idx[b]]
		for k := range va {
			if va[k] != vb[k] {
				return observed[k].Type.Less(va[k], vb[k])
			}
		}
		return false
	})
	outs := make([][]uint64, len(idx))
	cells := make([][]Cell, len(idx))
	for i, j := range idx {
		outs[i], cells[i] = t.Outcomes[j], t.Cells[j]
	}
	t.Outcomes, t.Cells = outs, cells
	return t
}

// OutcomeExpr is the condition "every observed value equals vals".
func OutcomeExpr(observed []prog.Observable, vals []uint64) prog.Expr {
	var e prog.Expr = &prog.ConstExpr{Val: 1, T: prog.Bool}
	for i, o := range observed {
		var v prog.Expr
		if o.Thread >= 0 {
			v = &prog.LocalExpr{Thread: o.Thread, Reg: o.Reg, T: o.Type}
		} else {
			v = &prog.MemExpr{Loc: o.Loc, T: o.Type}
		}
		eq := &prog.BinaryExpr{Op: prog.Eq, X: v, Y: &prog.ConstExpr{Val: vals[i], T: o.Type}, T: o.Type}
		e = &prog.BinaryExpr{Op: prog.LAnd, X: e, Y: eq, T: prog.Bool}
	}
	return e
}

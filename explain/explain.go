// Package explain answers "can this outcome happen, and if not, why not?".
//
// Every model here requires coherence and atomic read-modify-writes, and
// all but ARMv8 forbid cycles in sb ∪ rf, so a model's consistent
// executions are among those of model.Coherent (model.CoherentCycles for
// ARMv8). Explain explores those coherent candidates, pruned as the
// explorer prunes, keeps the ones that produce the outcome, and judges
// each with the model: a consistent one shows that it can happen; the
// others are grouped by the axiom they break, each group with its
// shortest cycle, so the reason given is what the model adds to coherence.
// Only when no coherent candidate produces the outcome does it enumerate
// raw candidates (model.Candidates, bounded), whose reasons are coherence
// and atomicity themselves. Compare judges the same coherent candidates
// under several models at once.
package explain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"happens/explore"
	"happens/graph"
	"happens/model"
	"happens/prog"
)

// Options bound the enumeration.
type Options struct {
	Unroll int
	// MaxCandidates bounds the raw candidates enumerated when no coherent
	// one produces the outcome; 0 means DefaultMax.
	MaxCandidates int
	// MaxExecutions, when positive, bounds the coherent candidates Explain
	// enumerates (a run's execution limit, as the playground passes it); a
	// search it cuts answers Unknown, never No.
	MaxExecutions int
	// Progress, when set, is called about every second.
	Progress func(explore.Stats)
}

// DefaultMax bounds the raw candidates enumerated.
const DefaultMax = 20000

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
	// Incoherent says the candidates are raw ones: no coherent candidate
	// produces the outcome, so coherence or atomicity already rule it out.
	Incoherent bool
	// Witness is a consistent execution producing the outcome, if any.
	Witness *graph.Graph
	// Racy counts consistent executions producing the outcome that have a
	// data race.
	Racy int
	// Reasons group the rejected candidates by the first axiom each breaks,
	// most frequent first.
	Reasons []*Reason
	// Partial is set when a bound cut the enumeration of coherent
	// candidates; Why says which. (Every consistent execution is a
	// coherent candidate, so when that enumeration is complete the answer
	// is definite.)
	Partial bool
	Why     []string
	// Sampled says the raw candidates behind Incoherent reasons were cut
	// by MaxCandidates: the reasons come from the first ones.
	Sampled bool
}

// Possible reports whether the model allows the outcome.
func (a *Answer) Possible() bool { return a.Consistent > 0 }

type state struct{ x *explore.Execution }

func (s state) Local(t, reg int) uint64 { return s.x.Local(t, reg) }
func (s state) Mem(loc int) uint64      { return s.x.FinalMem(loc) }

// enumerate visits every complete execution of p under base (a candidate
// generator: model.Coherent, model.CoherentCycles or model.Candidates),
// leaving out those with a spurious compare-exchange failure when one of
// models never fails spuriously (that model judges only the others). It
// returns why the enumeration is partial (nil when complete).
func enumerate(ctx context.Context, p *prog.Program, base *model.Model, max int, opts Options, visit func(*explore.Execution)) []string {
	return enumerateBy(ctx, p, explore.Explore, base, max, opts, visit)
}

// enumerateBy is enumerate by the explorer run.
func enumerateBy(ctx context.Context, p *prog.Program, run func(context.Context, *prog.Program, explore.Options, func(*explore.Execution)) explore.Stats,
	base *model.Model, max int, opts Options, visit func(*explore.Execution)) []string {
	eo := explore.Options{Model: base, Unroll: opts.Unroll, MaxExecutions: max, Progress: opts.Progress, Interval: time.Second}
	if base == model.Candidates || base.Name == model.Candidates.Name {
		// Raw candidates can be a vast tree with few complete leaves:
		// bound the work too.
		eo.MaxSteps = 5 * max
	}
	st := run(ctx, p, eo, func(x *explore.Execution) {
		if x.Status == explore.Complete {
			visit(x)
		}
	})
	var why []string
	if st.Bounded > 0 {
		why = append(why, fmt.Sprintf("unroll: %d candidate executions cut by the loop bound", st.Bounded))
	}
	if st.Stopped {
		switch st.Cut {
		case explore.CutLimit:
			why = append(why, fmt.Sprintf("candidate limit: stopped after %d candidates (--max-candidates)", max))
		default:
			why = append(why, st.Cut.String())
		}
	}
	return why
}

// spurious reports whether g has a compare-exchange that failed
// spuriously, which a model with StrongCAS never produces.
func spurious(g *graph.Graph) bool {
	for i := range g.Events {
		if g.Events[i].Spurious {
			return true
		}
	}
	return false
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
	judgeAll := func(x *explore.Execution) {
		if m.StrongCAS && spurious(x.Graph()) {
			return
		}
		if p.Filter != nil && prog.Eval(p.Filter, state{x}) == 0 {
			return
		}
		if prog.Eval(outcome, state{x}) == 0 {
			return
		}
		a.Candidates++
		mx := model.NewExec(x.Graph())
		if v := m.CheckFinal(mx); v != nil {
			judge(m, x.Graph(), v, reasons)
			return
		}
		a.Consistent++
		racy := len(m.Races(mx)) > 0
		if racy {
			a.Racy++
		}
		// Prefer a race-free witness.
		if a.Witness == nil || (!racy && a.Consistent-a.Racy == 1) {
			a.Witness = x.Graph().Clone()
		}
	}
	start := time.Now()
	base := model.BaseOf(m)
	if explore.CoherentHMCTrusted && base == model.CoherentCycles && m.Name == model.ARMv8.Name {
		// By revisits first: what that leaves out has a cycle in
		// deps ∪ rf, rejected by ARMv8's external axiom (explore.CoherentHMC
		// says when, and why), and only in programs with dependencies. So a
		// consistent candidate answers; when candidates produce the outcome
		// and none is consistent, so does their rejection, unless a
		// read-modify-write's operand depends on a read. Otherwise the
		// outcome may need such a cycle (load buffering with
		// dependencies), which only value speculation shows.
		a.Why = enumerateBy(ctx, p, explore.CoherentHMC, base, opts.MaxExecutions, opts, judgeAll)
		risky := slices.Contains(a.Why, explore.CutRevisits.String())
		if !risky && (a.Consistent > 0 || !explore.Dependent(p) || a.Candidates > 0 && !explore.DataIntoRMW(p) && !explore.ReadBackUnordered(p)) {
			base = nil
		} else {
			*a = Answer{Model: m.Name}
			clear(reasons)
			if risky {
				// The revisits may have missed candidates: speculation.
				a.Why = enumerateBy(ctx, p, explore.Speculate, base, opts.MaxExecutions, opts, judgeAll)
				base = nil
			}
		}
	}
	if base != nil {
		a.Why = enumerate(ctx, p, base, opts.MaxExecutions, opts, judgeAll)
	}
	a.Partial = a.Why != nil
	if a.Candidates == 0 && !a.Partial {
		// No coherent candidate produces it, so no: show what coherence
		// (or atomicity) rules out, from a sample of raw candidates,
		// bounded in number and in time (a few times the first search).
		max := opts.MaxCandidates
		if max == 0 {
			max = DefaultMax
		}
		sctx, cancel := context.WithTimeout(ctx, 4*time.Since(start)+50*time.Millisecond)
		defer cancel()
		ctx = sctx
		opts.Progress = nil
		base := model.Candidates
		if m.Cycles {
			c := *model.Candidates
			c.Cycles = true
			base = &c
		}
		a.Incoherent = true
		a.Sampled = enumerate(ctx, p, base, max, opts, judgeAll) != nil || sctx.Err() != nil
	}
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
	for placed := 0; placed < n; placed++ {
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
	Count int // consistent executions with this outcome
	// Reasons say why the other coherent candidates with this outcome are
	// rejected; Left and Right say why this model rejects the ones its
	// left and right neighbours in the table accept (an axiom the
	// neighbour lacks, or holds in a weaker form).
	Reasons, Left, Right []*Reason
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
	Why     []string // what cut the enumeration short
}

// Compare enumerates p's coherent candidates once (at most
// opts.MaxCandidates of them when that is set) and judges them under each
// model. Rows are every outcome some model allows.
func Compare(ctx context.Context, p *prog.Program, observed []prog.Observable, models []*model.Model, opts Options) *Table {
	t := &Table{Models: models, Observed: observed, Totals: make([]int, len(models))}
	type row struct {
		vals             []uint64
		counts           []int
		all, left, right []map[string]*Reason
	}
	newMaps := func() []map[string]*Reason {
		ms := make([]map[string]*Reason, len(models))
		for i := range ms {
			ms[i] = map[string]*Reason{}
		}
		return ms
	}
	rows := map[string]*row{}
	var order []string
	ok := make([]bool, len(models))
	viol := make([]*model.Violation, len(models))
	t.Why = enumerate(ctx, p, model.BaseOf(models...), opts.MaxCandidates, opts, func(x *explore.Execution) {
		if p.Filter != nil && prog.Eval(p.Filter, state{x}) == 0 {
			return
		}
		st := state{x}
		vals := make([]uint64, len(observed))
		for i, o := range observed {
			if o.Thread >= 0 {
				vals[i] = st.Local(o.Thread, o.Reg)
			} else {
				vals[i] = st.Mem(o.Loc)
			}
		}
		key := fmt.Sprint(vals)
		r := rows[key]
		if r == nil {
			r = &row{vals: vals, counts: make([]int, len(models)), all: newMaps(), left: newMaps(), right: newMaps()}
			rows[key] = r
			order = append(order, key)
		}
		mx := model.NewExec(x.Graph())
		sp := spurious(x.Graph())
		for i, m := range models {
			viol[i] = nil
			ok[i] = false
			if m.StrongCAS && sp {
				continue // not an execution of this CPU at all
			}
			if viol[i] = m.CheckFinal(mx); viol[i] != nil {
				judge(m, x.Graph(), viol[i], r.all[i])
				continue
			}
			ok[i] = true
			r.counts[i]++
			t.Totals[i]++
		}
		for i := range models {
			if viol[i] == nil {
				continue
			}
			if i > 0 && ok[i-1] {
				judge(models[i], x.Graph(), viol[i], r.left[i])
			}
			if i+1 < len(models) && ok[i+1] {
				judge(models[i], x.Graph(), viol[i], r.right[i])
			}
		}
	})
	t.Partial = t.Why != nil
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
			cells[i] = Cell{Count: r.counts[i], Reasons: sortReasons(r.all[i]), Left: sortReasons(r.left[i]), Right: sortReasons(r.right[i])}
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

package explore

import (
	"context"
	"time"

	"happens/graph"
	"happens/interp"
	"happens/model"
	"happens/prog"
)

// MaxRounds bounds the rounds that grow the value domain of Speculate.
const MaxRounds = 12

// Speculate enumerates the executions of p for models that allow a read to
// read from a write that comes later in program order ∪ reads-from (load
// buffering on ARMv8), which Explore cannot build.
//
// Each read's value is guessed from the values the program can write to its
// location: the domain starts with the initial values and grows, round by
// round, with every value some run writes, until it stops growing. Values
// are never invented: every read must then read from a write of exactly
// that value in the same execution. Each thread's runs under the guesses
// are computed on their own; every combination of runs, every reads-from
// that matches the values and every modification order is judged by the
// model as a whole graph. This is herd7's candidate method, so it is for
// litmus-sized programs; Explore is the fast path for every model that
// forbids po ∪ rf cycles.
func Speculate(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	start := time.Now()
	s := &speculator{ctx: ctx, p: p, opts: opts, visit: visit}
	if s.opts.Unroll <= 0 {
		s.opts.Unroll = DefaultUnroll
	}
	s.domain = make([]map[uint64]bool, len(p.Locs))
	for l, loc := range p.Locs {
		s.domain[l] = map[uint64]bool{loc.Init: true}
	}
	for round := 0; ; round++ {
		s.runs = make([][]threadRun, len(p.Threads))
		for t := range p.Threads {
			s.runs[t] = s.threadRuns(t)
		}
		// Grow the domain with the values written by justified
		// combinations only: every value read is written by another event
		// of the same combination. Values then come from the initial ones
		// step by step, as in any real execution.
		grew := s.grow()
		if !grew || s.stats.Stopped {
			break
		}
		if round+1 >= MaxRounds || ctx.Err() != nil {
			// Enumerate with the values reached, but say it is partial.
			if ctx.Err() != nil {
				s.stats.stop(CutOf(ctx))
			} else {
				s.stats.stop(CutRounds)
			}
			s.runs = make([][]threadRun, len(p.Threads))
			for t := range p.Threads {
				s.runs[t] = s.threadRuns(t)
			}
			break
		}
	}
	stopped, cut := s.stats.Stopped, s.stats.Cut
	s.stats.Stopped, s.stats.Cut = false, NotCut
	s.combine(0, make([]*threadRun, len(p.Threads)))
	if stopped {
		s.stats.Stopped, s.stats.Cut = true, cut
	}
	s.stats.Elapsed = time.Since(start)
	return s.stats
}

// grow adds to the domain the values written by justified combinations of
// the current runs, and reports whether it grew.
func (s *speculator) grow() bool {
	add := make([]map[uint64]bool, len(s.domain))
	for l := range add {
		add[l] = map[uint64]bool{}
	}
	pick := make([]*threadRun, len(s.runs))
	var walk func(t int)
	walk = func(t int) {
		if s.halted() {
			return
		}
		if t < len(pick) {
			for i := range s.runs[t] {
				pick[t] = &s.runs[t][i]
				walk(t + 1)
			}
			return
		}
		if !justified(s.p, pick) {
			return
		}
		for _, r := range pick {
			for _, e := range r.events {
				if (e.Kind == graph.Write || e.Kind == graph.RMW) && !s.domain[e.Loc][e.WVal] {
					add[e.Loc][e.WVal] = true
				}
			}
		}
	}
	walk(0)
	grew := false
	for l, vs := range add {
		for v := range vs {
			s.domain[l][v] = true
			grew = true
		}
	}
	return grew
}

// justified reports whether every value read in a combination of runs is
// the initial value of its location or written by another event of it.
func justified(p *prog.Program, pick []*threadRun) bool {
	for t, r := range pick {
		for i, e := range r.events {
			if !e.IsRead() || e.RVal == p.Locs[e.Loc].Init {
				continue
			}
			found := false
			for u, q := range pick {
				for j, w := range q.events {
					if (u != t || j != i) && (w.Kind == graph.Write || w.Kind == graph.RMW) && w.Loc == e.Loc && w.WVal == e.RVal {
						found = true
						break
					}
				}
				if found {
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

type threadRun struct {
	events []graph.Event
	final  *interp.State
	stop   interp.Stop
}

type speculator struct {
	ctx    context.Context
	p      *prog.Program
	opts   Options
	visit  func(*Execution)
	domain []map[uint64]bool
	runs   [][]threadRun
	stats  Stats
	work   int
}

// MaxThreadRuns bounds the runs of one thread threadRuns lists (their
// number grows as the domain's size to the power of the thread's reads),
// so that the listing stops, cut, before it takes the machine's memory.
const MaxThreadRuns = 1 << 20

// threadRuns lists every run of thread t when each read may return any
// value of its location's domain. It stops, the exploration cut, when the
// context ends, the work bound is reached or the runs exceed MaxThreadRuns.
func (s *speculator) threadRuns(t int) []threadRun {
	var out []threadRun
	var walk func(st *interp.State, evs []graph.Event)
	walk = func(st *interp.State, evs []graph.Event) {
		if s.halted() {
			return
		}
		if len(out) >= MaxThreadRuns {
			s.stats.stop(CutSize)
			return
		}
		stop := st.Run(s.opts.Unroll)
		if stop != interp.Access {
			out = append(out, threadRun{events: append([]graph.Event(nil), evs...), final: st.Clone(), stop: stop})
			return
		}
		req := st.Req
		in := req.Instr
		ev := graph.Event{Thread: t, Index: len(evs), Loc: req.Loc, Ord: in.Ord, Atomic: in.Atomic, Instr: in, RF: graph.None,
			Addr: req.Addr, Data: req.Data, Ctrl: req.Ctrl}
		next := func(e graph.Event, v uint64, ok bool) {
			c := st.Clone()
			c.Complete(v, ok)
			walk(c, append(evs, e))
		}
		switch in.Op {
		case prog.OpFence:
			ev.Kind, ev.Loc, ev.Atomic = graph.Fence, -1, true
			next(ev, 0, false)
			return
		case prog.OpStore:
			ev.Kind, ev.WVal = graph.Write, s.p.Locs[req.Loc].Type.Wrap(req.Val)
			next(ev, 0, false)
			return
		}
		typ := s.p.Locs[req.Loc].Type
		for _, v := range sortedValues(s.domain[req.Loc]) {
			e := ev
			e.RVal = v
			switch in.Op {
			case prog.OpLoad:
				e.Kind = graph.Read
				next(e, v, false)
			case prog.OpRMW:
				e.Kind, e.WVal = graph.RMW, prog.ApplyRMW(in.RMW, typ, v, req.Val)
				next(e, v, true)
			case prog.OpCAS:
				if v == req.Exp {
					e.Kind, e.WVal = graph.RMW, typ.Wrap(req.New)
					next(e, v, true)
					if in.Weak && !s.opts.Model.StrongCAS {
						f := ev
						f.RVal, f.Kind, f.Ord, f.Spurious = v, graph.Read, in.Ord2, true
						next(f, v, false)
					}
				} else {
					e.Kind, e.Ord = graph.Read, in.Ord2
					next(e, v, false)
				}
			}
		}
	}
	walk(interp.New(s.p, t), nil)
	return out
}

func sortedValues(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (s *speculator) halted() bool {
	if s.stats.Stopped {
		return true
	}
	s.work++
	if s.opts.MaxSteps > 0 && s.work > s.opts.MaxSteps {
		s.stats.stop(CutLimit)
		return true
	}
	if s.work&63 == 0 && s.ctx.Err() != nil {
		s.stats.stop(CutOf(s.ctx))
	}
	return s.stats.Stopped
}

// combine picks one run per thread, then every matching rf and mo.
func (s *speculator) combine(t int, pick []*threadRun) {
	if s.halted() {
		return
	}
	if t < len(pick) {
		for i := range s.runs[t] {
			pick[t] = &s.runs[t][i]
			s.combine(t+1, pick)
		}
		return
	}
	g := graph.New(s.p)
	var reads []graph.ID
	for t, r := range pick {
		for _, e := range r.events {
			e.Thread = t
			id := g.Add(e)
			if e.IsRead() {
				reads = append(reads, id)
			}
		}
	}
	writes := make([][]graph.ID, len(s.p.Locs))
	for id := range g.Events {
		e := &g.Events[id]
		if e.Kind == graph.Write || e.Kind == graph.RMW {
			writes[e.Loc] = append(writes[e.Loc], graph.ID(id))
		}
	}
	threads := make([]*interp.State, len(pick))
	stops := make([]interp.Stop, len(pick))
	for t, r := range pick {
		threads[t], stops[t] = r.final, r.stop
	}
	s.chooseRF(g, reads, 0, writes, threads, stops)
}

func (s *speculator) chooseRF(g *graph.Graph, reads []graph.ID, i int, writes [][]graph.ID, threads []*interp.State, stops []interp.Stop) {
	if s.stats.Stopped {
		return
	}
	if i == len(reads) {
		s.chooseMO(g, 0, writes, threads, stops)
		return
	}
	r := &g.Events[reads[i]]
	cands := append([]graph.ID{graph.ID(r.Loc)}, writes[r.Loc]...) // the initial write first
	for _, w := range cands {
		if w == reads[i] || g.Events[w].WVal != r.RVal {
			continue
		}
		r.RF = w
		s.chooseRF(g, reads, i+1, writes, threads, stops)
	}
	r.RF = graph.None
}

func (s *speculator) chooseMO(g *graph.Graph, loc int, writes [][]graph.ID, threads []*interp.State, stops []interp.Stop) {
	if s.halted() {
		return
	}
	if loc == len(writes) {
		x := model.NewExec(g)
		if s.opts.Model.CheckFinal(x) != nil {
			return
		}
		st, hangs := Classify(threads, stops, g.Final)
		ex := newExecution(g)
		ex.Threads, ex.Status, ex.Failures, ex.Hangs = threads, st, Failures(threads, stops), hangs
		RunFinal(s.p, ex, g.Final, s.opts.Unroll)
		if IsDuplicate(s.opts.Model, ex) {
			ex.Status = Duplicate
		}
		s.stats.Count(ex.Status)
		if s.visit != nil {
			s.visit(ex)
		}
		if ex.Status == Complete && s.opts.MaxExecutions > 0 && s.stats.Complete >= s.opts.MaxExecutions {
			s.stats.stop(CutLimit)
		}
		return
	}
	ws := writes[loc]
	perm := append([]graph.ID(nil), ws...)
	var permute func(k int)
	permute = func(k int) {
		if s.stats.Stopped {
			return
		}
		if k == len(perm) {
			g.MO[loc] = append(g.MO[loc][:1], perm...)
			s.chooseMO(g, loc+1, writes, threads, stops)
			return
		}
		for j := k; j < len(perm); j++ {
			perm[k], perm[j] = perm[j], perm[k]
			permute(k + 1)
			perm[k], perm[j] = perm[j], perm[k]
		}
	}
	permute(0)
	g.MO[loc] = g.MO[loc][:1]
}

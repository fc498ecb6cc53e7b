package explore

import (
	"context"
	"time"

	"happens/graph"
	"happens/interp"
	"happens/model"
	"happens/prog"
)

// DefaultUnroll is the default bound on iterations of loops that do not
// spin without effect.
const DefaultUnroll = 8

// Options bound and observe an exploration.
type Options struct {
	Model *model.Model
	// Unroll bounds the iterations of each loop; 0 means DefaultUnroll.
	Unroll int
	// MaxExecutions stops after this many complete executions; 0: no bound.
	MaxExecutions int
	// Progress, when set, is called about every Interval with the counts so
	// far.
	Progress func(Stats)
	Interval time.Duration
}

// Status says how an execution ended.
type Status uint8

const (
	Complete Status = iota
	Blocked         // a thread would spin forever, or an assume failed
	Bounded         // a loop reached the unroll bound
)

// Failure is an assertion failure or panic in one thread.
type Failure struct {
	Thread int
	Instr  *prog.Instr
	Msg    string
}

// Execution is one explored execution, valid only during the callback.
type Execution struct {
	G        *graph.Graph
	Threads  []*interp.State
	Status   Status
	Failures []Failure
	X        *model.Exec // relations of G, for races and drawing
}

// Stats counts what an exploration did.
type Stats struct {
	Complete int
	Blocked  int
	Bounded  int
	// Stopped says a bound (MaxExecutions, a cancelled context) cut the
	// exploration short.
	Stopped bool
	Elapsed time.Duration
}

// Explore visits every consistent execution of p under opts.Model once.
// It returns early, with Stopped set, when ctx is cancelled or
// MaxExecutions is reached.
func Explore(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	e := &explorer{ctx: ctx, p: p, opts: opts, visit: visit, start: time.Now()}
	if e.opts.Unroll <= 0 {
		e.opts.Unroll = DefaultUnroll
	}
	if e.opts.Interval == 0 {
		e.opts.Interval = time.Second
	}
	e.lastProgress = e.start
	e.writers = staticWriters(p)
	e.final = opts.Model.HasFinal()
	e.g = graph.New(p)
	n := len(p.Threads)
	e.th = make([]*interp.State, n)
	e.stop = make([]interp.Stop, n)
	e.constraint = make([]int, n)
	for t := range p.Threads {
		e.th[t] = interp.New(p, t)
		e.constraint[t] = -1
	}
	e.saved = make([][]*interp.State, 0)
	for t := range p.Threads {
		e.stop[t] = e.th[t].Run(e.opts.Unroll)
	}
	e.explore(0)
	e.stats.Elapsed = time.Since(e.start)
	return e.stats
}

type explorer struct {
	ctx   context.Context
	p     *prog.Program
	opts  Options
	visit func(*Execution)

	g          *graph.Graph
	th         []*interp.State
	stop       []interp.Stop
	constraint []int
	writers    [][]Set
	x          model.Exec        // reused for every consistency check
	final      bool              // the model has axioms checked only on whole graphs
	saved      [][]*interp.State // per depth, spare states for backtracking

	stats        Stats
	nodes        int
	start        time.Time
	lastProgress time.Time
}

// A thread that blocks (it would spin forever, or an assume failed) or
// reaches the unroll bound stops there; the others run on. When no thread
// can move, the graph is reported once: complete if every thread finished,
// else blocked or bounded. Reporting only these maximal graphs makes the
// blocked and bounded counts canonical, like the complete ones.

// halted counts one unit of work (a consistency check) and reports whether
// the exploration must stop; it also drives the progress callback.
func (e *explorer) halted() bool {
	if e.stats.Stopped {
		return true
	}
	e.nodes++
	if e.nodes&63 == 0 {
		if e.ctx.Err() != nil {
			e.stats.Stopped = true
			return true
		}
		if e.opts.Progress != nil {
			if now := time.Now(); now.Sub(e.lastProgress) >= e.opts.Interval {
				e.lastProgress = now
				s := e.stats
				s.Elapsed = now.Sub(e.start)
				e.opts.Progress(s)
			}
		}
	}
	return false
}

func (e *explorer) emit(st Status) {
	x := &Execution{G: e.g, Threads: e.th, Status: st}
	for t, s := range e.stop {
		if s == interp.Failed {
			x.Failures = append(x.Failures, Failure{Thread: t, Instr: e.th[t].FailPos, Msg: e.th[t].Failure})
		}
	}
	switch st {
	case Complete:
		e.stats.Complete++
	case Blocked:
		e.stats.Blocked++
	case Bounded:
		e.stats.Bounded++
	}
	if e.visit != nil {
		e.visit(x)
	}
	if st == Complete && e.opts.MaxExecutions > 0 && e.stats.Complete >= e.opts.MaxExecutions {
		e.stats.Stopped = true
	}
}

// explore extends the current graph in every canonical way.
func (e *explorer) explore(depth int) {
	if e.stats.Stopped {
		return
	}
	any := false
	status := Complete
	for t := range e.stop {
		switch e.stop[t] {
		case interp.Access:
			any = true
		case interp.Blocked:
			status = Blocked
		case interp.Bounded:
			if status == Complete {
				status = Bounded
			}
		}
	}
	if !any {
		if e.final {
			e.x.Reset(e.g)
			if e.opts.Model.CheckFinal(&e.x) != nil {
				return
			}
		}
		e.emit(status)
		return
	}
	var savedC []int
	for t := range e.stop {
		if e.stop[t] != interp.Access {
			continue
		}
		e.step(t, depth)
		if e.stats.Stopped {
			break
		}
		in := e.th[t].Req.Instr
		if in.Op == prog.OpStore || in.Op == prog.OpFence {
			break // always enabled: may not be passed over
		}
		// Pass over t: its read must come from a write added later, which
		// only another thread can still make.
		if !e.canBeWritten(t, e.th[t].Req.Loc) {
			break
		}
		if savedC == nil {
			savedC = append([]int(nil), e.constraint...)
		}
		e.constraint[t] = len(e.g.Events)
	}
	if savedC != nil {
		copy(e.constraint, savedC)
	}
}

func (e *explorer) canBeWritten(t, loc int) bool {
	v := e.p.Locs[loc].Var
	for u := range e.th {
		if u == t || e.stop[u] != interp.Access {
			continue
		}
		if e.writers[u][e.th[u].PC].Has(v) {
			return true
		}
	}
	return false
}

// step adds thread t's next event in every consistent way and explores on.
func (e *explorer) step(t, depth int) {
	st := e.th[t]
	req := st.Req
	in := req.Instr
	ev := graph.Event{Thread: t, Loc: req.Loc, Ord: in.Ord, Atomic: in.Atomic, Instr: in, RF: graph.None,
		Addr: req.Addr, Data: req.Data, Ctrl: req.Ctrl}
	switch in.Op {
	case prog.OpFence:
		ev.Kind, ev.Loc, ev.Atomic = graph.Fence, -1, true
		e.g.Add(ev)
		if e.consistent() {
			e.advance(t, depth, 0, false)
		}
		e.g.RemoveLast()
	case prog.OpStore:
		ev.Kind = graph.Write
		ev.WVal = e.p.Locs[req.Loc].Type.Wrap(req.Val)
		id := e.g.Add(ev)
		for pos := 1; pos <= len(e.g.MO[req.Loc]); pos++ {
			e.g.InsertMO(id, pos)
			if e.consistent() {
				e.advance(t, depth, 0, false)
			}
			e.removeMO(id, pos)
			if e.stats.Stopped {
				break
			}
		}
		e.g.RemoveLast()
	default: // loads, RMWs, compare-exchanges read first
		min := e.constraint[t]
		e.constraint[t] = -1
		typ := e.p.Locs[req.Loc].Type
		// Iterate over a snapshot: the order changes as we insert.
		mo := append([]graph.ID(nil), e.g.MO[req.Loc]...)
		for _, w := range mo {
			if min >= 0 && int(w) < min {
				continue
			}
			v := e.g.Events[w].WVal
			ev.RF, ev.RVal = w, v
			switch in.Op {
			case prog.OpLoad:
				ev.Kind = graph.Read
				e.tryRead(t, depth, ev, v, false)
			case prog.OpRMW:
				ev.Kind = graph.RMW
				ev.WVal = prog.ApplyRMW(in.RMW, typ, v, req.Val)
				e.tryRMW(t, depth, ev, w, v)
			case prog.OpCAS:
				if v == req.Exp {
					ev.Kind, ev.Ord, ev.WVal = graph.RMW, in.Ord, typ.Wrap(req.New)
					e.tryRMW(t, depth, ev, w, v)
					if in.Weak && !e.stats.Stopped {
						f := ev
						f.Kind, f.Ord, f.WVal, f.Spurious = graph.Read, in.Ord2, 0, true
						e.tryRead(t, depth, f, v, false)
					}
				} else {
					f := ev
					f.Kind, f.Ord, f.WVal = graph.Read, in.Ord2, 0
					e.tryRead(t, depth, f, v, false)
				}
			}
			if e.stats.Stopped {
				break
			}
		}
		e.constraint[t] = min
	}
}

func (e *explorer) removeMO(id graph.ID, pos int) {
	loc := e.g.Events[id].Loc
	mo := e.g.MO[loc]
	e.g.MO[loc] = append(mo[:pos], mo[pos+1:]...)
}

func (e *explorer) tryRead(t, depth int, ev graph.Event, v uint64, ok bool) {
	e.g.Add(ev)
	if e.consistent() {
		e.advance(t, depth, v, ok)
	}
	e.g.RemoveLast()
}

func (e *explorer) tryRMW(t, depth int, ev graph.Event, w graph.ID, v uint64) {
	id := e.g.Add(ev)
	e.g.InsertMO(id, e.g.MOPos(w)+1)
	if e.consistent() {
		e.advance(t, depth, v, true)
	}
	e.g.RemoveLast()
}

func (e *explorer) consistent() bool {
	if e.halted() {
		return false
	}
	e.x.Reset(e.g)
	return e.opts.Model.CheckExec(&e.x) == nil
}

// advance completes t's access with the value read, runs t to its next
// access, explores on, and restores t.
func (e *explorer) advance(t, depth int, v uint64, ok bool) {
	for len(e.saved) <= depth {
		e.saved = append(e.saved, make([]*interp.State, len(e.th)))
	}
	sv := e.saved[depth][t]
	if sv == nil {
		sv = &interp.State{}
		e.saved[depth][t] = sv
	}
	sv.CopyFrom(e.th[t])
	oldStop := e.stop[t]
	e.th[t].Complete(v, ok)
	e.stop[t] = e.th[t].Run(e.opts.Unroll)
	e.explore(depth + 1)
	e.th[t].CopyFrom(sv)
	e.stop[t] = oldStop
}

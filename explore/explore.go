package explore

import (
	"context"
	"errors"
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
	// MaxSteps stops after this many consistency checks (the unit of
	// work), whatever they lead to; 0: no bound.
	MaxSteps int
	// Progress, when set, is called about every Interval with the counts so
	// far.
	Progress func(Stats)
	Interval time.Duration
}

// Status says how an execution ended.
type Status uint8

const (
	// Complete: every thread ran to its end (or failed, the others
	// finishing).
	Complete Status = iota
	// Blocked: the execution is discarded. An assume failed, or a thread
	// spins on a value that a later write in the same execution replaces
	// (under fair scheduling it would read the new value and move on,
	// which another execution covers), or a thread spins after another
	// failed (the failure is the report).
	Blocked
	// Bounded: a loop reached the unroll bound. Whatever else happened,
	// the execution is cut, and the result is partial.
	Bounded
	// Stuck: a liveness violation. Every thread finished or spins, and
	// some thread spins on the values memory ends with, so it would spin
	// forever: a deadlock, or a lost wake-up.
	Stuck
	// Duplicate: an execution that only adds wasted iterations (a
	// compare_exchange_weak failed spuriously and the loop began again,
	// unobserved) to one that is explored anyway; see Duplicate.
	Duplicate
)

func (s Status) String() string {
	return [...]string{"complete", "blocked", "bounded", "stuck", "duplicate"}[s]
}

// Failure is an assertion failure or panic in one thread.
type Failure struct {
	Thread int
	Instr  *prog.Instr
	Msg    string
}

// Hang is a thread of a Stuck execution that spins forever.
type Hang struct {
	Thread int
	Loop   *prog.Instr // the loop's back edge (its position is the loop's)
	Reads  []interp.ReadRec
}

// Execution is one explored execution, valid only during the callback.
type Execution struct {
	g        *graph.Graph
	build    func() *graph.Graph // makes g on demand
	final    func(loc int) uint64
	Threads  []*interp.State
	Status   Status
	Failures []Failure   // in executions of any status
	Hangs    []Hang      // for Stuck
	X        *model.Exec // relations of G, for races and drawing
	// Final is the state of the program's Final code after it ran (nil
	// when the program has none, or it did not run), and Mem the memory
	// it ended with.
	Final *interp.State
	Mem   []uint64
}

// Graph is the execution's graph. The TruSt engine builds it on the first
// call (most visitors need only the final state).
func (x *Execution) Graph() *graph.Graph {
	if x.g == nil {
		x.g = x.build()
	}
	return x.g
}

// newExecution is an Execution of a graph already built.
func newExecution(g *graph.Graph) *Execution { return &Execution{g: g, final: g.Final} }

// Local is thread t's register reg at the end; t == len(Threads) is the
// program's Final code.
func (x *Execution) Local(t, reg int) uint64 {
	if t == len(x.Threads) {
		if x.Final == nil {
			return 0
		}
		return x.Final.Regs[reg]
	}
	return x.Threads[t].Regs[reg]
}

// FinalMem is location loc's value at the end: after the Final code, if
// it ran, else the last write in modification order.
func (x *Execution) FinalMem(loc int) uint64 {
	if x.Mem != nil {
		return x.Mem[loc]
	}
	return x.final(loc)
}

// RunFinal runs the program's Final code at the end of a complete
// execution in which no thread failed, from the final memory final gives,
// and classifies the execution again by how that code ended.
func RunFinal(p *prog.Program, x *Execution, final func(loc int) uint64, unroll int) {
	if p.Final == nil || x.Status != Complete || len(x.Failures) > 0 {
		return
	}
	x.Mem = make([]uint64, len(p.Locs))
	for l := range x.Mem {
		x.Mem[l] = final(l)
	}
	fs, stop := interp.RunFinal(p, x.Mem, func(t, reg int) uint64 { return x.Threads[t].Regs[reg] }, unroll)
	x.Final = fs
	main := len(p.Threads)
	switch stop {
	case interp.Failed:
		x.Failures = append(x.Failures, Failure{Thread: main, Instr: fs.FailPos, Msg: fs.Failure})
	case interp.Blocked:
		x.Status = Blocked
	case interp.Bounded:
		x.Status = Bounded
	case interp.Spinning:
		// Nothing writes after the Final code starts: a spin there is
		// forever.
		x.Status = Stuck
		x.Hangs = append(x.Hangs, Hang{Thread: main, Loop: fs.Loop, Reads: append([]interp.ReadRec(nil), fs.SpinReads...)})
	}
}

// Cut says why an exploration stopped before it was done.
type Cut uint8

const (
	NotCut       Cut = iota
	CutLimit         // Options.MaxExecutions or Options.MaxSteps was reached
	CutTimeout       // the context's deadline passed
	CutInterrupt     // the context was cancelled (Ctrl-C, SIGTERM, a caller)
	CutRounds        // Speculate's value rounds (MaxRounds) ran out
	CutStates        // a state-space bound (the MESI machine's --max-states)
	CutSize          // a built-in size bound of the method (MaxHMCEvents, MaxThreadRuns)
	CutRevisits      // ARMv8's revisits refused one that may have been the only way to a graph (see engine.risky)
)

func (c Cut) String() string {
	return [...]string{"", "execution limit", "timeout", "interrupted", "value-speculation rounds", "state limit", "size limit", "revisits"}[c]
}

// CutOf classifies why ctx ended: its deadline, or a cancellation.
func CutOf(ctx context.Context) Cut {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return CutTimeout
	}
	return CutInterrupt
}

// Stats counts what an exploration did.
type Stats struct {
	Complete int
	Blocked  int
	Bounded  int
	Stuck    int
	// Duplicates counts executions that only repeat others with wasted
	// spurious-failure iterations.
	Duplicates int
	// Stopped says a bound (MaxExecutions, a cancelled context) cut the
	// exploration short; Cut says which.
	Stopped bool
	Cut     Cut
	Elapsed time.Duration
	// Units and UnitsDone, in progress reports of a run split into
	// units: how many there are and how many are done.
	Units, UnitsDone int
}

// Add adds o's counts to s (a run made of parts, each with its stats).
func (s *Stats) Add(o Stats) {
	s.Complete += o.Complete
	s.Blocked += o.Blocked
	s.Bounded += o.Bounded
	s.Stuck += o.Stuck
	s.Duplicates += o.Duplicates
	if o.Stopped {
		s.stop(o.Cut)
	}
}

// stop records that the exploration is cut short, and why.
func (s *Stats) stop(c Cut) {
	if !s.Stopped {
		s.Stopped, s.Cut = true, c
	}
}

// Count adds an execution of status st.
func (s *Stats) Count(st Status) {
	switch st {
	case Complete:
		s.Complete++
	case Blocked:
		s.Blocked++
	case Bounded:
		s.Bounded++
	case Stuck:
		s.Stuck++
	case Duplicate:
		s.Duplicates++
	}
}

// Classify says how a maximal run ended from each thread's stop (no
// thread may still want an access), and which threads hang. final gives
// each location's final value.
//
// A bound anywhere makes the run Bounded. A failed assume discards it.
// A failure is reported whatever the status; threads that spin after one
// are not reported as hanging (they wait for the thread that failed).
// Otherwise, when every spinning thread's last iteration read only final
// values, they hang and the run is Stuck; if one of them spins on a value
// that was replaced, the run is Blocked (that thread would move on).
func Classify(th []*interp.State, stops []interp.Stop, final func(loc int) uint64) (Status, []Hang) {
	bounded, blocked, failed, spinning := false, false, false, false
	for _, s := range stops {
		switch s {
		case interp.Bounded:
			bounded = true
		case interp.Blocked:
			blocked = true
		case interp.Failed:
			failed = true
		case interp.Spinning:
			spinning = true
		}
	}
	switch {
	case bounded:
		return Bounded, nil
	case blocked:
		return Blocked, nil
	case !spinning:
		return Complete, nil
	case failed:
		return Blocked, nil
	}
	var hangs []Hang
	spurious := true // every spinning thread spins on a spurious failure
	allStuck := true // every spinning thread spins on final values
	for t, s := range stops {
		if s != interp.Spinning {
			continue
		}
		if th[t].Stuck(final) {
			hangs = append(hangs, Hang{Thread: t, Loop: th[t].Loop, Reads: append([]interp.ReadRec(nil), th[t].SpinReads...)})
		} else {
			allStuck = false
		}
		spurious = spurious && th[t].SpinSpurious()
	}
	switch {
	case hangs != nil && allStuck:
		// A thread that spins on a replaced value would move on under fair
		// scheduling and might free the others; that run is explored on
		// its own. Only when every spinning thread sees final values is
		// the hang certain.
		return Stuck, hangs
	case spurious:
		// Each spinning thread's last iteration changed nothing because a
		// compare_exchange_weak failed spuriously: the run where it did
		// not is explored.
		return Duplicate, nil
	}
	return Blocked, nil
}

// IsDuplicate reports whether x, complete, bounded or blocked, only repeats
// an execution the exploration covers anyway: some of its threads' wasted
// iterations (interp.State.Wasted: a compare_exchange_weak failed
// spuriously and the loop came back to the state it began in) are
// observed by nothing else, and without them what is left is consistent
// and shows the same outcome and the same races. Such an x is not counted
// as an execution.
//
// Why that is enough: without the wasted iterations, each thread performs
// the same accesses with the same values from the same states, so the
// rest is an execution of the program too; being consistent, it is
// explored (with fewer iterations, so no nearer the loop bound). Nothing
// outside the wasted events reads from them, no wasted write is the last
// in modification order (for a complete x), and no race involves them, so
// its outcome, failures and races are x's. A bounded x is covered the same
// way: its continuation is explored from the smaller execution.
func IsDuplicate(m *model.Model, x *Execution) bool {
	if x.Status != Complete && x.Status != Bounded && x.Status != Blocked {
		return false
	}
	wasted := false
	for _, th := range x.Threads {
		wasted = wasted || len(th.Wasted) > 0
	}
	if !wasted {
		return false
	}
	g := x.Graph()
	// span[id]: the wasted span event id belongs to, or -1.
	var span []int
	var spans [][]graph.ID
	for t, th := range x.Threads {
		evs := g.Threads[t]
		for _, sp := range th.Wasted {
			if span == nil {
				span = make([]int, len(g.Events))
				for i := range span {
					span[i] = -1
				}
			}
			var ids []graph.ID
			for i := sp.From; i < sp.To && i < len(evs); i++ {
				span[evs[i]] = len(spans)
				ids = append(ids, evs[i])
			}
			spans = append(spans, ids)
		}
	}
	if spans == nil {
		return false
	}
	// Keep only the spans nobody else observes: none of their writes is
	// read from outside the dropped spans, or ends its location's
	// modification order (in a complete x), or races. Dropping a span can
	// make another observed, so repeat until nothing changes.
	dropped := make([]bool, len(spans))
	for i := range dropped {
		dropped[i] = true
	}
	keep := func(i int) {
		dropped[i] = false
	}
	if x.Status == Complete {
		for _, mo := range g.MO {
			if k := span[mo[len(mo)-1]]; k >= 0 {
				keep(k)
			}
		}
	}
	for _, r := range m.Races(model.NewExec(g)) {
		for _, id := range []graph.ID{r.A, r.B} {
			if k := span[id]; k >= 0 {
				keep(k)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for id := range g.Events {
			e := &g.Events[id]
			if !e.IsRead() {
				continue
			}
			w := span[e.RF]
			if w < 0 || !dropped[w] {
				continue
			}
			if r := span[id]; r < 0 || !dropped[r] {
				keep(w)
				changed = true
			}
		}
	}
	drop := make([]bool, len(g.Events))
	any := false
	for i, ids := range spans {
		if dropped[i] {
			any = true
			for _, id := range ids {
				drop[id] = true
			}
		}
	}
	if !any {
		return false
	}
	rest := g.Without(drop)
	return rest != nil && m.CheckFinal(model.NewExec(rest)) == nil
}

// Failures lists the failed threads of a run.
func Failures(th []*interp.State, stops []interp.Stop) []Failure {
	var out []Failure
	for t, s := range stops {
		if s == interp.Failed {
			out = append(out, Failure{Thread: t, Instr: th[t].FailPos, Msg: th[t].Failure})
		}
	}
	return out
}

// Canonical visits every consistent execution of p under opts.Model once,
// by the first engine: each execution is built along its canonical
// linearisation of po ∪ rf, passing over reads that must read from a
// later write (see doc.go). It judges every step with the relational
// model, so it works for any model, including model.Candidates (no
// axioms at all), and it is the reference the TruSt engine (Explore) is
// tested against. It returns early, with Stopped set, when ctx is
// cancelled or MaxExecutions is reached.
func Canonical(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	e := &explorer{budget: newBudget(ctx, opts), p: p, visit: visit}
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
	return e.done()
}

type explorer struct {
	budget
	p     *prog.Program
	visit func(*Execution)

	g          *graph.Graph
	th         []*interp.State
	stop       []interp.Stop
	constraint []int
	writers    [][]Set
	x          model.Exec        // reused for every consistency check
	final      bool              // the model has axioms checked only on whole graphs
	saved      [][]*interp.State // per depth, spare states for backtracking
}

// A thread that blocks (it would spin forever, or an assume failed) or
// reaches the unroll bound stops there; the others run on. When no thread
// can move, the graph is reported once: complete if every thread finished,
// else blocked or bounded. Reporting only these maximal graphs makes the
// blocked and bounded counts canonical, like the complete ones.

func (e *explorer) emit() {
	st, hangs := Classify(e.th, e.stop, e.g.Final)
	x := newExecution(e.g)
	x.Threads, x.Status, x.Failures, x.Hangs = e.th, st, Failures(e.th, e.stop), hangs
	RunFinal(e.p, x, e.g.Final, e.opts.Unroll)
	if IsDuplicate(e.opts.Model, x) {
		x.Status = Duplicate
	}
	e.stats.Count(x.Status)
	if e.visit != nil {
		e.visit(x)
	}
	if x.Status == Complete && e.opts.MaxExecutions > 0 && e.stats.Complete >= e.opts.MaxExecutions {
		e.stats.stop(CutLimit)
	}
}

// explore extends the current graph in every canonical way.
func (e *explorer) explore(depth int) {
	if e.stats.Stopped {
		return
	}
	any := false
	for t := range e.stop {
		if e.stop[t] == interp.Access {
			any = true
		}
	}
	if !any {
		if e.final {
			e.x.Reset(e.g)
			if e.opts.Model.CheckFinal(&e.x) != nil {
				return
			}
		}
		e.emit()
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
					if in.Weak && !e.opts.Model.StrongCAS && !e.stats.Stopped {
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

package explore

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"happens/graph"
	"happens/interp"
	"happens/model"
	"happens/prog"
)

// The engine: TruSt (Kokologiannakis, Marmanis, Gladstein, Vafeiadis,
// "Truly Stateless, Optimal Dynamic Partial Order Reduction", POPL 2022).
//
// Events are added in a fixed order: always the next event of the
// smallest thread that has one. A read reads from every write it may
// (coherently) read from among those already present, the last in
// modification order first; a write takes every coherent place in
// modification order, the last first. A new write may also be read by an
// earlier read of its location that is not in its po ∪ rf prefix: a
// backward revisit, which keeps the events added up to that read plus the
// write's prefix and deletes the rest, to be explored again. A revisit is
// taken only when every deleted event, and the revisited read, was added
// "maximally" (it read from, or was placed after, the write that was last
// in modification order when it was added, and no kept write comes after
// it), so the same graph is never reached twice. Every explored prefix
// extends to an execution (blocked threads aside), and memory is the
// current graph plus, for each pending revisit, a copy of its kept part.
//
// Coherence and the atomicity of read-modify-writes hold by construction:
// the views (views.go) give each new event the latest write its
// happens-before prefix has seen, and only later writes are offered. The
// rest of a model (the SC axioms, x86-TSO's order) is checked by a search
// from each new event (order.go).

// engine is one TruSt exploration.
type engine struct {
	budget
	p     *prog.Program
	visit func(*Execution)
	m     *model.Model
	rc11  bool // RC11's release sequences (else C++20's)
	plain bool // hb = sb: the model's coherence is SC per location only
	// always: the model has axioms beyond coherence and atomicity that
	// any event may break (sc, x86); otherwise only SeqCst events can,
	// and the check is skipped below two of them.
	always  bool
	final   bool
	stamp   int64
	free    []*interp.State // snapshots to reuse
	saved   []savedSnap     // snapshots add and run replaced, for undo
	arm     bool            // ARMv8 (HMC): revisits cut the (ppo ∪ rf) prefix, threads get holes
	tooLong bool            // ARMv8: a thread has more events than the prefixes can name
	// risky (ARMv8): a revisit was refused because an event it would
	// delete, or r, was not added maximally as judged within the window
	// that later events of its thread at the same location leave. Its
	// first choice there may lead nowhere (a later deleted access of
	// the thread finds no coherent place), so the graph the revisit
	// would have led to may have no other way: the exploration may be
	// incomplete (see done).
	risky bool
	// doomed (ARMv8): the graph being explored is inconsistent, kept for
	// the revisits that may rescue it (doomed.go): only of reads added
	// no later than doomLimit. writers: staticWriters, made when needed.
	doomed    bool
	doomLimit int64
	writers   [][]Set
	// depsOnly: coherent candidates by revisits (coherent.go): prefixes
	// follow dependencies only, and only coherence is checked.
	depsOnly bool
	pool     []*egraph // graphs for backward revisits, by depth
	// rootGraph is the graph the exploration started from (root), and
	// spare one whose arrays root may take (inherit).
	rootGraph, spare *egraph
	depth            int
	// Choice paths (loom's idea: an exploration is the replay of its
	// choices): path holds the index of the alternative taken at each
	// branch point from the root; prefix, when set, is followed (one
	// unit of a split exploration); splitAt >= 0 records the paths at
	// that depth as units instead of descending.
	path     []int
	prefix   []int
	ceil     []int // per depth from len(prefix)-1: the last alternative to explore
	splitAt  int
	share    *share // a parallel exploration's shared work (parallel.go)
	part     int    // which part of it this engine explores
	units    [][]int
	fork     []bool    // per entry of path: the branch point had a choice
	forks    int       // how many of path's branch points had a choice
	cut      bool      // the split cut some subtree
	readAlts []node    // read's alternatives, a stack shared by the calls
	cands    []ref     // revisits' scratch
	keptBuf  []int     // kept's scratch
	zeros    []int32   // a vector clock of nothing
	ppState  [][]uint8 // recomputePP's scratch
	revStack []revisit // revisits' results, a stack shared by the calls
	obSeen   []uint64  // obBefore's scratch
	obStack  []half    // obBefore's stack
	intStack []int     // the kept counts of revStack's revisits
	// Knuth's estimator (Estimate): a random choice at each branch point.
	sample  *rand.Rand
	picks   []int
	weight  float64
	sampled sampleStats
	ex      Execution // the one emit hands to visit, reused
	emitted *egraph   // the graph ex is
	build   func() *graph.Graph
	finalOf func(loc int) uint64
	oc      orderChecker
	out     *graph.Graph // the graph emit hands to visit, reused
	ids     [][]graph.ID // scratch for toGraphInto
}

// Explore visits every consistent execution of p under opts.Model once.
// It returns early, with Stopped set, when ctx is cancelled or a bound in
// opts is reached.
//
// ARMv8, which allows cycles in po ∪ rf, is explored by revisits that
// follow dependencies (HMC); other models that allow such cycles (the
// candidate generators explain uses, model.CoherentCycles among them: see
// CoherentHMCTrusted) by Speculate; models TruSt cannot explore (c11, model.Candidates: see
// model.Model.Extensible) by Canonical.
func Explore(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	switch {
	case byHMC(opts.Model):
		return HMC(ctx, p, opts, visit)
	case CoherentHMCTrusted && opts.Model == model.CoherentCycles && !Dependent(p):
		return CoherentHMC(ctx, p, opts, visit)
	case opts.Model.Cycles:
		return Speculate(ctx, p, opts, visit)
	case !opts.Model.Extensible:
		return Canonical(ctx, p, opts, visit)
	}
	e := newEngine(ctx, p, opts, visit)
	e.explore(newEgraph(p, e.opts.Unroll))
	return e.done()
}

// HMC explores p under armv8 by revisits (hmc.go), much faster than value
// speculation: Explore uses it for armv8. Both are checked against each
// other (TestCrossCheckHMC, TestHMCAgainstSpeculation), and its
// incremental consistency checks against the relational model
// (TestARMIncrementalAgainstRelational). A thread of more than
// MaxHMCEvents events makes it fall back to value speculation (or, when
// it has reported executions already, stop with CutSize).
func HMC(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	if opts.Model.Name != "armv8" {
		panic("explore.HMC: the model is not armv8")
	}
	if HMCBlind(p) {
		// Revisits may miss executions of p: value speculation, exact
		// however slow (bounded, and then partial, never silent).
		return Speculate(ctx, p, opts, visit)
	}
	e := newEngine(ctx, p, opts, visit)
	e.explore(newEgraph(p, e.opts.Unroll))
	if e.tooLong && e.stats.Complete+e.stats.Blocked+e.stats.Bounded+e.stats.Stuck+e.stats.Duplicates == 0 {
		// A thread too long for the prefixes, before anything was
		// reported: value speculation instead.
		return Speculate(ctx, p, opts, visit)
	}
	return e.done()
}

// byHMC says whether Explore explores m by revisits with dependencies.
func byHMC(m *model.Model) bool { return m.Cycles && m.Name == "armv8" }

// Splittable says whether m's exploration is a tree of choices that Units
// can split (for --jobs and shards) and Estimate can sample: the models
// TruSt explores, and armv8 (by revisits).
func Splittable(m *model.Model) bool { return byHMC(m) || m.Extensible && !m.Cycles }

// splittable is Splittable for p: not when armv8 explores p by value
// speculation (HMCBlind).
func splittable(p *prog.Program, m *model.Model) bool {
	return Splittable(m) && !(byHMC(m) && HMCBlind(p))
}

func newEngine(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) *engine {
	e := &engine{budget: newBudget(ctx, opts), p: p, visit: visit, m: opts.Model, splitAt: -1}
	switch e.m.Name {
	case "armv8":
		e.arm, e.plain, e.always = true, true, true
	case model.CoherentCycles.Name:
		e.arm, e.plain, e.always, e.depsOnly = true, true, true, true
	case "rc11":
		e.rc11 = true
	case "coherent":
		e.plain = true
	case "c20":
	default:
		e.always = true
	}
	e.final = e.m.HasFinal()
	return e
}

// inherit takes over the memory an earlier engine of the same program
// and model no longer needs (its spare snapshots, its graphs for
// backward revisits, its scratch), so that a worker of a parallel
// exploration does not allocate it again for every part.
func (e *engine) inherit(old *engine) {
	if old == nil {
		return
	}
	e.free, e.pool = old.free, old.pool
	e.readAlts, e.cands, e.keptBuf = old.readAlts[:0], old.cands[:0], old.keptBuf[:0]
	e.zeros, e.ppState, e.ids = old.zeros, old.ppState, old.ids
	e.revStack, e.intStack, e.saved = old.revStack[:0], old.intStack[:0], old.saved[:0]
	e.path, e.fork, e.ceil = old.path[:0], old.fork[:0], old.ceil[:0]
	e.spare = old.rootGraph
	old.free, old.pool, old.rootGraph = nil, nil, nil
}

// root is the graph an exploration starts from, with the arrays of the
// spare one (inherit's) when there is one.
func (e *engine) root() *egraph {
	g := newEgraph(e.p, e.opts.Unroll)
	if h := e.spare; h != nil {
		g.slab, g.ppSlab = h.slab[:0], h.ppSlab[:0]
		for t := range g.th {
			g.th[t] = h.th[t][:0]
		}
		e.spare = nil
	}
	e.rootGraph = g
	return g
}

// enter says whether to explore alternative k of the n of the current
// branch point, and if so goes down into it (leave comes back). Every
// branch point calls it for k = 0, 1, …, n-1 in turn.
func (e *engine) enter(k, n int) bool {
	d := len(e.path)
	switch top := len(e.prefix) - 1; {
	case d < top:
		if e.prefix[d] != k {
			return false
		}
	case d == top:
		if k < e.prefix[d] || k > e.ceil[d] {
			return false
		}
	default:
		if k == 0 {
			for len(e.ceil) <= d {
				e.ceil = append(e.ceil, 0)
			}
			e.ceil[d] = n - 1
		}
		if k > e.ceil[d] {
			return false
		}
	}
	if e.share != nil && (e.share.want.Load() > 0 || donateAlways) {
		e.donate()
	}
	// The split counts only branch points with a choice.
	if n > 1 && e.forks == e.splitAt && d >= len(e.prefix) {
		e.units = append(e.units, append(append([]int(nil), e.path...), k))
		e.cut = true // a subtree was cut here
		return false
	}
	if e.sample != nil && d >= len(e.prefix) {
		// Knuth's estimator: one alternative at random, each as likely.
		if k == 0 {
			for len(e.picks) <= d {
				e.picks = append(e.picks, 0)
			}
			e.picks[d] = e.sample.IntN(n)
			e.weight *= float64(n)
			e.sampled.nodes += e.weight
		}
		if k != e.picks[d] {
			return false
		}
	}
	e.path = append(e.path, k)
	e.fork = append(e.fork, n > 1)
	if n > 1 {
		e.forks++
	}
	return true
}

// follow restricts the exploration to the subtrees path[:len(path)-1] +
// [k] for k from path's last entry to hi: a unit (hi = that entry) or a
// donated part of a parallel exploration.
func (e *engine) follow(path []int, hi int) {
	e.prefix = path
	if len(path) > 0 {
		e.ceil = append(e.ceil[:0], make([]int, len(path))...)
		e.ceil[len(path)-1] = hi
	}
}

// followUnit restricts the exploration to one unit of Units.
func (e *engine) followUnit(unit []int) {
	if len(unit) > 0 {
		e.follow(unit, unit[len(unit)-1])
	}
}

func (e *engine) leave() {
	last := len(e.path) - 1
	if e.fork[last] {
		e.forks--
	}
	e.path, e.fork = e.path[:last], e.fork[:last]
}

// consistent judges g after a step that added (or revisited) x, with the
// axioms construction does not guarantee: a search for a cycle through x
// (order.go), or, when SeqCst fences bring rules through any event, the
// relational model.
func (e *engine) consistent(g *egraph, x ref) bool { return e.consistentThrough(g, x, noRef) }

// consistentThrough is consistent for a step that may have closed a cycle
// through x or through y (noRef: x only).
func (e *engine) consistentThrough(g *egraph, x, y ref) bool {
	if y != noRef && e.m.Name != "armv8" && e.m.Name != model.CoherentCycles.Name {
		return e.consistentThrough(g, x, noRef) && e.consistentThrough(g, y, noRef)
	}
	if g.broken {
		return false
	}
	n := g.node(x)
	switch e.m.Name {
	case "sc":
		e.oc.reset(g)
		return !e.oc.scCycle(g, x)
	case "x86":
		if n.ev.Kind == graph.Fence {
			return true // it orders nothing yet: it is the last of its thread
		}
		e.oc.reset(g)
		return !e.oc.x86Cycle(g, x)
	case "c20", "rc11":
		if g.nsc < 2 {
			return true
		}
		if g.scFences() {
			return e.relational(g)
		}
		if !n.ev.IsSC() {
			return true // no new edge between SeqCst accesses
		}
		e.oc.reset(g)
		return !e.oc.scAccessCycle(g, x, e.rc11)
	case model.CoherentCycles.Name:
		e.oc.reset(g)
		bad := e.oc.internalCycle(g, x) || y != noRef && e.oc.internalCycle(g, y)
		if verifyARM != nil {
			verifyARM(g.toGraph(), x.t, x.i, bad, !e.relational(g))
		}
		return !bad
	case "armv8":
		e.oc.reset(g)
		bad := e.oc.armCycle(g, x) || y != noRef && e.oc.armCycle(g, y)
		if verifyARM != nil {
			verifyARM(g.toGraph(), x.t, x.i, bad, !e.relational(g))
		}
		return !bad
	}

	if !e.always && g.nsc < 2 {
		return true
	}
	return e.relational(g)
}

// verifyARM, when set (by tests), is told each incremental ARMv8 judgement
// with the relational model's on the same graph.
var verifyARM func(g *graph.Graph, t, i int32, incremental, relational bool)

func (e *engine) relational(g *egraph) bool {
	var x model.Exec
	x.Reset(g.toGraph())
	return e.m.CheckExec(&x) == nil
}

// scFences reports whether g has a SeqCst fence.
func (g *egraph) scFences() bool {
	for t := range g.th {
		for i := range g.th[t] {
			if n := &g.th[t][i]; n.ev.Kind == graph.Fence && n.ev.Ord == prog.SeqCst {
				return true
			}
		}
	}
	return false
}

// next is the thread whose next event is added: the smallest one that
// wants an access. TruSt needs it to be a function of the graph alone.
func next(g *egraph) int {
	for t, s := range g.stop {
		if s == interp.Access {
			return t
		}
	}
	return -1
}

// explore extends g in every way.
func (e *engine) explore(g *egraph) {
	if e.halted() {
		return
	}
	t := next(g)
	if t < 0 {
		e.emit(g)
		return
	}
	if e.doomed && !e.rescuable(g, e.doomLimit) {
		return
	}
	ev := e.requestEvent(t, g.at[t], &g.cur[t].Req)
	switch ev.Kind {
	case graph.Fence:
		e.step(g, t, node{ev: ev, rf: noRef, addedMax: true}, -1)
	case graph.Write:
		e.store(g, t, ev)
	default:
		e.read(g, t, ev)
	}
}

// requestEvent is the event thread t's request req makes as its i-th: a
// fence, a write with its value, or (Kind Read) a read-like access whose
// kind and values variants settles once it is known what it reads.
func (e *engine) requestEvent(t, i int, req *interp.Request) graph.Event {
	in := req.Instr
	ev := graph.Event{Thread: t, Index: i, Loc: req.Loc, Ord: in.Ord, Atomic: in.Atomic, Instr: in, RF: graph.None,
		Addr: req.Addr, Data: req.Data, Ctrl: req.Ctrl, Kind: graph.Read}
	switch in.Op {
	case prog.OpFence:
		ev.Kind, ev.Loc, ev.Atomic = graph.Fence, -1, true
	case prog.OpStore:
		ev.Kind = graph.Write
		ev.WVal = e.p.Locs[req.Loc].Type.Wrap(req.Val)
	}
	return ev
}

// hbBefore is the happens-before view of thread t's next event before it
// reads anything: that of its program-order predecessor.
func (g *egraph) hbBefore(t int) []int32 {
	if n := g.at[t]; n > 0 {
		return g.hb(&g.th[t][n-1])
	}
	return make([]int32, g.nt)
}

// variants lists the events a read-like request becomes when it reads
// value v: a load reads; an RMW reads and writes; a compare-exchange
// succeeds or fails (and a weak one may fail spuriously, a variant that is
// never the maximal one). It fills buf and returns how many.
func (e *engine) variants(buf *[2]node, st *interp.State, ev graph.Event, v uint64) int {
	in := st.Req.Instr
	typ := e.p.Locs[st.Req.Loc].Type
	ev.RVal = v
	switch in.Op {
	case prog.OpLoad:
		ev.Kind = graph.Read
		buf[0] = node{ev: ev}
		return 1
	case prog.OpRMW:
		ev.Kind, ev.WVal = graph.RMW, prog.ApplyRMW(in.RMW, typ, v, st.Req.Val)
		buf[0] = node{ev: ev}
		return 1
	}
	if v != st.Req.Exp {
		ev.Kind, ev.Ord = graph.Read, in.Ord2
		buf[0] = node{ev: ev}
		return 1
	}
	ok := ev
	ok.Kind, ok.WVal = graph.RMW, typ.Wrap(st.Req.New)
	buf[0] = node{ev: ok}
	if in.Weak && !e.m.StrongCAS {
		f := ev
		f.Kind, f.Ord, f.Spurious = graph.Read, in.Ord2, true
		buf[1] = node{ev: f}
		return 2
	}
	return 1
}

// read adds thread t's next event, a read of ev.Loc, reading from every
// coherent write in turn, the last in modification order first.
func (e *engine) read(g *egraph, t int, ev graph.Event) {
	loc := ev.Loc
	obs := g.observed(loc, g.hbBefore(t))
	mo := g.mo[loc]
	hi := len(mo) - 1
	if e.arm {
		hi, _ = g.armWindow(t, loc)
	}
	// The alternatives are pushed on a stack shared by the calls: deeper
	// calls push after them (and may move the stack, keeping its bigger
	// array; alts still reads this call's part, unchanged, in the old one).
	start := len(e.readAlts)
	for k := hi; k >= obs; k-- {
		w := mo[k]
		var buf [2]node
		nv := e.variants(&buf, g.cur[t], ev, g.wval(w))
		for j, n := range buf[:nv] {
			n.rf = w
			// Only the first variant of the last write is the maximal
			// choice; a spurious failure never is.
			n.addedMax = k == hi && j == 0
			e.readAlts = append(e.readAlts, n)
		}
	}
	alts := e.readAlts[start:]
	for k, n := range alts {
		if e.stats.Stopped {
			break
		}
		if e.enter(k, len(alts)) {
			e.step(g, t, n, -1)
			e.leave()
		}
	}
	e.readAlts = e.readAlts[:start]
}

// store adds thread t's next event, a write, in every coherent place in
// modification order, the last first.
func (e *engine) store(g *egraph, t int, ev graph.Event) {
	loc := ev.Loc
	obs := g.observed(loc, g.hbBefore(t))
	var places []int
	hi := len(g.mo[loc])
	if e.arm {
		_, hi = g.armWindow(t, loc)
	}
	for pos := hi; pos > obs; pos-- {
		if pos < len(g.mo[loc]) {
			// Never between a read-modify-write and the write it reads.
			if nx := g.mo[loc][pos]; nx.t >= 0 {
				if n := g.node(nx); n.ev.Kind == graph.RMW && n.rf == g.mo[loc][pos-1] {
					continue
				}
			}
		}
		places = append(places, pos)
	}
	for k, pos := range places {
		if e.stats.Stopped {
			break
		}
		if e.enter(k, len(places)) {
			e.step(g, t, node{ev: ev, rf: noRef, addedMax: pos == hi}, pos)
			e.leave()
		}
	}
}

// add makes n thread t's next event (a write at position pos in
// modification order; an RMW right after the write it reads), saves t's
// state and runs t on to its next request. It returns the new event.
func (e *engine) add(g *egraph, t int, n node, pos int) ref {
	i := g.at[t]
	r := ref{int32(t), int32(i)}
	e.stamp++
	n.stamp = e.stamp
	n.revisitable = true
	n.hole = false
	g.clearReaders(t, i)
	n.ev.Index = i
	st := g.cur[t]
	snap := e.newState()
	snap.CopyFrom(st)
	var old *interp.State
	if i < len(g.snap[t]) {
		old = g.snap[t][i]
		g.snap[t][i] = snap
	} else {
		g.snap[t] = append(g.snap[t], snap)
	}
	e.saved = append(e.saved, savedSnap{t, i, old, true})
	if i < len(g.th[t]) {
		g.th[t][i] = n // fills a hole
	} else {
		g.th[t] = append(g.th[t], n)
	}
	nn := &g.th[t][i]
	loc := n.ev.Loc
	if nn.isRead() {
		g.addReader(n.rf, r)
	}
	switch nn.ev.Kind {
	case graph.Write:
		g.moInsert(loc, pos, r)
	case graph.RMW:
		g.moInsert(loc, g.moPos(loc, n.rf)+1, r)
	}
	if nn.ev.IsSC() {
		g.nsc++
	}
	g.computeViews(t, i, nn, e.rc11, e.plain)
	if e.arm {
		e.computePP(g, t, i, nn)
	}
	var v uint64
	if nn.isRead() {
		v = nn.ev.RVal
	}
	st.Complete(v, nn.ev.Kind == graph.RMW)
	g.at[t] = i + 1
	e.run(g, t)
	return r
}

// savedSnap is a snapshot add or a replay replaced, for undo.
type savedSnap struct {
	t, i int
	old  *interp.State
	add  bool // made by add (else by a replay)
}

// run runs thread t to its next request, going through the events of t
// the graph already has after its holes (a revisit kept them: the thread
// reaches them again, and they do not depend on what it read in between),
// and saves the state at each.
func (e *engine) run(g *egraph, t int) {
	st := g.cur[t]
	stop := st.Run(e.opts.Unroll)
	for stop == interp.Access && g.at[t] < len(g.th[t]) && !g.th[t][g.at[t]].hole {
		i := g.at[t]
		n := &g.th[t][i]
		if !e.keptMatches(st, n) {
			// A revisit kept an event the thread, run again on what it
			// reads now, does not make: it depends on something the
			// revisit changed. The graph is dropped, and the run says
			// partial rather than wrong.
			g.broken, e.risky = true, true
			break
		}
		snap := &interp.State{}
		snap.CopyFrom(st)
		e.saved = append(e.saved, savedSnap{t, i, g.snap[t][i], false})
		g.snap[t][i] = snap
		var v uint64
		if n.isRead() {
			v = n.ev.RVal
		}
		st.Complete(v, n.ev.Kind == graph.RMW)
		g.at[t] = i + 1
		stop = st.Run(e.opts.Unroll)
	}
	g.stop[t] = stop
	if stop != interp.Access && g.at[t] < len(g.th[t]) {
		g.broken, e.risky = true, true // it stopped before events it must reach
	}
}

// keptMatches says whether n, an event a revisit kept, is the one the
// thread's request st.Req makes, reading what n reads: the same
// instruction, location and dependencies, and the same kind and written
// value (a store's value, a read-modify-write's result, a
// compare-exchange's success or failure).
func (e *engine) keptMatches(st *interp.State, n *node) bool {
	req := &st.Req
	if req.Instr != n.ev.Instr || req.Addr != n.ev.Addr || req.Data != n.ev.Data || req.Ctrl != n.ev.Ctrl {
		return false
	}
	switch n.ev.Kind {
	case graph.Fence:
		return true
	case graph.Write:
		return req.Loc == n.ev.Loc && e.p.Locs[req.Loc].Type.Wrap(req.Val) == n.ev.WVal
	}
	if req.Loc != n.ev.Loc {
		return false
	}
	var buf [2]node
	for _, v := range buf[:e.variants(&buf, st, n.ev, n.ev.RVal)] {
		if v.ev.Kind == n.ev.Kind && v.ev.WVal == n.ev.WVal && v.ev.Ord == n.ev.Ord && v.ev.Spurious == n.ev.Spurious {
			return true
		}
	}
	return false
}

func (e *engine) newState() *interp.State {
	if n := len(e.free); n > 0 {
		s := e.free[n-1]
		e.free = e.free[:n-1]
		return s
	}
	return &interp.State{}
}

// undo undoes add of r.
func (e *engine) undo(g *egraph, r ref) {
	t, i := int(r.t), int(r.i)
	n := &g.th[t][i]
	if n.isRead() {
		g.removeReader(n.rf, r)
	}
	if n.isWrite() {
		g.moRemove(n.ev.Loc, r)
	}
	if n.ev.IsSC() {
		g.nsc--
	}
	// Give back its views when they are the slab's last.
	if len(n.v) > 0 {
		used := len(n.v)
		if len(g.slab) >= used && &g.slab[len(g.slab)-used] == &n.v[0] {
			g.slab = g.slab[:len(g.slab)-used]
		}
	}
	if len(n.pp) > 0 {
		used := len(n.pp)
		if len(g.ppSlab) >= used && &g.ppSlab[len(g.ppSlab)-used] == &n.pp[0] {
			g.ppSlab = g.ppSlab[:len(g.ppSlab)-used]
		}
	}
	if i == len(g.th[t])-1 {
		g.th[t] = g.th[t][:i]
	} else {
		*n = node{hole: true, gone: goneOf(n)} // the events after it stay
	}
	// Snapshots back as they were, the replays' then add's own.
	var snap *interp.State
	for {
		s := e.saved[len(e.saved)-1]
		e.saved = e.saved[:len(e.saved)-1]
		if s.add {
			snap = g.snap[t][i]
			if s.old == nil {
				g.snap[t] = g.snap[t][:i]
			} else {
				g.snap[t][i] = s.old
			}
			break
		}
		g.snap[s.t][s.i] = s.old
	}
	g.cur[t].CopyFrom(snap)
	g.stop[t] = interp.Access
	g.at[t] = i
	g.broken = false
	e.free = append(e.free, snap) // add made it, and only this graph has it
}

// step adds n to thread t (pos: its place in modification order, for a
// store), explores on, computes the backward revisits of a new write, and
// removes n again.
func (e *engine) step(g *egraph, t int, n node, pos int) {
	if e.arm && !e.depsOnly && g.at[t] < len(g.th[t]) && g.ordersKept(t, g.at[t], &n) {
		return // a hole filled so is another exploration's graph
	}
	if n.ev.Kind == graph.RMW {
		if other, ok := g.rmwReader(n.rf); ok {
			// Atomicity: another read-modify-write already reads this
			// write. The pair can be repaired only by revisiting that
			// one (or an earlier read) with this one's write; if it is
			// settled (never to be revisited), give up at once.
			on := g.node(other)
			// (Under ARMv8 the prefix that may not be cut is the ppo ∪ rf
			// one, which revisits checks once this one is added.)
			if !on.revisitable || inView(g.hbBefore(t), other) || !e.arm && inView(e.porfBefore(g, t, n.rf), other) {
				return
			}
			r := e.add(g, t, n, -1)
			e.alternatives(g, r, e.revisits(g, r, e.revLimit(on.stamp)), false)
			e.undo(g, r)
			return
		}
	}
	r := e.add(g, t, n, pos)
	// Alternatives: going on with this graph, then each backward revisit
	// (computed even when this graph is inconsistent: the smaller graph
	// they make may be consistent, and is judged there).
	var revs []revisit
	if g.node(r).isWrite() {
		revs = e.revisits(g, r, e.revLimit(-1))
	}
	e.alternatives(g, r, revs, true)
	e.undo(g, r)
}

// alternatives explores the alternatives after the step that added or
// revisited x: going on with g (when forward, and g is consistent), then
// each backward revisit by x.
func (e *engine) alternatives(g *egraph, x ref, revs []revisit, forward bool) {
	defer e.popRevisits(revs)
	n := len(revs)
	if forward {
		n++
	}
	k := 0
	// xOK: g is known to have no cycle through x. Otherwise a revisit,
	// which keeps x, checks for one (a cycle in the smaller graph passes
	// through the read revisited or through x: the rest was consistent).
	xOK := false
	if forward {
		if e.enter(0, n) {
			switch {
			case e.doomed:
				e.explore(g)
			case e.consistent(g, x):
				xOK = true
				e.explore(g)
			case e.arm && !e.depsOnly:
				if lim, ok := e.rescue(g, x); ok {
					e.doomed, e.doomLimit = true, lim
					e.explore(g)
					e.doomed = false
				}
			}
			e.leave()
		}
		k = 1
	}
	for _, rv := range revs {
		if e.stats.Stopped {
			return
		}
		if e.enter(k, n) {
			e.backward(g, rv.r, x, rv.kept, xOK)
			e.leave()
		}
		k++
	}
}

// popRevisits takes revs, which revisits pushed last, off the stacks.
func (e *engine) popRevisits(revs []revisit) {
	ints := 0
	for _, rv := range revs {
		ints += len(rv.kept.n)
	}
	e.revStack = e.revStack[:len(e.revStack)-len(revs)]
	e.intStack = e.intStack[:len(e.intStack)-ints]
}

// porfBefore is the po ∪ rf prefix thread t's next event would have
// reading from w.
func (e *engine) porfBefore(g *egraph, t int, w ref) []int32 {
	v := make([]int32, g.nt)
	if n := g.at[t]; n > 0 {
		copy(v, g.porf(&g.th[t][n-1]))
	}
	if w.t >= 0 {
		join(v, g.porf(g.node(w)))
	}
	return v
}

// revisit is a backward revisit of read r: the events to keep.
type revisit struct {
	r    ref
	kept keepSet
}

// keepSet is the events a revisit keeps: a prefix of each thread, or
// (ARMv8) a set of events of each thread.
type keepSet struct {
	n    []int    // per thread, how many of its first events are kept
	mask []uint64 // ARMv8: per thread, a bit per kept event
	pp   []uint64 // ARMv8: the revisiting write's prefix (armPrefix)
	// shift (ARMv8): r's thread's kept events renumbered (shift.go)
	shift *threadShift
}

func (k keepSet) has(x ref) bool {
	switch {
	case x.t < 0:
		return true
	case k.mask != nil:
		return x.i < MaxHMCEvents && k.mask[x.t]&(1<<uint(x.i)) != 0
	}
	return int(x.i) < k.n[x.t]
}

// revisits lists the backward revisits of the reads of w's location by
// the new write w that TruSt takes. limit, when not -1, admits only reads
// added no later than it (the read-modify-write w conflicts with one added
// then, which the revisit must delete).
func (e *engine) revisits(g *egraph, w ref, limit int64) []revisit {
	wn := g.node(w)
	loc := wn.ev.Loc
	wpos := g.moPos(loc, w)
	wporf := g.porf(wn)
	cands := e.cands[:0]
	// The reads of w's location: the readers of its writes.
	for p, x := range g.mo[loc] {
		if p == wpos {
			continue // none reads w yet but w's own read half
		}
		for _, r := range g.readersOf(x) {
			n := g.node(r)
			// (Under ARMv8, whether r was added maximally is judged with
			// the window its thread's later events leave, armMaximal, and
			// whether w depends on r by armPrefix, with r as it would be.)
			if r == w || !n.revisitable || limit >= 0 && n.stamp > limit ||
				!e.arm && (!n.addedMax || inView(wporf, r)) {
				continue
			}
			if r.t == w.t && r.i < w.i {
				// A read never reads a later write of its thread to its
				// location (coherence: ARMv8's internal axiom too). Not
				// a refusal that may lose executions, though armMaximal
				// would take it for one (w is a later access it keeps).
				continue
			}
			// Reading w must be coherent: nothing r's prefix has seen may
			// come after w in modification order.
			before := e.zero(g.nt)
			for i := r.i - 1; i >= 0; i-- {
				if m := &g.th[r.t][i]; !m.hole {
					before = g.hb(m)
					break
				}
			}
			if g.observed(loc, before) > wpos {
				continue
			}
			cands = append(cands, r)
		}
	}
	slices.SortFunc(cands, func(a, b ref) int { return cmp.Compare(g.node(b).stamp, g.node(a).stamp) })
	e.cands = cands[:0]
	// The revisits (and their kept counts) go on stacks shared by the
	// calls, as read's alternatives do; alternatives pops them.
	start := len(e.revStack)
	for _, r := range cands {
		var kept keepSet
		if e.arm {
			pp, sh, ok := e.armPrefix(g, r, w)
			if !ok {
				continue
			}
			kept.pp, kept.shift = pp, sh
			kept.mask = e.armKeep(g, r, w, pp)
		} else {
			kept.n = e.kept(g, r, w)
		}
		if !e.maximal(g, r, w, kept) {
			if e.arm {
				continue // the windows make it no longer monotone
			}
			break // earlier reads delete more: they fail too
		}
		if kept.n != nil {
			s := len(e.intStack)
			e.intStack = append(e.intStack, kept.n...)
			kept.n = e.intStack[s:len(e.intStack):len(e.intStack)]
		}
		e.revStack = append(e.revStack, revisit{r, kept})
	}
	return e.revStack[start:]
}

// done finishes the statistics; a risky refusal (engine.risky) makes the
// exploration partial (CutRevisits).
func (e *engine) done() Stats {
	if e.risky {
		e.stats.stop(CutRevisits)
	}
	return e.budget.done()
}

// replay runs each thread of g afresh on g's read values and tells
// verifyReplay when the registers differ from the thread's state.
func (e *engine) replay(g *egraph) {
	for t := range g.th {
		st := interp.New(g.p, t)
		stop := st.Run(e.opts.Unroll)
		for i := range g.th[t] {
			if stop != interp.Access {
				break
			}
			n := &g.th[t][i]
			var v uint64
			if n.isRead() {
				v = n.ev.RVal
			}
			st.Complete(v, n.ev.Kind == graph.RMW)
			stop = st.Run(e.opts.Unroll)
		}
		if !slices.Equal(st.Regs, g.cur[t].Regs) {
			verifyReplay(fmt.Sprintf("thread %d: registers %v, afresh %v, in\n%s", t, g.cur[t].Regs, st.Regs, g.toGraph().Key()))
		}
	}
}

// zero is a vector clock of nothing.
func (e *engine) zero(nt int) []int32 {
	if len(e.zeros) < nt {
		e.zeros = make([]int32, nt)
	}
	return e.zeros[:nt]
}

// kept says how many of each thread's events a revisit of r by w keeps:
// those added up to r, and w's po ∪ rf prefix.
func (e *engine) kept(g *egraph, r, w ref) []int {
	rs := g.node(r).stamp
	wn := g.node(w)
	if len(e.keptBuf) < g.nt {
		e.keptBuf = make([]int, g.nt)
	}
	kept := e.keptBuf[:g.nt] // scratch: revisits copies the ones it keeps
	for t := range g.th {
		k := 0
		for k < len(g.th[t]) && g.th[t][k].stamp <= rs {
			k++
		}
		// Within a thread, stamps grow with the index.
		if p := int(wn.view(vPorf, g.nt)[t]); p > k {
			k = p
		}
		kept[t] = k
	}
	return kept
}

func isKept(kept []int, x ref) bool { return x.t < 0 || int(x.i) < kept[x.t] }

// maximal is TruSt's test: the revisit of r by w is taken only if every
// event it deletes, and r itself, was added maximally and is revisitable,
// and no kept write other than w comes after what each of them read or
// wrote; and w's successor in modification order, if any, is kept (so
// each place of w in the smaller graph comes from one place in this one).
func (e *engine) maximal(g *egraph, r, w ref, kept keepSet) bool {
	wn := g.node(w)
	loc := wn.ev.Loc
	if wn.ev.Kind != graph.RMW {
		mo := g.mo[loc]
		if p := g.moPos(loc, w); p+1 < len(mo) && !kept.has(mo[p+1]) {
			return false
		}
	}
	if e.arm {
		return e.armMaximal(g, r, w, kept)
	}
	// keptAfter: some kept write other than w and skip follows x in x's
	// location's modification order.
	keptAfter := func(x ref, l int, skip ref) bool {
		mo := g.mo[l]
		p := g.moPos(l, x)
		for _, y := range mo[p+1:] {
			if y != w && y != skip && kept.has(y) {
				return true
			}
		}
		return false
	}
	check := func(x ref) bool {
		n := g.node(x)
		if !n.revisitable || !n.addedMax {
			return false
		}
		if n.isRead() && keptAfter(n.rf, n.ev.Loc, x) {
			return false
		}
		if n.isWrite() && keptAfter(x, n.ev.Loc, noRef) {
			return false
		}
		return true
	}
	return revisitedAndDeleted(g, r, kept, check)
}

// revisitedAndDeleted says whether check holds for r and for every event
// a revisit of r deletes (present, not kept): the maximality condition's
// scope, under every model.
func revisitedAndDeleted(g *egraph, r ref, kept keepSet, check func(ref) bool) bool {
	if !check(r) {
		return false
	}
	for t := range g.th {
		for i := range g.th[t] {
			x := ref{int32(t), int32(i)}
			if x != r && !g.th[t][i].hole && !kept.has(x) && !check(x) {
				return false
			}
		}
	}
	return true
}

// fresh returns an empty graph for a backward revisit at the current
// depth, reusing the one the last revisit at this depth used.
func (e *engine) fresh(g *egraph) *egraph {
	for len(e.pool) <= e.depth {
		e.pool = append(e.pool, nil)
	}
	h := e.pool[e.depth]
	if h == nil {
		h = &egraph{p: g.p, nt: g.nt, th: make([][]node, g.nt), mo: make([][]ref, len(g.mo)),
			initReaders: make([][]ref, len(g.mo)), rd: make([][][]ref, g.nt),
			cur: make([]*interp.State, g.nt), stop: make([]interp.Stop, g.nt), snap: make([][]*interp.State, g.nt), at: make([]int, g.nt)}
		for t := range h.cur {
			h.cur[t] = &interp.State{}
		}
		e.pool[e.depth] = h
	}
	h.slab, h.ppSlab = h.slab[:0], h.ppSlab[:0]
	h.nsc = 0
	h.broken, h.cutPrefix = false, false
	return h
}

// backward explores the graph in which r reads from w, keeping only what
// kept says.
// wOK says whether g is known to have no cycle through w.
func (e *engine) backward(g *egraph, r, w ref, kept keepSet, wOK bool) {
	h := e.fresh(g)
	e.depth++
	mark := len(e.saved)
	defer func() { e.depth--; e.saved = e.saved[:mark] }()
	if e.arm {
		e.armBuild(g, h, r, kept.mask)
		h.cutPrefix = g.cutPrefix || g.prefixCut(r, w, kept)
	} else {
		kept.n[r.t] = int(r.i) + 1
		for t := range g.th {
			k := kept.n[t]
			h.th[t] = append(h.th[t][:0], g.th[t][:k]...)
			// Snapshots are never changed once taken: share them (this
			// graph never gives back the ones it did not take itself).
			h.snap[t] = append(h.snap[t][:0], g.snap[t][:k]...)
			h.at[t] = k
			if k == len(g.th[t]) {
				h.cur[t].CopyFrom(g.cur[t])
				h.stop[t] = g.stop[t]
			} else {
				h.cur[t].CopyFrom(g.snap[t][k])
				h.stop[t] = interp.Access
			}
		}
	}
	rn := &h.th[r.t][r.i]
	wasRMW := rn.ev.Kind == graph.RMW
	for l, mo := range g.mo {
		h.mo[l] = h.mo[l][:0]
		for _, x := range mo {
			if kept.has(x) && !(wasRMW && x == r) {
				h.mo[l] = append(h.mo[l], x)
			}
		}
	}
	// w's prefix may never again be cut by a revisit (r aside: under
	// ARMv8 it may be in the prefix without being ordered before w, see
	// obBefore).
	wn := g.node(w)
	for t := range h.th {
		for i := range h.th[t] {
			x := ref{int32(t), int32(i)}
			if e.arm && (ppHas(kept.pp, x) && x != r || x == w) || !e.arm && i < int(g.porf(wn)[t]) {
				h.th[t][i].revisitable = false
			}
		}
	}
	if kept.shift != nil {
		if !kept.shift.apply(e, h) {
			e.risky = true // refused: it may have been the only way to a graph
			return
		}
		rn = &h.th[r.t][r.i]
	}
	// r now reads w.
	st := h.cur[r.t]
	st.CopyFrom(g.snap[r.t][r.i])
	base := rn.ev
	base.Kind, base.Ord, base.WVal, base.Spurious = graph.Read, base.Instr.Ord, 0, false
	var buf [2]node
	vs := buf[:e.variants(&buf, st, base, h.wval(w))]
	for j, v := range vs {
		if e.stats.Stopped {
			return
		}
		if !e.enter(j, len(vs)) {
			continue
		}
		hv := h
		if j < len(vs)-1 {
			hv = h.clone()
		}
		doomed := e.doomed
		e.doomed = false // the graph the revisit makes is judged whole
		e.revisitAs(hv, r, w, v, j == 0, e.arm && ppHas(kept.pp, r), wOK, doomed)
		e.doomed = doomed
		e.leave()
	}
}

// revisitAs finishes a backward revisit in h: r becomes n, reading w.
// wOK: the graph w was added to is known to have no cycle through w;
// whole: it was doomed (doomed.go), so h is judged whole.
func (e *engine) revisitAs(h *egraph, r, w ref, n node, first, inPrefix, wOK, whole bool) {
	if e.arm && !e.depsOnly && h.ordersKept(int(r.t), int(r.i), &n) && (!inPrefix || e.obBefore(h, r, w, &n, nil)) {
		// Ordered before an event its thread kept after it: an
		// exploration in which it was so ordered from the start (and
		// kept that event for this reason) gives this graph. (Unless r
		// is in w's prefix already, armPrefix having found that ARMv8
		// does not order it before w: then the events it is ordered
		// before were kept with it.)
		return
	}
	rn := &h.th[r.t][r.i]
	n.stamp, n.revisitable = rn.stamp, rn.revisitable
	n.rf = w
	n.ev.Index = int(r.i)
	loc := n.ev.Loc
	mo := h.mo[loc]
	n.addedMax = first && mo[len(mo)-1] == w
	*rn = n
	if n.ev.Kind == graph.RMW {
		p := h.moPos(loc, w)
		h.moInsert(loc, p+1, r)
	}
	h.rebuildReaders()
	h.nsc = 0
	for t := range h.th {
		for i := range h.th[t] {
			if m := &h.th[t][i]; !m.hole && m.ev.IsSC() {
				h.nsc++
			}
		}
	}
	h.computeViews(int(r.t), int(r.i), rn, e.rc11, e.plain)
	if e.arm {
		e.recomputePP(h)
	}
	// The graph w was added to may have had a cycle through w (its
	// revisits are computed all the same), and this one keeps w.
	also := noRef
	if !wOK {
		also = w
	}
	if e.arm && (whole && !e.consistentWhole(h, r, w) || !whole && !e.consistentThrough(h, r, also)) {
		// Under ARMv8 a revisit keeps events after r in its thread (w
		// itself may be one, a write of r's location), so reading w may
		// close a cycle through r: coherence's, or ob's through coe and
		// fre, which prefixes do not follow.
		return
	}
	if !e.arm && also != noRef && !e.consistent(h, w) {
		return
	}
	st := h.cur[r.t]
	st.Complete(n.ev.RVal, n.ev.Kind == graph.RMW)
	h.at[r.t] = int(r.i) + 1
	h.broken = false
	e.run(h, int(r.t))
	if e.halted() {
		return
	}
	if n.ev.Kind == graph.RMW {
		if other, ok := h.rmwReaderOther(w, r); ok {
			if on := h.node(other); on.revisitable {
				e.alternatives(h, r, e.revisits(h, r, on.stamp), false)
			}
			return
		}
	}
	var revs []revisit
	if n.ev.Kind == graph.RMW {
		revs = e.revisits(h, r, -1)
	}
	e.alternatives(h, r, revs, true)
}

// rmwReaderOther returns a read-modify-write other than r reading w.
func (g *egraph) rmwReaderOther(w, r ref) (ref, bool) {
	for _, x := range g.readersOf(w) {
		if x != r && g.node(x).ev.Kind == graph.RMW {
			return x, true
		}
	}
	return noRef, false
}

// rebuildReaders recomputes every write's readers.
func (g *egraph) rebuildReaders() {
	for l := range g.initReaders {
		g.initReaders[l] = g.initReaders[l][:0]
	}
	for t := range g.th {
		for i := range g.th[t] {
			g.clearReaders(t, i)
		}
	}
	for t := range g.th {
		for i := range g.th[t] {
			if n := &g.th[t][i]; !n.hole && n.isRead() {
				g.addReader(n.rf, ref{int32(t), int32(i)})
			}
		}
	}
}

// clone copies g (sharing what is never changed in place).
func (g *egraph) clone() *egraph {
	h := &egraph{p: g.p, nt: g.nt, th: make([][]node, g.nt), mo: make([][]ref, len(g.mo)),
		initReaders: make([][]ref, len(g.mo)), rd: make([][][]ref, g.nt),
		cur: make([]*interp.State, g.nt), stop: append([]interp.Stop(nil), g.stop...), snap: make([][]*interp.State, g.nt), nsc: g.nsc,
		at: append([]int(nil), g.at...), broken: g.broken, cutPrefix: g.cutPrefix}
	for t := range g.th {
		h.th[t] = append([]node(nil), g.th[t]...)
		h.snap[t] = append([]*interp.State(nil), g.snap[t]...)
		h.cur[t] = g.cur[t].Clone()
	}
	for l := range g.mo {
		h.mo[l] = append([]ref(nil), g.mo[l]...)
	}
	h.rebuildReaders()
	return h
}

// emit reports the complete (maximal) graph g. Its graph-package form is
// built only if a visitor asks for it.
// verifyReplay, when set (by tests), is told of every emitted graph whose
// threads' states are not what running each thread afresh on the graph's
// read values gives (a state restored from a stale snapshot).
var verifyReplay func(msg string)

func (e *engine) emit(g *egraph) {
	if g.broken || e.doomed {
		return
	}
	if verifyReplay != nil {
		e.replay(g)
	}
	if e.sample != nil {
		e.sampled.leaves += e.weight
		if st, _ := Classify(g.cur, g.stop, g.finalValue); st == Complete {
			e.sampled.complete += e.weight
		}
		return
	}
	if e.splitAt >= 0 {
		// An execution above the split depth is a unit of its own.
		e.units = append(e.units, append([]int(nil), e.path...))
		return
	}
	if e.out == nil {
		e.out = &graph.Graph{}
	}
	if len(e.ids) < g.nt {
		e.ids = make([][]graph.ID, g.nt)
	}
	if e.build == nil {
		// Made once: a closure or method value made per execution would
		// be allocated per execution.
		e.build = func() *graph.Graph { return e.emitted.toGraphInto(e.out, e.ids) }
		e.finalOf = func(loc int) uint64 { return e.emitted.finalValue(loc) }
	}
	e.emitted = g
	x := &e.ex
	*x = Execution{build: e.build, final: e.finalOf}
	if e.final && e.m.CheckFinal(model.NewExec(x.Graph())) != nil {
		return
	}
	x.Threads = g.cur
	x.Status, x.Hangs = Classify(g.cur, g.stop, e.finalOf)
	x.Failures = Failures(g.cur, g.stop)
	RunFinal(e.p, x, e.finalOf, e.opts.Unroll)
	if IsDuplicate(e.m, x) {
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

// finalValue is the value of the last write to loc in modification order.
func (g *egraph) finalValue(loc int) uint64 {
	mo := g.mo[loc]
	return g.wval(mo[len(mo)-1])
}

package explore

import (
	"happens/graph"
	"happens/interp"
	"happens/prog"
)

// ref names an event of the engine's graph: thread t's i-th event, or,
// for t == -1, the initial write of location i.
type ref struct{ t, i int32 }

var noRef = ref{-2, -2}

func initRef(loc int) ref { return ref{-1, int32(loc)} }

// node is one event of the engine's graph. A successful read-modify-write
// is one node that both reads and writes (its write half has the read's
// stamp); a failed compare-exchange is a read.
type node struct {
	ev    graph.Event // RF is unused here: see rf
	rf    ref         // the write a read reads from
	stamp int64       // insertion order
	// addedMax: when it was added, the node read from (or, for a write,
	// was placed after) the last write in modification order. revisitable:
	// no backward revisit has put it in the po ∪ rf prefix of its write.
	// Together they implement TruSt's maximality test.
	addedMax, revisitable bool
	// Vector clocks over threads (counts of each thread's events):
	// porf: the po ∪ rf prefix; hb: happens-before (C++20 or RC11 release
	// sequences, as the engine's model says); pend: what the thread's
	// relaxed reads so far would release to a later acquire fence; frel:
	// hb at the thread's last release fence; rel (writes): what a read of
	// this write acquires; head (writes): rel without the rf;rmw part.
	// They are stored one after the other in v (viewCount of them, nt
	// each): porf, hb, pend, frel, then head and rel for atomic writes (rel
	// is head unless it is a read-modify-write's).
	v []int32
	// hole: no event here yet (ARMv8: a backward revisit kept events of
	// the thread that come after it); the thread will add it again.
	hole bool
	// gone (a hole, ARMv8): what the write deleted here was, as far as
	// the prefixes of the thread's later writes of its location need it.
	gone goneWrite
	// pp (ARMv8): the (ppo ∪ rf)⁺ prefix, a bit per event of each
	// thread, nt words: what a backward revisit must keep. A bit means
	// the event's read half at least. A read-modify-write has 2 nt words:
	// its write half's prefix (all of it), then its read half's (ppRead).
	pp []uint64
}

// goneWrite is what a hole keeps of the write deleted there (ARMv8):
// the thread adds the same instruction there again (what it depends on
// is kept, or the events after it would not be), and until then a later
// write of its location is ordered after what that write is ordered
// after through coi (po;[L];coi and (ctrl ∪ data);coi) all the same.
// Without it a kept write's prefix shrank while the hole lasted, and an
// event made non-revisitable as part of that prefix was deleted by a
// later revisit, which was then refused: a missed execution.
type goneWrite struct {
	loc     int    // its location + 1; 0: no write
	release bool   // a release write (po;[L];coi)
	deps    uint64 // its data and control dependencies ((ctrl ∪ data);coi)
}

// goneOf is what a hole made of n keeps (n a hole already: its own).
func goneOf(n *node) goneWrite {
	switch {
	case n.hole:
		return n.gone
	case !n.isWrite() || n.ev.Loc < 0:
		return goneWrite{}
	}
	return goneWrite{loc: n.ev.Loc + 1, release: armReleases(n), deps: n.ev.Data | n.ev.Ctrl}
}

const (
	vPorf = iota
	vHB
	vPend
	vFrel
	vHead
	vRel
)

// view is n's k-th vector clock (vPorf, …); nil for a head or rel it does
// not have.
func (n *node) view(k, nt int) []int32 {
	if k == vRel && len(n.v) == 5*nt {
		k = vHead
	}
	if (k+1)*nt > len(n.v) {
		return nil
	}
	return n.v[k*nt : (k+1)*nt : (k+1)*nt]
}

func (n *node) isRead() bool  { return n.ev.Kind == graph.Read || n.ev.Kind == graph.RMW }
func (n *node) isWrite() bool { return n.ev.Kind == graph.Write || n.ev.Kind == graph.RMW }

// egraph is the engine's execution graph: nodes per thread in program
// order, modification order per location, readers per write, and each
// thread's interpreter state (current, and as it was when each of its
// events was requested, to resume it after a revisit).
type egraph struct {
	p  *prog.Program
	nt int
	th [][]node
	mo [][]ref // per location, in modification order; mo[l][0] is the initial write
	// initReaders[l]: the reads of location l's initial write; rd[t][i]:
	// the reads of thread t's i-th event (a write). The graph owns these
	// slices (a graph made by a revisit builds its own), so they are
	// changed in place and their arrays reused.
	initReaders [][]ref
	rd          [][][]ref
	cur         []*interp.State
	stop        []interp.Stop
	// at[t]: the index of thread t's next event (its first hole, or the
	// end of its events); broken: a thread stopped before events of its
	// that a revisit kept (ARMv8), so the graph leads nowhere.
	at     []int
	broken bool
	// cutPrefix: ARMv8, a revisit that made this graph or one it comes
	// from kept an event without all of its prefix (prefixCut).
	cutPrefix bool
	// snap[t][i]: t's state when it requested event i. A snapshot is
	// never changed once taken; a graph made by a revisit shares its
	// kept ones.
	snap [][]*interp.State
	nsc  int     // SeqCst events, for the SC checks
	slab []int32 // the views of the nodes this graph added, stack-allocated
	// ppSlab: the same for ARMv8's prefixes (nt words each).
	ppSlab []uint64
}

func newEgraph(p *prog.Program, unroll int) *egraph {
	n := len(p.Threads)
	g := &egraph{p: p, nt: n, th: make([][]node, n), mo: make([][]ref, len(p.Locs)),
		initReaders: make([][]ref, len(p.Locs)), rd: make([][][]ref, n),
		cur: make([]*interp.State, n), stop: make([]interp.Stop, n), snap: make([][]*interp.State, n),
		at: make([]int, n)}
	for l := range p.Locs {
		g.mo[l] = []ref{initRef(l)}
	}
	for t := range p.Threads {
		g.cur[t] = interp.New(p, t)
		g.stop[t] = g.cur[t].Run(unroll)
	}
	return g
}

func (g *egraph) node(r ref) *node { return &g.th[r.t][r.i] }

// present reports whether r is an event of g (not a hole, not past the end).
func (g *egraph) present(r ref) bool {
	return r.t < 0 || int(r.i) < len(g.th[r.t]) && !g.th[r.t][r.i].hole
}

func (g *egraph) porf(n *node) []int32 { return n.view(vPorf, g.nt) }
func (g *egraph) hb(n *node) []int32   { return n.view(vHB, g.nt) }

// wval is the value write w wrote.
func (g *egraph) wval(w ref) uint64 {
	if w.t < 0 {
		return g.p.Locs[w.i].Init
	}
	return g.th[w.t][w.i].ev.WVal
}

func (g *egraph) readersOf(w ref) []ref {
	if w.t < 0 {
		return g.initReaders[w.i]
	}
	if int(w.i) >= len(g.rd[w.t]) {
		return nil
	}
	return g.rd[w.t][w.i]
}

func (g *egraph) setReaders(w ref, rs []ref) {
	if w.t < 0 {
		g.initReaders[w.i] = rs
		return
	}
	g.rd[w.t][w.i] = rs
}

func (g *egraph) addReader(w, r ref) { g.setReaders(w, append(g.readersOf(w), r)) }

// clearReaders empties the readers of thread t's i-th event, keeping the
// array.
func (g *egraph) clearReaders(t, i int) {
	for len(g.rd[t]) <= i {
		g.rd[t] = append(g.rd[t], nil)
	}
	g.rd[t][i] = g.rd[t][i][:0]
}

// removeReader drops r, which must be the last reader added to w (readers
// are removed in the reverse order of their adding).
func (g *egraph) removeReader(w, r ref) {
	rs := g.readersOf(w)
	if n := len(rs); n > 0 && rs[n-1] == r {
		g.setReaders(w, rs[:n-1])
		return
	}
	out := rs[:0]
	for _, x := range rs {
		if x != r {
			out = append(out, x)
		}
	}
	g.setReaders(w, out)
}

// views hands out k vector clocks from the graph's slab.
func (g *egraph) views(k int) []int32 {
	n := k * g.nt
	if len(g.slab)+n > cap(g.slab) {
		// A new slab: the old one stays with the nodes that use it.
		g.slab = make([]int32, 0, max(512, 2*cap(g.slab), n))
	}
	v := g.slab[len(g.slab) : len(g.slab)+n : len(g.slab)+n]
	g.slab = g.slab[:len(g.slab)+n]
	clear(v)
	return v
}

// ppWords hands out k empty prefixes (k nt words) from the graph's slab,
// as views does.
func (g *egraph) ppWords(k int) []uint64 {
	n := k * g.nt
	if len(g.ppSlab)+n > cap(g.ppSlab) {
		g.ppSlab = make([]uint64, 0, max(128, 2*cap(g.ppSlab), n))
	}
	v := g.ppSlab[len(g.ppSlab) : len(g.ppSlab)+n : len(g.ppSlab)+n]
	g.ppSlab = g.ppSlab[:len(g.ppSlab)+n]
	clear(v)
	return v
}

// moPos is w's position in its location's modification order, or -1.
func (g *egraph) moPos(loc int, w ref) int {
	for i, x := range g.mo[loc] {
		if x == w {
			return i
		}
	}
	return -1
}

func (g *egraph) moInsert(loc, pos int, w ref) {
	mo := append(g.mo[loc], ref{})
	copy(mo[pos+1:], mo[pos:])
	mo[pos] = w
	g.mo[loc] = mo
}

func (g *egraph) moRemove(loc int, w ref) {
	mo := g.mo[loc]
	for i, x := range mo {
		if x == w {
			g.mo[loc] = append(mo[:i], mo[i+1:]...)
			return
		}
	}
}

// inView reports whether event e is in the prefix a vector clock v
// describes (initial writes always are).
func inView(v []int32, e ref) bool { return e.t < 0 || v[e.t] > e.i }

func join(dst, src []int32) {
	for i, x := range src {
		if x > dst[i] {
			dst[i] = x
		}
	}
}

// observed is the position in modification order of the latest write to
// loc that the prefix v has seen: a write in v, or the source of a read in
// v. (Coherence then lets an event with that prefix read only from that
// write or later ones, and places its writes after it.)
func (g *egraph) observed(loc int, v []int32) int {
	mo := g.mo[loc]
	for i := len(mo) - 1; i > 0; i-- {
		w := mo[i]
		if inView(v, w) {
			return i
		}
		for _, r := range g.readersOf(w) {
			if inView(v, r) {
				return i
			}
		}
	}
	return 0
}

// rmwReader returns a successful read-modify-write that reads from w, if
// any (atomicity lets only one).
func (g *egraph) rmwReader(w ref) (ref, bool) {
	for _, r := range g.readersOf(w) {
		if g.node(r).ev.Kind == graph.RMW {
			return r, true
		}
	}
	return noRef, false
}

// toGraph builds the graph package's form of the current graph, for the
// models' relational checks and for visitors. Events come in an order that
// respects po ∪ rf (each read after the write it reads, as the first
// engine made them; drawings and other readers rely on it), the earliest
// added first among those ready.
func (g *egraph) toGraph() *graph.Graph {
	return g.toGraphInto(graph.New(g.p), nil)
}

// toGraphInto is toGraph into out's memory, with id as scratch.
func (g *egraph) toGraphInto(out *graph.Graph, id [][]graph.ID) *graph.Graph {
	out.Reset(g.p)
	if len(id) < len(g.th) {
		id = make([][]graph.ID, len(g.th))
	}
	for t := range g.th {
		if cap(id[t]) < len(g.th[t]) {
			id[t] = make([]graph.ID, len(g.th[t]), 2*len(g.th[t]))
		}
		id[t] = id[t][:len(g.th[t])]
	}
	next := make([]int, len(g.th))
	done := func(r ref) bool { return r.t < 0 || int(r.i) < next[r.t] }
	holes := false
	skip := func(t int) { // past holes
		for next[t] < len(g.th[t]) && g.th[t][next[t]].hole {
			next[t]++
			holes = true
		}
	}
	for {
		best, any := -1, -1
		for t := range g.th {
			skip(t)
			i := next[t]
			if i >= len(g.th[t]) {
				continue
			}
			n := &g.th[t][i]
			if any < 0 || n.stamp < g.th[any][next[any]].stamp {
				any = t
			}
			if n.isRead() && !done(n.rf) {
				continue
			}
			if best < 0 || n.stamp < g.th[best][next[best]].stamp {
				best = t
			}
		}
		if best < 0 {
			// A cycle in po ∪ rf (ARMv8's load buffering): no order can
			// respect it; take the earliest added.
			best = any
		}
		if best < 0 {
			break
		}
		ev := g.th[best][next[best]].ev
		ev.RF = graph.None
		id[best][next[best]] = out.Add(ev)
		next[best]++
	}
	if holes {
		// The graph numbers each thread's events without gaps: renumber
		// the dependency masks (bit k: the thread's k-th event).
		for t := range g.th {
			var newIdx [64]int
			n := 0
			for i := range g.th[t] {
				if i < 64 {
					newIdx[i] = -1
					if !g.th[t][i].hole {
						newIdx[i] = n
					}
				}
				if !g.th[t][i].hole {
					n++
				}
			}
			remap := func(m uint64) uint64 {
				var o uint64
				for k := 0; k < 64; k++ {
					if m&(1<<uint(k)) != 0 && newIdx[k] >= 0 {
						o |= 1 << uint(newIdx[k])
					}
				}
				return o
			}
			for i := range g.th[t] {
				if g.th[t][i].hole {
					continue
				}
				ev := &out.Events[id[t][i]]
				ev.Addr, ev.Data, ev.Ctrl = remap(ev.Addr), remap(ev.Data), remap(ev.Ctrl)
			}
		}
	}
	gid := func(r ref) graph.ID {
		if r.t < 0 {
			return graph.ID(r.i)
		}
		return id[r.t][r.i]
	}
	for t := range g.th {
		for i := range g.th[t] {
			n := &g.th[t][i]
			if !n.hole && n.isRead() {
				out.Events[id[t][i]].RF = gid(n.rf)
			}
		}
	}
	for l, mo := range g.mo {
		out.MO[l] = out.MO[l][:0]
		for _, w := range mo {
			out.MO[l] = append(out.MO[l], gid(w))
		}
	}
	return out
}

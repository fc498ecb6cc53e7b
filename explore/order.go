package explore

import (
	"happens/graph"
	"happens/prog"
)

// The axioms beyond coherence, checked incrementally: a consistent graph
// stays consistent unless a cycle passes through the event just added (or
// the read just revisited), so each check is a search from that event
// only. Each model's relation is followed edge by edge, computed from the
// views and modification order, never built whole:
//
//	sc:   acyclic(po ∪ rf ∪ mo ∪ rb)
//	x86:  acyclic(ppo ∪ rfe ∪ mo ∪ rb ∪ fences), ppo = po \ (W × R) unless a
//	      locked instruction or mfence orders the pair (x86tso.cat)
//	c20:  acyclic(S) on SeqCst accesses, S = shb ∪ eco, with
//	      shb = (sb ∪ sw on SC pairs ∪ sb;hb;sb)⁺ (C++20 [atomics.order])
//	rc11: acyclic(psc) on SeqCst accesses, psc = scb = sb ∪
//	      sb|≠loc;hb;sb|≠loc ∪ hb|loc ∪ mo ∪ rb (Lahav et al. 2017)
//
// SeqCst fences bring rules through arbitrary events; graphs with them
// are judged by the relational model instead (engine.consistent).

// orderChecker holds the scratch of the searches.
type orderChecker struct {
	pos     [][]int // pos[t][i]: modification-order position of a write
	visited [][]bool
	stack   []ref
	sc      []ref
	seen    [][]bool // ARMv8: per thread, a mark per half (armorder.go)
	hstack  []half
	target  half // the node a half search looks for
	found   bool
	// record: the half searches note each node's parent, and a search
	// that finds a cycle leaves its events in cycle (rescue, doomed.go).
	record bool
	parent [][]half
	cur    half
	cycle  []ref
}

func (c *orderChecker) reset(g *egraph) {
	if len(c.pos) < g.nt {
		c.pos = make([][]int, g.nt)
		c.visited = make([][]bool, g.nt)
	}
	for t := range g.th {
		n := len(g.th[t])
		if cap(c.pos[t]) < n {
			c.pos[t] = make([]int, n, 2*n+8)
			c.visited[t] = make([]bool, n, 2*n+8)
		}
		c.pos[t] = c.pos[t][:n]
		c.visited[t] = c.visited[t][:n]
		clear(c.visited[t])
	}
	for _, mo := range g.mo {
		for p, w := range mo {
			if w.t >= 0 {
				c.pos[w.t][w.i] = p
			}
		}
	}
}

func (c *orderChecker) moPos(w ref) int {
	if w.t < 0 {
		return 0
	}
	return c.pos[w.t][w.i]
}

// cycleThrough reports whether some path of edges leads from x back to x.
func (c *orderChecker) cycleThrough(g *egraph, x ref, succ func(a ref, yield func(b ref) bool) bool) bool {
	c.stack = append(c.stack[:0], x)
	found := false
	for len(c.stack) > 0 && !found {
		a := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		succ(a, func(b ref) bool {
			if b == x {
				found = true
				return false
			}
			if b.t < 0 || c.visited[b.t][b.i] {
				return true
			}
			c.visited[b.t][b.i] = true
			c.stack = append(c.stack, b)
			return true
		})
	}
	return found
}

// scCycle: is there a cycle in po ∪ rf ∪ mo ∪ rb through x?
func (c *orderChecker) scCycle(g *egraph, x ref) bool {
	return c.cycleThrough(g, x, func(a ref, yield func(ref) bool) bool {
		n := g.node(a)
		if int(a.i)+1 < len(g.th[a.t]) && !yield(ref{a.t, a.i + 1}) {
			return false
		}
		if n.isWrite() {
			for _, r := range g.readersOf(a) {
				if !yield(r) {
					return false
				}
			}
			if mo := g.mo[n.ev.Loc]; c.moPos(a)+1 < len(mo) && !yield(mo[c.moPos(a)+1]) {
				return false
			}
		}
		if n.isRead() && n.ev.Kind != graph.RMW {
			// rb: the write after the one it reads.
			if mo := g.mo[n.ev.Loc]; c.moPos(n.rf)+1 < len(mo) && !yield(mo[c.moPos(n.rf)+1]) {
				return false
			}
		}
		return true
	})
}

// x86Locked: a locked instruction (an RMW; a compare-exchange, which x86
// locks even when it fails; a SeqCst store, compiled to xchg).
func x86Locked(n *node) bool {
	return n.ev.Kind == graph.RMW || (n.ev.Instr != nil && n.ev.Instr.Op == prog.OpCAS && n.ev.Kind == graph.Read) ||
		(n.ev.Kind == graph.Write && n.ev.Atomic && n.ev.Ord == prog.SeqCst)
}

func isMfence(n *node) bool { return n.ev.Kind == graph.Fence && n.ev.Ord == prog.SeqCst }

// x86Cycle: is there a cycle through x in TSO's global happens-before,
// over memory events (x86tso.cat): po between a read and anything, write
// and write, a locked access and anything, accesses on either side of an
// mfence; rfe, co, fr. From each event it follows a generating set whose
// closure is the same: the next write, and the next read when that is
// ordered (else the next locked read, and the next read after an mfence).
func (c *orderChecker) x86Cycle(g *egraph, x ref) bool {
	return c.cycleThrough(g, x, func(a ref, yield func(ref) bool) bool {
		n := g.node(a)
		th := g.th[a.t]
		readsAll := n.isRead() || x86Locked(n) || n.ev.Kind == graph.Fence
		nextW, nextR, lockedR, fencedR := -1, -1, -1, -1
		fence := false
		for i := int(a.i) + 1; i < len(th); i++ {
			m := &th[i]
			switch {
			case isMfence(m):
				fence = true
			case m.ev.Kind == graph.Fence:
			case m.isWrite():
				if nextW < 0 {
					nextW = i
				}
				if fence && fencedR < 0 && m.isRead() {
					fencedR = i
				}
			default: // a read
				if nextR < 0 {
					nextR = i
				}
				if lockedR < 0 && x86Locked(m) {
					lockedR = i
				}
				if fence && fencedR < 0 {
					fencedR = i
				}
			}
		}
		if nextW >= 0 && !yield(ref{a.t, int32(nextW)}) {
			return false
		}
		if readsAll {
			if nextR >= 0 && !yield(ref{a.t, int32(nextR)}) {
				return false
			}
		} else {
			for _, i := range []int{lockedR, fencedR} {
				if i >= 0 && !yield(ref{a.t, int32(i)}) {
					return false
				}
			}
		}
		if n.ev.Kind == graph.Fence {
			return true
		}
		if n.isWrite() {
			for _, r := range g.readersOf(a) {
				if r.t != a.t && !yield(r) { // rfe
					return false
				}
			}
			if mo := g.mo[n.ev.Loc]; c.moPos(a)+1 < len(mo) && !yield(mo[c.moPos(a)+1]) {
				return false
			}
		}
		if n.isRead() && n.ev.Kind != graph.RMW {
			if mo := g.mo[n.ev.Loc]; c.moPos(n.rf)+1 < len(mo) && !yield(mo[c.moPos(n.rf)+1]) {
				return false
			}
		}
		return true
	})
}

// rank orders one location's accesses by what they observe: a write (or
// read-modify-write) at modification-order position p has rank 2p, a read
// of it 2p+1; a eco b iff rank(a) < rank(b).
func (c *orderChecker) rank(x ref, n *node) int {
	if n.isWrite() {
		return 2 * c.moPos(x)
	}
	return 2*c.moPos(n.rf) + 1
}

// scAccessCycle: is there a cycle through the SeqCst access x in c20's S
// (rc11: psc), over SeqCst accesses? The graph has no SeqCst fence.
func (c *orderChecker) scAccessCycle(g *egraph, x ref, rc11 bool) bool {
	c.sc = c.sc[:0]
	for t := range g.th {
		for i := range g.th[t] {
			if n := &g.th[t][i]; n.ev.IsSC() && n.ev.Kind != graph.Fence {
				c.sc = append(c.sc, ref{int32(t), int32(i)})
			}
		}
	}
	edge := func(a, b ref) bool {
		if a.t == b.t {
			return a.i < b.i // sb
		}
		na, nb := g.node(a), g.node(b)
		sameLoc := na.ev.Loc == nb.ev.Loc
		if rc11 {
			if sameLoc {
				if nb.isWrite() {
					if na.isWrite() && c.moPos(a) < c.moPos(b) {
						return true // mo
					}
					if na.isRead() && c.moPos(na.rf) < c.moPos(b) {
						return true // rb
					}
				}
				return inView(g.hb(nb), a) // hb|loc
			}
			// sb|≠loc ; hb ; sb|≠loc
			ta, tb := g.th[a.t], g.th[b.t]
			xi := -1
			for i := int(a.i) + 1; i < len(ta); i++ {
				if ta[i].ev.Loc != na.ev.Loc {
					xi = i
					break
				}
			}
			yi := -1
			for i := int(b.i) - 1; i >= 0; i-- {
				if tb[i].ev.Loc != nb.ev.Loc {
					yi = i
					break
				}
			}
			return xi >= 0 && yi >= 0 && inView(g.hb(&tb[yi]), ref{a.t, int32(xi)})
		}
		if sameLoc && c.rank(a, na) < c.rank(b, nb) {
			return true // eco
		}
		// c20: shb's generators between SC accesses: sw on the pair (a
		// release sequence, so the same location: eco has it already),
		// and sb;hb;sb.
		if int(a.i)+1 < len(g.th[a.t]) && b.i > 0 {
			return inView(g.hb(&g.th[b.t][b.i-1]), ref{a.t, a.i + 1})
		}
		return false
	}
	return c.cycleThrough(g, x, func(a ref, yield func(ref) bool) bool {
		for _, b := range c.sc {
			if b != a && edge(a, b) && !yield(b) {
				return false
			}
		}
		return true
	})
}

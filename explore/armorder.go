package explore

import (
	"happens/graph"
	"happens/prog"
)

// ARMv8's axioms checked incrementally, as order.go does for the other
// models: a search for a cycle through the event just added (or the read
// just revisited), following the relations of aarch64.cat edge by edge
// (model/armv8.go builds them whole, and is the specification these
// searches are tested against):
//
//	internal: acyclic(po-loc ∪ fr ∪ co ∪ rf)
//	external: acyclic(ob), ob = obs ∪ dob ∪ aob ∪ bob, with
//	  obs = rfe ∪ fre ∪ coe
//	  dob = addr ∪ data ∪ ctrl;[W] ∪ (addr;po);[W] ∪ (ctrl ∪ data);coi ∪ (addr ∪ data);rfi
//	  aob = rmw ∪ [range(rmw)];rfi;[A], and rmw;rfi from a read-modify-write
//	  that computes what it stores from what it loaded (model/armv8.go)
//	  bob = po;[dmb.full];po ∪ [L];po;[A] ∪ [R];po;[dmb.ld];po ∪ [A];po ∪ po;[L] ∪ po;[L];coi
//	atomic: empty(rmw ∩ fre;coe), which construction keeps (a
//	  read-modify-write is placed right after the write it reads, and no
//	  write is ever placed between them).
//
// As in the model, a read-modify-write is two nodes, its read half and its
// write half (a half: part 0 and 1); a load is a read half, a store a
// write half, a fence a node of its own (part 0). Holes are no events.

// half is one node of the search: an event's read half (part 0; a fence's
// only node) or write half (part 1).
type half struct {
	x    ref
	part int8
}

func (c *orderChecker) resetHalves(g *egraph) {
	c.seen = perHalf(c.seen, g)
	for t := range g.th {
		clear(c.seen[t])
	}
	if c.record {
		c.parent = perHalf(c.parent, g) // (each entry is written before it is read)
	}
}

// perHalf is s with a slice per thread of g, an entry per half of each
// event, reusing s's arrays (the entries are left as they were).
func perHalf[T any](s [][]T, g *egraph) [][]T {
	if len(s) < g.nt {
		s = make([][]T, g.nt)
	}
	for t := range g.th {
		n := 2 * len(g.th[t])
		if cap(s[t]) < n {
			s[t] = make([]T, n, 2*n+8)
		}
		s[t] = s[t][:n]
	}
	return s
}

// halvesOf calls f with each node of x's event.
func halvesOf(n *node, x ref, f func(half) bool) bool {
	if n.isRead() || n.ev.Kind == graph.Fence {
		if !f(half{x, 0}) {
			return false
		}
	}
	if n.isWrite() {
		return f(half{x, 1})
	}
	return true
}

// armCycle reports whether ARMv8's internal or external axiom fails on a
// cycle through x.
func (c *orderChecker) armCycle(g *egraph, x ref) bool {
	n := g.node(x)
	bad := false
	halvesOf(n, x, func(h half) bool {
		if n.ev.Kind != graph.Fence && c.halfCycle(g, h, false) || c.halfCycle(g, h, true) {
			bad = true
			return false
		}
		return true
	})
	if bad || !g.keptAfter(x) {
		return bad
	}
	// x filled a hole: it may relate two other events, an earlier one of
	// its thread and a later one (po;[L];coi with x the release,
	// (ctrl ∪ data);coi and (addr ∪ data);rfi with x the write, a
	// barrier's po;[dmb];po), so a new cycle of ob need not pass through
	// x; it passes through an earlier event of x's thread, the source of
	// every such edge.
	th := g.th[x.t]
	for i := int(x.i) - 1; i >= 0 && !bad; i-- {
		if th[i].hole {
			continue
		}
		halvesOf(&th[i], ref{x.t, int32(i)}, func(h half) bool {
			bad = c.halfCycle(g, h, true)
			return !bad
		})
	}
	return bad
}

// keptAfter says whether x's thread has events after x.
func (g *egraph) keptAfter(x ref) bool {
	th := g.th[x.t]
	for j := int(x.i) + 1; j < len(th); j++ {
		if !th[j].hole {
			return true
		}
	}
	return false
}

// internalCycle reports whether ARMv8's internal axiom (coherence) fails
// on a cycle through x.
func (c *orderChecker) internalCycle(g *egraph, x ref) bool {
	n := g.node(x)
	if n.ev.Kind == graph.Fence {
		return false
	}
	bad := false
	halvesOf(n, x, func(h half) bool {
		bad = c.halfCycle(g, h, false)
		return !bad
	})
	return bad
}

// halfCycle reports whether some path of edges (ob's, or the internal
// axiom's) leads from s back to s.
func (c *orderChecker) halfCycle(g *egraph, s half, ob bool) bool {
	c.resetHalves(g)
	c.target, c.found = s, false
	c.hstack = append(c.hstack[:0], s)
	for len(c.hstack) > 0 && !c.found {
		a := c.hstack[len(c.hstack)-1]
		c.hstack = c.hstack[:len(c.hstack)-1]
		c.cur = a
		if ob {
			c.obSucc(g, a)
		} else {
			c.internalSucc(g, a)
		}
	}
	return c.found
}

// push adds b to the search; false when it closes the cycle (stop).
func (c *orderChecker) push(b half) bool {
	if b == c.target {
		c.found = true
		if c.record {
			c.noteCycle()
		}
		return false
	}
	k := 2*int(b.x.i) + int(b.part)
	if c.seen[b.x.t][k] {
		return true
	}
	c.seen[b.x.t][k] = true
	if c.record {
		c.parent[b.x.t][k] = c.cur
	}
	c.hstack = append(c.hstack, b)
	return true
}

// internalSucc follows po-loc (to the next node of the thread at the same
// location), rf, co (to the next write) and fr (to the write after the
// one read).
func (c *orderChecker) internalSucc(g *egraph, a half) bool {
	n := g.node(a.x)
	loc := n.ev.Loc
	th := g.th[a.x.t]
	next := half{}
	found := false
	if a.part == 0 && n.ev.Kind == graph.RMW {
		next, found = half{a.x, 1}, true
	}
	for j := int(a.x.i) + 1; j < len(th) && !found; j++ {
		m := &th[j]
		if m.hole || m.ev.Kind == graph.Fence || m.ev.Loc != loc {
			continue
		}
		y := ref{a.x.t, int32(j)}
		if m.isRead() {
			next = half{y, 0}
		} else {
			next = half{y, 1}
		}
		found = true
	}
	if found && !c.push(next) {
		return false
	}
	mo := g.mo[loc]
	if a.part == 1 {
		for _, r := range g.readersOf(a.x) {
			if !c.push(half{r, 0}) {
				return false
			}
		}
		if p := c.moPos(a.x) + 1; p < len(mo) && !c.push(half{mo[p], 1}) {
			return false
		}
		return true
	}
	if p := c.moPos(n.rf) + 1; p < len(mo) && !c.push(half{mo[p], 1}) {
		return false
	}
	return true
}

// obSucc follows ob's generators from a (a fence node stands between the
// nodes before and after it that a barrier orders).
func (c *orderChecker) obSucc(g *egraph, a half) bool {
	n := g.node(a.x)
	t := a.x.t
	th := g.th[t]
	isR := a.part == 0 && n.isRead()
	isW := a.part == 1
	isF := n.ev.Kind == graph.Fence
	// laterHalves calls f with every node after a in program order.
	laterHalves := func(f func(half, *node) bool) bool {
		if a.part == 0 && n.ev.Kind == graph.RMW && !f(half{a.x, 1}, n) {
			return false
		}
		for j := int(a.x.i) + 1; j < len(th); j++ {
			m := &th[j]
			if m.hole {
				continue
			}
			if !halvesOf(m, ref{t, int32(j)}, func(h half) bool { return f(h, m) }) {
				return false
			}
		}
		return true
	}
	// coiAfter: the writes of w's thread after the write w in
	// modification order.
	coiAfter := func(w ref) bool {
		mo := g.mo[g.node(w).ev.Loc]
		for _, y := range mo[c.moPos(w)+1:] {
			if y.t == w.t && !c.push(half{y, 1}) {
				return false
			}
		}
		return true
	}
	// rfiOf: the readers in w's thread of the write w.
	rfiOf := func(w ref) bool {
		for _, r := range g.readersOf(w) {
			if r.t == w.t && !c.push(half{r, 0}) {
				return false
			}
		}
		return true
	}
	if isF {
		// po;[dmb.full];po and [R];po;[dmb.ld];po: the barrier's node
		// leads to everything after it (only reads reach a dmb.ld).
		return laterHalves(func(h half, _ *node) bool { return c.push(h) })
	}
	// obs
	mo := g.mo[n.ev.Loc]
	if isW {
		for _, r := range g.readersOf(a.x) {
			if r.t != t && !c.push(half{r, 0}) { // rfe
				return false
			}
		}
		for _, y := range mo[c.moPos(a.x)+1:] {
			if y.t >= 0 && y.t != t && !c.push(half{y, 1}) { // coe
				return false
			}
		}
	}
	if isR {
		for _, y := range mo[c.moPos(n.rf)+1:] {
			if y.t >= 0 && y.t != t && !c.push(half{y, 1}) { // fre
				return false
			}
		}
	}
	// dob: the dependencies of later events on this read.
	if isR && int(a.x.i) < MaxHMCEvents {
		bit := uint64(1) << uint(a.x.i)
		for j := int(a.x.i) + 1; j < len(th); j++ {
			m := &th[j]
			if m.hole || m.ev.Kind == graph.Fence {
				continue
			}
			e := ref{t, int32(j)}
			addr, data, ctrl := m.ev.Addr&bit != 0, m.ev.Data&bit != 0 && m.isWrite(), m.ev.Ctrl&bit != 0
			if addr {
				if m.isRead() && !c.push(half{e, 0}) {
					return false
				}
				// addr;po;[W]: the writes from this event on.
				if m.isWrite() && !c.push(half{e, 1}) {
					return false
				}
				for k := j + 1; k < len(th); k++ {
					if z := &th[k]; !z.hole && z.isWrite() && !c.push(half{ref{t, int32(k)}, 1}) {
						return false
					}
				}
			}
			if m.isWrite() && (addr || data || ctrl) {
				// data, ctrl;[W] (addr: above), (ctrl ∪ data);coi,
				// (addr ∪ data);rfi
				if !c.push(half{e, 1}) {
					return false
				}
				if (ctrl || data) && !coiAfter(e) {
					return false
				}
				if (addr || data) && !rfiOf(e) {
					return false
				}
			}
		}
	}
	// aob: rmw, rmw;rfi (when the write is computed from the read), and
	// a read-modify-write's write before the acquire reads of its thread
	// that read it.
	if isR && n.ev.Kind == graph.RMW && (!c.push(half{a.x, 1}) || n.ev.Instr.StoresFromLoad() && !rfiOf(a.x)) {
		return false
	}
	if isW && n.ev.Kind == graph.RMW {
		for _, r := range g.readersOf(a.x) {
			if r.t == t && armAcquires(g.node(r)) && !c.push(half{r, 0}) {
				return false
			}
		}
	}
	// bob
	acq := isR && armAcquires(n)
	rel := isW && armReleases(n)
	nextFull, nextLd := false, false
	return laterHalves(func(h half, m *node) bool {
		if m.ev.Kind == graph.Fence {
			if m.ev.Ord == prog.Acquire { // dmb.ld: from reads
				if isR && !nextLd {
					nextLd = true
					return c.push(h)
				}
			} else if !nextFull {
				nextFull = true
				return c.push(h)
			}
			return true
		}
		switch {
		case acq: // [A];po
			if !c.push(h) {
				return false
			}
		case rel && h.part == 0 && armAcquires(m): // [L];po;[A]
			if !c.push(h) {
				return false
			}
		}
		if h.part == 1 && armReleases(m) { // po;[L] and po;[L];coi
			return c.push(h) && coiAfter(h.x)
		}
		return true
	})
}

// noteCycle leaves in cycle the events of the cycle a recording search
// just closed: from the node being expanded back to the target.
func (c *orderChecker) noteCycle() {
	c.cycle = c.cycle[:0]
	for h := c.cur; ; {
		c.cycle = append(c.cycle, h.x)
		if h == c.target {
			return
		}
		h = c.parent[h.x.t][2*int(h.x.i)+int(h.part)]
	}
}

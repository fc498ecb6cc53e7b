package explore

import (
	"happens/graph"
	"happens/interp"
	"happens/model"
	"happens/prog"
)

// ARMv8 by revisits (HMC: Kokologiannakis and Vafeiadis, "HMC: Model
// Checking for Hardware Memory Models", ASPLOS 2020). ARMv8 lets a read
// read from a write that depends on it only through program order, not
// through preserved program order (load buffering). So a backward revisit
// of r by w is allowed when r is not in w's (ppo ∪ rf)⁺ prefix (pp, a bit
// per event), even if it is in its po ∪ rf prefix, and it keeps the events
// added up to r and w's pp: a thread may keep events that come after ones
// deleted (holes), which it reaches again when it runs on, since they do
// not depend on what was deleted (control dependencies are taken to order
// every later event, so the path to them is the same). Consistency with
// aarch64.cat is checked at each step by searches from the new event
// (armorder.go).
//
// Orderings can depend on a choice: only a compare-exchange that succeeds
// writes, and so is a release write ordered before a later acquire. Hence
// three rules beyond HMC's: a revisit of r is judged with r as it will be
// (armPrefix); after a revisit every prefix is computed again
// (recomputePP); and an event added into a hole, or revisited, so that it
// is ordered before an event its thread kept after it, is another
// exploration's graph (ordersKept). (A compare-exchange's acquire and
// release are its compiled instruction's, the same either way: see
// model.ARMOrdering.)

// MaxHMCEvents bounds the events of a thread the prefixes can name.
const MaxHMCEvents = 64

// hmcEventLimit is where computePP gives up: MaxHMCEvents, lowered by
// tests to reach the fallback with small programs.
var hmcEventLimit = MaxHMCEvents

func ppHas(pp []uint64, x ref) bool {
	return x.t < 0 || x.i < MaxHMCEvents && pp[x.t]&(1<<uint(x.i)) != 0
}

// armOrders says whether ARMv8 keeps event a (earlier, same thread) before
// event b by preserved program order, as the standard mapping compiles
// them: barriers (dmb ish orders everything around it, dmb ishld the reads
// before it), acquire loads before everything after them, release stores
// after everything before them, release before a later acquire. Address,
// data and control dependencies are added from the masks by computePP.
func armOrders(a, b *node) bool {
	acq := armAcquires
	rel := armReleases
	switch {
	case a.ev.Kind == graph.Fence:
		return true // what comes after a barrier follows it (and, through it, what it orders)
	case b.ev.Kind == graph.Fence:
		if b.ev.Ord == prog.Acquire {
			return a.isRead() // dmb ishld
		}
		return true // dmb ish
	case acq(a), rel(b), rel(a) && acq(b):
		return true
	}
	return false
}

// armAcquires says whether n is an acquire read (ldar) under the mapping
// the model uses.
func armAcquires(n *node) bool {
	acq, _ := model.ARMOrdering(&n.ev)
	return n.isRead() && acq
}

// armReleases says whether n is a release write (stlr) under the mapping.
func armReleases(n *node) bool {
	_, rel := model.ARMOrdering(&n.ev)
	return n.isWrite() && rel
}

// ppPreds calls f with each direct predecessor of x (node n) in ppo ∪ rf:
// the write it reads, and the earlier events of its thread that its
// dependencies or ARMv8's orderings keep before it (threadPreds). nodeOf
// gives the events (a caller may substitute one). With depsOnly, only the
// write it reads and its dependencies (coherent candidates, coherent.go).
func (g *egraph) ppPreds(x ref, n *node, nodeOf func(ref) *node, depsOnly bool, f func(ref)) {
	if n.isRead() && n.rf.t >= 0 {
		f(n.rf)
	}
	mask := g.threadPreds(x, n, nodeOf, depsOnly)
	for k := 0; mask != 0; k++ {
		if mask&1 != 0 {
			f(ref{x.t, int32(k)})
		}
		mask >>= 1
	}
}

// threadPreds is the mask of the earlier events of x's thread (x is node
// n) that ARMv8's ordered-before relates directly to x within the thread:
// dependencies, barriers and acquire/release (armOrders), addr;po;[W]
// (a write comes after what an earlier access's address depends on), and
// the two edges through an earlier write m of x's location, which comes
// before x in coherence order (coi): (ctrl ∪ data);coi (what m depends on
// comes before x) and po;[L];coi (when m is a release, everything before
// m comes before x). Holes are no events.
func (g *egraph) threadPreds(x ref, n *node, nodeOf func(ref) *node, depsOnly bool) uint64 {
	deps := n.ev.Addr | n.ev.Data | n.ev.Ctrl
	lim := min(int(x.i), MaxHMCEvents)
	var mask, present uint64
	for k := 0; k < lim; k++ {
		y := ref{x.t, int32(k)}
		m := nodeOf(y)
		if m.hole {
			continue
		}
		bit := uint64(1) << uint(k)
		present |= bit
		if depsOnly {
			mask |= deps & bit
			continue
		}
		if deps&bit != 0 || armOrders(m, n) {
			mask |= bit
		}
		if n.isWrite() {
			mask |= m.ev.Addr // addr;po;[W]
			if m.isWrite() && m.ev.Loc == n.ev.Loc {
				mask |= m.ev.Data | m.ev.Ctrl // (ctrl ∪ data);coi
				if armReleases(m) {
					mask |= bit - 1 // po;[L];coi
				}
			}
		}
	}
	return mask & present
}

// computePP fills n's (ppo ∪ rf)⁺ prefix: thread t's i-th event, whose
// predecessors' prefixes are up to date.
func (e *engine) computePP(g *egraph, t, i int, n *node) {
	if i >= hmcEventLimit {
		e.tooLong = true
		e.stats.stop(CutSize)
		return
	}
	pp := g.ppWords()
	g.ppPreds(ref{int32(t), int32(i)}, n, g.node, e.depsOnly, func(x ref) {
		if x.t < 0 || x.i >= MaxHMCEvents || ppHas(pp, x) {
			return
		}
		pp[x.t] |= 1 << uint(x.i)
		for u, m := range g.node(x).pp {
			pp[u] |= m
		}
	})
	n.pp = pp
}

// recomputePP computes every event's prefix again. A revisit changes what
// r reads, and so perhaps how it orders (a compare-exchange that now
// succeeds may no longer acquire): the prefixes of the events kept after
// it, and of those depending on them, change with it.
func (e *engine) recomputePP(g *egraph) {
	const (
		unseen = iota
		busy
		done
	)
	state := e.ppState[:0]
	for t := range g.th {
		var s []uint8
		if t < cap(e.ppState) {
			s = e.ppState[:t+1][t]
		}
		s = append(s[:0], make([]uint8, len(g.th[t]))...)
		state = append(state, s)
	}
	e.ppState = state
	cyclic := false
	var visit func(x ref)
	visit = func(x ref) {
		if x.t < 0 || x.i >= MaxHMCEvents || state[x.t][x.i] != unseen {
			cyclic = cyclic || x.t >= 0 && x.i < MaxHMCEvents && state[x.t][x.i] == busy
			return
		}
		state[x.t][x.i] = busy
		n := g.node(x)
		pp := g.ppWords()
		g.ppPreds(x, n, g.node, e.depsOnly, func(y ref) {
			if y.t < 0 || y.i >= MaxHMCEvents {
				return
			}
			visit(y)
			pp[y.t] |= 1 << uint(y.i)
			for u, m := range g.node(y).pp {
				pp[u] |= m
			}
		})
		n.pp = pp
		state[x.t][x.i] = done
	}
	for t := range g.th {
		for i := range g.th[t] {
			if !g.th[t][i].hole {
				visit(ref{int32(t), int32(i)})
			}
		}
	}
	// A cycle of ppo ∪ rf (not of ob: a read of its own thread's write
	// closes it, see obBefore) left the prefixes met through it short:
	// grow every prefix by its predecessors' until none changes.
	for changed := cyclic; changed; {
		changed = false
		for t := range g.th {
			for i := range g.th[t] {
				x := ref{int32(t), int32(i)}
				n := &g.th[t][i]
				if n.hole || x.i >= MaxHMCEvents {
					continue
				}
				g.ppPreds(x, n, g.node, e.depsOnly, func(y ref) {
					if y.t < 0 || y.i >= MaxHMCEvents {
						return
					}
					if n.pp[y.t]&(1<<uint(y.i)) == 0 {
						n.pp[y.t] |= 1 << uint(y.i)
						changed = true
					}
					for u, m := range g.node(y).pp {
						if n.pp[u]|m != n.pp[u] {
							n.pp[u] |= m
							changed = true
						}
					}
				})
			}
		}
	}
}

// armWindow narrows a new event's coherent choices at loc from above:
// events of its thread that come after it (a revisit kept them) already
// see some writes, and SC per location forbids the new event to see later
// ones. readHi is the last position in modification order a new read may
// read from; writeHi the last position a new write may be inserted at.
func (g *egraph) armWindow(t, loc int) (readHi, writeHi int) {
	readHi, writeHi = len(g.mo[loc])-1, len(g.mo[loc])
	for j := g.at[t] + 1; j < len(g.th[t]); j++ {
		m := &g.th[t][j]
		if m.hole || m.ev.Loc != loc {
			continue
		}
		var p int
		if m.isRead() {
			p = g.moPos(loc, m.rf) // what it reads: the new read no later, the new write before
		} else {
			p = g.moPos(loc, ref{int32(t), int32(j)}) // the new write goes before it, the read reads before it
			readHi = min(readHi, p-1)
			writeHi = min(writeHi, p)
			continue
		}
		readHi = min(readHi, p)
		writeHi = min(writeHi, p)
	}
	return readHi, writeHi
}

// armKeep is what a backward revisit of r by w keeps under ARMv8: the
// events added up to r and pp, w's prefix; threads may get holes.
func (e *engine) armKeep(g *egraph, r, w ref, pp []uint64) []uint64 {
	rs := g.node(r).stamp
	keep := make([]uint64, g.nt)
	for t := range g.th {
		for i := range g.th[t] {
			n := &g.th[t][i]
			x := ref{int32(t), int32(i)}
			if !n.hole && (n.stamp <= rs || x == w || ppHas(pp, x)) {
				keep[t] |= 1 << uint(i)
			}
		}
	}
	return keep
}

// armPrefix is w's prefix as a revisit of r by w would see it, and whether
// the revisit may be taken: r is not in it, or it is but ARMv8 does not
// order r before w (obBefore). A compare-exchange orders differently when
// it succeeds and when it fails (only a success writes, and a release
// write is ordered before a later acquire read), and reading w may change
// which it does: then the prefix is computed again with r as it would be,
// reading w. (Without that, a revisit was refused for an ordering r would
// no longer have.)
func (e *engine) armPrefix(g *egraph, r, w ref) ([]uint64, bool) {
	wn := g.node(w)
	if !ppHas(wn.pp, r) || e.depsOnly {
		// (Dependencies are the instructions', whatever r reads.)
		return wn.pp, !ppHas(wn.pp, r)
	}
	rn := g.node(r)
	pp, as := wn.pp, rn
	var rv node
	if rn.ev.Instr != nil && rn.ev.Instr.Op == prog.OpCAS {
		base := rn.ev
		base.Kind, base.Ord, base.WVal, base.Spurious = graph.Read, base.Instr.Ord, 0, false
		var buf [2]node
		if e.variants(&buf, g.snap[r.t][r.i], base, g.wval(w)) == 0 {
			return nil, false
		}
		rv = buf[0]
		rv.rf = noRef
		as = &rv
		if armAcquires(&rv) != armAcquires(rn) || armReleases(&rv) != armReleases(rn) {
			pp = e.ppAs(g, w, r, &rv)
			if !ppHas(pp, r) {
				return pp, true
			}
		}
	}
	if e.obBefore(g, r, w, as) {
		return nil, false
	}
	// r is in w's prefix only through a read of a write of its own
	// thread that ARMv8 does not order it after. Taking the revisit and
	// keeping the prefix, r with it, was tried: random programs showed
	// kept events whose values depend on r's (so stale values). Until
	// that is right, the revisit is refused and the exploration says it
	// may have missed executions (risky: happens.Run then explores by
	// value speculation, exact).
	e.risky = true
	return nil, false
}

// obBefore says whether ARMv8 orders r (as rv) before w by a path of
// preserved program order and reads from other threads: w's (ppo ∪ rf)
// prefix without the reads of a write of their own thread (rfi) that
// ARMv8 does not order by. Such a read comes after what the write's
// address and data depend on ((addr ∪ data);rfi), and, when the write is
// a read-modify-write's, after what decided the value it wrote (what its
// read read: not ordered so by ARMv8 unless the read acquires, but a
// revisit must not keep a value that depends on r's). The prefix keeps
// the write (what a kept read reads must be kept), so r may be in the
// prefix of a write it is not ordered before: load buffering through a
// store forwarded within a thread (a release store read back by a later
// relaxed load, say).
func (e *engine) obBefore(g *egraph, r, w ref, rv *node) bool {
	if len(e.obSeen) < g.nt {
		e.obSeen = make([]uint64, g.nt)
	}
	seen := e.obSeen[:g.nt]
	clear(seen)
	nodeOf := func(x ref) *node {
		if x == r {
			return rv
		}
		return g.node(x)
	}
	stack := append(e.obStack[:0], w)
	found := false
	push := func(y ref) {
		if y.t < 0 || y.i >= MaxHMCEvents || seen[y.t]&(1<<uint(y.i)) != 0 {
			return
		}
		seen[y.t] |= 1 << uint(y.i)
		if y == r {
			found = true
		}
		stack = append(stack, y)
	}
	pushMask := func(t int32, mask uint64) {
		for k := 0; mask != 0; k++ {
			if mask&1 != 0 && !g.th[t][k].hole {
				push(ref{t, int32(k)})
			}
			mask >>= 1
		}
	}
	for len(stack) > 0 && !found {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == r {
			continue
		}
		n := nodeOf(x)
		if n.isRead() {
			// What it reads from: a write of another thread (rfe); in
			// its own thread, what the write's address and data depend
			// on, and, when the write is a read-modify-write's, what
			// decided its value: what that read, in turn (aob orders
			// such a write before an acquire read only).
			for src := n.rf; src.t >= 0; {
				m := g.node(src)
				if src.t != x.t || src == r || m.ev.Kind == graph.RMW && armAcquires(n) {
					push(src)
					break
				}
				pushMask(x.t, m.ev.Addr|m.ev.Data)
				if m.ev.Kind != graph.RMW {
					break
				}
				src = m.rf
			}
		}
		pushMask(x.t, g.threadPreds(x, n, nodeOf, false))
	}
	e.obStack = stack[:0]
	return found
}

// ppAs computes w's prefix afresh, event by event, with r replaced by rv.
func (e *engine) ppAs(g *egraph, w, r ref, rv *node) []uint64 {
	pp := make([]uint64, g.nt)
	nodeOf := func(x ref) *node {
		if x == r {
			return rv
		}
		return g.node(x)
	}
	var visit func(x ref)
	visit = func(x ref) {
		g.ppPreds(x, nodeOf(x), nodeOf, e.depsOnly, func(y ref) {
			if y.t < 0 || y.i >= MaxHMCEvents || ppHas(pp, y) {
				return
			}
			pp[y.t] |= 1 << uint(y.i)
			visit(y)
		})
	}
	visit(w)
	return pp
}

// ordersKept says whether n, about to fill a hole at thread t's i-th
// place, would be ordered before an event the thread kept after it. Then
// the graph is a duplicate: the revisit that made the hole deleted the
// event there only because it was not so ordered, and the exploration in
// which it was (and so was kept) gives this graph. (Coherent candidates
// need no such test: only dependencies order them, and a kept event never
// depends on a hole, since what it depends on is in its prefix, kept with
// it.)
func (g *egraph) ordersKept(t, i int, n *node) bool {
	for j := i + 1; j < len(g.th[t]); j++ {
		if z := &g.th[t][j]; !z.hole && armOrders(n, z) {
			return true
		}
	}
	return false
}

// armBuild makes h the graph g keeps for a revisit of r by w: each
// thread's kept events, with holes where deleted ones came before kept
// ones; each thread resumes at its first hole (r's right after r).
func (e *engine) armBuild(g, h *egraph, r ref, keep []uint64) {
	for t := range g.th {
		n := 0
		for i := range g.th[t] {
			if keep[t]&(1<<uint(i)) != 0 {
				n = i + 1
			}
		}
		if int(r.t) == t && n < int(r.i)+1 {
			n = int(r.i) + 1
		}
		h.th[t] = append(h.th[t][:0], g.th[t][:n]...)
		h.snap[t] = append(h.snap[t][:0], g.snap[t][:n]...)
		at := n
		for i := 0; i < n; i++ {
			if keep[t]&(1<<uint(i)) == 0 {
				h.th[t][i] = node{hole: true}
				if i < at {
					at = i
				}
			}
		}
		h.at[t] = at
		switch {
		case int(r.t) == t:
			h.at[t] = int(r.i) // r itself is redone by revisitAs
		case at == g.at[t]:
			// Where g's thread is (at its end, or at its first hole,
			// whose snapshot may predate events added again before it).
			h.cur[t].CopyFrom(g.cur[t])
			h.stop[t] = g.stop[t]
		default:
			h.cur[t].CopyFrom(g.snap[t][at])
			h.stop[t] = interp.Access
		}
	}
}

// armMaximal is the maximality condition of a backward revisit of r by w
// under ARMv8 (the rest of maximal's, for r and each event the revisit
// deletes): the event, added again to the smaller graph, would be offered
// its present choice first. A read reads, and a write is placed after,
// the last write in modification order it could see again: one added
// before it or kept, other than w, not depending on it, and within the
// window that the kept events after it in its thread leave (r counts as
// reading w). The choice it was offered first when added is not enough:
// events after it in its thread may have been added since, and a revisit
// keeps them while it deletes this one, which is then added again within
// their window.
func (e *engine) armMaximal(g *egraph, r, w ref, kept keepSet) bool {
	check := func(x ref) bool {
		ok := e.armAddedMax(g, r, w, kept, x)
		if !ok && !e.risky && g.node(x).revisitable && g.laterSameLoc(x, kept) {
			e.risky = true
		}
		return ok
	}
	return revisitedAndDeleted(g, r, kept, check)
}

// laterSameLoc says whether x's thread has an event after x at x's
// location that the revisit keeps.
func (g *egraph) laterSameLoc(x ref, kept keepSet) bool {
	n := g.node(x)
	if n.ev.Loc < 0 {
		return false
	}
	th := g.th[x.t]
	for j := int(x.i) + 1; j < len(th); j++ {
		if m := &th[j]; !m.hole && m.ev.Loc == n.ev.Loc && kept.has(ref{x.t, int32(j)}) {
			return true
		}
	}
	return false
}

// armAddedMax is armMaximal's test of one event x: r, or one the revisit
// of r by w deletes.
func (e *engine) armAddedMax(g *egraph, r, w ref, kept keepSet, x ref) bool {
	n := g.node(x)
	if !n.revisitable {
		return false
	}
	loc := n.ev.Loc
	if loc < 0 {
		return n.addedMax // a fence has one choice
	}
	mo := g.mo[loc]
	// The window: positions a write it could see again may have, as
	// a read (hiR) and as a write (hiW: a store, or a read that
	// writes too, which a compare-exchange does only when it reads
	// the value it expects).
	hiR, hiW := len(mo)-1, len(mo)-1
	th := g.th[x.t]
	for j := int(x.i) + 1; j < len(th); j++ {
		y := ref{x.t, int32(j)}
		m := &th[j]
		if m.hole || m.ev.Loc != loc || !kept.has(y) && y != r {
			continue
		}
		switch {
		case m.isRead():
			src := m.rf
			if y == r {
				src = w
			}
			p := g.moPos(loc, src)
			hiR = min(hiR, p)   // it may read what a later read reads
			hiW = min(hiW, p-1) // a write goes before it
		default:
			hiR = min(hiR, g.moPos(loc, y)-1)
			hiW = min(hiW, g.moPos(loc, y)-1)
		}
	}
	if n.ev.Spurious && g.moPos(loc, n.rf) <= hiW {
		// A spurious failure comes after the success reading the
		// same write, a choice unless that write is too late to
		// write after.
		return false
	}
	from, hi := x, hiW // a write: the writes after it
	var base graph.Event
	if n.isRead() {
		from, hi = n.rf, hiR
		base = n.ev
		base.Kind, base.Ord, base.WVal, base.Spurious = graph.Read, base.Instr.Ord, 0, false
	}
	xs := g.node(x).stamp
	for p := g.moPos(loc, from) + 1; p <= hi; p++ {
		y := mo[p]
		if y == w || y == x || y.t < 0 {
			continue
		}
		if n.isRead() && p > hiW {
			// Within reach as a read only: a choice if reading y
			// does not make it write, or (a weak compare-exchange)
			// may fail spuriously.
			var buf [2]node
			if nv := e.variants(&buf, g.snap[x.t][x.i], base, g.wval(y)); buf[0].ev.Kind == graph.RMW && nv == 1 {
				continue
			}
		}
		yn := g.node(y)
		if (yn.stamp < xs || kept.has(y)) && !ppHas(yn.pp, x) {
			return false
		}
	}
	return true
}

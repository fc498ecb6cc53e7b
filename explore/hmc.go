package explore

import (
	"happens/graph"
	"happens/interp"
	"happens/model"
	"happens/prog"
	"slices"
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

// armEdge says which half of event a (earlier, same thread) ARMv8's
// preserved program order keeps before the part of event b a search is
// at (part: a read-modify-write's read half 0 or write half 1; any other
// event is its one node, whatever part says), as the standard mapping
// compiles them: barriers (dmb ish orders everything around it, dmb ishld
// the reads before it), acquire reads before everything after them,
// release writes after everything before them, a release write before a
// later acquire read. fromW: a's write half (all of a); fromR: its read
// half only (for an event with one node, the same). Address, data and
// control dependencies are added from the masks by threadPreds.
func armEdge(a, b *node, part int8) (fromR, fromW bool) {
	bRead, bWrite := b.halfKinds(part)
	switch {
	case a.ev.Kind == graph.Fence:
		return false, true // what comes after a barrier follows it (and, through it, what it orders)
	case b.ev.Kind == graph.Fence:
		if b.ev.Ord == prog.Acquire {
			return a.isRead(), false // dmb ishld
		}
		return false, true // dmb ish
	}
	fromR = armAcquires(a)              // [A];po
	fromW = bWrite && armReleases(b) || // po;[L]
		bRead && armReleases(a) && armAcquires(b) // [L];po;[A]
	return fromR, fromW
}

// armOrders says whether ARMv8 keeps event a (earlier, same thread)
// before event b's first node (a read-modify-write's read half).
func armOrders(a, b *node) bool {
	fromR, fromW := armEdge(a, b, 0)
	return fromR || fromW
}

// halfKinds says whether part of n (a read-modify-write's read half 0 or
// write half 1; any other event whole) reads and writes.
func (n *node) halfKinds(part int8) (read, write bool) {
	if n.ev.Kind == graph.RMW {
		return part == 0, part == 1
	}
	return n.isRead(), n.isWrite()
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

// ppPreds calls f with each direct predecessor of part of x (node n; part
// as for armEdge) in ppo ∪ rf: the write it reads, and the earlier events
// of its thread that its dependencies or ARMv8's orderings keep before it
// (threadPreds), each with whether all of it precedes (whole) or its read
// half only. (A read-modify-write's write half also follows its read half
// and what precedes that: the callers add those.) nodeOf gives the events
// (a caller may substitute one). With depsOnly, only the write it reads
// and its dependencies (coherent candidates, coherent.go).
func (g *egraph) ppPreds(x ref, n *node, part int8, nodeOf func(ref) *node, depsOnly bool, f func(y ref, whole bool)) {
	if read, _ := n.halfKinds(part); read && n.rf.t >= 0 {
		f(n.rf, true)
	}
	rmask, wmask := g.threadPreds(x, n, part, nodeOf, depsOnly)
	for k := 0; rmask|wmask != 0; k++ {
		if (rmask|wmask)&1 != 0 {
			f(ref{x.t, int32(k)}, wmask&1 != 0)
		}
		rmask >>= 1
		wmask >>= 1
	}
}

// threadPreds is the masks of the earlier events of x's thread (x is node
// n) that ARMv8's ordered-before relates directly to part of x (as for
// armEdge) within the thread: from their read half only (rmask) or from
// all of them (wmask). The edges: dependencies (address and control to
// both halves, data to the write), barriers and acquire/release
// (armEdge), addr;po;[W] (a write comes after what an earlier access's
// address depends on), and the two edges through an earlier write m of
// x's location, which comes before x in coherence order (coi):
// (ctrl ∪ data);coi (what m depends on comes before x) and po;[L];coi
// (when m is a release, everything before m comes before x). A
// dependency's source is a read (a read-modify-write's read half). Holes
// are no events.
func (g *egraph) threadPreds(x ref, n *node, part int8, nodeOf func(ref) *node, depsOnly bool) (rmask, wmask uint64) {
	_, write := n.halfKinds(part)
	deps := n.ev.Addr | n.ev.Ctrl
	if write || n.ev.Instr != nil && n.ev.Instr.Op == prog.OpCAS {
		// (Whether a compare-exchange writes at all depends on its
		// expected value: its read half is taken to depend on its
		// operands, as HMCBlind assumes.)
		deps |= n.ev.Data
	}
	if depsOnly {
		deps |= n.ev.Data // (coherent candidates: the event whole)
	}
	lim := min(int(x.i), MaxHMCEvents)
	var present uint64
	for k := 0; k < lim; k++ {
		y := ref{x.t, int32(k)}
		m := nodeOf(y)
		if m.hole {
			// The write deleted here comes back (goneWrite).
			if write && !depsOnly && m.gone.loc == n.ev.Loc+1 {
				rmask |= m.gone.deps
				if m.gone.release {
					wmask |= uint64(1)<<uint(k) - 1
				}
			}
			continue
		}
		bit := uint64(1) << uint(k)
		present |= bit
		if depsOnly {
			rmask |= deps & bit
			continue
		}
		rmask |= deps & bit
		fromR, fromW := armEdge(m, n, part)
		if fromR {
			rmask |= bit
		}
		if fromW {
			wmask |= bit
		}
		if write {
			rmask |= m.ev.Addr // addr;po;[W]
			if m.isWrite() && m.ev.Loc == n.ev.Loc {
				rmask |= m.ev.Data | m.ev.Ctrl // (ctrl ∪ data);coi
				if armReleases(m) {
					wmask |= bit - 1 // po;[L];coi
				}
			}
		}
	}
	return rmask & present, wmask & present
}

// ppRead is the prefix of n's read half: a read-modify-write's second nt
// words, any other event's whole prefix.
func (n *node) ppRead(nt int) []uint64 {
	if len(n.pp) == 2*nt {
		return n.pp[nt:]
	}
	return n.pp
}

// ppOf is y's prefix as a predecessor: all of it (whole) or its read
// half's.
func (n *node) ppOf(whole bool, nt int) []uint64 {
	if whole {
		return n.pp[:min(len(n.pp), nt)]
	}
	return n.ppRead(nt)
}

// addPred adds predecessor y (whole, or its read half) and its prefix to
// pp.
func addPred(pp []uint64, y ref, yn *node, whole bool, nt int) {
	pp[y.t] |= 1 << uint(y.i)
	for u, m := range yn.ppOf(whole, nt) {
		pp[u] |= m
	}
}

// computePP fills n's (ppo ∪ rf)⁺ prefix: thread t's i-th event, whose
// predecessors' prefixes are up to date. A read-modify-write gets two,
// one after the other in pp: its write half's (all of it, first, which
// includes its read half) and its read half's.
func (e *engine) computePP(g *egraph, t, i int, n *node) {
	if i >= hmcEventLimit {
		e.tooLong = true
		e.stats.stop(CutSize)
		return
	}
	x := ref{int32(t), int32(i)}
	if n.ev.Kind != graph.RMW {
		pp := g.ppWords(1)
		g.ppPreds(x, n, 0, g.node, e.depsOnly, func(y ref, whole bool) {
			if y.t >= 0 && y.i < MaxHMCEvents {
				addPred(pp, y, g.node(y), whole, g.nt)
			}
		})
		n.pp = pp
		return
	}
	n.pp = g.ppWords(2)
	g.fillRMWPrefix(x, n, g.node, e.depsOnly)
}

// fillRMWPrefix fills read-modify-write n's two prefixes (n.pp, 2 nt
// words), nodeOf giving its predecessors.
func (g *egraph) fillRMWPrefix(x ref, n *node, nodeOf func(ref) *node, depsOnly bool) {
	nt := g.nt
	all, rd := n.pp[:nt], n.pp[nt:]
	clear(n.pp)
	g.ppPreds(x, n, 0, nodeOf, depsOnly, func(y ref, whole bool) {
		if y.t >= 0 && y.i < MaxHMCEvents {
			addPred(rd, y, nodeOf(y), whole, nt)
		}
	})
	copy(all, rd)
	g.ppPreds(x, n, 1, nodeOf, depsOnly, func(y ref, whole bool) {
		if y.t >= 0 && y.i < MaxHMCEvents {
			addPred(all, y, nodeOf(y), whole, nt)
		}
	})
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
		parts := int8(1)
		if n.ev.Kind == graph.RMW {
			parts = 2
		}
		for part := range parts {
			g.ppPreds(x, n, part, g.node, e.depsOnly, func(y ref, _ bool) {
				if y.t >= 0 && y.i < MaxHMCEvents {
					visit(y)
				}
			})
		}
		if parts == 2 {
			n.pp = g.ppWords(2)
			g.fillRMWPrefix(x, n, g.node, e.depsOnly)
		} else {
			pp := g.ppWords(1)
			g.ppPreds(x, n, 0, g.node, e.depsOnly, func(y ref, whole bool) {
				if y.t >= 0 && y.i < MaxHMCEvents {
					addPred(pp, y, g.node(y), whole, g.nt)
				}
			})
			n.pp = pp
		}
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
				grow := func(pp []uint64) func(ref, bool) {
					return func(y ref, whole bool) {
						if y.t < 0 || y.i >= MaxHMCEvents {
							return
						}
						if pp[y.t]&(1<<uint(y.i)) == 0 {
							pp[y.t] |= 1 << uint(y.i)
							changed = true
						}
						for u, m := range g.node(y).ppOf(whole, g.nt) {
							if pp[u]|m != pp[u] {
								pp[u] |= m
								changed = true
							}
						}
					}
				}
				if n.ev.Kind == graph.RMW {
					all, rd := n.pp[:g.nt], n.pp[g.nt:]
					g.ppPreds(x, n, 0, g.node, e.depsOnly, grow(rd))
					g.ppPreds(x, n, 1, g.node, e.depsOnly, grow(all))
					for u, m := range rd {
						if all[u]|m != all[u] {
							all[u] |= m
							changed = true
						}
					}
				} else {
					g.ppPreds(x, n, 0, g.node, e.depsOnly, grow(n.pp))
				}
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
func (e *engine) armPrefix(g *egraph, r, w ref) ([]uint64, *threadShift, bool) {
	wn := g.node(w)
	if !ppHas(wn.pp, r) || e.depsOnly {
		// (Dependencies are the instructions', whatever r reads.)
		return wn.pp, nil, !ppHas(wn.pp, r)
	}
	rn := g.node(r)
	pp, as := wn.pp, rn
	cut := false // pp is w's prefix with r reading nothing (ppAs)
	var rv node
	if rn.ev.Instr != nil && rn.ev.Instr.Op == prog.OpCAS {
		base := rn.ev
		base.Kind, base.Ord, base.WVal, base.Spurious = graph.Read, base.Instr.Ord, 0, false
		var buf [2]node
		if e.variants(&buf, g.snap[r.t][r.i], base, g.wval(w)) == 0 {
			return nil, nil, false
		}
		rv = buf[0]
		rv.rf = noRef
		as = &rv
		if armAcquires(&rv) != armAcquires(rn) || armReleases(&rv) != armReleases(rn) {
			pp, cut = e.ppAs(g, w, r, &rv), true
			if !ppHas(pp, r) {
				return pp, nil, true
			}
		}
	}
	if e.obBefore(g, r, w, as, pp) {
		return nil, nil, false
	}
	// r is in w's prefix only through a read of a write of its own
	// thread that ARMv8 does not order it after (a read-back). Such a
	// revisit keeps w's prefix as it is once r reads w: what the prefix
	// has only through what r reads now goes. (Kept, it made a graph in
	// which w revisits r again, and that graph came twice.) The revisit
	// is taken when the kept events' values cannot change (below);
	// otherwise it is refused and the exploration says it may have
	// missed executions (risky: happens.Run then explores by value
	// speculation, exact). Taking every such revisit was tried: random
	// programs showed kept events whose values depend on r's.
	if !cut {
		c := *as
		c.rf = noRef
		pp = e.ppAs(g, w, r, &c)
	}
	if g.readsIncoherently(r, w, pp, as.isWrite()) {
		return nil, nil, false // no graph: nothing lost
	}
	if as.isWrite() && !as.ev.Instr.StoresFromLoad() && !g.ppReachesPastReaders(w, r) {
		// r, a swap or a compare-exchange that still succeeds, is in
		// w's prefix only as the write that kept reads read: it stores
		// the same operand whatever it reads, so their values stand.
		return pp, nil, true
	}
	if !as.isWrite() && !g.keptDependsOn(r, w, pp) {
		// r, a read, is in w's prefix only through such a read-back,
		// and nothing kept depends on what r reads: reading w instead
		// changes no kept event's value, nor which events its thread
		// runs up to them.
		return pp, nil, true
	}
	if !as.isWrite() {
		// Kept events of r's thread depend on r: taken when the thread,
		// run afresh with r reading w, makes them all again (perhaps at
		// other indices: shift.go).
		if sh, ok := e.shiftKept(g, r, w, pp); ok {
			return pp, sh, true
		}
	}
	e.risky = true
	return nil, nil, false
}

// keptDependsOn says whether an event other than r that a revisit of r
// by w keeps (those added up to r, w, and kept: w's prefix) depends on
// r's value: its address, data or control, or what it reads (r being a
// write). A dependency through other kept events is one on those.
func (g *egraph) keptDependsOn(r, w ref, kept []uint64) bool {
	rs := g.node(r).stamp
	bit := uint64(1) << uint(r.i)
	for t := range g.th {
		for i := range g.th[t] {
			x := ref{int32(t), int32(i)}
			n := &g.th[t][i]
			if n.hole || x == r || !(x == w || n.stamp <= rs || ppHas(kept, x)) {
				continue
			}
			if n.isRead() && n.rf == r || int32(t) == r.t && (n.ev.Addr|n.ev.Data|n.ev.Ctrl)&bit != 0 {
				return true
			}
		}
	}
	return false
}

// ppReachesPastReaders says whether r is in w's (ppo ∪ rf)⁺ prefix other
// than as the write its readers read: a search back from w that does not
// follow a read's rf to r.
func (g *egraph) ppReachesPastReaders(w, r ref) bool {
	seen := map[half]bool{}
	var stack []half
	push := func(y ref, whole bool) {
		if y.t < 0 || g.node(y).hole {
			return
		}
		h := half{y, 0}
		if whole && g.node(y).isWrite() && g.node(y).isRead() {
			h.part = 1
		}
		if !seen[h] {
			seen[h] = true
			stack = append(stack, h)
		}
	}
	push(w, true)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h.x == r {
			return true
		}
		n := g.node(h.x)
		if n.isRead() && n.isWrite() && h.part == 1 {
			push(h.x, false) // rmw: its read half comes first
		}
		if read, _ := n.halfKinds(h.part); read && n.rf != r {
			push(n.rf, true)
		}
		rmask, wmask := g.threadPreds(h.x, n, h.part, g.node, false)
		for k := 0; rmask|wmask != 0; k++ {
			if (rmask|wmask)&1 != 0 {
				push(ref{h.x.t, int32(k)}, wmask&1 != 0)
			}
			rmask >>= 1
			wmask >>= 1
		}
	}
	return false
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
//
// kept, when not nil, is w's prefix as the revisit keeps it (with the
// events added up to r); nil: g keeps every event.
func (e *engine) obBefore(g *egraph, r, w ref, rv *node, kept []uint64) bool {
	// seen: a bit per event for its read half (or only node), then one
	// for a read-modify-write's write half.
	if len(e.obSeen) < 2*g.nt {
		e.obSeen = make([]uint64, 2*g.nt)
	}
	seen := e.obSeen[:2*g.nt]
	clear(seen)
	nodeOf := func(x ref) *node {
		if x == r {
			return rv
		}
		return g.node(x)
	}
	stack := e.obStack[:0]
	found := false
	// push adds y, all of it (whole) or its read half.
	push := func(y ref, whole bool) {
		if y.t < 0 || y.i >= MaxHMCEvents {
			return
		}
		part := int8(0)
		if whole && nodeOf(y).ev.Kind == graph.RMW {
			part = 1
		}
		k := int(y.t) + int(part)*g.nt
		if seen[k]&(1<<uint(y.i)) != 0 {
			return
		}
		seen[k] |= 1 << uint(y.i)
		if y == r {
			found = true
		}
		stack = append(stack, half{y, part})
	}
	pushMask := func(t int32, mask uint64, whole bool) {
		for k := 0; mask != 0; k++ {
			if mask&1 != 0 && !g.th[t][k].hole {
				push(ref{t, int32(k)}, whole)
			}
			mask >>= 1
		}
	}
	push(w, true)
	found = false
	for len(stack) > 0 && !found {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x := h.x
		if x == r {
			continue
		}
		n := nodeOf(x)
		if n.ev.Kind == graph.RMW && h.part == 1 {
			push(x, false) // rmw: its read half comes first
		}
		if read, _ := n.halfKinds(h.part); read {
			// What it reads from: a write of another thread (rfe); in
			// its own thread, what the write's address and data depend
			// on, and, when the write is a read-modify-write's, what
			// decided its value: what that read, in turn (aob orders
			// such a write before an acquire read only).
			for src := n.rf; src.t >= 0; {
				m := nodeOf(src)
				// (A swap's write, or a compare-exchange's that still
				// succeeds, stores the same operand whatever its read
				// reads: the revisit of r, such a one, may keep what
				// reads it, unless coherence then forbids r reading w.)
				operand := src == r && m.isWrite() && !m.ev.Instr.StoresFromLoad()
				if src.t != x.t || src == r && !operand || m.ev.Kind == graph.RMW && armAcquires(n) ||
					operand && g.readsIncoherently(r, w, kept, true) {
					push(src, true)
					break
				}
				pushMask(x.t, m.ev.Addr|m.ev.Data, false)
				if m.ev.Kind != graph.RMW || !m.ev.Instr.StoresFromLoad() {
					break
				}
				src = m.rf
			}
		}
		rmask, wmask := g.threadPreds(x, n, h.part, nodeOf, false)
		pushMask(x.t, rmask&^wmask, false)
		pushMask(x.t, wmask, true)
	}
	e.obStack = stack[:0]
	return found
}

// ppAs computes w's prefix afresh, event by event, with r replaced by rv.
func (e *engine) ppAs(g *egraph, w, r ref, rv *node) []uint64 {
	pp := make([]uint64, g.nt)
	wholeSeen := make([]uint64, g.nt) // read-modify-writes met whole
	nodeOf := func(x ref) *node {
		if x == r {
			return rv
		}
		return g.node(x)
	}
	var visit func(x ref, part int8)
	visit = func(x ref, part int8) {
		n := nodeOf(x)
		f := func(y ref, whole bool) {
			if y.t < 0 || y.i >= MaxHMCEvents {
				return
			}
			bit := uint64(1) << uint(y.i)
			yp := int8(0)
			if whole && nodeOf(y).ev.Kind == graph.RMW {
				if wholeSeen[y.t]&bit != 0 {
					return
				}
				wholeSeen[y.t] |= bit
				yp = 1
			} else if pp[y.t]&bit != 0 {
				return
			}
			pp[y.t] |= bit
			visit(y, yp)
		}
		if n.ev.Kind == graph.RMW && part == 1 {
			visit(x, 0) // rmw: its read half comes first
		}
		g.ppPreds(x, n, part, nodeOf, e.depsOnly, f)
	}
	part := int8(0)
	if nodeOf(w).ev.Kind == graph.RMW {
		part = 1
	}
	visit(w, part)
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
				h.th[t][i] = node{hole: true, gone: goneOf(&g.th[t][i])}
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
		if !ok && !e.risky {
			n := g.node(x)
			if n.revisitable && g.laterSameLoc(x, kept) || g.cutPrefix || g.prefixCut(r, w, kept) {
				e.risky = true
			}
		}
		return ok
	}
	return revisitedAndDeleted(g, r, kept, check)
}

// prefixCut says whether a revisit of r by w keeps an event (other than
// r and w, whose prefixes the revisit decides) without all of its
// prefix. A revisit keeps what the revisiting write's prefix names, and
// that may name a read-modify-write by its read half only: the event is
// kept whole, but what only its write half is ordered after may go.
// (Holes keep what a deleted write was, goneWrite, so coi edges through
// one are not lost this way.) TruSt's argument for a
// refused revisit (the graph comes from another one, whose deleted
// events were added first) then no longer holds: that other graph may be
// inconsistent (it has the write, ordered after events that read
// otherwise), or those events non-revisitable (in an earlier revisiting
// write's prefix, which a later one no longer names). Such a refusal, in
// this graph or one made from it (cutPrefix), may miss executions
// (risky). (Keeping the write half's prefix as well was tried: random
// programs showed duplicate executions.)
func (g *egraph) prefixCut(r, w ref, kept keepSet) bool {
	for t := range g.th {
		for i := range g.th[t] {
			y := &g.th[t][i]
			x := ref{int32(t), int32(i)}
			if y.hole || x == r || x == w || i >= MaxHMCEvents || !kept.has(x) {
				continue
			}
			for u, m := range y.pp[:min(len(y.pp), g.nt)] {
				if m&^kept.mask[u] != 0 {
					return true
				}
			}
		}
	}
	return false
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
		if (yn.stamp < xs || kept.has(y)) && (!ppHas(yn.pp, x) || n.isRead() && e.readsBack(g, x, y)) {
			return false
		}
	}
	return true
}

// readsBack says whether read x, though in write y's prefix, may still
// be revisited by y (armPrefix: the prefix reaches x only through a
// read-back, and the revisit is taken). Then x is not maximally added
// while y is kept mo-after what it reads: the graph in which x reads y
// comes from that revisit. (Counting the prefix as an ordering gave such
// graphs twice: from the revisit, and from a later write of y's thread
// revisiting x while it still read the earlier write.)
func (e *engine) readsBack(g *egraph, x, y ref) bool {
	risky := e.risky
	_, _, ok := e.armPrefix(g, x, y)
	e.risky = risky
	return ok
}

// readsIncoherently says whether r reading w makes no graph among the
// events a revisit of r by w keeps: those added up to r, w, and kept
// (w's prefix; nil: all of g's). Either a kept event reads r's write and
// r would no longer write (rWrites false: a compare-exchange that would
// fail), or coherence breaks (ARMv8's internal axiom: a cycle of po-loc,
// rf, co and fr at their location), r's write, if any, coming right
// after w in modification order.
func (g *egraph) readsIncoherently(r, w ref, kept []uint64, rWrites bool) bool {
	loc := g.node(r).ev.Loc
	rs := g.node(r).stamp
	keeps := func(x ref) bool {
		if x.t < 0 || kept == nil || x == w || x == r {
			return true
		}
		n := g.node(x)
		return n.stamp <= rs || ppHas(kept, x)
	}
	if !rWrites {
		for _, y := range g.readersOf(r) {
			if y != r && keeps(y) {
				return true
			}
		}
	}
	// The modification order with r's write moved right after w's.
	var mo []ref
	for _, y := range g.mo[loc] {
		if y == r || !keeps(y) {
			continue
		}
		mo = append(mo, y)
		if y == w && rWrites {
			mo = append(mo, r)
		}
	}
	pos := func(y ref) int { return slices.Index(mo, y) }
	rfOf := func(x ref) ref {
		if x == r {
			return w
		}
		return g.node(x).rf
	}
	// Nodes: each kept event of loc, a read half (part 0) and a write
	// half (part 1); edges followed by a depth-first search for a cycle.
	type hk struct {
		x    ref
		part int8
	}
	succ := func(a hk, f func(hk)) {
		n := g.node(a.x)
		th := g.th[a.x.t]
		// po-loc: the next half of the thread at loc.
		if a.part == 0 && n.isRead() && n.isWrite() && (a.x != r || rWrites) {
			f(hk{a.x, 1})
		} else {
			for j := int(a.x.i) + 1; j < len(th); j++ {
				m := &th[j]
				y := ref{a.x.t, int32(j)}
				if m.hole || m.ev.Kind == graph.Fence || m.ev.Loc != loc || !keeps(y) {
					continue
				}
				if m.isRead() {
					f(hk{y, 0})
				} else {
					f(hk{y, 1})
				}
				break
			}
		}
		if a.part == 1 {
			// rf: its readers; co: the next write.
			for t := range g.th {
				for j := range g.th[t] {
					y := ref{int32(t), int32(j)}
					if m := &g.th[t][j]; !m.hole && m.isRead() && m.ev.Loc == loc && keeps(y) && rfOf(y) == a.x {
						f(hk{y, 0})
					}
				}
			}
			if p := pos(a.x); p >= 0 && p+1 < len(mo) {
				f(hk{mo[p+1], 1})
			}
			return
		}
		// fr: the write after the one it reads.
		if p := pos(rfOf(a.x)); p >= 0 && p+1 < len(mo) {
			if y := mo[p+1]; y.t >= 0 && !(y == a.x) {
				f(hk{y, 1})
			}
		}
	}
	state := map[hk]int8{} // 1: on the search's path, 2: done
	var cyclic func(a hk) bool
	cyclic = func(a hk) bool {
		state[a] = 1
		found := false
		succ(a, func(b hk) {
			if found || b.x.t < 0 {
				return
			}
			switch state[b] {
			case 1:
				found = true
			case 0:
				found = cyclic(b)
			}
		})
		state[a] = 2
		return found
	}
	for t := range g.th {
		for j := range g.th[t] {
			y := ref{int32(t), int32(j)}
			n := &g.th[t][j]
			if n.hole || n.ev.Kind == graph.Fence || n.ev.Loc != loc || !keeps(y) {
				continue
			}
			a := hk{y, 0}
			if !n.isRead() {
				a.part = 1
			}
			if state[a] == 0 && cyclic(a) {
				return true
			}
		}
	}
	return false
}

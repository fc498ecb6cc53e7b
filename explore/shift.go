package explore

import (
	"slices"

	"happens/graph"
	"happens/interp"
	"happens/prog"
)

// A revisit under ARMv8 keeps events of the revisited read's thread that
// come after the read. When one of them is control dependent on the read
// (a branch on its value comes before it), the thread may reach it at
// another index once the read reads the revisiting write: a store the
// branch guarded is no longer made, or another one is. threadShift is
// such a thread's events renumbered: the revisit is taken when running
// the thread afresh from the read meets every kept event again, the same
// instruction with the same location, dependencies and values, in order,
// with nothing it newly makes in between ordered before one of them.

// threadShift renumbers thread t's events after index from.
type threadShift struct {
	t, from int
	newIdx  []int32 // old index → new, for the kept events after from (else -1)
	n       int     // the thread's new length, up to its last kept event
	free    []freeSlot
	drop    []int // kept stores the thread no longer makes (old indices)
}

// freeSlot is a place the thread's run makes an event not kept: a hole
// the exploration fills.
type freeSlot struct {
	i    int
	gone goneWrite
	snap *interp.State
}

// shiftKept runs thread r.t afresh from r, which reads w, and matches the
// kept events after r (pp: w's prefix as armPrefix gives it) in order.
// It returns how they are renumbered, or false when the run does not meet
// them all so (the revisit is then refused).
func (e *engine) shiftKept(g *egraph, r, w ref, pp []uint64) (*threadShift, bool) {
	t := int(r.t)
	th := g.th[t]
	for i := 0; i < int(r.i); i++ {
		if th[i].hole {
			return nil, false
		}
	}
	kept := keepSet{mask: e.armKeep(g, r, w, pp)}
	var ks []int
	for i := int(r.i) + 1; i < len(th); i++ {
		if kept.has(ref{r.t, int32(i)}) {
			ks = append(ks, i)
		}
	}
	// droppable: a kept store the thread may no longer make (a branch on
	// r skips it) goes when nothing kept reads it, and when it was placed
	// where it was first offered (the last in modification order then):
	// the graphs that differ only in its place give this one once.
	droppable := func(i int) bool {
		x := ref{r.t, int32(i)}
		n := &th[i]
		if n.ev.Kind != graph.Write || x == w || !n.addedMax {
			return false
		}
		for _, y := range g.readersOf(x) {
			if y != r && kept.has(y) {
				return false
			}
		}
		return true
	}
	if len(ks) == 0 || g.snap[t][r.i] == nil {
		return nil, false
	}
	st := &interp.State{}
	st.CopyFrom(g.snap[t][r.i])
	rn := g.node(r)
	if rn.ev.Instr == nil || rn.ev.Instr.Op != prog.OpLoad {
		return nil, false
	}
	st.Complete(g.wval(w), false)
	sh := &threadShift{t: t, from: int(r.i), newIdx: make([]int32, len(th))}
	for i := range sh.newIdx {
		sh.newIdx[i] = -1
	}
	var made []node // the events the run makes that are not kept
	idx := int(r.i) + 1
	for j := 0; j < len(ks); idx++ {
		if idx >= MaxHMCEvents || st.Run(e.opts.Unroll) != interp.Access {
			return nil, false
		}
		// The next kept event, or one after stores it drops.
		matched := false
		for j2 := j; j2 < len(ks) && (j2 == j || droppable(ks[j2-1])); j2++ {
			k := &th[ks[j2]]
			if st.Req.Instr != k.ev.Instr {
				continue
			}
			// The kept event's dependencies in the new numbering: none
			// on an event not kept (its prefix is kept).
			m := *k
			var ok bool
			if m.ev.Addr, ok = sh.remapDeps(k.ev.Addr); ok {
				if m.ev.Data, ok = sh.remapDeps(k.ev.Data); ok {
					m.ev.Ctrl, ok = sh.remapDeps(k.ev.Ctrl)
				}
			}
			if !ok || !e.keptMatches(st, &m) {
				continue
			}
			for f := range made {
				if armOrders(&made[f], k) {
					return nil, false
				}
			}
			sh.drop = append(sh.drop, ks[j:j2]...)
			sh.newIdx[ks[j2]] = int32(idx)
			st.Complete(k.ev.RVal, k.ev.Kind == graph.RMW)
			j = j2 + 1
			matched = true
			break
		}
		if matched {
			continue
		}
		// An event not kept: a hole the exploration fills. What it reads
		// does not matter up to the kept events (their dependencies,
		// checked as they are met, would name it).
		n := node{ev: e.requestEvent(t, idx, &st.Req)}
		if op := n.ev.Instr.Op; op == prog.OpRMW || op == prog.OpCAS {
			n.ev.Kind = graph.RMW // (a compare-exchange: its success, which orders most)
		}
		snap := &interp.State{}
		snap.CopyFrom(st)
		sh.free = append(sh.free, freeSlot{idx, goneOf(&n), snap})
		made = append(made, n)
		st.Complete(0, false)
	}
	sh.n = idx
	same := len(sh.free) == 0 && len(sh.drop) == 0
	for _, k := range ks {
		same = same && int(sh.newIdx[k]) == k
	}
	if same {
		return nil, true // nothing moves: the revisit as it is
	}
	return sh, true
}

// remapDeps renumbers a dependency mask of a kept event; false if it
// names an event after from that is not kept.
func (sh *threadShift) remapDeps(m uint64) (uint64, bool) {
	out := m & (1<<uint(sh.from+1) - 1)
	for k := sh.from + 1; k < 64 && k < len(sh.newIdx); k++ {
		if m&(1<<uint(k)) == 0 {
			continue
		}
		if sh.newIdx[k] < 0 {
			return 0, false
		}
		out |= 1 << uint(sh.newIdx[k])
	}
	return out, true
}

// ref renumbers x.
func (sh *threadShift) ref(x ref) ref {
	if int(x.t) == sh.t && int(x.i) > sh.from && int(x.i) < len(sh.newIdx) && sh.newIdx[x.i] >= 0 {
		x.i = sh.newIdx[x.i]
	}
	return x
}

// count renumbers a view's count of the thread's events: the kept events
// it holds stay in it, and no others.
func (sh *threadShift) count(c int32) int32 {
	if int(c) <= sh.from+1 {
		return c
	}
	out := int32(sh.from + 1)
	for k := sh.from + 1; k < int(c) && k < len(sh.newIdx); k++ {
		if sh.newIdx[k] >= 0 {
			out = sh.newIdx[k] + 1
		}
	}
	return out
}

// apply renumbers h, built by armBuild with the old numbering, and says
// whether no event of h but r is ordered after one the thread newly makes
// (its prefix then has an event the revisit did not keep, which no
// exploration of revisits makes: the revisit is refused).
func (sh *threadShift) apply(e *engine, h *egraph) bool {
	t := sh.t
	old := h.th[t]
	oldSnap := h.snap[t]
	th := make([]node, sh.n)
	snap := make([]*interp.State, sh.n)
	copy(th, old[:sh.from+1])
	copy(snap, oldSnap[:sh.from+1])
	for k := sh.from + 1; k < len(old); k++ {
		if ni := sh.newIdx[k]; ni >= 0 {
			n := old[k]
			n.ev.Index = int(ni)
			n.ev.Addr, _ = sh.remapDeps(n.ev.Addr)
			n.ev.Data, _ = sh.remapDeps(n.ev.Data)
			n.ev.Ctrl, _ = sh.remapDeps(n.ev.Ctrl)
			th[ni] = n
			snap[ni] = oldSnap[k]
		}
	}
	for _, f := range sh.free {
		th[f.i] = node{hole: true, gone: f.gone}
		snap[f.i] = f.snap
	}
	h.th[t], h.snap[t] = th, snap
	for u := range h.th {
		for i := range h.th[u] {
			n := &h.th[u][i]
			if n.hole {
				continue
			}
			n.rf = sh.ref(n.rf)
			if len(n.v) > 0 {
				v := make([]int32, len(n.v))
				copy(v, n.v)
				for k := t; k < len(v); k += h.nt {
					v[k] = sh.count(v[k])
				}
				n.v = v
			}
		}
	}
	for l := range h.mo {
		mo := h.mo[l][:0]
		for _, x := range h.mo[l] {
			if int(x.t) == t && slices.Contains(sh.drop, int(x.i)) {
				continue
			}
			mo = append(mo, sh.ref(x))
		}
		h.mo[l] = mo
	}
	h.rebuildReaders()
	e.recomputePP(h)
	var free uint64
	for _, f := range sh.free {
		free |= 1 << uint(f.i)
	}
	for u := range h.th {
		for i := range h.th[u] {
			n := &h.th[u][i]
			if n.hole || u == t && i == sh.from {
				continue
			}
			for k := t; k < len(n.pp); k += h.nt {
				if n.pp[k]&free != 0 {
					return false
				}
			}
		}
	}
	return true
}

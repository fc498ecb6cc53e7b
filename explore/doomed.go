package explore

import "happens/interp"

// Doomed graphs (ARMv8). A step that makes a graph inconsistent ends its
// forward exploration, as everywhere. But under ARMv8 a backward revisit
// deletes events that do not depend on the revisiting write, and the
// events it deletes may be the ones that made the graph inconsistent: a
// store control dependent on the read revisited, say, which reading the
// new value skips. The graph TruSt's argument names as the revisit's
// source (its deleted events added again, maximally) is then
// inconsistent, and pruning it loses the revisit
// (explore/testdata/hmc/lb-ctrl-deleted-store-parent-inconsistent.litmus).
//
// So an inconsistent graph is explored on, doomed, while a revisit may
// still rescue it: it emits no execution, and only its backward revisits
// count. The cycle found (rescue) limits them: a revisit keeps every
// event added up to the read revisited, so only a read added before the
// cycle's last event can break it, and only one whose location a thread
// other than its own may still write (staticWriters). A graph a doomed
// one's revisit makes is judged whole (the relational model), since the
// cycle may survive the revisit; a consistent one is explored as usual.

// rescue says whether the inconsistent graph g (x just added) may be
// rescued by a revisit, and the latest stamp of a read such a revisit
// may revisit.
func (e *engine) rescue(g *egraph, x ref) (int64, bool) {
	if g.broken {
		return 0, false
	}
	e.oc.reset(g)
	e.oc.record = true
	bad := e.oc.armCycle(g, x)
	e.oc.record = false
	if !bad {
		return 0, false
	}
	last := int64(-1)
	for _, c := range e.oc.cycle {
		last = max(last, g.node(c).stamp)
	}
	return last - 1, e.rescuable(g, last-1)
}

// rescuable says whether g has a read added no later than limit that a
// revisit may yet take: revisitable, and of a location a thread other than
// its own may still write. (Threads only go on in a doomed graph, so once
// none is left, none comes.)
func (e *engine) rescuable(g *egraph, limit int64) bool {
	if e.writers == nil {
		e.writers = staticWriters(e.p)
	}
	for t := range g.th {
		for i := range g.th[t] {
			n := &g.th[t][i]
			if n.hole || !n.isRead() || !n.revisitable || n.stamp > limit {
				continue
			}
			if g.mayWrite(e.writers, t, n.ev.Loc) {
				return true
			}
		}
	}
	return false
}

// mayWrite says whether a thread other than t may still add a write of
// loc.
func (g *egraph) mayWrite(writers [][]Set, t, loc int) bool {
	v := g.p.Locs[loc].Var
	for u := range g.th {
		if u != t && g.stop[u] == interp.Access && writers[u][g.cur[u].PC].Has(v) {
			return true
		}
	}
	return false
}

// revLimit is the limit of revisits (see there) for a new write: limit,
// and in a doomed graph the rescue's.
func (e *engine) revLimit(limit int64) int64 {
	if !e.doomed {
		return limit
	}
	if limit < 0 || e.doomLimit < limit {
		return e.doomLimit
	}
	return limit
}

// consistentWhole judges h, made by a revisit of r by w from a doomed
// graph, whole: a cycle may pass anywhere. The searches through r and w
// first, then through every other event (cheap, and they find most: such
// graphs are seldom consistent), then the relational model, which alone
// may accept.
func (e *engine) consistentWhole(h *egraph, r, w ref) bool {
	if h.broken {
		return false
	}
	e.oc.reset(h)
	if e.oc.armCycle(h, r) || e.oc.armCycle(h, w) {
		return false
	}
	for t := range h.th {
		for i := range h.th[t] {
			if x := (ref{int32(t), int32(i)}); !h.th[t][i].hole && x != r && x != w && e.oc.armCycle(h, x) {
				return false
			}
		}
	}
	return e.relational(h)
}

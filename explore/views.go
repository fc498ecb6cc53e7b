package explore

import (
	"happens/graph"
	"happens/prog"
)

// Views: vector clocks computed once per event, in O(threads), from its
// program-order predecessor and the write it reads. They give
// happens-before without closing any relation:
//
//	hb(e)   = hb(po-pred) ∪ {e}
//	          ∪ rel(rf(e))    for an acquire read
//	          ∪ pend(po-pred) for an acquire fence
//	pend(e) = pend(po-pred) ∪ rel(rf(e)) for any atomic read but consume
//	frel(e) = hb(e) for a release fence, else frel(po-pred)
//	head(w) = hb(w) if w is a release write, else frel(po-pred)
//	          ∪ head(the thread's previous write to w's location)  (RC11 only)
//	rel(w)  = head(w) ∪ rel(rf(w)) for a read-modify-write
//
// rel(w) is what an acquire read of w synchronises with: the release
// sequences headed by a release write or fence, continued by rf;rmw chains
// (C++20, P0982R1) and, for RC11, by later writes of the head's thread to
// the same location. porf(e) is the po ∪ rf prefix, which backward
// revisits must not cut.

func isAcquire(o prog.Ordering) bool {
	return o == prog.Acquire || o == prog.AcqRel || o == prog.SeqCst
}

func isRelease(o prog.Ordering) bool {
	return o == prog.Release || o == prog.AcqRel || o == prog.SeqCst
}

// viewCount is the number of vector clocks computeViews gives n.
func viewCount(n *node) int {
	switch {
	case !n.isWrite() || !n.ev.Atomic:
		return 4
	case n.ev.Kind == graph.RMW:
		return 6
	}
	return 5
}

// computeViews fills n's views; n is thread t's i-th node, with its ev and
// rf set. rc11 selects RC11's release sequences; plain leaves
// synchronisation out of hb (hb = sb), for models whose coherence is only
// SC per location.
func (g *egraph) computeViews(t, i int, n *node, rc11, plain bool) {
	nt := g.nt
	// Fresh views from the graph's slab: nodes are copied between graphs
	// with their views shared, so a view is never written once computed.
	n.v = g.views(viewCount(n))
	porf, hb, pend, frel := n.view(vPorf, nt), n.view(vHB, nt), n.view(vPend, nt), n.view(vFrel, nt)
	if i > 0 {
		p := &g.th[t][i-1]
		copy(n.v[:4*nt], p.v[:4*nt])
	}
	own := int32(i + 1)
	porf[t], hb[t] = own, own
	e := &n.ev
	if n.isRead() {
		if n.rf.t >= 0 {
			w := g.node(n.rf)
			join(porf, w.view(vPorf, nt))
			// Consume reads synchronise no more than relaxed ones, and
			// not even through an acquire fence (as rc11.cat has it).
			if rel := w.view(vRel, nt); e.Atomic && rel != nil && !plain && e.Ord != prog.Consume {
				if isAcquire(e.Ord) {
					join(hb, rel)
				}
				join(pend, rel)
			}
		}
	}
	if e.Kind == graph.Fence && !plain {
		if isAcquire(e.Ord) && i > 0 {
			join(hb, g.th[t][i-1].view(vPend, nt))
		}
		if isRelease(e.Ord) {
			copy(frel, hb)
		}
	}
	if n.isWrite() && e.Atomic {
		head := n.view(vHead, nt)
		if isRelease(e.Ord) {
			copy(head, hb)
		} else if i > 0 {
			copy(head, g.th[t][i-1].view(vFrel, nt))
		}
		if rc11 {
			for k := i - 1; k >= 0; k-- {
				q := &g.th[t][k]
				if qh := q.view(vHead, nt); q.isWrite() && q.ev.Loc == e.Loc && qh != nil {
					join(head, qh) // it holds the earlier ones
					break
				}
			}
		}
		if e.Kind == graph.RMW {
			rel := n.view(vRel, nt)
			copy(rel, head)
			if n.rf.t >= 0 {
				if src := g.node(n.rf).view(vRel, nt); src != nil {
					join(rel, src)
				}
			}
		}
	}
}

package model

import (
	"happens/graph"
	"happens/prog"
)

// Exec is an execution graph seen as relations over dense event indices.
// The base relations (sb, rf, mo, rb, same-location) and event sets are
// computed once; a model derives the rest.
type Exec struct {
	G     *graph.Graph
	N     int
	IDs   []graph.ID // dense index → graph event
	dense []int      // graph event → dense index, or -1

	// Event sets.
	W, R, F, RMW, SC, FSC, ACQ, REL, AT, IW, NA Set
	// RLXR are the atomic reads that may take part in synchronisation.
	RLXR Set

	SB, RF, MO, RB, Loc Rel
	hasSC               bool

	arena arena
	empty Rel // template relation in the arena
	// derived caches the relations of the model that last judged x.
	derivedBy *Model
	derived   *derived
	used      []bool // per location: touched by a thread event (reused)
	byLoc     []Set  // per location: its events (reused)
}

// NewExec builds the base relations of g. Initial writes of locations that
// no thread touches are left out.
func NewExec(g *graph.Graph) *Exec {
	x := &Exec{}
	x.Reset(g)
	return x
}

// Reset rebuilds x for g, reusing x's memory. Relations taken from x
// before are no longer valid.
func (x *Exec) Reset(g *graph.Graph) {
	x.arena.reset()
	x.derivedBy, x.derived = nil, nil
	x.G = g
	x.IDs = x.IDs[:0]
	if cap(x.dense) < len(g.Events) {
		x.dense = make([]int, len(g.Events))
	}
	x.dense = x.dense[:len(g.Events)]
	if cap(x.used) < len(g.P.Locs) {
		x.used = make([]bool, len(g.P.Locs))
		x.byLoc = make([]Set, len(g.P.Locs))
	}
	used := x.used[:len(g.P.Locs)]
	clear(used)
	for _, evs := range g.Threads {
		for _, id := range evs {
			if l := g.Events[id].Loc; l >= 0 {
				used[l] = true
			}
		}
	}
	for i := range x.dense {
		x.dense[i] = -1
	}
	for id := range g.Events {
		e := &g.Events[id]
		if e.Kind == graph.Init && !used[e.Loc] {
			continue
		}
		x.dense[id] = len(x.IDs)
		x.IDs = append(x.IDs, graph.ID(id))
	}
	n := len(x.IDs)
	x.N = n
	x.hasSC = false
	w := (n + 63) / 64
	for _, s := range []*Set{&x.W, &x.R, &x.F, &x.RMW, &x.SC, &x.FSC, &x.ACQ, &x.REL, &x.AT, &x.IW, &x.NA, &x.RLXR} {
		*s = Set(x.arena.words(w))
	}
	x.empty = Rel{n: n, w: w, a: &x.arena}
	x.SB, x.RF, x.MO, x.RB, x.Loc = x.empty.like(), x.empty.like(), x.empty.like(), x.empty.like(), x.empty.like()
	for i, id := range x.IDs {
		e := &g.Events[id]
		if e.IsWrite() {
			x.W.Add(i)
		}
		if e.IsRead() {
			x.R.Add(i)
			x.RF.Add(x.dense[e.RF], i)
		}
		switch e.Kind {
		case graph.Fence:
			x.F.Add(i)
		case graph.RMW:
			x.RMW.Add(i)
		case graph.Init:
			x.IW.Add(i)
		}
		if e.Kind != graph.Init {
			if e.Atomic || e.Kind == graph.Fence {
				if e.Kind != graph.Fence {
					x.AT.Add(i)
					if e.IsRead() && e.Ord != prog.Consume {
						x.RLXR.Add(i)
					}
				}
				if e.Ord == prog.SeqCst {
					x.SC.Add(i)
					x.hasSC = true
					if e.Kind == graph.Fence {
						x.FSC.Add(i)
					}
				}
				if e.Ord.IsAcquire() && (e.IsRead() || e.Kind == graph.Fence) {
					x.ACQ.Add(i)
				}
				if e.Ord.IsRelease() && (e.IsWrite() || e.Kind == graph.Fence) {
					x.REL.Add(i)
				}
			} else {
				x.NA.Add(i)
			}
		}
	}
	// sb: each event precedes the rest of its thread. Thread events are
	// dense in insertion order, not thread order, so build the suffix sets
	// backwards.
	after := Set(x.arena.words(w))
	for _, evs := range g.Threads {
		clear(after)
		for a := len(evs) - 1; a >= 0; a-- {
			da := x.dense[evs[a]]
			copy(x.SB.Row(da), after)
			after.Add(da)
		}
	}
	for _, mo := range g.MO {
		for a := range mo {
			da := x.dense[mo[a]]
			if da < 0 {
				continue
			}
			for b := a + 1; b < len(mo); b++ {
				x.MO.Add(da, x.dense[mo[b]])
			}
		}
	}
	// rb = (rf⁻¹ ; mo) \ id
	for i, id := range x.IDs {
		e := &g.Events[id]
		if !e.IsRead() {
			continue
		}
		row := x.RB.Row(i)
		copy(row, x.MO.Row(x.dense[e.RF]))
		row[i>>6] &^= 1 << (uint(i) & 63)
	}
	// Same location: one set per location, copied into each row.
	byLoc := x.byLoc[:len(g.P.Locs)]
	clear(byLoc)
	for i, id := range x.IDs {
		if l := g.Events[id].Loc; l >= 0 {
			s := byLoc[l]
			if s == nil {
				s = Set(x.arena.words(w))
				byLoc[l] = s
			}
			s.Add(i)
		}
	}
	for i, id := range x.IDs {
		if l := g.Events[id].Loc; l >= 0 {
			copy(x.Loc.Row(i), byLoc[l])
		}
	}
}

// Event returns the graph event at dense index i.
func (x *Exec) Event(i int) *graph.Event { return &x.G.Events[x.IDs[i]] }

// ID returns the graph ID of dense index i.
func (x *Exec) ID(i int) graph.ID { return x.IDs[i] }

// id returns [s].
func (x *Exec) id(s Set) Rel {
	c := x.empty.like()
	for i := 0; i < x.N; i++ {
		if s.Has(i) {
			c.Add(i, i)
		}
	}
	return c
}

// sw computes synchronises-with from a release-sequence relation:
// [REL] ; ([F] ; sb)? ; rs ; rf ; [R atomic] ; (sb ; [F])? ; [ACQ].
func (x *Exec) sw(rs Rel) Rel {
	left := Union(x.id(x.REL), x.SB.Restrict(x.and(x.REL, x.F), nil))
	right := Union(x.id(x.ACQ), x.SB.Restrict(nil, x.and(x.F, x.ACQ)))
	return Seq(Seq(Seq(left, rs), x.RF.Restrict(nil, x.RLXR)), right)
}

// rfRMWStar is (rf ; [RMW])*.
func (x *Exec) rfRMWStar() Rel {
	return x.RF.Restrict(nil, x.RMW).Plus().Opt()
}

func (x *Exec) and(a, b Set) Set {
	c := Set(x.arena.words(len(a)))
	for i := range c {
		c[i] = a[i] & b[i]
	}
	return c
}

package progtest

import (
	"fmt"
	"strings"

	"happens/graph"
	"happens/prog"
)

// Ref names an event by its thread and its index in the thread; Thread -1
// is the initial write of location Index.
type Ref struct{ Thread, Index int }

func (r Ref) String() string {
	if r.Thread < 0 {
		return "init"
	}
	return fmt.Sprintf("%d.%d", r.Thread, r.Index)
}

// CEvent is one event in the canonical form: everything the program and
// the execution determine about it.
type CEvent struct {
	Kind     graph.Kind
	Loc      int
	Ord      prog.Ordering
	Atomic   bool
	RVal     uint64
	WVal     uint64
	RF       Ref
	Spurious bool
}

// CExec is an execution in a form independent of graph.Graph's event
// numbering: per-thread event lists and per-location modification orders
// (without the initial write, which always comes first).
type CExec struct {
	Threads [][]CEvent
	MO      [][]Ref
}

// String is the canonical text of the execution, richer than
// graph.Graph.Key: it also names values and orderings.
func (c *CExec) String() string {
	var b strings.Builder
	for t, evs := range c.Threads {
		fmt.Fprintf(&b, "T%d:", t)
		for _, e := range evs {
			b.WriteByte(' ')
			switch e.Kind {
			case graph.Fence:
				fmt.Fprintf(&b, "F/%v", e.Ord)
				continue
			case graph.Read:
				b.WriteString("R")
			case graph.Write:
				b.WriteString("W")
			case graph.RMW:
				b.WriteString("U")
			default:
				fmt.Fprintf(&b, "?%d", e.Kind)
			}
			fmt.Fprintf(&b, "%d/", e.Loc)
			if e.Atomic {
				b.WriteString(e.Ord.String())
			} else {
				b.WriteString("na")
			}
			if e.Kind == graph.Read || e.Kind == graph.RMW {
				fmt.Fprintf(&b, "=%d<%v", e.RVal, e.RF)
			}
			if e.Kind == graph.Write || e.Kind == graph.RMW {
				fmt.Fprintf(&b, ":=%d", e.WVal)
			}
			if e.Spurious {
				b.WriteString("~")
			}
		}
		b.WriteByte('\n')
	}
	for l, mo := range c.MO {
		if len(mo) == 0 {
			continue
		}
		fmt.Fprintf(&b, "mo%d:", l)
		for _, r := range mo {
			b.WriteString(" " + r.String())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// FromGraph converts a graph into the canonical form.
func FromGraph(g *graph.Graph) *CExec {
	ref := func(id graph.ID) Ref {
		if id < 0 || int(id) >= len(g.Events) {
			return Ref{-2, int(id)}
		}
		e := &g.Events[id]
		if e.Kind == graph.Init {
			return Ref{-1, e.Loc}
		}
		return Ref{e.Thread, e.Index}
	}
	c := &CExec{Threads: make([][]CEvent, len(g.Threads)), MO: make([][]Ref, len(g.MO))}
	for t, evs := range g.Threads {
		for _, id := range evs {
			e := &g.Events[id]
			ce := CEvent{Kind: e.Kind, Loc: e.Loc, Ord: e.Ord, Atomic: e.Atomic, Spurious: e.Spurious}
			if e.IsRead() {
				ce.RVal, ce.RF = e.RVal, ref(e.RF)
			}
			if e.Kind == graph.Write || e.Kind == graph.RMW {
				ce.WVal = e.WVal
			}
			c.Threads[t] = append(c.Threads[t], ce)
		}
	}
	for l, mo := range g.MO {
		for i, w := range mo {
			if i == 0 && g.Events[w].Kind == graph.Init {
				continue
			}
			c.MO[l] = append(c.MO[l], ref(w))
		}
	}
	return c
}

// Canon is the canonical text of g's execution.
func Canon(g *graph.Graph) string { return FromGraph(g).String() }

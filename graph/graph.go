// Package graph holds execution graphs: the events a program performed, with
// program order, reads-from and modification order. It is the value the
// explorer builds, the models judge and the renderers draw.
package graph

import (
	"fmt"
	"strings"

	"happens/prog"
)

// Kind is an event's kind. The set is closed.
type Kind uint8

const (
	Init  Kind = iota // the initial write of a location
	Read              // a load, or a failed compare-exchange
	Write             // a store
	RMW               // a read-modify-write: one event that reads and writes
	Fence
)

func (k Kind) String() string { return [...]string{"init", "R", "W", "RMW", "F"}[k] }

// ID indexes Graph.Events.
type ID int32

// None is the absent event.
const None ID = -1

// Event is one memory event.
type Event struct {
	Kind   Kind
	Thread int // -1 for initial writes
	Index  int // position in its thread
	Loc    int // -1 for fences
	Ord    prog.Ordering
	Atomic bool
	RVal   uint64 // value read (Read, RMW)
	WVal   uint64 // value written (Init, Write, RMW)
	RF     ID     // the write a Read or RMW reads from
	Instr  *prog.Instr
	// Spurious marks a compare_exchange_weak that failed although the value
	// matched.
	Spurious bool
	// Addr, Data and Ctrl are the event's dependencies on earlier events
	// of its thread, as bit masks over their Index (see interp.MaxDeps).
	Addr, Data, Ctrl uint64
}

// IsRead reports whether e reads memory.
func (e *Event) IsRead() bool { return e.Kind == Read || e.Kind == RMW }

// IsWrite reports whether e writes memory (initial writes included).
func (e *Event) IsWrite() bool { return e.Kind == Write || e.Kind == RMW || e.Kind == Init }

// IsSC reports whether e is a SeqCst atomic access or fence.
func (e *Event) IsSC() bool { return e.Kind != Init && e.Atomic && e.Ord == prog.SeqCst }

// Graph is an execution graph. Events are kept in the order they were
// added; the initial writes come first, one per location.
type Graph struct {
	P       *prog.Program
	Events  []Event
	Threads [][]ID
	// MO lists each location's writes in modification order, the initial
	// write first.
	MO [][]ID
}

// New returns the graph with only the initial writes.
func New(p *prog.Program) *Graph {
	g := &Graph{P: p, Threads: make([][]ID, len(p.Threads)), MO: make([][]ID, len(p.Locs))}
	for i, l := range p.Locs {
		g.Events = append(g.Events, Event{Kind: Init, Thread: -1, Loc: i, WVal: l.Init, RF: None, Atomic: true})
		g.MO[i] = []ID{ID(i)}
	}
	return g
}

// Reset makes g the graph of p with only the initial writes, reusing its
// memory.
func (g *Graph) Reset(p *prog.Program) {
	g.P = p
	g.Events = g.Events[:0]
	if cap(g.Threads) < len(p.Threads) {
		g.Threads = make([][]ID, len(p.Threads))
	}
	g.Threads = g.Threads[:len(p.Threads)]
	for t := range g.Threads {
		g.Threads[t] = g.Threads[t][:0]
	}
	if cap(g.MO) < len(p.Locs) {
		g.MO = make([][]ID, len(p.Locs))
	}
	g.MO = g.MO[:len(p.Locs)]
	for i, l := range p.Locs {
		g.Events = append(g.Events, Event{Kind: Init, Thread: -1, Loc: i, WVal: l.Init, RF: None, Atomic: true})
		g.MO[i] = append(g.MO[i][:0], ID(i))
	}
}

// NumInit is the number of initial writes (one per location).
func (g *Graph) NumInit() int { return len(g.P.Locs) }

// Add appends e to its thread and returns its ID. Writes must then be
// placed in modification order with InsertMO.
func (g *Graph) Add(e Event) ID {
	id := ID(len(g.Events))
	e.Index = len(g.Threads[e.Thread])
	g.Events = append(g.Events, e)
	g.Threads[e.Thread] = append(g.Threads[e.Thread], id)
	return id
}

// InsertMO places write w at position pos (>= 1) of its location's order.
func (g *Graph) InsertMO(w ID, pos int) {
	mo := g.MO[g.Events[w].Loc]
	mo = append(mo, 0)
	copy(mo[pos+1:], mo[pos:])
	mo[pos] = w
	g.MO[g.Events[w].Loc] = mo
}

// RemoveLast undoes the last Add (and its InsertMO, if any).
func (g *Graph) RemoveLast() {
	id := ID(len(g.Events) - 1)
	e := &g.Events[id]
	if e.IsWrite() {
		mo := g.MO[e.Loc]
		for i, w := range mo {
			if w == id {
				g.MO[e.Loc] = append(mo[:i], mo[i+1:]...)
				break
			}
		}
	}
	g.Threads[e.Thread] = g.Threads[e.Thread][:len(g.Threads[e.Thread])-1]
	g.Events = g.Events[:id]
}

// MOPos returns w's position in its location's modification order.
func (g *Graph) MOPos(w ID) int {
	for i, x := range g.MO[g.Events[w].Loc] {
		if x == w {
			return i
		}
	}
	return -1
}

// Final returns the value of the last write to loc in modification order.
func (g *Graph) Final(loc int) uint64 {
	mo := g.MO[loc]
	return g.Events[mo[len(mo)-1]].WVal
}

// Clone returns a deep copy of g.
func (g *Graph) Clone() *Graph {
	c := &Graph{P: g.P, Events: append([]Event(nil), g.Events...)}
	c.Threads = make([][]ID, len(g.Threads))
	for i, t := range g.Threads {
		c.Threads[i] = append([]ID(nil), t...)
	}
	c.MO = make([][]ID, len(g.MO))
	for i, m := range g.MO {
		c.MO[i] = append([]ID(nil), m...)
	}
	return c
}

// Validate checks the graph's invariants: program order matches each
// thread's list, reads-from is functional, same-location and value
// consistent, and modification order is a total order of each location's
// writes with the initial write first.
func (g *Graph) Validate() error {
	seen := make([]int, len(g.Events))
	for t, evs := range g.Threads {
		for i, id := range evs {
			e := &g.Events[id]
			if e.Thread != t || e.Index != i {
				return fmt.Errorf("event %d: thread/index %d/%d, listed at %d/%d", id, e.Thread, e.Index, t, i)
			}
			if e.IsRead() {
				if e.RF < 0 || int(e.RF) >= len(g.Events) {
					return fmt.Errorf("event %d: reads from nothing", id)
				}
				w := &g.Events[e.RF]
				if !w.IsWrite() || w.Loc != e.Loc {
					return fmt.Errorf("event %d: reads from %d, not a write to its location", id, e.RF)
				}
				if w.WVal != e.RVal {
					return fmt.Errorf("event %d: reads %d but its write wrote %d", id, e.RVal, w.WVal)
				}
			}
		}
	}
	for loc, mo := range g.MO {
		if len(mo) == 0 || mo[0] != ID(loc) || g.Events[mo[0]].Kind != Init {
			return fmt.Errorf("location %d: modification order does not start with its initial write", loc)
		}
		for _, w := range mo {
			if g.Events[w].Loc != loc || !g.Events[w].IsWrite() {
				return fmt.Errorf("location %d: event %d in its modification order", loc, w)
			}
			seen[w]++
		}
	}
	for id := range g.Events {
		e := &g.Events[id]
		if e.IsWrite() && seen[id] != 1 {
			return fmt.Errorf("write %d appears %d times in modification order", id, seen[id])
		}
	}
	return nil
}

// Key is a canonical text of the execution: each thread's events with
// where each read reads from, and each location's modification order. Two
// graphs are the same execution exactly when their keys are equal.
func (g *Graph) Key() string {
	var b strings.Builder
	name := func(id ID) string {
		e := &g.Events[id]
		if e.Kind == Init {
			return "i"
		}
		return fmt.Sprintf("%d.%d", e.Thread, e.Index)
	}
	for t, evs := range g.Threads {
		fmt.Fprintf(&b, "T%d:", t)
		for _, id := range evs {
			e := &g.Events[id]
			fmt.Fprintf(&b, " %s%d", e.Kind, e.Loc)
			if e.IsRead() {
				fmt.Fprintf(&b, "<%s", name(e.RF))
			}
			if e.Spurious {
				b.WriteString("~")
			}
		}
		b.WriteByte('\n')
	}
	for loc, mo := range g.MO {
		if len(mo) < 2 {
			continue
		}
		fmt.Fprintf(&b, "mo%d:", loc)
		for _, w := range mo {
			b.WriteString(" " + name(w))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Without returns g without the events drop marks, renumbered, or nil when
// a kept read reads from a dropped write. Modification order keeps the
// remaining writes in their order.
func (g *Graph) Without(drop []bool) *Graph {
	c := &Graph{P: g.P, Threads: make([][]ID, len(g.Threads)), MO: make([][]ID, len(g.MO))}
	newID := make([]ID, len(g.Events))
	for id := range g.Events {
		if drop[id] {
			newID[id] = None
			continue
		}
		newID[id] = ID(len(c.Events))
		c.Events = append(c.Events, g.Events[id])
	}
	// newIndex[t][i]: the new index of thread t's i-th event, for the
	// dependency masks (bit i: the thread's i-th event).
	newIndex := make([][]int, len(g.Threads))
	for t, evs := range g.Threads {
		newIndex[t] = make([]int, len(evs))
		n := 0
		for i, id := range evs {
			newIndex[t][i] = -1
			if !drop[id] {
				newIndex[t][i] = n
				n++
			}
		}
	}
	remap := func(t int, mask uint64) uint64 {
		var out uint64
		for i := 0; i < 64 && i < len(newIndex[t]); i++ {
			if mask&(1<<uint(i)) != 0 && newIndex[t][i] >= 0 && newIndex[t][i] < 64 {
				out |= 1 << uint(newIndex[t][i])
			}
		}
		return out
	}
	for id := range c.Events {
		e := &c.Events[id]
		if e.Kind == Init {
			continue
		}
		if e.IsRead() {
			if newID[e.RF] == None {
				return nil
			}
			e.RF = newID[e.RF]
		}
		e.Addr, e.Data, e.Ctrl = remap(e.Thread, e.Addr), remap(e.Thread, e.Data), remap(e.Thread, e.Ctrl)
		e.Index = len(c.Threads[e.Thread])
		c.Threads[e.Thread] = append(c.Threads[e.Thread], ID(id))
	}
	for loc, mo := range g.MO {
		for _, w := range mo {
			if newID[w] != None {
				c.MO[loc] = append(c.MO[loc], newID[w])
			}
		}
	}
	return c
}

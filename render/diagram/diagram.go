// Package diagram draws one execution graph in the notation of the
// atomics articles happens follows: threads and locations side by side as
// columns, each thread a column of rounded boxes (its events in program
// order, ⇓ between consecutive ones), each location a column of square
// boxes (its values in modification order, the initial value first), and a
// line from every store, RMW and load to the value it writes or reads.
//
//	   t_1        X        t_2
//	╭───────╮   ┌───┐   ╭───────╮
//	│ store ├─┐ │ 0 │ ┌─┤ load  │
//	╰───────╯ │ └───┘ │ ╰───╥───╯
//	          └─↘───┐ │ ╭───⇓───╮
//	            │ 1 ├─┘┌→ fence │
//	            └───┴──┘╰───────╯
//
// Arrowheads mark synchronisation: a diagonal arrow into a value's corner
// marks a release (a release store's or RMW's own value, or the value a
// release fence releases through a later store), and an arrow into an
// event marks the acquire end of a synchronises-with edge (an acquire load
// or RMW, or an acquire fence, whose line then starts at the bottom corner
// of the value that was read before it). An RMW's read of the value just
// before its own is the ↓ between the two values.
//
// Write draws text (box-drawing characters, or plain ASCII), SVG draws the
// same layout as a standalone picture, and DOT writes the graph's relations
// (po, rf, mo, sw, hb) for Graphviz. All three are pure writers.
package diagram

import (
	"fmt"
	"io"
	"strings"

	"happens/graph"
	"happens/model"
)

// LabelStyle chooses what an event's box says.
type LabelStyle uint8

const (
	// LabelOps names the operation: store, load, rmw, cas, fence; write and
	// read for non-atomic accesses (the articles' notation).
	LabelOps LabelStyle = iota
	// LabelOrderings adds the memory ordering: "store rel", "fence acq".
	LabelOrderings
	// LabelSource shows the source text: "X.store(1, Release)".
	LabelSource
)

// DefaultWidth is the width a drawing fits when Options.Width is 0.
const DefaultWidth = 80

// Options adjust a drawing.
type Options struct {
	// Width is the terminal width the text drawing must fit: when all
	// threads side by side are wider, the threads are split into groups
	// drawn one below the other, each with the locations its threads use.
	// 0 means DefaultWidth; negative means no limit. A single thread with
	// its locations is never split, so a very narrow width can still be
	// exceeded.
	Width int
	// ASCII draws with plain ASCII instead of box-drawing characters.
	ASCII bool
	// Labels chooses what event boxes say.
	Labels LabelStyle
	// Cycle, when set, is a cycle of events that breaks a model's axiom
	// (model.Violation.Cycle): its events are drawn heavy (in text and SVG)
	// and listed under the drawing, and DOT draws its edges.
	Cycle []graph.ID
	// CycleLabel names the violated axiom, e.g. "coherence".
	CycleLabel string
}

func (o Options) width() int {
	if o.Width == 0 {
		return DefaultWidth
	}
	return o.Width
}

// Write draws g as text to w. m gives synchronises-with (the arrowheads);
// nil draws no synchronisation.
func Write(w io.Writer, g *graph.Graph, m *model.Model, opts Options) error {
	if err := check(g); err != nil {
		return err
	}
	sc := newScene(g, m, opts)
	var b strings.Builder
	if len(sc.threadsWithEvents()) == 0 {
		b.WriteString("(no memory events)\n")
	}
	for i, lay := range sc.layouts() {
		if i > 0 {
			b.WriteByte('\n')
		}
		lay.text(&b, opts.ASCII)
	}
	sc.footer(&b, opts.ASCII)
	_, err := io.WriteString(w, b.String())
	return err
}

func check(g *graph.Graph) error {
	if g == nil || g.P == nil {
		return fmt.Errorf("diagram: no execution graph")
	}
	if len(g.Threads) != len(g.P.Threads) || len(g.MO) != len(g.P.Locs) {
		return fmt.Errorf("diagram: graph does not match its program")
	}
	return nil
}

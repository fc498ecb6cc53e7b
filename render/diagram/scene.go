package diagram

import (
	"fmt"
	"strings"

	"happens/graph"
	"happens/model"
	"happens/prog"
)

// linkKind says what a line between an event and a value means.
type linkKind uint8

const (
	linkWrite   linkKind = iota // a store or RMW to the value it writes
	linkRead                    // a value to a load (or RMW) that reads it
	linkRelease                 // a release fence to the value it releases
	linkAcquire                 // a value read before an acquire fence, to the fence
)

// link is one line: between a thread's event and a value box (named by
// the write that wrote it).
type link struct {
	kind     linkKind
	ev       graph.ID
	val      graph.ID
	arrowVal bool // arrowhead at the value (a release)
	arrowEv  bool // arrowhead at the event (the acquire end of sw)
}

// scene is what to draw, before any placement.
type scene struct {
	g      *graph.Graph
	opts   Options
	labels []string // per event
	links  []link
	// down marks RMWs whose read is drawn as ↓ from the value just before
	// theirs.
	down  map[graph.ID]bool
	sw    [][2]graph.ID
	hb    func(a, b graph.ID) bool
	cycle map[graph.ID]bool
	// Memory reused by the layouts, made one after the other: the wide
	// grid and the route pricer's sums.
	wide   []cell
	coster pathCoster
}

func newScene(g *graph.Graph, m *model.Model, opts Options) *scene {
	s := &scene{g: g, opts: opts, down: map[graph.ID]bool{}, cycle: map[graph.ID]bool{}}
	s.hb = func(a, b graph.ID) bool {
		ea, eb := &g.Events[a], &g.Events[b]
		return ea.Thread >= 0 && ea.Thread == eb.Thread && ea.Index < eb.Index
	}
	if m != nil {
		x := model.NewExec(g)
		sw, hb := m.SW(x), m.HB(x)
		for i := 0; i < x.N; i++ {
			for j := 0; j < x.N; j++ {
				if sw.Has(i, j) {
					s.sw = append(s.sw, [2]graph.ID{x.ID(i), x.ID(j)})
				}
			}
		}
		s.hb = func(a, b graph.ID) bool {
			i, j := x.Dense(a), x.Dense(b)
			return i >= 0 && j >= 0 && hb.Has(i, j)
		}
	}
	for _, id := range opts.Cycle {
		if id >= 0 && int(id) < len(g.Events) {
			s.cycle[id] = true
		}
	}
	s.labels = make([]string, len(g.Events))
	for id := range g.Events {
		s.labels[id] = s.text(s.label(graph.ID(id)))
	}
	s.buildLinks()
	return s
}

func (s *scene) add(l link) {
	for i := range s.links {
		o := &s.links[i]
		if o.kind == l.kind && o.ev == l.ev && o.val == l.val {
			o.arrowVal = o.arrowVal || l.arrowVal
			o.arrowEv = o.arrowEv || l.arrowEv
			return
		}
	}
	s.links = append(s.links, l)
}

// moPrev is the write just before w in its location's modification order.
func (s *scene) moPrev(w graph.ID) graph.ID {
	mo := s.g.MO[s.g.Events[w].Loc]
	for i, x := range mo {
		if x == w && i > 0 {
			return mo[i-1]
		}
	}
	return graph.None
}

func (s *scene) buildLinks() {
	g := s.g
	acquired := map[graph.ID]bool{} // reads and RMWs at the acquire end of sw
	var extra []link
	for _, e := range s.sw {
		a, b := e[0], e[1]
		ea, eb := &g.Events[a], &g.Events[b]
		if eb.IsRead() {
			acquired[b] = true
		}
		// Find the read that makes the edge (b itself, or a read before the
		// fence b), the write s it read, and the write h of a's release
		// sequence that s continues.
		var reads []graph.ID
		if eb.IsRead() {
			reads = []graph.ID{b}
		} else if eb.Thread >= 0 {
			evs := g.Threads[eb.Thread]
			for i := eb.Index - 1; i >= 0; i-- {
				if g.Events[evs[i]].IsRead() {
					reads = append(reads, evs[i])
				}
			}
		}
		found := false
		for _, r := range reads {
			src := g.Events[r].RF
			if src < 0 {
				continue
			}
			for h, steps := src, 0; h >= 0 && steps <= len(g.Events); steps++ {
				eh := &g.Events[h]
				if h == a || (eh.Thread >= 0 && eh.Thread == ea.Thread && ea.Index < eh.Index && (ea.Kind == graph.Fence || eh.Loc == ea.Loc)) {
					found = true
					if ea.Kind == graph.Fence {
						extra = append(extra, link{kind: linkRelease, ev: a, val: h, arrowVal: true})
					}
					if eb.Kind == graph.Fence {
						extra = append(extra, link{kind: linkAcquire, ev: b, val: src, arrowEv: true})
					}
					break
				}
				if eh.Kind != graph.RMW {
					break
				}
				h = eh.RF
			}
			if found {
				break
			}
		}
		if !found && eb.Kind == graph.Fence && len(reads) > 0 && g.Events[reads[0]].RF >= 0 {
			// Not explained by a release sequence (a model with other
			// rules): still show the edge, from the last value read.
			extra = append(extra, link{kind: linkAcquire, ev: b, val: g.Events[reads[0]].RF, arrowEv: true})
		}
	}
	for t := range g.Threads {
		for _, id := range g.Threads[t] {
			e := &g.Events[id]
			switch e.Kind {
			case graph.Write:
				s.add(link{kind: linkWrite, ev: id, val: id, arrowVal: e.Atomic && e.Ord.IsRelease()})
			case graph.RMW:
				s.add(link{kind: linkWrite, ev: id, val: id, arrowVal: e.Ord.IsRelease()})
				if e.RF >= 0 && s.moPrev(id) == e.RF {
					s.down[id] = true
				}
				if e.RF >= 0 && (acquired[id] || !s.down[id]) {
					s.add(link{kind: linkRead, ev: id, val: e.RF, arrowEv: acquired[id]})
				}
			case graph.Read:
				if e.RF >= 0 {
					s.add(link{kind: linkRead, ev: id, val: e.RF, arrowEv: acquired[id]})
				}
			}
		}
	}
	for _, l := range extra {
		s.add(l)
	}
}

var shortOrd = map[prog.Ordering]string{
	prog.Relaxed: "rlx", prog.Acquire: "acq", prog.Release: "rel",
	prog.AcqRel: "acqrel", prog.SeqCst: "sc", prog.Consume: "con",
}

// op is the operation's name in the articles' notation.
func (s *scene) op(id graph.ID) string {
	e := &s.g.Events[id]
	cas := e.Instr != nil && e.Instr.Op == prog.OpCAS
	switch e.Kind {
	case graph.Init:
		return "init"
	case graph.Fence:
		return "fence"
	case graph.Write:
		if !e.Atomic {
			return "write"
		}
		return "store"
	case graph.RMW:
		if cas {
			return "cas"
		}
		return "rmw"
	}
	if cas {
		return "cas fail"
	}
	if !e.Atomic {
		return "read"
	}
	return "load"
}

func (s *scene) label(id graph.ID) string {
	e := &s.g.Events[id]
	switch s.opts.Labels {
	case LabelSource:
		if e.Instr != nil && e.Instr.Text != "" {
			return shortenSource(e.Instr.Text)
		}
		fallthrough
	case LabelOrderings:
		if e.Kind != graph.Init && (e.Atomic || e.Kind == graph.Fence) {
			return s.op(id) + " " + shortOrd[e.Ord]
		}
	}
	return s.op(id)
}

// shortenSource drops the paths in front of orderings and fences so that a
// box stays narrow: "X.store(1, atomic::Ordering::Release)" becomes
// "X.store(1, Release)".
func shortenSource(t string) string {
	for _, p := range []string{"std::sync::atomic::Ordering::", "core::sync::atomic::Ordering::", "atomic::Ordering::", "Ordering::", "std::sync::atomic::", "core::sync::atomic::", "atomic::"} {
		t = strings.ReplaceAll(t, p, "")
	}
	return strings.Join(strings.Fields(t), " ")
}

// value is the text of the value write w wrote.
func (s *scene) value(w graph.ID) string {
	e := &s.g.Events[w]
	return s.text(s.g.P.FormatValue(s.g.P.Locs[e.Loc].Type, e.WVal))
}

// text keeps s as it is, or in ASCII mode spells it in ASCII ("…" as
// "...", any other non-ASCII character as "?") so that the drawing is
// plain ASCII throughout.
func (s *scene) text(t string) string {
	if !s.opts.ASCII {
		return t
	}
	var b strings.Builder
	for _, r := range t {
		switch {
		case r == '…':
			b.WriteString("...")
		case r == '→':
			b.WriteString("->")
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// name is an event's short name: "t_1 store" or "init X".
func (s *scene) name(id graph.ID) string {
	e := &s.g.Events[id]
	if e.Kind == graph.Init {
		return "init " + s.g.P.Locs[e.Loc].Name
	}
	return fmt.Sprintf("%s#%d %s", s.g.P.Threads[e.Thread].Name, e.Index+1, s.op(id))
}

// describe is an event's full description, for SVG titles and DOT labels.
func (s *scene) describe(id graph.ID) string {
	e := &s.g.Events[id]
	p := s.g.P
	if e.Kind == graph.Init {
		l := p.Locs[e.Loc]
		return fmt.Sprintf("%s: initial value %s", l.Name, s.value(id))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s#%d", p.Threads[e.Thread].Name, e.Index+1)
	if e.Instr != nil && e.Instr.Text != "" {
		fmt.Fprintf(&b, ": %s", e.Instr.Text)
	}
	ord := e.Ord.String()
	if !e.Atomic && e.Kind != graph.Fence {
		ord = "non-atomic"
	}
	b.WriteString(" (")
	switch e.Kind {
	case graph.Fence:
		fmt.Fprintf(&b, "fence %s", ord)
	case graph.Read:
		fmt.Fprintf(&b, "reads %s = %s, %s", p.Locs[e.Loc].Name, p.FormatValue(p.Locs[e.Loc].Type, e.RVal), ord)
	case graph.Write:
		fmt.Fprintf(&b, "writes %s = %s, %s", p.Locs[e.Loc].Name, s.value(id), ord)
	case graph.RMW:
		fmt.Fprintf(&b, "%s: %s → %s, %s", p.Locs[e.Loc].Name, p.FormatValue(p.Locs[e.Loc].Type, e.RVal), s.value(id), ord)
	}
	if e.Instr != nil && e.Instr.Pos.IsValid() {
		fmt.Fprintf(&b, ", line %d", e.Instr.Pos.Line)
	}
	b.WriteString(")")
	return b.String()
}

// footer lists the cycle, when there is one.
func (s *scene) footer(b *strings.Builder, ascii bool) {
	if len(s.opts.Cycle) == 0 {
		return
	}
	arrow := " → "
	if ascii {
		arrow = " -> "
	}
	label := s.opts.CycleLabel
	if label == "" {
		label = "cycle"
	}
	var parts []string
	for _, id := range s.opts.Cycle {
		if id >= 0 && int(id) < len(s.g.Events) {
			parts = append(parts, s.text(s.name(id)))
		}
	}
	if len(parts) > 0 {
		parts = append(parts, parts[0])
	}
	mark := "✗"
	if ascii {
		mark = "x"
	}
	fmt.Fprintf(b, "\n%s %s: %s\n", mark, s.text(label), strings.Join(parts, arrow))
}

// threadsWithEvents lists the threads that have events, in order.
func (s *scene) threadsWithEvents() []int {
	var ts []int
	for t, evs := range s.g.Threads {
		if len(evs) > 0 {
			ts = append(ts, t)
		}
	}
	return ts
}

// layouts places the threads, in one group or, when that is wider than
// the width, in several.
func (s *scene) layouts() []*layout {
	ts := s.threadsWithEvents()
	if len(ts) == 0 {
		return nil
	}
	all := newLayout(s, ts)
	limit := s.opts.width()
	if limit < 0 || all.width <= limit || len(ts) == 1 {
		return []*layout{all}
	}
	// Split, in the order the whole drawing puts the threads.
	var order []int
	for _, c := range all.cols {
		if c.thread >= 0 {
			order = append(order, c.thread)
		}
	}
	var out []*layout
	var cur []int
	var curLay *layout
	for _, t := range order {
		try := append(append([]int(nil), cur...), t)
		if len(cur) > 0 && s.minWidth(try) > limit {
			out = append(out, curLay)
			cur, curLay = []int{t}, newLayout(s, []int{t})
			continue
		}
		l := newLayout(s, try)
		if len(cur) > 0 && l.width > limit {
			out = append(out, curLay)
			cur, curLay = []int{t}, newLayout(s, []int{t})
			continue
		}
		cur, curLay = try, l
	}
	return append(out, curLay)
}

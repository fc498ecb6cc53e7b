package diagram

import (
	"fmt"
	"io"
	"strings"

	"happens/graph"
	"happens/model"
)

// SVG geometry: one character cell of the text layout.
const (
	cellW   = 10
	cellH   = 20
	svgPad  = 12
	legendH = 22
	// legendCharW is a generous width of a 14px monospace character, to
	// size the picture to its texts.
	legendCharW = 9
)

const svgStyle = `
text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 14px; fill: #1d1d1f; }
.head { font-weight: bold; }
.event rect { fill: #eef3fb; stroke: #37507a; stroke-width: 1.5; }
.value rect { fill: #fbf7ee; stroke: #7a6337; stroke-width: 1.5; }
.cycle rect { fill: #fdecea; stroke: #c62828; stroke-width: 3; }
.link { fill: none; stroke: #555; stroke-width: 1.5; }
.link.sync { stroke: #c62828; stroke-width: 2; }
.po { stroke: #37507a; stroke-width: 3.5; }
.po-inner { stroke: #eef3fb; stroke-width: 1.2; }
.down { stroke: #7a6337; stroke-width: 1.5; }
.legend { font-size: 12px; fill: #555; }
.footer { fill: #c62828; }
`

// SVG draws g as a standalone SVG picture with the layout Write uses:
// the same columns, boxes and lines, each event's box titled with its
// source text. It wraps into groups only when opts.Width is positive (a
// picture has no terminal width).
func SVG(w io.Writer, g *graph.Graph, m *model.Model, opts Options) error {
	if err := check(g); err != nil {
		return err
	}
	o := opts
	o.ASCII = false
	if o.Width <= 0 {
		o.Width = -1
	}
	sc := newScene(g, m, o)
	lays := sc.layouts()
	width, height := 0, 0
	for i, l := range lays {
		if i > 0 {
			height++
		}
		width = max(width, l.w)
		height += len(l.grid)
	}
	footer := ""
	if len(opts.Cycle) > 0 {
		var b strings.Builder
		sc.footer(&b, false)
		footer = strings.TrimSpace(b.String())
	}
	legend := []string{
		"lines: each access to the value it writes or reads",
		"red arrows: synchronises-with · ⇓ sequenced-before · ↓ an RMW's read",
	}
	texts := legend
	if footer != "" {
		texts = append([]string{footer}, legend...)
	}
	pw := width*cellW + 2*svgPad
	for _, t := range texts {
		pw = max(pw, runeLen(t)*legendCharW+2*svgPad)
	}
	ph := height*cellH + 2*svgPad + len(texts)*legendH
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", pw, ph, pw, ph)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc("execution of "+g.P.Name))
	fmt.Fprintf(&b, "<style>%s</style>\n", svgStyle)
	b.WriteString(`<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker>
<marker id="arrow-po" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" markerHeight="4" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#37507a"/></marker>
<marker id="arrow-down" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7a6337"/></marker>
</defs>
`)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", pw, ph)
	top := 0
	for i, l := range lays {
		if i > 0 {
			top++
		}
		l.svg(&b, svgPad, svgPad+top*cellH)
		top += len(l.grid)
	}
	y := svgPad + top*cellH + 16
	for i, t := range texts {
		class := "legend"
		if footer != "" && i == 0 {
			class = "footer"
		}
		fmt.Fprintf(&b, `<text class="%s" x="%d" y="%d">%s</text>`+"\n", class, svgPad, y, esc(t))
		y += legendH
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// cx, cy: the centre of a cell, in pixels.
func cx(x0, x int) int { return x0 + x*cellW + cellW/2 }
func cy(y0, y int) int { return y0 + y*cellH + cellH/2 }

func (l *layout) svg(b *strings.Builder, x0, y0 int) {
	sc := l.sc
	for _, c := range l.cols {
		fmt.Fprintf(b, `<text class="head" x="%d" y="%d" text-anchor="middle" dominant-baseline="central">%s</text>`+"\n",
			x0+c.x*cellW+c.w*cellW/2, cy(y0, 0), esc(c.name))
	}
	// Lines first, so that boxes cover their ends.
	for _, r := range l.routes {
		pts := r.pts
		arrow := r.a.arrow != 0 || r.b.arrow != 0
		if r.a.arrow != 0 {
			pts = reversed(pts)
		}
		var ps []string
		for _, p := range pts {
			ps = append(ps, fmt.Sprintf("%d,%d", cx(x0, p.x), cy(y0, p.y)))
		}
		class := "link"
		marker := ""
		if arrow {
			class += " sync"
			marker = ` marker-end="url(#arrow)"`
		}
		fmt.Fprintf(b, `<polyline class="%s" points="%s"%s><title>%s</title></polyline>`+"\n",
			class, strings.Join(ps, " "), marker, esc(sc.linkTitle(r.l)))
	}
	for _, bx := range l.allBoxes() {
		class := "event"
		rx := 9
		title := sc.describe(bx.id)
		if bx.value {
			class, rx = "value", 0
			title = sc.valueTitle(bx.id)
		}
		if bx.heavy {
			class += " cycle"
		}
		x1, x2 := cx(x0, bx.x), cx(x0, bx.x+bx.w-1)
		y1, y2 := cy(y0, bx.y), cy(y0, bx.y+2)
		fmt.Fprintf(b, `<g class="%s"><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="%d"/>`,
			class, esc(title), x1, y1, x2-x1, y2-y1, rx)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" dominant-baseline="central">%s</text></g>`+"\n",
			(x1+x2)/2, (y1+y2)/2, esc(bx.text))
	}
	for _, p := range l.poPairs {
		x := cx(x0, p[0].x+p[0].w/2)
		ya, yb := cy(y0, p[0].y+2), cy(y0, p[1].y)
		fmt.Fprintf(b, `<g><title>sequenced-before</title><line class="po" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#arrow-po)"/><line class="po-inner" x1="%d" y1="%d" x2="%d" y2="%d"/></g>`+"\n",
			x, ya, x, yb-3, x, ya, x, yb-6)
	}
	for _, d := range l.downs {
		x := cx(x0, d[0].x+d[0].w/2)
		fmt.Fprintf(b, `<line class="down" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#arrow-down)"><title>%s</title></line>`+"\n",
			x, cy(y0, d[0].y+2), x, cy(y0, d[1].y), esc(sc.name(d[1].id)+" reads this value"))
	}
}

func (l *layout) allBoxes() []*box {
	var out []*box
	for _, c := range l.cols {
		out = append(out, c.boxes...)
	}
	return out
}

func reversed(pts []pt) []pt {
	out := make([]pt, len(pts))
	for i, p := range pts {
		out[len(pts)-1-i] = p
	}
	return out
}

func (s *scene) valueTitle(w graph.ID) string {
	e := &s.g.Events[w]
	loc := s.g.P.Locs[e.Loc].Name
	if e.Kind == graph.Init {
		return fmt.Sprintf("%s = %s (initial value)", loc, s.value(w))
	}
	return fmt.Sprintf("%s = %s, written by %s", loc, s.value(w), s.describe(w))
}

func (s *scene) linkTitle(l link) string {
	ev, val := s.name(l.ev), s.g.P.Locs[s.g.Events[l.val].Loc].Name+" = "+s.value(l.val)
	switch l.kind {
	case linkWrite:
		if l.arrowVal {
			return ev + " writes " + val + " (release)"
		}
		return ev + " writes " + val
	case linkRead:
		if l.arrowEv {
			return ev + " reads " + val + " and synchronises with its release"
		}
		return ev + " reads " + val
	case linkRelease:
		return ev + " releases " + val + " (release fence before the store)"
	}
	return ev + " acquires " + val + " (acquire fence after the load): synchronises-with"
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func esc(s string) string { return xmlEscaper.Replace(s) }

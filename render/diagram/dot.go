package diagram

import (
	"fmt"
	"io"
	"strings"

	"happens/graph"
	"happens/model"
)

// Edge styles of the DOT output, by relation.
var dotStyle = map[string]string{
	"po": `color="#37507a", penwidth=2`,
	"rf": `color="#2e7d32", fontcolor="#2e7d32"`,
	"mo": `color="#6a1b9a", fontcolor="#6a1b9a", style=dashed`,
	"sw": `color="#c62828", fontcolor="#c62828", penwidth=2`,
	"hb": `color="#888888", fontcolor="#888888", style=dotted, constraint=false`,
}

// DOT writes g as a Graphviz digraph: one cluster per thread (and one for
// the initial values), and the edges of program order (po, immediate
// successors), reads-from (rf), modification order (mo, immediate
// successors), synchronises-with (sw) and happens-before (hb), each
// coloured and labelled. hb is drawn only where it says more than po and
// sw: between threads, from the last event of one thread that happens
// before the first event of another, unless sw already joins them. A
// non-empty opts.Cycle is drawn as bold red edges labelled
// opts.CycleLabel.
func DOT(w io.Writer, g *graph.Graph, m *model.Model, opts Options) error {
	if err := check(g); err != nil {
		return err
	}
	sc := newScene(g, m, opts)
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(g.P.Name))
	b.WriteString("  newrank=true;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"monospace\"];\n  edge [fontname=\"monospace\", fontsize=10];\n")
	used := usedLocs(g)
	node := func(id graph.ID, indent string) {
		label := sc.describe(id)
		attrs := ""
		if g.Events[id].Kind == graph.Init {
			label = g.P.Locs[g.Events[id].Loc].Name + " = " + sc.value(id)
			attrs = `, shape=box, style=filled, fillcolor="#fbf7ee"`
		} else {
			label = fmt.Sprintf("%s#%d %s\n%s", g.P.Threads[g.Events[id].Thread].Name, g.Events[id].Index+1, sc.label(id), sourceOf(g, id))
		}
		if sc.cycle[id] {
			attrs += `, color="#c62828", penwidth=3`
		}
		fmt.Fprintf(&b, "%se%d [label=%s, tooltip=%s%s];\n", indent, id, dotQuote(strings.TrimSpace(label)), dotQuote(sc.describe(id)), attrs)
	}
	b.WriteString("  subgraph cluster_init {\n    label=\"initial values\"; style=dashed;\n")
	for loc := range g.P.Locs {
		if used[loc] {
			node(g.MO[loc][0], "    ")
		}
	}
	b.WriteString("  }\n")
	for t, evs := range g.Threads {
		if len(evs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph cluster_t%d {\n    label=%s;\n", t, dotQuote(g.P.Threads[t].Name))
		for _, id := range evs {
			node(id, "    ")
		}
		b.WriteString("  }\n")
	}
	edge := func(a, c graph.ID, rel string) {
		fmt.Fprintf(&b, "  e%d -> e%d [label=%s, %s];\n", a, c, dotQuote(rel), dotStyle[rel])
	}
	for _, evs := range g.Threads {
		for i := 1; i < len(evs); i++ {
			edge(evs[i-1], evs[i], "po")
		}
	}
	for _, evs := range g.Threads {
		for _, id := range evs {
			if e := &g.Events[id]; e.IsRead() && e.RF >= 0 {
				edge(e.RF, id, "rf")
			}
		}
	}
	for loc, mo := range g.MO {
		if !used[loc] {
			continue
		}
		for i := 1; i < len(mo); i++ {
			edge(mo[i-1], mo[i], "mo")
		}
	}
	sw := map[[2]graph.ID]bool{}
	for _, e := range sc.sw {
		sw[e] = true
		edge(e[0], e[1], "sw")
	}
	if m != nil {
		for _, e := range crossHB(g, sc.hb) {
			if !sw[e] {
				edge(e[0], e[1], "hb")
			}
		}
	}
	if n := len(opts.Cycle); n > 0 {
		label := opts.CycleLabel
		if label == "" {
			label = "cycle"
		}
		for i, a := range opts.Cycle {
			c := opts.Cycle[(i+1)%n]
			if a < 0 || c < 0 || int(a) >= len(g.Events) || int(c) >= len(g.Events) {
				continue
			}
			fmt.Fprintf(&b, "  e%d -> e%d [label=%s, color=\"#c62828\", fontcolor=\"#c62828\", penwidth=3, style=bold, constraint=false];\n", a, c, dotQuote(label))
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// crossHB lists the happens-before edges between threads that no other
// such edge implies: a hb b with a the last event of its thread that
// happens before b, and b the first event of its thread after a.
func crossHB(g *graph.Graph, hb func(a, b graph.ID) bool) [][2]graph.ID {
	var out [][2]graph.ID
	for t, evs := range g.Threads {
		for u, fvs := range g.Threads {
			if t == u {
				continue
			}
			for i, a := range evs {
				for _, c := range fvs {
					if !hb(a, c) {
						continue
					}
					// c is the first event of u after a; a must be the last
					// event of t before c.
					if i+1 >= len(evs) || !hb(evs[i+1], c) {
						out = append(out, [2]graph.ID{a, c})
					}
					break
				}
			}
		}
	}
	return out
}

func usedLocs(g *graph.Graph) []bool {
	used := make([]bool, len(g.P.Locs))
	for _, evs := range g.Threads {
		for _, id := range evs {
			if l := g.Events[id].Loc; l >= 0 {
				used[l] = true
			}
		}
	}
	return used
}

func sourceOf(g *graph.Graph, id graph.ID) string {
	e := &g.Events[id]
	if e.Instr == nil || e.Instr.Text == "" {
		return ""
	}
	return shortenSource(e.Instr.Text)
}

// dotQuote makes a DOT string literal.
func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	s = strings.ReplaceAll(s, "\n", `\n`)
	return `"` + s + `"`
}

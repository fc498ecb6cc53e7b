package render

import (
	"fmt"
	"io"
	"strings"

	"happens/explain"
	"happens/graph"
	"happens/model"
	"happens/prog"
	"happens/render/diagram"
)

// axiomSentences say in words what breaking each axiom would mean.
var axiomSentences = map[string]string{
	"coherence":   "it would break coherence: an access would happen before another one that precedes it in the location's coherence order (reads-from, modification order, reads-before), so the two would disagree about the order of writes to one location.",
	"atomicity":   "a read-modify-write would not read the write just before it in modification order.",
	"no-thin-air": "values would come out of thin air: a cycle of sequenced-before and reads-from.",
	"hb":          "happens-before would be cyclic.",
	"visible":     "a plain (non-atomic) read would read a write that is not the latest one happening before it.",
	"sc-reads":    "in every total order S of the SeqCst operations that respects the other rules, some SeqCst read would read a write older than the last SeqCst write before it in S.",
	"uniproc":     "a single core would see its own accesses to one location out of order (po-loc, rf, fr and co form a cycle).",
	"tso":         "x86-TSO's global order would be cyclic: only a store followed by a later load may be reordered (through the store buffer), and locked instructions and mfence forbid even that.",
	"internal":    "a core would see its own accesses to one location out of order (po-loc, fr, co and rf form a cycle).",
	"external":    "ARMv8's ordered-before would be cyclic: the cycle passes only through edges the architecture must respect (communication between cores, dependencies, barriers, acquire/release).",
	"atomic":      "another core's write would come between an exclusive load and its store.",
}

// AxiomSentence says in words what breaking a model's axiom would mean.
func AxiomSentence(m, axiom string) string {
	if axiom == "sc" {
		switch m {
		case "sc":
			return "no interleaving produces it: program order, reads-from, modification order and reads-before would form a cycle."
		case "rc11":
			return "RC11's partial order on SeqCst events (psc) would be cyclic: no single order of the SeqCst operations can exist."
		case "c11":
			return "the single total order S of SeqCst operations would have to contain a cycle (it must follow happens-before, modification order, and the SeqCst fence rules through sequenced-before)."
		}
		return "the single total order S of SeqCst operations would have to contain a cycle (it must contain strongly-happens-before, coherence order between SeqCst operations, and the SeqCst fence rules)."
	}
	if s, ok := axiomSentences[axiom]; ok {
		return s
	}
	return "it breaks " + axiom + "."
}

// DescribeEvent names an event by thread and source text: "t1: X.load(SeqCst) = 0".
func DescribeEvent(g *graph.Graph, id graph.ID) string {
	e := &g.Events[id]
	if e.Kind == graph.Init {
		l := g.P.Locs[e.Loc]
		return fmt.Sprintf("initial %s = %s", l.Name, g.P.FormatValue(l.Type, e.WVal))
	}
	th := g.P.Threads[e.Thread].Name
	text := EventLabel(g, id)
	if e.Instr != nil && e.Instr.Text != "" {
		text = e.Instr.Text
	}
	if e.IsRead() {
		l := g.P.Locs[e.Loc]
		text += " = " + g.P.FormatValue(l.Type, e.RVal)
	}
	return th + ": " + text
}

func line(g *graph.Graph, id graph.ID) string {
	e := &g.Events[id]
	if e.Instr != nil && e.Instr.Pos.IsValid() {
		return fmt.Sprintf("line %d", e.Instr.Pos.Line)
	}
	return ""
}

// Cycle writes a cycle as one event per line with the relation to the next.
func Cycle(w io.Writer, g *graph.Graph, steps []explain.Step) {
	width := 0
	for _, s := range steps {
		if n := len([]rune(DescribeEvent(g, s.Event))); n > width {
			width = n
		}
	}
	for i, s := range steps {
		rel := "   "
		if i > 0 {
			rel = steps[i-1].Rel
		}
		fmt.Fprintf(w, "      %-4s %-*s  %s\n", rel, width, DescribeEvent(g, s.Event), line(g, s.Event))
	}
	if len(steps) > 0 {
		fmt.Fprintf(w, "      %-4s %s  (the first again)\n", steps[len(steps)-1].Rel, DescribeEvent(g, steps[0].Event))
	}
}

// ExplainOptions say how Explanation draws.
type ExplainOptions struct {
	Draw  bool
	ASCII bool
	Width int
}

// Explanation writes the answer to "can this outcome happen?"; question
// is the question itself ("Can (a == 0) happen").
func Explanation(w io.Writer, p *prog.Program, m *model.Model, question string, a *explain.Answer, opts ExplainOptions) error {
	b := &strings.Builder{}
	dopts := diagram.Options{Width: opts.Width, ASCII: opts.ASCII}
	fmt.Fprintf(b, "%s in %s under %s?\n", question, p.Name, m.Name)
	kind := "candidate execution"
	if !a.Incoherent {
		kind = "coherent candidate execution" // atomic, coherent, no thin air
	}
	switch {
	case a.Possible():
		if a.Candidates == 1 {
			fmt.Fprintf(b, "Yes: the one %s that produces it is consistent.\n", kind)
		} else {
			fmt.Fprintf(b, "Yes: %d of the %d %ss that produce it are consistent.\n", a.Consistent, a.Candidates, kind)
		}
		if a.Racy == a.Consistent {
			b.WriteString("But every one of them has a data race: the program's behaviour is undefined there, so this outcome needs undefined behaviour.\n")
		} else if a.Racy > 0 {
			fmt.Fprintf(b, "(%d of them have a data race.)\n", a.Racy)
		}
		b.WriteString("\nOne of them:\n")
		diagram.Write(b, a.Witness, m, dopts)
		if m.Name == "sc" {
			if order, ok := explain.Interleaving(a.Witness); ok {
				b.WriteString("\nAn interleaving that produces it:\n")
				for i, id := range order {
					fmt.Fprintf(b, "  %2d. %s\n", i+1, DescribeEvent(a.Witness, id))
				}
			}
		}
	case a.Partial:
		if a.Candidates == 0 {
			fmt.Fprintf(b, "Unknown: no %s explored so far produces it, but the search was cut short, so this is not a no.\n", kind)
		} else {
			fmt.Fprintf(b, "Unknown: the model rejects the %s explored so far that produce it, but the search was cut short, so this is not a no.\n", plural(a.Candidates, kind))
		}
		writeReasons(b, m, a, opts, dopts)
	case a.Candidates == 0 && a.Sampled:
		b.WriteString("No: no execution that respects coherence and atomicity (which every model here requires) produces it. (A bounded sample of candidate executions that break them found none that produces it either.)\n")
	case a.Candidates == 0:
		b.WriteString("No: no candidate execution produces it. Any execution with these values would need a read to take its value from a write that depends on that very read (a cycle in sb ∪ rf, ruled out by no-thin-air), or the program never computes them.\n")
	default:
		if a.Incoherent {
			fmt.Fprintf(b, "No: no execution that respects coherence and atomicity (what every model requires) produces it; %s that break them would", plural(a.Candidates, kind))
			if a.Sampled {
				b.WriteString(" (among the first raw candidates: --max-candidates cut the sample, not the answer)")
			}
			b.WriteString(", and the model rejects every one.\n")
		} else {
			fmt.Fprintf(b, "No: %s (atomic, coherent, no values out of thin air) would produce it, and the model rejects every one.\n", plural(a.Candidates, kind))
		}
		writeReasons(b, m, a, opts, dopts)
	}
	for _, why := range a.Why {
		fmt.Fprintf(b, "\nPARTIAL (%s): the answer covers only what was explored.\n", why)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeReasons(b *strings.Builder, m *model.Model, a *explain.Answer, opts ExplainOptions, dopts diagram.Options) {
	for _, r := range a.Reasons {
		fmt.Fprintf(b, "\n%s: %s\n", countOf(r.Count, a.Candidates), AxiomSentence(m.Name, r.Axiom))
		fmt.Fprintf(b, "  Axiom %s: %s. Shortest cycle found:\n", r.Axiom, r.Text)
		Cycle(b, r.G, r.Cycle)
		if opts.Draw {
			o := dopts
			o.CycleLabel = r.Axiom
			for _, s := range r.Cycle {
				o.Cycle = append(o.Cycle, s.Event)
			}
			b.WriteString("\n")
			diagram.Write(b, r.G, m, o)
		}
	}
}

func countOf(n, total int) string {
	if n == total {
		if n == 1 {
			return "It"
		}
		return fmt.Sprintf("All %d", n)
	}
	return fmt.Sprintf("%d of them", n)
}

// Comparison writes a table of outcomes × models, then the reason for each
// cell that differs from its left neighbour.
func Comparison(w io.Writer, p *prog.Program, t *explain.Table) error {
	b := &strings.Builder{}
	format := func(k int, v uint64) string { return p.FormatValue(t.Observed[k].Type, v) }
	rows := make([]string, len(t.Outcomes))
	width := len("outcome")
	for i, vals := range t.Outcomes {
		var parts []string
		for k, v := range vals {
			parts = append(parts, fmt.Sprintf("%s=%s", t.Observed[k].Name, format(k, v)))
		}
		rows[i] = strings.Join(parts, " ")
		if len(rows[i]) > width {
			width = len(rows[i])
		}
	}
	fmt.Fprintf(b, "Test %s\n", p.Name)
	fmt.Fprintf(b, "%-*s", width, "outcome")
	for _, m := range t.Models {
		fmt.Fprintf(b, "  %6s", m.Name)
	}
	b.WriteString("\n")
	for i := range t.Outcomes {
		fmt.Fprintf(b, "%-*s", width, rows[i])
		for j := range t.Models {
			mark := "✗"
			if t.Cells[i][j].Count > 0 {
				mark = "✓"
			}
			fmt.Fprintf(b, "  %6s", mark)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "%-*s", width, "executions")
	for j := range t.Models {
		fmt.Fprintf(b, "  %6d", t.Totals[j])
	}
	b.WriteString("\n")
	for i := range t.Outcomes {
		for j := 1; j < len(t.Models); j++ {
			l, r := t.Cells[i][j-1], t.Cells[i][j]
			if (l.Count > 0) == (r.Count > 0) {
				continue
			}
			no, yes := j, j-1
			if r.Count > 0 {
				no, yes = j-1, j
			}
			c := t.Cells[i][no]
			// Why no rejects the executions yes accepts.
			reasons := c.Right
			if no == j {
				reasons = c.Left
			}
			fmt.Fprintf(b, "\n%s: allowed by %s, forbidden by %s", rows[i], t.Models[yes].Name, t.Models[no].Name)
			if len(reasons) == 0 {
				b.WriteString(".\n")
				continue
			}
			why := reasons[0]
			fmt.Fprintf(b, ", because %s\n", AxiomSentence(t.Models[no].Name, why.Axiom))
			Cycle(b, why.G, why.Cycle)
		}
	}
	for _, why := range t.Why {
		fmt.Fprintf(b, "\nPARTIAL (%s): the table covers only what was explored.\n", why)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

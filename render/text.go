// Package render writes results and executions. Every renderer is a pure
// writer to an io.Writer: files and terminals belong to the command line.
package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"happens/graph"
	"happens/model"
	"happens/prog"
	"happens/render/diagram"
	"happens/result"
)

// Text writes the human summary of a result.
func Text(w io.Writer, r *result.Result) error {
	b := &strings.Builder{}
	p := r.Program
	fmt.Fprintf(b, "Test %s (model %s)\n", p.Name, r.Model)
	if p.Doc != "" {
		for _, l := range strings.Split(p.Doc, "\n") {
			fmt.Fprintf(b, "  %s\n", l)
		}
	}
	total := r.Positive + r.Negative
	if p.Cond == nil {
		total = 0
		for _, o := range r.Outcomes {
			total += o.Count
		}
	}
	fmt.Fprintf(b, "Outcomes (%d, over %s):\n", len(r.Outcomes), plural(total, "execution"))
	width := 0
	cells := make([]string, len(r.Outcomes))
	for i, o := range r.Outcomes {
		var parts []string
		for k, v := range o.Values {
			parts = append(parts, fmt.Sprintf("%s=%s", r.Observed[k].Name, r.Format(k, v)))
		}
		cells[i] = strings.Join(parts, " ")
		if len(cells[i]) > width {
			width = len(cells[i])
		}
	}
	if len(r.Observed) == 0 && len(r.Outcomes) == 1 {
		cells[0] = "(nothing observed: add a condition, or bind values with let at a thread's top level)"
		width = len(cells[0])
	}
	for i, o := range r.Outcomes {
		mark := " "
		if p.Cond != nil && o.Satisfies {
			mark = "*"
		}
		fmt.Fprintf(b, "  %s %-*s  %s\n", mark, width, cells[i], plural(o.Count, "execution"))
	}
	if len(r.Outcomes) == 0 {
		b.WriteString("  (none)\n")
	}
	if p.Cond != nil {
		fmt.Fprintf(b, "Condition %s %s\n", p.Cond.Kind, p.Cond.Text)
		if r.Verdict == "" {
			fmt.Fprintf(b, "  No verdict: no execution runs to its end (%s)\n", noneComplete(r))
		} else {
			fmt.Fprintf(b, "  %s: %d satisfy it, %d do not (* above)%s\n", r.Verdict, r.Positive, r.Negative, condNote(r))
		}
		if p.Expect != nil && !r.ExpectsPanic() {
			if p.Expect.Verdict == r.Verdict {
				fmt.Fprintf(b, "  expected %s: ok\n", p.Expect.Verdict)
			} else {
				fmt.Fprintf(b, "  expected %s: MISMATCH\n", p.Expect.Verdict)
			}
		}
	}
	for _, f := range r.Failures {
		fmt.Fprintf(b, "Assertion failure in %s at %s: %s (%s)\n", f.Thread, f.Pos, f.Msg, showing(f.Count, f.Incomplete))
	}
	if r.ExpectsPanic() {
		switch met, known := r.ExpectationMet(); {
		case met:
			b.WriteString("#[should_panic]: expected failure found\n")
		case known:
			b.WriteString("#[should_panic]: MISMATCH: no execution fails an assertion or panics\n")
		default:
			b.WriteString("#[should_panic]: no failure found so far (the run is partial)\n")
		}
	}
	for _, h := range r.Hangs {
		fmt.Fprintf(b, "Liveness violation: %s spins forever in the loop at %s, reading %s, which no write changes (%s)\n",
			h.Thread, h.Pos, strings.Join(h.Reads, ", "), plural(h.Count, "stuck execution"))
	}
	for _, race := range r.Races {
		fmt.Fprintf(b, "Data race (undefined behaviour) on %s, in %s:\n", strings.Join(race.Locs, ", "), showing(race.Count, race.Incomplete))
		for _, a := range []result.Access{race.A, race.B} {
			fmt.Fprintf(b, "  %s %s at %s: %s\n", a.Thread, a.Kind, a.Pos, a.Text)
		}
	}
	if r.Hardware {
		b.WriteString(HardwareNote(r.Model) + "\n")
	}
	st := r.Stats
	fmt.Fprintf(b, "Explored %s", plural(st.Complete, "execution"))
	if st.Blocked > 0 {
		fmt.Fprintf(b, ", %d blocked", st.Blocked)
	}
	if st.Stuck > 0 {
		fmt.Fprintf(b, ", %d stuck", st.Stuck)
	}
	if st.Duplicates > 0 {
		fmt.Fprintf(b, ", %d repeating others with unobserved spurious CAS failures", st.Duplicates)
	}
	if st.Bounded > 0 {
		fmt.Fprintf(b, ", %d cut by the loop bound", st.Bounded)
	}
	fmt.Fprintf(b, " in %s\n", round(st.Elapsed))
	for _, why := range r.Partial() {
		fmt.Fprintf(b, "PARTIAL (%s); results cover only what was explored\n", why)
	}
	if r.Dropped > 0 {
		fmt.Fprintf(b, "(%d more executions not listed)\n", r.Dropped)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// noneComplete says why no execution completed.
func noneComplete(r *result.Result) string {
	st := r.Stats
	var parts []string
	if st.Stuck > 0 {
		verb := " spin forever"
		if st.Stuck == 1 {
			verb = " spins forever"
		}
		parts = append(parts, plural(st.Stuck, "execution")+verb)
	}
	if st.Blocked > 0 {
		parts = append(parts, plural(st.Blocked, "execution")+" blocked")
	}
	if st.Bounded > 0 {
		parts = append(parts, plural(st.Bounded, "execution")+" cut by the loop bound")
	}
	if len(parts) == 0 {
		return "none explored"
	}
	return strings.Join(parts, ", ")
}

// HardwareNote says, for a model of a CPU, why no data race is reported.
func HardwareNote(model string) string {
	return "(Data races are not reported under " + model + ": the compiled program runs on the CPU, where plain accesses are ordinary loads and stores with no undefined behaviour.)"
}

func condNote(r *result.Result) string {
	if r.CondHolds() {
		return ""
	}
	switch r.Program.Cond.Kind {
	case prog.Forall:
		return "; the forall condition does NOT hold"
	case prog.NotExists:
		return "; the ~exists condition does NOT hold"
	}
	return ""
}

// showing says in how many executions a failure or race shows: complete
// ones (those the summary counts), and others (blocked, stuck, cut by a
// bound) apart.
func showing(complete, incomplete int) string {
	switch {
	case incomplete == 0:
		return plural(complete, "execution")
	case complete == 0:
		return plural(incomplete, "execution") + " that did not complete (blocked, stuck or cut)"
	}
	return fmt.Sprintf("%s, and %d that did not complete (blocked, stuck or cut)", plural(complete, "execution"), incomplete)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// ExecOptions say how Executions draws each execution.
type ExecOptions struct {
	// Draw is "text" (the articles' diagrams, the default), "ascii" (the
	// same in plain ASCII) or "events" (each thread's events as a list).
	Draw  string
	Width int // terminal width for diagrams; 0: 80
}

// Executions writes the executions a result kept: the listed ones, then one
// for each assertion failure and data race.
func Executions(w io.Writer, r *result.Result, m *model.Model, opts ExecOptions) error {
	b := &strings.Builder{}
	draw := func(g *graph.Graph) {
		if opts.Draw == "events" {
			writeGraph(b, g)
			return
		}
		diagram.Write(b, g, m, diagram.Options{Width: opts.Width, ASCII: opts.Draw == "ascii"})
	}
	for i, g := range r.Executions {
		fmt.Fprintf(b, "\nExecution %d:\n", i+1)
		draw(g)
	}
	for _, f := range r.Failures {
		if f.Witness != nil {
			fmt.Fprintf(b, "\nExecution with the assertion failure in %s at %s:\n", f.Thread, f.Pos)
			draw(f.Witness)
		}
	}
	for _, h := range r.Hangs {
		if h.Witness != nil {
			fmt.Fprintf(b, "\nExecution in which %s spins forever in the loop at %s:\n", h.Thread, h.Pos)
			draw(h.Witness)
		}
	}
	for _, race := range r.Races {
		if race.Witness != nil {
			fmt.Fprintf(b, "\nExecution with the data race on %s (%s line %d, %s line %d):\n", race.A.Loc, race.A.Thread, race.A.Pos.Line, race.B.Thread, race.B.Pos.Line)
			draw(race.Witness)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EventName is a short name for an event: "t1#2" or "init X".
func EventName(g *graph.Graph, id graph.ID) string {
	e := &g.Events[id]
	if e.Kind == graph.Init {
		return "init " + g.P.Locs[e.Loc].Name
	}
	return fmt.Sprintf("%s#%d", g.P.Threads[e.Thread].Name, e.Index+1)
}

// EventLabel describes an event: "W X=1 Release".
func EventLabel(g *graph.Graph, id graph.ID) string {
	e := &g.Events[id]
	ord := e.Ord.String()
	if !e.Atomic {
		ord = "plain"
	}
	switch e.Kind {
	case graph.Init:
		return fmt.Sprintf("%s=%s", g.P.Locs[e.Loc].Name, g.P.Locs[e.Loc].Type.Format(e.WVal))
	case graph.Fence:
		return "F " + ord
	case graph.Read:
		t := g.P.Locs[e.Loc].Type
		s := fmt.Sprintf("R %s=%s %s", g.P.Locs[e.Loc].Name, t.Format(e.RVal), ord)
		if e.Spurious {
			s += " (spurious failure)"
		}
		return s
	case graph.Write:
		t := g.P.Locs[e.Loc].Type
		return fmt.Sprintf("W %s=%s %s", g.P.Locs[e.Loc].Name, t.Format(e.WVal), ord)
	case graph.RMW:
		t := g.P.Locs[e.Loc].Type
		return fmt.Sprintf("RMW %s %s→%s %s", g.P.Locs[e.Loc].Name, t.Format(e.RVal), t.Format(e.WVal), ord)
	}
	return "?"
}

func writeGraph(b *strings.Builder, g *graph.Graph) {
	for t, evs := range g.Threads {
		fmt.Fprintf(b, "  %s:\n", g.P.Threads[t].Name)
		for _, id := range evs {
			e := &g.Events[id]
			label := EventLabel(g, id)
			if e.IsRead() {
				label += "   ← " + EventName(g, e.RF)
			}
			line := ""
			if e.Instr != nil && e.Instr.Pos.IsValid() {
				line = fmt.Sprintf("line %d: %s", e.Instr.Pos.Line, e.Instr.Text)
			}
			fmt.Fprintf(b, "    %-4s %-36s %s\n", fmt.Sprintf("%d.", e.Index+1), label, line)
		}
	}
	for loc, mo := range g.MO {
		if len(mo) < 2 {
			continue
		}
		var parts []string
		for _, w := range mo {
			parts = append(parts, fmt.Sprintf("%s (%s)", g.P.Locs[loc].Type.Format(g.Events[w].WVal), EventName(g, w)))
		}
		fmt.Fprintf(b, "  mo %s: %s\n", g.P.Locs[loc].Name, strings.Join(parts, " → "))
	}
}

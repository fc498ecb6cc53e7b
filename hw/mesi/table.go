package mesi

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// actionWidth is where the action column wraps.
const actionWidth = 56

// WriteTrace writes a trace as a table: one row per step with the step
// number, the core that acted (or the receiver of a message), the action,
// then every core's cache lines (location:state=value), store buffer
// (oldest first) and, on mesi-weak, mailbox, then memory and the messages
// in flight.
func WriteTrace(w io.Writer, t *Trace) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "Trace of %s on %s: ", t.Program.Name, t.Mode)
	if !t.Found {
		fmt.Fprintf(b, "no run reaches %s", t.Outcome)
		if t.Stats.Stopped {
			b.WriteString(" in the states searched (PARTIAL: the search stopped early; raise --max-states)")
		} else if t.Stats.Bounded > 0 {
			fmt.Fprintf(b, " (PARTIAL: %d final states cut by the loop bound)", t.Stats.Bounded)
		}
		fmt.Fprintf(b, "\nSearched %d machine states.\n", t.Stats.States)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(b, "a shortest run reaching %s (%d steps)\n", t.Outcome, len(t.Rows)-1)
	if t.Mode == Strong {
		b.WriteString("mesi-strong: FIFO store buffers; invalidations are applied when they arrive (no mailbox)\n")
	} else {
		b.WriteString("mesi-weak: invalidations wait in each core's mailbox, acknowledged before they are applied\n")
	}
	b.WriteString("Cache lines are location:state=value (M, E, S, I); store buffers and mailboxes oldest first.\n\n")
	header := []string{"step", "core", "action"}
	for _, c := range t.Rows[0].Cores {
		header = append(header, c.Name+" cache", c.Name+" store buffer")
		if t.Mode == Weak {
			header = append(header, c.Name+" mailbox")
		}
	}
	header = append(header, "memory", "in flight")
	rows := [][][]string{cellLines(header)}
	for _, r := range t.Rows {
		cells := []string{fmt.Sprint(r.Step), r.Core}
		row := [][]string{{cells[0]}, {cells[1]}, wrap(r.Action, actionWidth)}
		for _, c := range r.Cores {
			row = append(row, []string{c.Cache}, []string{c.StoreBuffer})
			if t.Mode == Weak {
				row = append(row, []string{c.Mailbox})
			}
		}
		row = append(row, []string{r.Memory}, []string{r.Flight})
		rows = append(rows, row)
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			for _, l := range cell {
				if n := utf8.RuneCountInString(l); n > widths[i] {
					widths[i] = n
				}
			}
		}
	}
	for ri, row := range rows {
		height := 1
		for _, cell := range row {
			if len(cell) > height {
				height = len(cell)
			}
		}
		for h := 0; h < height; h++ {
			var parts []string
			for i, cell := range row {
				s := ""
				if h < len(cell) {
					s = cell[h]
				}
				if i == 0 {
					parts = append(parts, strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s))+s)
				} else {
					parts = append(parts, s+strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)))
				}
			}
			b.WriteString(strings.TrimRight(strings.Join(parts, " │ "), " "))
			b.WriteByte('\n')
		}
		if ri == 0 {
			var parts []string
			for _, wd := range widths {
				parts = append(parts, strings.Repeat("─", wd))
			}
			b.WriteString(strings.Join(parts, "─┼─"))
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(b, "\nFinal: %s\n", strings.Join(t.Final, " "))
	fmt.Fprintf(b, "Searched %d machine states breadth first.\n", t.Stats.States)
	_, err := io.WriteString(w, b.String())
	return err
}

func cellLines(cells []string) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = []string{c}
	}
	return out
}

// wrap breaks s at spaces into lines of at most width runes (a longer word
// stays whole).
func wrap(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

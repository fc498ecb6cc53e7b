package stress

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"happens/prog"
	"happens/result"
)

// Line is one line of the test's output: how many iterations ended with
// these thread statuses and recorded values.
type Line struct {
	Count  int
	Status []int    // one per thread, then the Final code's if any
	Values []uint64 // one per Test.Slots
}

// Histogram is what one run of the test printed.
type Histogram struct {
	Iterations int
	CPUs       int
	Lines      []Line
}

// Parse reads the output of the compiled test.
func (t *Test) Parse(out []byte) (*Histogram, error) {
	nt, ns := t.Statuses(), len(t.Slots)
	h := &Histogram{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	header, end := false, false
	total := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "happens-stress":
			if len(f) != 4 || f[1] != "1" || f[2] != strconv.Itoa(nt) || f[3] != strconv.Itoa(ns) {
				return nil, fmt.Errorf("the test's output is for another test: %q", sc.Text())
			}
			header = true
		case "iterations", "cpus":
			if len(f) != 2 {
				return nil, fmt.Errorf("bad line in the test's output: %q", sc.Text())
			}
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("bad line in the test's output: %q", sc.Text())
			}
			if f[0] == "iterations" {
				h.Iterations = n
			} else {
				h.CPUs = n
			}
		case "outcome":
			if len(f) != 2+nt+ns {
				return nil, fmt.Errorf("bad outcome line in the test's output: %q", sc.Text())
			}
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("bad outcome line in the test's output: %q", sc.Text())
			}
			l := Line{Count: n, Status: make([]int, nt), Values: make([]uint64, ns)}
			for i := 0; i < nt+ns; i++ {
				v, err := strconv.ParseUint(f[2+i], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("bad outcome line in the test's output: %q", sc.Text())
				}
				if i < nt {
					l.Status[i] = int(v)
				} else {
					l.Values[i-nt] = v
				}
			}
			total += n
			h.Lines = append(h.Lines, l)
		case "end":
			end = true
		default:
			return nil, fmt.Errorf("unexpected line in the test's output: %q", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header || !end {
		return nil, fmt.Errorf("the test's output is incomplete")
	}
	if total != h.Iterations {
		return nil, fmt.Errorf("the test counted %d outcomes for %d iterations", total, h.Iterations)
	}
	return h, nil
}

// Row is one outcome: seen on the machine, allowed by the model, or both.
type Row struct {
	Values     []uint64 // over Report.Observed
	Seen       int      // iterations that ended in it
	Executions int      // the model's executions with it; 0 when the model has no such outcome
	Satisfies  bool     // the condition holds in it
}

// PanicCount is a panic site and how often it was reached.
type PanicCount struct {
	Panic
	ThreadName string
	Count      int
}

// Report sets a histogram beside a model's outcomes.
type Report struct {
	Test     *Test
	Model    string
	Observed []prog.Observable
	// Complete says the model's exploration was complete, so an outcome it
	// lacks is forbidden; otherwise (a loop bound, a timeout) it is only
	// unknown.
	Complete   bool
	Iterations int
	CPUs       int
	Rows       []*Row
	Counted    int // iterations that ended with an outcome
	Forbidden  int // counted iterations whose outcome the model forbids (Complete)
	Unknown    int // counted iterations whose outcome the cut-short model did not reach
	Satisfied  int // counted iterations that satisfy the condition
	Blocked    int // iterations in which an assume! failed (the model discards those)
	Stuck      int // iterations in which a loop spun past the spin limit
	Filtered   int // iterations the filter dropped
	Panics     []PanicCount
}

type slotState struct {
	t    *Test
	vals []uint64
}

func (s slotState) Local(thread, reg int) uint64 {
	for i, sl := range s.t.Slots {
		if sl.Thread == thread && sl.Reg == reg {
			return s.vals[i]
		}
	}
	return 0
}

func (s slotState) Mem(loc int) uint64 {
	for i, sl := range s.t.Slots {
		if sl.Thread < 0 && sl.Loc == loc {
			return s.vals[i]
		}
	}
	return 0
}

// Compare sets h beside res, the model's result for the same program.
func Compare(t *Test, h *Histogram, res *result.Result) *Report {
	p := t.Program
	r := &Report{Test: t, Model: res.Model, Observed: res.Observed, Complete: res.Complete(), Iterations: h.Iterations, CPUs: h.CPUs}
	key := func(vals []uint64) string {
		var b strings.Builder
		for _, v := range vals {
			fmt.Fprintf(&b, "%d,", v)
		}
		return b.String()
	}
	rows := map[string]*Row{}
	for _, o := range res.Outcomes {
		row := &Row{Values: o.Values, Executions: o.Count, Satisfies: o.Satisfies}
		rows[key(o.Values)] = row
		r.Rows = append(r.Rows, row)
	}
	panics := make([]int, len(t.Panics))
	for _, l := range h.Lines {
		stuck, blocked := false, false
		for _, st := range l.Status {
			switch {
			case st == StatusStuck:
				stuck = true
			case st == StatusBlocked:
				blocked = true
			case st >= StatusPanic && st-StatusPanic < len(panics):
				panics[st-StatusPanic] += l.Count
			}
		}
		switch {
		case stuck:
			r.Stuck += l.Count
			continue
		case blocked:
			r.Blocked += l.Count
			continue
		}
		st := slotState{t, l.Values}
		if p.Filter != nil && prog.Eval(p.Filter, st) == 0 {
			r.Filtered += l.Count
			continue
		}
		vals := make([]uint64, len(r.Observed))
		for i, o := range r.Observed {
			if o.Thread >= 0 {
				vals[i] = st.Local(o.Thread, o.Reg)
			} else {
				vals[i] = st.Mem(o.Loc)
			}
		}
		k := key(vals)
		row := rows[k]
		if row == nil {
			row = &Row{Values: vals}
			if p.Cond != nil {
				row.Satisfies = prog.Eval(p.Cond.Expr, st) != 0
			}
			rows[k] = row
			r.Rows = append(r.Rows, row)
		}
		row.Seen += l.Count
		r.Counted += l.Count
		if row.Satisfies {
			r.Satisfied += l.Count
		}
		if row.Executions == 0 {
			if r.Complete {
				r.Forbidden += l.Count
			} else {
				r.Unknown += l.Count
			}
		}
	}
	for i, n := range panics {
		if n > 0 {
			pc := t.Panics[i]
			r.Panics = append(r.Panics, PanicCount{Panic: pc, ThreadName: p.ThreadName(pc.Thread), Count: n})
		}
	}
	sort.SliceStable(r.Rows, func(i, j int) bool {
		a, b := r.Rows[i].Values, r.Rows[j].Values
		for k := range a {
			if a[k] != b[k] {
				return r.Observed[k].Type.Less(a[k], b[k])
			}
		}
		return false
	})
	return r
}

// ReportOptions say how the test was run, for the header.
type ReportOptions struct {
	Machine string        // e.g. "x86-64 (linux/amd64)"
	Elapsed time.Duration // compile not included
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func percent(n, total int) string {
	if total == 0 {
		return "-"
	}
	p := 100 * float64(n) / float64(total)
	if n > 0 && p < 0.01 {
		return fmt.Sprintf("%.4f%%", p)
	}
	return fmt.Sprintf("%.2f%%", p)
}

// WriteReport prints r.
func WriteReport(w io.Writer, r *Report, o ReportOptions) error {
	var b strings.Builder
	p := r.Test.Program
	fmt.Fprintf(&b, "Test %s on this machine", p.Name)
	if o.Machine != "" {
		fmt.Fprintf(&b, " (%s)", o.Machine)
	}
	fmt.Fprintf(&b, ": %s, %s on %s", plural(r.Iterations, "iteration"), plural(len(p.Threads), "thread"), plural(r.CPUs, "CPU"))
	if o.Elapsed > 0 {
		fmt.Fprintf(&b, ", %v", o.Elapsed.Round(time.Millisecond))
	}
	b.WriteString("\n")
	allowed := 0
	for _, row := range r.Rows {
		if row.Executions > 0 {
			allowed++
		}
	}
	seen := 0
	for _, row := range r.Rows {
		if row.Seen > 0 {
			seen++
		}
	}
	fmt.Fprintf(&b, "Outcomes seen (%d), against the %d that %s allows", seen, allowed, r.Model)
	if !r.Complete {
		b.WriteString(" (its exploration was cut short: an outcome it did not reach is unknown, not forbidden)")
	}
	b.WriteString(":\n")
	cells := make([]string, len(r.Rows))
	width := 0
	for i, row := range r.Rows {
		var parts []string
		for k, v := range row.Values {
			parts = append(parts, fmt.Sprintf("%s=%s", r.Observed[k].Name, p.FormatValue(r.Observed[k].Type, v)))
		}
		cells[i] = strings.Join(parts, " ")
		if len(r.Observed) == 0 {
			cells[i] = "(nothing observed)"
		}
		width = max(width, len(cells[i]))
	}
	for i, row := range r.Rows {
		mark := " "
		if p.Cond != nil && row.Satisfies {
			mark = "*"
		}
		verdict := "allowed"
		switch {
		case row.Executions == 0 && r.Complete:
			verdict = "FORBIDDEN by " + r.Model
			mark = "!"
		case row.Executions == 0:
			verdict = "not reached by " + r.Model
		case row.Seen == 0:
			verdict = "allowed, not seen"
		}
		fmt.Fprintf(&b, "  %s %-*s  %10d  %9s  %s\n", mark, width, cells[i], row.Seen, percent(row.Seen, r.Counted), verdict)
	}
	if len(r.Rows) == 0 {
		b.WriteString("  (none)\n")
	}
	if p.Cond != nil {
		fmt.Fprintf(&b, "Condition %s %s: seen in %d of %d iterations (%s) (* above)\n", p.Cond.Kind, p.Cond.Text, r.Satisfied, r.Counted, percent(r.Satisfied, r.Counted))
	}
	for _, pc := range r.Panics {
		fmt.Fprintf(&b, "Panic in %s at %s: %s (%s)\n", pc.ThreadName, pc.Pos, pc.Msg, plural(pc.Count, "iteration"))
	}
	if r.Blocked > 0 {
		fmt.Fprintf(&b, "Blocked: %d iterations failed an assume! (the model discards them too; not counted)\n", r.Blocked)
	}
	if r.Stuck > 0 {
		fmt.Fprintf(&b, "Stuck: %d iterations had a loop spin past %d back edges (not counted)\n", r.Stuck, r.Test.Options.SpinLimit)
	}
	if r.Filtered > 0 {
		fmt.Fprintf(&b, "Filtered out: %d iterations\n", r.Filtered)
	}
	if r.Unknown > 0 {
		fmt.Fprintf(&b, "Unknown: %d iterations showed outcomes %s did not reach before its exploration was cut short (raise --unroll)\n", r.Unknown, r.Model)
	}
	if r.Forbidden > 0 {
		fmt.Fprintf(&b, "FORBIDDEN: %d of %d iterations (%s) showed outcomes %s forbids (! above): the machine, the compiler or the model is wrong\n",
			r.Forbidden, r.Counted, percent(r.Forbidden, r.Counted), r.Model)
	} else if r.Unknown == 0 {
		fmt.Fprintf(&b, "Every outcome seen is allowed by %s.\n", r.Model)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

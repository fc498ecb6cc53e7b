package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"happens/prog"
	"happens/result"
)

// Herd writes a result as herd7 prints it, so herd's tools (msum7,
// mcompare7) can read happens' output:
//
//	Test NAME Allowed|Forbidden|Required
//	States N
//	<one line per final state>
//	Ok|No|Undef
//	Witnesses
//	Positive: P Negative: N
//	Flag *undef*                  (when some execution has a data race)
//	Condition <the condition>
//	Observation NAME Always|Sometimes|Never P N
//	Time NAME seconds
//
// For ~exists, Witnesses counts executions satisfying the whole condition
// while Observation counts those satisfying the expression inside, as herd
// does. herd's Hash line is not printed.
func Herd(w io.Writer, r *result.Result) error {
	b := &strings.Builder{}
	p := r.Program
	kind := "Allowed"
	cond := "exists"
	if p.Cond != nil {
		switch p.Cond.Kind {
		case prog.Forall:
			kind, cond = "Required", "forall"
		case prog.NotExists:
			kind, cond = "Forbidden", "~exists"
		}
	}
	fmt.Fprintf(b, "Test %s %s\n", p.Name, kind)
	fmt.Fprintf(b, "States %d\n", len(r.Outcomes))
	lines := make([]string, 0, len(r.Outcomes))
	for _, o := range r.Outcomes {
		var parts []string
		for k, v := range o.Values {
			parts = append(parts, fmt.Sprintf("%s=%s;", r.Observed[k].Name, herdValue(r, k, v)))
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	sort.Strings(lines) // herd sorts its state lines as text
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	pos, neg := r.Positive, r.Negative
	if p.Cond != nil && p.Cond.Kind == prog.NotExists {
		pos, neg = neg, pos
	}
	switch {
	case len(r.Races) > 0:
		b.WriteString("Undef\n")
	case r.CondHolds():
		b.WriteString("Ok\n")
	default:
		b.WriteString("No\n")
	}
	b.WriteString("Witnesses\n")
	fmt.Fprintf(b, "Positive: %d Negative: %d\n", pos, neg)
	if len(r.Races) > 0 {
		b.WriteString("Flag *undef*\n")
	}
	text := ""
	if p.Cond != nil {
		text = p.Cond.Text
	}
	fmt.Fprintf(b, "Condition %s %s\n", cond, text)
	verdict := r.Verdict
	if verdict == "" {
		verdict = result.Never
	}
	fmt.Fprintf(b, "Observation %s %s %d %d\n", p.Name, verdict, r.Positive, r.Negative)
	// Not herd7's: what herd has no line for, so that a partial or failing
	// run never reads as a clean one.
	for _, f := range r.Failures {
		fmt.Fprintf(b, "Assertion %s %s at %s: %s (%d", p.Name, f.Thread, f.Pos, f.Msg, f.Count)
		if f.Incomplete > 0 {
			fmt.Fprintf(b, ", and %d incomplete", f.Incomplete)
		}
		b.WriteString(")\n")
	}
	for _, h := range r.Hangs {
		fmt.Fprintf(b, "Liveness %s %s spins forever at %s reading %s (%d)\n", p.Name, h.Thread, h.Pos, strings.Join(h.Reads, ", "), h.Count)
	}
	for _, why := range r.Partial() {
		fmt.Fprintf(b, "Partial %s %s\n", p.Name, why)
	}
	fmt.Fprintf(b, "Time %s %.2f\n\n", p.Name, r.Stats.Elapsed.Seconds())
	_, err := io.WriteString(w, b.String())
	return err
}

func herdValue(r *result.Result, k int, v uint64) string {
	if r.Observed[k].Type.Kind == prog.KindBool {
		// herd's C tests have no bool; print 0/1 as C would.
		if v != 0 {
			return "1"
		}
		return "0"
	}
	return r.Format(k, v)
}

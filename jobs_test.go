package happens_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"happens"
	"happens/result"
)

// summary is everything a result says, witnesses included (by graph key).
func summary(r *result.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v %+v %d/%d %s\n", r.Complete(), []int{r.Stats.Complete, r.Stats.Blocked, r.Stats.Bounded, r.Stats.Stuck, r.Stats.Duplicates}, r.Positive, r.Negative, r.Verdict)
	for _, o := range r.Outcomes {
		fmt.Fprintf(&b, "outcome %v %d %v\n", o.Values, o.Count, o.Satisfies)
		if o.Witness != nil {
			b.WriteString(o.Witness.Key())
		}
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "failure %s %v %s %d\n%s", f.Thread, f.Pos, f.Msg, f.Count, f.Witness.Key())
	}
	for _, h := range r.Hangs {
		fmt.Fprintf(&b, "hang %s %v %v %d\n%s", h.Thread, h.Pos, h.Reads, h.Count, h.Witness.Key())
	}
	for _, x := range r.Races {
		fmt.Fprintf(&b, "race %v %v %v %d\n%s", x.A, x.B, x.Locs, x.Count, x.Witness.Key())
	}
	for _, g := range r.Executions {
		b.WriteString("shown\n" + g.Key())
	}
	return b.String()
}

// TestJobsSameResult: on every golden test and model, 2 and 3 cores give
// exactly the one-core result: counts, outcomes in order, failures, hangs,
// races, and every witness.
func TestJobsSameResult(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.litmus")
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, _ := os.ReadFile(file)
			p, err := happens.Parse(file, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []string{"sc", "rc11", "c20", "x86", "armv8"} {
				for _, show := range []result.Show{result.ShowWitness, result.ShowAll} {
					one, err := happens.Run(context.Background(), p, happens.Options{Model: m, Jobs: 1, Show: show})
					if err != nil {
						t.Fatal(err)
					}
					want := summary(one)
					for _, jobs := range []int{2, 3} {
						r, _ := happens.Run(context.Background(), p, happens.Options{Model: m, Jobs: jobs, Show: show})
						if got := summary(r); got != want {
							t.Fatalf("%s, %d jobs, show %d:\n%s\nwant (1 job):\n%s", m, jobs, show, got, want)
						}
					}
				}
			}
		})
	}
}

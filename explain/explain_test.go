package explain_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"happens"
	"happens/explain"
	"happens/model"
	"happens/result"
)

// TestAgainstExplorer checks explain against the explorer on every golden
// test under every model: the two reach their answers independently (one
// prunes with the model while exploring, the other judges every candidate
// afterwards), so they must agree on whether the condition's outcome can
// happen and on how many executions produce it; each printed cycle must be
// made of real edges; and compare's totals must equal each model's count.
func TestAgainstExplorer(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	wantRE := regexp.MustCompile(`(?m)^\s*//\s*want\s+(\w+)\s*:`)
	models := []*model.Model{model.SC, model.C11, model.RC11, model.C20, model.X86}
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !wantRE.Match(src) {
				t.Skip("no want lines")
			}
			p, err := happens.Parse(file, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			tab := explain.Compare(context.Background(), p, result.Observables(p), models, explain.Options{})
			if tab.Partial {
				t.Skip("candidate enumeration bounded")
			}
			for i, m := range models {
				r, err := happens.Run(context.Background(), p, happens.Options{Model: m.Name})
				if err != nil {
					t.Fatal(err)
				}
				if !r.Complete() {
					continue
				}
				if tab.Totals[i] != r.Stats.Complete {
					t.Errorf("%s: compare counts %d consistent candidates, the explorer %d executions", m.Name, tab.Totals[i], r.Stats.Complete)
				}
				if p.Cond == nil {
					continue
				}
				outcome := p.Cond.Expr
				a := explain.Explain(context.Background(), p, m, outcome, explain.Options{})
				if a.Consistent != r.Positive {
					t.Errorf("%s: explain finds %d consistent executions with the outcome, the explorer %d", m.Name, a.Consistent, r.Positive)
				}
				for _, reason := range a.Reasons {
					checkCycle(t, m, reason)
				}
			}
		})
	}
}

func checkCycle(t *testing.T, m *model.Model, r *explain.Reason) {
	t.Helper()
	x := model.NewExec(r.G)
	eco := model.Union(x.RF, x.MO, x.RB).Plus()
	for i, s := range r.Cycle {
		a := x.Dense(s.Event)
		b := x.Dense(r.Cycle[(i+1)%len(r.Cycle)].Event)
		var ok bool
		switch s.Rel {
		case "sb":
			ok = x.SB.Has(a, b)
		case "rf":
			ok = x.RF.Has(a, b)
		case "mo":
			ok = x.MO.Has(a, b)
		case "fr":
			ok = x.RB.Has(a, b)
		case "sw":
			ok = m.SW(x).Has(a, b)
		case "hb":
			ok = m.HB(x).Has(a, b)
		case "eco":
			ok = eco.Has(a, b)
		default:
			ok = true // the axiom's own relation: not checkable edge by edge
		}
		if !ok {
			t.Errorf("%s/%s: step %d claims %s from event %d to %d, which does not hold", m.Name, r.Axiom, i, s.Rel, s.Event, r.Cycle[(i+1)%len(r.Cycle)].Event)
		}
	}
	if len(r.Cycle) == 0 {
		t.Errorf("%s/%s: empty cycle", m.Name, r.Axiom)
	}
}

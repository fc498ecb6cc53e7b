package explain_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"happens"
	"happens/explain"
	"happens/explore"
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

// TestAgainstExplorerARM is TestAgainstExplorer's check of explain under
// armv8, whose candidates come by revisits with a fallback to value
// speculation (explore.CoherentHMC), against the explorer's own revisits
// (explore.HMC): the same count of consistent executions producing the
// condition's outcome, on every golden test explain finishes in time.
func TestAgainstExplorerARM(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	ex, _ := filepath.Glob("../examples/*.litmus")
	files = append(files, ex...)
	compared := 0
	t.Run("files", func(t *testing.T) {
		for _, file := range files {
			t.Run(filepath.Base(file), func(t *testing.T) {
				t.Parallel()
				src, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				p, err := happens.Parse(file, src, nil)
				if err != nil {
					t.Fatal(err)
				}
				if p.Cond == nil {
					t.Skip("no condition")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				a := explain.Explain(ctx, p, model.ARMv8, p.Cond.Expr, explain.Options{})
				if a.Partial || ctx.Err() != nil {
					t.Skip("explain cut short")
				}
				r, err := happens.Run(context.Background(), p, happens.Options{Model: "armv8"})
				if err != nil {
					t.Fatal(err)
				}
				if !r.Complete() {
					t.Skip("run cut short")
				}
				if a.Consistent != r.Positive {
					t.Errorf("explain finds %d consistent executions with the outcome, the explorer %d", a.Consistent, r.Positive)
				}
				for _, reason := range a.Reasons {
					checkCycle(t, model.ARMv8, reason)
				}
				mu.Lock()
				compared++
				mu.Unlock()
			})
		}
	})
	t.Logf("%d of %d files compared", compared, len(files))
	if compared < len(files)/2 {
		t.Errorf("only %d of %d files compared", compared, len(files))
	}
}

var mu sync.Mutex

// TestExplainDataIntoRMW: an outcome ARMv8 allows though its execution has
// a cycle in deps ∪ rf, through a read-modify-write whose operand depends
// on a read. By hand: t1 reads X=5 (t2's store), adds it to Y (reading the
// initial 5, writing 10) and stores the 5 it read from Y into Z; t2 reads
// that 5 and stores it into X. ob has load X →data the RMW's write, the
// RMW's read →data store Z →rfe load Z →data store X →rfe load X, but
// nothing from the RMW's write to its read: no cycle, and coherence holds
// (one write per location besides the initial ones, Y's RMW right after
// the initial write). Revisits that follow dependencies leave this
// execution out, so explain must not trust their "no".
func TestExplainDataIntoRMW(t *testing.T) {
	src := `use std::sync::atomic::{AtomicU32, Ordering::*};
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(5);
static Z: AtomicU32 = AtomicU32::new(0);
thread t1 { let a = X.load(Relaxed); let b = Y.fetch_add(a, Relaxed); Z.store(b, Relaxed); }
thread t2 { let c = Z.load(Relaxed); X.store(c, Relaxed); }
exists (t1.a == 5 && t2.c == 5)
`
	p, err := happens.Parse("lb-rmw.litmus", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !explore.DataIntoRMW(p) || !explore.Dependent(p) {
		t.Errorf("DataIntoRMW = %v, Dependent = %v; want both", explore.DataIntoRMW(p), explore.Dependent(p))
	}
	a := explain.Explain(context.Background(), p, model.ARMv8, p.Cond.Expr, explain.Options{})
	if a.Consistent != 1 || a.Partial {
		t.Errorf("explain under armv8: %d consistent executions produce the outcome (partial %v); want 1", a.Consistent, a.Partial)
	}
}

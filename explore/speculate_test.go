package explore_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"happens"
	"happens/explore"
	"happens/model"
	"happens/prog"
)

// TestSpeculateAgrees runs the candidate enumerator and the explorer on
// every golden test without loops, under every model that forbids po ∪ rf
// cycles: the two independent methods must find the same executions.
func TestSpeculateAgrees(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	checked := 0
	defer func() {
		t.Logf("%d straight-line golden tests compared", checked)
		if checked < 40 {
			t.Errorf("only %d tests compared", checked)
		}
	}()
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := happens.Parse(file, src, nil)
		if err != nil {
			continue
		}
		if hasLoop(p) {
			continue
		}
		checked++
		for _, m := range []*model.Model{model.SC, model.RC11, model.C20, model.C11, model.X86} {
			var a, b []string
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			st := explore.Speculate(ctx, p, explore.Options{Model: m, MaxExecutions: 20000}, func(x *explore.Execution) { a = append(a, x.Graph().Key()) })
			cancel()
			if st.Stopped {
				continue // too large for candidate enumeration: not a verdict
			}
			ctx = context.Background()
			explore.Explore(ctx, p, explore.Options{Model: m}, func(x *explore.Execution) {
				if x.Status == explore.Complete {
					b = append(b, x.Graph().Key())
				}
			})
			sort.Strings(a)
			sort.Strings(b)
			if strings.Join(a, "|") != strings.Join(b, "|") {
				t.Errorf("%s under %s: speculation finds %d executions, the explorer %d", filepath.Base(file), m.Name, len(a), len(b))
			}
		}
	}
}

func hasLoop(p *prog.Program) bool {
	for _, th := range p.Threads {
		for _, in := range th.Code {
			if in.Op == prog.OpLoopEnter {
				return true
			}
		}
	}
	return false
}

// TestSpeculateStopsListingRuns: listing a thread's runs under value
// speculation stops at the work bound (it once ran on, past any bound,
// until it had taken the machine's memory). The thread has two retry
// loops in a row; each read may take any value the domain holds.
func TestSpeculateStopsListingRuns(t *testing.T) {
	src := `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t0 {
    let mut a = X.load(Ordering::Relaxed);
    loop {
        match X.compare_exchange(a, a + 1, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => { break; }
            Err(x) => { a = x; }
        }
    }
    let mut b = X.load(Ordering::Relaxed);
    loop {
        match X.compare_exchange(b, b + 1, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => { break; }
            Err(x) => { b = x; }
        }
    }
}`
	p, err := happens.Parse("tworetry.rs", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := explore.Speculate(context.Background(), p, explore.Options{Model: model.ARMv8, Unroll: 8, MaxSteps: 20000}, func(*explore.Execution) {})
	if !st.Stopped || st.Cut != explore.CutLimit {
		t.Fatalf("stats %+v: want stopped by the work bound", st)
	}
}

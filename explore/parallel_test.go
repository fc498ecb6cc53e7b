package explore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"happens"
	"happens/explore"
	"happens/model"
)

// TestParallelOrder: on every golden test and every model that can be
// split, a parallel exploration (2 and 3 workers, splitting at every
// chance) visits exactly the executions of the one-core exploration, and
// its parts, taken in the order Parallel returns, visit them in the
// one-core order.
func TestParallelOrder(t *testing.T) {
	totalParts := 0
	defer func() { t.Logf("%d parts in all", totalParts) }()
	explore.DonateAlways(true)
	defer explore.DonateAlways(false)
	files, _ := filepath.Glob("../testdata/*.litmus")
	rs, _ := filepath.Glob("../testdata/*.rs")
	files = append(files, rs...)
	models := []*model.Model{model.SC, model.RC11, model.C20, model.X86, model.ARMv8}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := happens.Parse(file, src, nil)
		if err != nil {
			continue // the golden tests check the files that do not parse
		}
		for _, m := range models {
			key := func(x *explore.Execution) string {
				return fmt.Sprintf("%s %d %d\n%s", x.Status, len(x.Failures), len(x.Hangs), x.Graph().Key())
			}
			var want []string
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			st := explore.Explore(ctx, p, explore.Options{Model: m}, func(x *explore.Execution) { want = append(want, key(x)) })
			cancel()
			if st.Stopped || len(want) > 3000 {
				continue // too big to split at every chance in a test
			}
			for _, jobs := range []int{2, 3} {
				var mu sync.Mutex
				parts := map[int]*[]string{}
				order, stats := explore.Parallel(context.Background(), p, explore.Options{Model: m}, jobs, func(i int) func(*explore.Execution) {
					l := new([]string)
					mu.Lock()
					parts[i] = l
					mu.Unlock()
					return func(x *explore.Execution) { *l = append(*l, key(x)) }
				})
				totalParts += len(order)
				var got []string
				var sum explore.Stats
				for _, i := range order {
					got = append(got, *parts[i]...)
					sum.Add(stats[i])
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Fatalf("%s %s, %d jobs (%d parts): %d executions in another order or not the same, want %d",
						filepath.Base(file), m.Name, jobs, len(order), len(got), len(want))
				}
				if sum.Complete != st.Complete || sum.Blocked != st.Blocked || sum.Bounded != st.Bounded || sum.Duplicates != st.Duplicates || sum.Stopped {
					t.Fatalf("%s %s, %d jobs: stats %+v, want %+v", filepath.Base(file), m.Name, jobs, sum, st)
				}
			}
		}
	}
}

// TestParallelTooLong: a thread longer than HMC's prefixes can name makes
// the one-core armv8 exploration fall back to value speculation; the
// parallel one gives the same executions. (The limit is lowered to 3
// events so that speculation is quick.)
func TestParallelTooLong(t *testing.T) {
	old := explore.SetHMCEventLimit(3)
	defer explore.SetHMCEventLimit(old)
	src := `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let a = Y.load(Ordering::Relaxed);
    X.store(1, Ordering::Relaxed);
    X.store(2, Ordering::Relaxed);
    X.store(3, Ordering::Relaxed);
}
thread t2 {
    let b = X.load(Ordering::Relaxed);
    Y.store(1, Ordering::Relaxed);
}
`
	p, err := happens.Parse("long.rs", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	key := func(x *explore.Execution) string { return x.Graph().Key() }
	st := explore.Explore(context.Background(), p, explore.Options{Model: model.ARMv8}, func(x *explore.Execution) { want = append(want, key(x)) })
	var mu sync.Mutex
	parts := map[int]*[]string{}
	order, stats := explore.Parallel(context.Background(), p, explore.Options{Model: model.ARMv8}, 2, func(i int) func(*explore.Execution) {
		l := new([]string)
		mu.Lock()
		parts[i] = l
		mu.Unlock()
		return func(x *explore.Execution) { *l = append(*l, key(x)) }
	})
	var got []string
	var sum explore.Stats
	for _, i := range order {
		got = append(got, *parts[i]...)
		sum.Add(stats[i])
	}
	if strings.Join(got, "|") != strings.Join(want, "|") || sum.Complete != st.Complete || sum.Stopped != st.Stopped {
		t.Fatalf("parallel: %d executions %+v, want %d %+v", len(got), sum, len(want), st)
	}
	// By revisits, with the usual limit: the same number of executions.
	explore.SetHMCEventLimit(old)
	hmc := explore.Explore(context.Background(), p, explore.Options{Model: model.ARMv8}, nil)
	if st.Complete == 0 || hmc.Complete != st.Complete {
		t.Fatalf("%d executions by value speculation, %d by revisits", st.Complete, hmc.Complete)
	}
}

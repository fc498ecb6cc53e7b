package explore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"happens"
	"happens/explore"
	"happens/graph"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
)

// TestARMIncrementalAgainstRelational: exploring under armv8 by revisits,
// every judgement of the incremental search for a cycle (armorder.go) is
// the relational model's (model/armv8.go, the specification) on the same
// graph, on every golden test and on random programs, straight-line and
// with control flow.
func TestARMIncrementalAgainstRelational(t *testing.T) {
	var mu sync.Mutex
	var bad []string
	checks, mismatches := 0, 0
	explore.VerifyARM(func(g *graph.Graph, th, i int32, inc, rel bool) {
		mu.Lock()
		defer mu.Unlock()
		checks++
		if inc != rel {
			mismatches++
			if len(bad) < 4 {
				bad = append(bad, fmt.Sprintf("adding or revisiting thread %d's event %d: incremental inconsistent=%v, relational inconsistent=%v\n%s",
					th, i, inc, rel, progtest.Indent(g.Key(), "    ")))
			}
		}
	})
	defer explore.VerifyARM(nil)
	var progs []*prog.Program
	var names []string
	files, _ := filepath.Glob("../testdata/*.litmus")
	found, _ := filepath.Glob("testdata/hmc/*.litmus")
	for _, f := range append(files, found...) {
		src, _ := os.ReadFile(f)
		if p, err := happens.Parse(f, src, nil); err == nil {
			progs, names = append(progs, p), append(names, filepath.Base(f))
		}
	}
	n := 150
	if testing.Short() {
		n = 40
	}
	for i := range n {
		s := progtest.Random(rand.New(rand.NewPCG(7, uint64(i))))
		progs, names = append(progs, s.Build()), append(names, "straight:\n"+s.String())
		fs := progtest.RandomFlow(rand.New(rand.NewPCG(8, uint64(i))))
		if p, err := fs.Build(); err == nil {
			progs, names = append(progs, p), append(names, "flow:\n"+fs.Source())
		}
	}
	for k, p := range progs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		before := mismatches
		explore.HMC(ctx, p, explore.Options{Model: model.ARMv8}, func(*explore.Execution) {})
		cancel()
		if mismatches > before {
			t.Errorf("%s:\n%s", names[k], bad[len(bad)-1])
			if len(bad) >= 4 {
				break
			}
		}
	}
	t.Logf("%d programs, %d judgements, %d differ", len(progs), checks, mismatches)
}

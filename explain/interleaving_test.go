package explain_test

import (
	"context"
	"os"
	"testing"

	"happens"
	"happens/explain"
	"happens/explore"
	"happens/graph"
	"happens/model"
)

// TestInterleaving: every sc execution of store buffering is an
// interleaving of its four accesses, and Interleaving finds one that
// respects each thread's program order.
func TestInterleaving(t *testing.T) {
	src, err := os.ReadFile("../examples/sb.litmus")
	if err != nil {
		t.Fatal(err)
	}
	p, err := happens.Parse("sb.litmus", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	explore.Explore(context.Background(), p, explore.Options{Model: model.SC}, func(x *explore.Execution) {
		n++
		g := x.Graph()
		order, ok := explain.Interleaving(g)
		if !ok || len(order) != 4 {
			t.Errorf("execution %d: interleaving %v, ok %v", n, order, ok)
			return
		}
		next := map[int]int{}
		for _, id := range order {
			e := g.Events[id]
			if e.Kind == graph.Init || e.Index != next[e.Thread] {
				t.Errorf("execution %d: %v breaks program order", n, order)
			}
			next[e.Thread]++
		}
	})
	if n != 3 {
		t.Errorf("%d sc executions, want 3", n)
	}
}

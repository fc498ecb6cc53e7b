package diagram

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/frontend"
	"happens/graph"
	"happens/model"
)

// TestEveryTest lays out executions of every litmus test in the
// repository (the first few of each) and checks that no line had to run
// through a box or along another line, and that drawing stays fast.
func TestEveryTest(t *testing.T) {
	var files []string
	for _, dir := range []string{"../../testdata", "../../examples"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.litmus"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Skip("no litmus files")
	}
	perTest := 3
	if testing.Short() {
		perTest = 1
	}
	var slowest time.Duration
	var slowName string
	drawn := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := frontend.Parse(f, src, frontend.Options{})
		if err != nil {
			continue // the error cases
		}
		var gs []*graph.Graph
		explore.Explore(context.Background(), p, explore.Options{Model: model.C20, MaxExecutions: perTest}, func(e *explore.Execution) {
			gs = append(gs, e.Graph().Clone())
		})
		for _, g := range gs {
			for _, opts := range []Options{{}, {ASCII: true, Width: 40}} {
				start := time.Now()
				sc := newScene(g, model.C20, opts)
				lays := sc.layouts()
				if d := time.Since(start); d > slowest {
					slowest, slowName = d, filepath.Base(f)
				}
				for _, l := range lays {
					for _, r := range l.routes {
						if r.cost >= costClash {
							var b strings.Builder
							l.text(&b, opts.ASCII)
							t.Errorf("%s: a line clashes (%s):\n%s", filepath.Base(f), sc.linkTitle(r.l), b.String())
						}
					}
				}
				drawn++
			}
		}
	}
	t.Logf("%d drawings; slowest %s (%s)", drawn, slowest, slowName)
	if slowest > 2*time.Second {
		t.Errorf("drawing %s took %s", slowName, slowest)
	}
}

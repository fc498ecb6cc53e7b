package explore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
)

// TestUnitsPartition: the units of a split, explored one by one in order,
// give exactly the executions of one exploration, in the same order, for
// every golden test, several split sizes and every model TruSt runs.
func TestUnitsPartition(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	models := []*model.Model{model.SC, model.RC11, model.C20, model.X86}
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			p := progtest.ParseFile(t, file)
			for _, m := range models {
				opts := explore.Options{Model: m}
				var whole []string
				key := func(x *explore.Execution) string {
					return fmt.Sprintf("%s\n%s", x.Status, x.Graph().Key())
				}
				st := explore.Explore(context.Background(), p, opts, func(x *explore.Execution) { whole = append(whole, key(x)) })
				if st.Stopped {
					continue
				}
				for _, n := range []int{2, 5, 40} {
					units := explore.Units(context.Background(), p, opts, n)
					var parts []string
					for _, u := range units {
						explore.ExploreUnit(context.Background(), p, opts, u, func(x *explore.Execution) { parts = append(parts, key(x)) })
					}
					if len(parts) != len(whole) {
						t.Fatalf("%s n=%d: %d units give %d executions, the whole exploration %d", m.Name, n, len(units), len(parts), len(whole))
					}
					for i := range parts {
						if parts[i] != whole[i] {
							t.Fatalf("%s n=%d: execution %d differs:\n%s\nwant\n%s", m.Name, n, i, parts[i], whole[i])
						}
					}
				}
			}
		})
	}
}

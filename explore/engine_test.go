package explore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
	"happens/prog"
)

// engineRun is what one engine reported: each execution's key with its
// status, failures and hangs, as a sorted list.
func engineRun(run func(context.Context, *prog.Program, explore.Options, func(*explore.Execution)) explore.Stats,
	p *prog.Program, m *model.Model) ([]string, explore.Stats) {
	return engineRunFor(60*time.Second, run, p, m)
}

// engineRunFor is engineRun with a time bound d.
func engineRunFor(d time.Duration, run func(context.Context, *prog.Program, explore.Options, func(*explore.Execution)) explore.Stats,
	p *prog.Program, m *model.Model) ([]string, explore.Stats) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out []string
	st := run(ctx, p, explore.Options{Model: m}, func(x *explore.Execution) {
		if err := x.Graph().Validate(); err != nil {
			out = append(out, "INVALID GRAPH: "+err.Error())
		}
		s := fmt.Sprintf("%s %d failures %d hangs\n%s", x.Status, len(x.Failures), len(x.Hangs), x.Graph().Key())
		if x.Status == explore.Complete && p.Final == nil {
			for t := range x.Threads {
				s += fmt.Sprintf("regs%d %v\n", t, x.Threads[t].Regs)
			}
		}
		out = append(out, s)
	})
	sort.Strings(out)
	return out, st
}

// TestEngineAgainstCanonical runs the TruSt engine and the first
// (canonical-linearisation) engine on every golden test under every model
// TruSt explores: the same executions, execution by execution (graph keys,
// statuses, failures, hangs, final registers), each exactly once.
func TestEngineAgainstCanonical(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	models := []*model.Model{model.SC, model.RC11, model.C20, model.X86, model.Coherent}
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			p := progtest.ParseFile(t, file)
			for _, m := range models {
				a, sa := engineRun(explore.Explore, p, m)
				b, sb := engineRun(explore.Canonical, p, m)
				if sa.Stopped || sb.Stopped {
					t.Logf("%s: timed out", m.Name)
					continue
				}
				only, extra := diffSorted(b, a)
				for _, k := range only {
					t.Errorf("%s: TruSt misses (canonical has):\n%s", m.Name, k)
				}
				for _, k := range extra {
					t.Errorf("%s: TruSt has more of (canonical has fewer):\n%s", m.Name, k)
				}
				if len(only)+len(extra) > 0 {
					t.Fatalf("%s: TruSt %d, canonical %d", m.Name, len(a), len(b))
				}
			}
		})
	}
}

// diffSorted returns the elements of sorted a missing from sorted b, and
// those of b missing from a (as multisets).
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

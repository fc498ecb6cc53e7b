package mesi

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"happens"
	"happens/model"
	"happens/result"
)

func outcomeSet(r *result.Result) map[string]bool {
	s := map[string]bool{}
	for _, o := range r.Outcomes {
		var parts []string
		for i, v := range o.Values {
			parts = append(parts, fmt.Sprintf("%s=%s", r.Observed[i].Name, r.Format(i, v)))
		}
		s[strings.Join(parts, " ")] = true
	}
	return s
}

func keys(m map[string]bool) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// slowARM lists tests the armv8 explorer does not finish quickly.
var slowARM = map[string]bool{"cas-counter.litmus": true}

// TestAgainstAxiomatic: mesi-strong reaches exactly the outcomes x86-TSO
// allows, and mesi-weak only outcomes ARMv8 allows, on every
// testdata/*.litmus both handle completely.
func TestAgainstAxiomatic(t *testing.T) {
	pairs := []struct {
		mode  Mode
		model string
		equal bool
	}{{Strong, "x86", true}, {Weak, "armv8", false}}
	files, _ := filepath.Glob("../../testdata/*.litmus")
	files2, _ := filepath.Glob("testdata/*.litmus")
	files = append(files, files2...)
	for _, pr := range pairs {
		if _, err := model.ByName(pr.model); err != nil {
			t.Logf("model %s not available: %v", pr.model, err)
			continue
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := happens.Parse(f, src, nil)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if pr.model == "armv8" && slowARM[filepath.Base(f)] {
				t.Logf("%s: skipped under armv8 (its exploration takes minutes)", f)
				continue
			}
			ax, err := happens.Run(context.Background(), p, happens.Options{Model: pr.model, Timeout: 20 * time.Second})
			if err != nil {
				t.Logf("%s: %s does not handle it: %v", f, pr.model, err)
				continue
			}
			mr, _ := Run(context.Background(), p, Options{Mode: pr.mode})
			if !ax.Complete() {
				t.Logf("%s: %s's result is partial, skipped", f, pr.model)
				continue
			}
			if !mr.Complete() {
				t.Errorf("%s: %s's result is partial", f, pr.mode)
				continue
			}
			a, m := outcomeSet(ax), outcomeSet(mr)
			if pr.mode == Weak && armExceptions[strings.TrimSuffix(filepath.Base(f), ".litmus")] != "" {
				continue // see armExceptions
			}
			for k := range m {
				if !a[k] {
					t.Errorf("%s: %s reaches %q, which %s forbids", filepath.Base(f), pr.mode, k, pr.model)
				}
			}
			if pr.equal {
				for k := range a {
					if !m[k] {
						t.Errorf("%s: %s allows %q, which %s never reaches", filepath.Base(f), pr.model, k, pr.mode)
					}
				}
			}
		}
	}
}

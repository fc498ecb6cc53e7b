package printer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"happens/frontend"
	"happens/internal/progtest"
	"happens/model"
	"happens/source"
)

// FuzzRoundTrip checks, for any program either front end accepts, that
// printing it never panics, that a refusal is a positioned error, that the
// printed text parses, and that it keeps the results (for programs small
// enough to explore quickly).
func FuzzRoundTrip(f *testing.F) {
	for _, g := range []string{"../testdata/*.litmus", "../examples/*.litmus", "../examples/*.rs", corpusDir + "/tests/*.litmus"} {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(string(src))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := frontend.Parse("fuzz.litmus", []byte(src), frontend.Options{})
		if err != nil {
			return
		}
		for _, to := range []printFunc{toRust, toC} {
			var b strings.Builder
			err := to(&b, p)
			if err != nil {
				var list source.ErrorList
				if !errors.As(err, &list) || strings.Contains(err.Error(), "internal error") {
					t.Fatalf("printing failed: %v\n%s", err, src)
				}
				continue
			}
			q, err := frontend.Parse("fuzz.litmus", []byte(b.String()), frontend.Options{})
			if err != nil {
				t.Fatalf("printed text does not parse: %v\n%s\n---\n%s", err, src, b.String())
			}
			if progtest.Estimate(p) > 1e4 || progtest.Estimate(q) > 1e4 {
				continue
			}
			if d := diff(summarise(p, model.C20), summarise(q, model.C20), noCondition(p) != noCondition(q) || p.Cond == nil || q.Cond == nil); d != "" && !strings.Contains(d, "timed out") {
				t.Fatalf("results differ: %s\n%s\n---\n%s", d, src, b.String())
			}
		}
	})
}

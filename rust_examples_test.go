package happens_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"happens"
	"happens/source"
)

// TestRustExamples runs the Rust programs of examples/ (one per program
// form: scoped threads, spawn with Arc, a loom test, book notation, a
// struct-of-atomics queue) under the models their want lines name, as
// TestGolden does for testdata/.
func TestRustExamples(t *testing.T) {
	files, _ := filepath.Glob("examples/*.rs")
	if len(files) == 0 {
		t.Fatal("no Rust examples")
	}
	wantRE := regexp.MustCompile(`(?m)^\s*//\s*want\s+(\w+)\s*:\s*(.*)$`)
	for _, file := range files {
		file := file
		t.Run(strings.TrimSuffix(filepath.Base(file), ".rs"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wants := wantRE.FindAllStringSubmatch(string(src), -1)
			if len(wants) == 0 {
				t.Fatalf("%s has no want lines", file)
			}
			p, err := happens.Parse(file, src, nil)
			if err != nil {
				t.Fatalf("parse:\n%s", source.Format(err, src))
			}
			for _, w := range wants {
				res, err := happens.Run(context.Background(), p, happens.Options{Model: w[1]})
				if err != nil {
					t.Fatalf("%s: %v", w[1], err)
				}
				checkWant(t, w[1], strings.Fields(w[2]), res)
			}
		})
	}
}

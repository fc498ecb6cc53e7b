package examples

import (
	"context"
	"testing"

	"happens"
	"happens/hw/mesi"
)

// TestMenu checks that the menu names every file, each entry exists and
// parses, and every model it selects is known.
func TestMenu(t *testing.T) {
	inMenu := map[string]bool{}
	for _, m := range menu {
		inMenu[m.file] = true
		if _, err := files.ReadFile(m.file); err != nil {
			t.Errorf("menu names %s, which is not in examples/", m.file)
		}
	}
	for _, f := range Files() {
		if !inMenu[f] {
			t.Errorf("examples/%s is in no group of the menu (examples.go)", f)
		}
	}
	for _, e := range Menu() {
		p, err := happens.Parse(e.File, []byte(e.Src), nil)
		if err != nil {
			t.Errorf("%s: %v", e.File, err)
			continue
		}
		if e.Doc == "" {
			t.Errorf("%s has no //! description", e.File)
		}
		if mode, ok := mesi.ModeByName(e.Model); ok {
			if _, st := mesi.Run(context.Background(), p, mesi.Options{Mode: mode}); st.Stopped {
				t.Errorf("%s under %s: stopped", e.File, e.Model)
			}
			continue
		}
		if _, err := happens.Run(context.Background(), p, happens.Options{Model: e.Model}); err != nil {
			t.Errorf("%s under %s: %v", e.File, e.Model, err)
		}
	}
}

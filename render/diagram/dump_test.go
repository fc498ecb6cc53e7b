package diagram_test

import (
	"os"
	"testing"

	"happens/model"
	"happens/render/diagram"
)

// TestDumpFiles writes every seed drawing as SVG and DOT into $SVGDUMP,
// for looking at (render the SVG with a browser, the DOT with dot).
func TestDumpFiles(t *testing.T) {
	dir := os.Getenv("SVGDUMP")
	if dir == "" {
		t.Skip()
	}
	bad, v := forbiddenSB(t)
	for _, c := range seedCases {
		g := pick(t, c.file, c.reads)
		f, _ := os.Create(dir + "/" + c.name + ".svg")
		diagram.SVG(f, g, model.C20, diagram.Options{})
		f.Close()
		f, _ = os.Create(dir + "/" + c.name + ".dot")
		diagram.DOT(f, g, model.C20, diagram.Options{})
		f.Close()
	}
	f, _ := os.Create(dir + "/forbidden.svg")
	diagram.SVG(f, bad, model.C20, diagram.Options{Cycle: v.Cycle, CycleLabel: v.Axiom})
	f.Close()
	f, _ = os.Create(dir + "/forbidden.dot")
	diagram.DOT(f, bad, model.C20, diagram.Options{Cycle: v.Cycle, CycleLabel: v.Axiom})
	f.Close()
}

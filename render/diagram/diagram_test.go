package diagram_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"happens/explore"
	"happens/frontend"
	"happens/graph"
	"happens/model"
	"happens/render/diagram"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// load parses a litmus file of the repository's testdata.
func load(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// executions explores src under C20 and returns every execution's graph.
func executions(t *testing.T, name string, src []byte) []*graph.Graph {
	t.Helper()
	p, err := frontend.Parse(name, src, frontend.Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var gs []*graph.Graph
	explore.Explore(context.Background(), p, explore.Options{Model: model.C20}, func(e *explore.Execution) {
		if e.Status == explore.Complete {
			gs = append(gs, e.G.Clone())
		}
	})
	return gs
}

// reads is what each thread's reads read, in order: "t_1: t_2:1" style,
// threads in order, values of reads (loads, RMWs, CAS) comma-separated.
func reads(g *graph.Graph) string {
	var parts []string
	for t, evs := range g.Threads {
		var vals []string
		for _, id := range evs {
			e := &g.Events[id]
			if e.IsRead() {
				vals = append(vals, g.P.FormatValue(g.P.Locs[e.Loc].Type, e.RVal))
			}
		}
		parts = append(parts, g.P.Threads[t].Name+":"+strings.Join(vals, ","))
	}
	return strings.Join(parts, " ")
}

// pick returns the one execution of the test whose reads read want.
func pick(t *testing.T, file, want string) *graph.Graph {
	t.Helper()
	var found []*graph.Graph
	var all []string
	for _, g := range executions(t, file, load(t, file)) {
		all = append(all, reads(g))
		if reads(g) == want {
			found = append(found, g)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d executions read %q; there are:\n%s", file, len(found), want, strings.Join(all, "\n"))
	}
	return found[0]
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", name, path, got, want)
	}
}

func draw(t *testing.T, g *graph.Graph, opts diagram.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := diagram.Write(&b, g, model.C20, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The executions the seed article (004, "Fences") draws, chosen by what
// their reads read.
var seedCases = []struct {
	name, file, reads string
}{
	{"acquire-fence-1", "seed004-acquire-fence.litmus", "t_1: t_2:1"},
	{"acquire-fence-2", "seed004-acquire-fence.litmus", "t_1: t_2:0"},
	{"acquire-fence-2loc", "seed004-acquire-fence-2loc.litmus", "t_1:1 t_2: t_3:2,1"},
	{"release-fence", "seed004-release-fence.litmus", "t_1: t_2:1"},
	{"fence-fence", "seed004-fence-fence.litmus", "t_1: t_2:1"},
	{"acqrel-fence", "seed004-acqrel-fence.litmus", "t_1: t_2:1 t_3:1,1"},
	{"seqcst-fences-sb-1", "seed004-seqcst-fences-sb.litmus", "a:true b:true"},
	{"seqcst-fences-sb-2", "seed004-seqcst-fences-sb.litmus", "a:false b:true"},
	{"seqcst-fences-sb-3", "seed004-seqcst-fences-sb.litmus", "a:true b:false"},
}

func TestSeedGolden(t *testing.T) {
	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			g := pick(t, c.file, c.reads)
			golden(t, c.name, []byte(draw(t, g, diagram.Options{})))
		})
	}
}

// TestShow prints every drawing (go test -run Show -v), for looking at.
func TestShow(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("only with -v")
	}
	for _, c := range seedCases {
		g := pick(t, c.file, c.reads)
		fmt.Printf("== %s\n%s\n", c.name, draw(t, g, diagram.Options{}))
	}
}

var _ = io.Discard
var _ = xml.Name{}
var _ = strconv.Itoa
var _ = utf8.RuneLen

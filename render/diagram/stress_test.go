package diagram

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/frontend"
	"happens/graph"
	"happens/model"
	"happens/prog"
)

// TestEveryTest lays out executions of every litmus test in the
// repository (and of this package's testdata, shapes that are hard to
// draw) and checks each drawing: no line had to run through a box or
// along another line, and, read back from the drawing alone, every line
// joins exactly the boxes it should (checkDrawing). It draws every
// execution of each test under C20 up to a cap (all of them for most
// tests, whatever order the engine finds them in), and the first few
// under SC and RC11 (other executions, and other synchronisation arrows),
// each with box-drawing characters and in narrow ASCII (split into
// groups); -short draws fewer.
func TestEveryTest(t *testing.T) {
	var files []string
	for _, dir := range []string{"../../testdata", "../../examples", "testdata"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.litmus"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Skip("no litmus files")
	}
	type run struct {
		m   *model.Model
		cap int
	}
	runs := []run{{model.C20, 40}, {model.SC, 4}, {model.RC11, 4}}
	if testing.Short() {
		runs = []run{{model.C20, 6}, {model.SC, 1}}
	}
	var slowest, total time.Duration
	var slowName string
	drawn, failed, capped, tests := 0, 0, 0, 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := frontend.Parse(f, src, frontend.Options{})
		if err != nil {
			continue // the error cases
		}
		tests++
		for _, rn := range runs {
			gs := firstExecutions(p, rn.m, rn.cap)
			if rn == runs[0] && len(gs) == rn.cap {
				capped++
			}
			for i, g := range gs {
				// The label styles in turn: other box widths.
				for _, opts := range []Options{{Labels: LabelStyle(i % 3)}, {ASCII: true, Width: 40}} {
					start := time.Now()
					sc := newScene(g, rn.m, opts)
					lays := sc.layouts()
					d := time.Since(start)
					total += d
					if d > slowest {
						slowest, slowName = d, fmt.Sprintf("%s #%d under %s", filepath.Base(f), i+1, rn.m.Name)
					}
					drawn++
					for _, l := range lays {
						problems := drawingProblems(sc, l)
						if len(problems) > 0 && failed < 20 {
							var b strings.Builder
							l.text(&b, opts.ASCII)
							t.Errorf("%s, execution %d under %s: %s:\n%s", filepath.Base(f), i+1, rn.m.Name, strings.Join(problems, "; "), b.String())
						}
						if len(problems) > 0 {
							failed++
						}
					}
				}
			}
		}
	}
	t.Logf("%d drawings of %d tests (%d with more than %d executions under %s) in %s; slowest %s (%s)",
		drawn, tests, capped, runs[0].cap, runs[0].m.Name, total.Round(time.Millisecond), slowest.Round(time.Microsecond), slowName)
	if failed > 0 {
		t.Errorf("%d drawings with problems", failed)
	}
	if slowest > 2*time.Second {
		t.Errorf("drawing %s took %s", slowName, slowest)
	}
}

// drawingProblems lists what is wrong with a finished layout: lines the
// router could only draw with a clash, and what checkDrawing finds.
func drawingProblems(sc *scene, l *layout) []string {
	var problems []string
	for _, r := range l.routes {
		if r.cost >= costClash {
			problems = append(problems, "a line clashes ("+sc.linkTitle(r.l)+")")
		}
	}
	return append(problems, checkDrawing(l)...)
}

// TestSameValueRow draws the executions of rust-match.litmus in which
// thread r's loads and compare-exchange meet at one value row: its second
// load and its compare-exchange read 4, which the compare-exchange
// doubles into the row below (once a line clash: the load's line was
// drawn to 2); and all three read 2 (once drawn as a crossing, which
// left the first load joined to nothing).
func TestSameValueRow(t *testing.T) {
	src, err := os.ReadFile("../../testdata/rust-match.litmus")
	if err != nil {
		t.Fatal(err)
	}
	p, err := frontend.Parse("rust-match.litmus", src, frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"r:2,4,4": false, "r:2,2,2": false}
	for _, g := range firstExecutions(p, model.C20, 100) {
		var vals []string
		for _, id := range g.Threads[1] {
			if e := &g.Events[id]; e.IsRead() {
				vals = append(vals, g.P.FormatValue(g.P.Locs[e.Loc].Type, e.RVal))
			}
		}
		key := "r:" + strings.Join(vals, ",")
		if _, ok := want[key]; !ok {
			continue
		}
		want[key] = true
		for _, opts := range []Options{{}, {ASCII: true}} {
			sc := newScene(g, model.C20, opts)
			for _, l := range sc.layouts() {
				if problems := drawingProblems(sc, l); len(problems) > 0 {
					var b strings.Builder
					l.text(&b, opts.ASCII)
					t.Errorf("%s: %s:\n%s", key, strings.Join(problems, "; "), b.String())
				}
			}
		}
	}
	for key, seen := range want {
		if !seen {
			t.Errorf("no execution reads %s", key)
		}
	}
}

// firstExecutions explores p under m and returns the first n executions
// the engine reports (whatever their status: blocked and cut ones are
// drawn too).
func firstExecutions(p *prog.Program, m *model.Model, n int) []*graph.Graph {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var gs []*graph.Graph
	explore.Explore(ctx, p, explore.Options{Model: m, MaxExecutions: n}, func(e *explore.Execution) {
		if len(gs) < n {
			gs = append(gs, e.Graph().Clone())
		}
		if len(gs) == n {
			cancel()
		}
	})
	return gs
}

// checkDrawing reads a finished layout back from its cells alone, as a
// reader would, and lists what does not match the lines it should show:
// a line's stub with no matching stub in the next cell (a dangling or
// broken line), a line inside a box other than at its end, a cell of four
// stubs that is not a plain crossing of two lines, and a line whose end
// leads, through the drawn lines (passing straight over crossings), to
// other boxes than those of its own line (or of the lines that share one
// of its ends, drawn as one tree).
func checkDrawing(l *layout) []string {
	var out []string
	type end struct{ x, y int }
	// net of every end, from the routes: lines that share an end are one.
	parent := map[end]end{}
	var find func(e end) end
	find = func(e end) end {
		p, ok := parent[e]
		if !ok || p == e {
			parent[e] = e
			return e
		}
		r := find(p)
		parent[e] = r
		return r
	}
	for _, r := range l.routes {
		parent[find(end{r.a.x, r.a.y})] = find(end{r.b.x, r.b.y})
	}
	isEnd := map[end]bool{}
	for e := range parent {
		isEnd[e] = true
	}
	h, w := len(l.grid), 0
	if h > 0 {
		w = len(l.grid[0])
	}
	at := func(x, y int) *cell {
		if x < 0 || y < 0 || y >= h || x >= w {
			return nil
		}
		return &l.grid[y][x]
	}
	dirs := []struct {
		st, back uint8
		dx, dy   int
	}{{stN, stS, 0, -1}, {stE, stW, 1, 0}, {stS, stN, 0, 1}, {stW, stE, -1, 0}}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := at(x, y)
			if c.line == 0 {
				continue
			}
			for _, d := range dirs {
				if c.line&d.st == 0 {
					continue
				}
				n := at(x+d.dx, y+d.dy)
				if n == nil || n.line&d.back == 0 {
					out = append(out, fmt.Sprintf("a line breaks off at (%d,%d)", x, y))
				}
			}
			if c.blocked && !isEnd[end{x, y}] {
				out = append(out, fmt.Sprintf("a line runs into a box at (%d,%d)", x, y))
			}
			if c.line == stN|stE|stS|stW && (c.nets[0] != c.nets[2] || c.nets[1] != c.nets[3]) {
				out = append(out, fmt.Sprintf("a joint looks like a crossing at (%d,%d)", x, y))
			}
		}
	}
	// Follow the lines from every end.
	for e := range isEnd {
		type step struct {
			x, y int
			from uint8 // the stub we came in by; 0 at the start
		}
		seen := map[step]bool{}
		reached := map[end]bool{}
		stack := []step{{e.x, e.y, 0}}
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[s] {
				continue
			}
			seen[s] = true
			c := at(s.x, s.y)
			if isEnd[end{s.x, s.y}] {
				reached[end{s.x, s.y}] = true
				if s.from != 0 {
					continue // a box: the line ends here
				}
			}
			for _, d := range dirs {
				if c.line&d.st == 0 || d.st == s.from {
					continue
				}
				// A crossing: go straight on only.
				if c.line == stN|stE|stS|stW && s.from != 0 && d.st != opposite(s.from) {
					continue
				}
				stack = append(stack, step{s.x + d.dx, s.y + d.dy, d.back})
			}
		}
		root := find(e)
		for r := range reached {
			if find(r) != root {
				out = append(out, fmt.Sprintf("the line from (%d,%d) leads to (%d,%d), another line's end", e.x, e.y, r.x, r.y))
			}
		}
		for o := range isEnd {
			if find(o) == root && !reached[o] {
				out = append(out, fmt.Sprintf("the line from (%d,%d) does not reach (%d,%d)", e.x, e.y, o.x, o.y))
			}
		}
	}
	return out
}

func opposite(st uint8) uint8 {
	switch st {
	case stN:
		return stS
	case stS:
		return stN
	case stE:
		return stW
	}
	return stE
}

package diagram

import (
	"math/rand"
	"os"
	"testing"

	"happens/frontend"
	"happens/graph"
	"happens/model"
)

// TestPathCost checks the summed prices (pathCoster) against pricing
// every cell (layout.cost), for random routes over routed grids.
func TestPathCost(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, name := range []string{"../../examples/iriw.litmus", "../../testdata/seed004-acqrel-fence.litmus", "../../testdata/rust-match.litmus"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := frontend.Parse(name, src, frontend.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range firstExecutions(p, model.C20, 3) {
			sc := newScene(g, model.C20, Options{})
			links, locs := sc.columns(sc.threadsWithEvents())
			order := orderCandidates(sc, sc.threadsWithEvents(), locs, links)[0]
			l := &layout{sc: sc, evBox: map[graph.ID]*box{}, valBox: map[graph.ID]*box{}, header: 1}
			for _, it := range order {
				l.cols = append(l.cols, &column{thread: it.thread, loc: it.loc})
			}
			l.place(links)
			l.routeAll(append([]link(nil), links...), false)
			nets := int16(len(links))
			for try := 0; try < 2000; try++ {
				net := int16(rng.Intn(int(nets) + 1))
				x0 := rng.Intn(l.w)
				x1 := x0 + rng.Intn(l.w-x0)
				pc := l.pathCost(net, x0, x1)
				// A random route of up to five segments, alternating
				// horizontal and vertical, within columns x0 to x1.
				pts := []pt{{x0 + rng.Intn(x1-x0+1), rng.Intn(l.h)}}
				horiz := rng.Intn(2) == 0
				for k := rng.Intn(5); k >= 0; k-- {
					q := pts[len(pts)-1]
					if horiz {
						q.x = x0 + rng.Intn(x1-x0+1)
					} else {
						q.y = rng.Intn(l.h)
					}
					pts = append(pts, q)
					horiz = !horiz
				}
				var buf [6]pt
				s := buf[:simplifyInto(&buf, pts)]
				ok := len(s) >= 2
				for i := 1; i < len(s); i++ {
					ok = ok && s[i] != s[i-1] // no empty segment, as bestRoute's
				}
				if !ok {
					continue
				}
				if got, want := pc.cost(s, -1), l.cost(s, net, -1); got != want {
					t.Fatalf("%s: net %d, route %v: summed price %d, cell by cell %d", name, net, s, got, want)
				}
			}
		}
	}
}

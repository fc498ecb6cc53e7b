package progtest

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestRandomARMBuilds: the ARM-shaped programs, and every one-step
// simplification of them, compile, and they have the shapes the
// generator is for.
func TestRandomARMBuilds(t *testing.T) {
	shapes := map[string]int{}
	for i := range 300 {
		s := RandomARM(rand.New(rand.NewPCG(7, uint64(i))))
		if _, err := s.Build(); err != nil {
			t.Fatalf("program %d: %v\n%s", i, err, s)
		}
		src := s.Source()
		for name, frag := range map[string]string{"addr": "as usize]", "rmw": "fetch_add", "cas": "compare_exchange", "fence": "fence(Ordering", "branch": "if r", "release": "Release"} {
			if strings.Contains(src, frag) {
				shapes[name]++
			}
		}
		if i%10 == 0 {
			for _, c := range armSimplifications(s) {
				if _, err := c.Build(); err != nil {
					t.Fatalf("program %d simplified: %v\n%s", i, err, c)
				}
			}
		}
	}
	for _, name := range []string{"addr", "rmw", "cas", "fence", "branch", "release"} {
		if shapes[name] < 15 {
			t.Errorf("only %d programs of 300 with %s", shapes[name], name)
		}
	}
}

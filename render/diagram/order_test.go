package diagram

import (
	"math/rand"
	"reflect"
	"testing"
)

// bruteForceOrders is what bestPermutations must find: every order tried
// (Heap's algorithm), the k cheapest kept, ties broken by the order of the
// items, those within orderMargin of the cheapest returned.
func bruteForceOrders(oc *orderCost, k int) [][]int {
	type cand struct {
		p []int
		c int
	}
	n := oc.n
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var best []cand
	consider := func() {
		c := oc.cost(perm)
		if len(best) == k && (c > best[k-1].c || (c == best[k-1].c && !lexLess(perm, best[k-1].p))) {
			return
		}
		i := len(best)
		for i > 0 && (best[i-1].c > c || (best[i-1].c == c && lexLess(perm, best[i-1].p))) {
			i--
		}
		best = append(best, cand{})
		copy(best[i+1:], best[i:])
		best[i] = cand{append([]int(nil), perm...), c}
		if len(best) > k {
			best = best[:k]
		}
	}
	consider()
	c := make([]int, n)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			consider()
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	var out [][]int
	for _, b := range best {
		if b.c <= best[0].c+orderMargin {
			out = append(out, b.p)
		}
	}
	return out
}

func lexLess(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// TestBestPermutations checks the pruned search against trying every
// order, on random tests of up to 7 columns, and that its bounds are
// bounds.
func TestBestPermutations(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for round := 0; round < rounds; round++ {
		nt, nl := 1+rng.Intn(4), 1+rng.Intn(3)
		var items []item
		for i := 0; i < nt; i++ {
			items = append(items, item{i, -1})
		}
		for i := 0; i < nl; i++ {
			items = append(items, item{-1, i})
		}
		n := len(items)
		weight := make([][]int, n)
		for i := range weight {
			weight[i] = make([]int, n)
		}
		for i := 0; i < nt; i++ {
			for j := nt; j < n; j++ {
				if rng.Intn(3) > 0 {
					w := rng.Intn(4)
					weight[i][j], weight[j][i] = w, w
				}
			}
		}
		oc := newOrderCost(items, weight)
		for try := 0; try < 20; try++ {
			perm := rng.Perm(n)
			c := oc.cost(perm)
			for d := 0; d <= n; d++ {
				if b := oc.bound(perm[:d]); b > c {
					t.Fatalf("round %d: weights %v: the bound of %v is %d, more than the price %d of %v", round, weight, perm[:d], b, c, perm)
				}
			}
		}
		got, want := bestPermutations(oc, orderTries), bruteForceOrders(oc, orderTries)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: %d threads, %d locations, weights %v:\ngot  %v\nwant %v", round, nt, nl, weight, got, want)
		}
	}
}

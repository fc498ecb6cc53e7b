package diagram

// Column order: threads and locations interleaved so that lines are
// short. A line between a thread and a location that are not neighbours
// has to pass under the columns between them; one long line along the
// bottom is easier to follow than several that cross, so the price of a
// line grows with the columns it passes but less and less (passCost). The
// order also prefers threads at both ends (as the articles draw them), and
// threads and locations in source order.

const (
	orderLocAtEnd = 75 // a location as the first or last column
	orderInverted = 10 // per pair of threads, or of locations, out of order
	bruteForceMax = 8  // columns up to which every order is tried
	orderTries    = 6  // orders laid out in full
	// orderMargin: only orders this close to the cheapest are laid out, so
	// that the routes (crossings) break near-ties but the executions of one
	// program keep one order.
	orderMargin = 2 * orderInverted
)

// passCost is the price of a line that passes under k >= 1 columns.
func passCost(k int) int {
	switch k {
	case 1:
		return 100
	case 2:
		return 150
	case 3:
		return 180
	}
	return 200 + 10*(k-4)
}

type item struct {
	thread, loc int
}

// orderCandidates returns up to orderTries column orders, cheapest first
// by the price above; the layout routes each and keeps the best drawing.
func orderCandidates(sc *scene, threads, locs []int, links []link) [][]item {
	var items []item
	for _, t := range threads {
		items = append(items, item{t, -1})
	}
	for _, loc := range locs {
		items = append(items, item{-1, loc})
	}
	n := len(items)
	// weight[i][j]: lines between items i and j.
	weight := make([][]int, n)
	for i := range weight {
		weight[i] = make([]int, n)
	}
	index := map[item]int{}
	for i, it := range items {
		index[it] = i
	}
	g := sc.g
	for _, lk := range links {
		i, ok1 := index[item{g.Events[lk.ev].Thread, -1}]
		j, ok2 := index[item{-1, g.Events[lk.val].Loc}]
		if ok1 && ok2 {
			weight[i][j]++
			weight[j][i]++
		}
	}
	cost := func(perm []int) int {
		pos := make([]int, n)
		for p, i := range perm {
			pos[i] = p
		}
		c := 0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if w := weight[i][j]; w > 0 {
					d := pos[i] - pos[j]
					if d < 0 {
						d = -d
					}
					if d > 1 {
						c += w * passCost(d-1)
					}
				}
				// Items are listed threads first, each kind in source
				// order: a pair of the same kind placed the other way
				// round is an inversion.
				if (items[i].thread >= 0) == (items[j].thread >= 0) && pos[i] > pos[j] {
					c += orderInverted
				}
			}
		}
		if n > 1 {
			for _, p := range []int{perm[0], perm[n-1]} {
				if items[p].thread < 0 {
					c += orderLocAtEnd
				}
			}
		}
		return c
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var perms [][]int
	if n <= bruteForceMax {
		perms = bestPermutations(perm, cost, orderTries)
	} else {
		perms = [][]int{greedyOrder(items, weight, cost)}
	}
	var out [][]item
	for _, p := range perms {
		var o []item
		for _, i := range p {
			o = append(o, items[i])
		}
		out = append(out, o)
	}
	return out
}

// bestPermutations tries every order (Heap's algorithm) and keeps the k
// cheapest, ties broken by the order of the items.
func bestPermutations(perm []int, cost func([]int) int, k int) [][]int {
	type cand struct {
		p []int
		c int
	}
	var best []cand
	consider := func() {
		c := cost(perm)
		if len(best) == k && (c > best[k-1].c || (c == best[k-1].c && !lexLess(perm, best[k-1].p))) {
			return
		}
		nc := cand{append([]int(nil), perm...), c}
		i := len(best)
		for i > 0 && (best[i-1].c > c || (best[i-1].c == c && lexLess(perm, best[i-1].p))) {
			i--
		}
		best = append(best, cand{})
		copy(best[i+1:], best[i:])
		best[i] = nc
		if len(best) > k {
			best = best[:k]
		}
	}
	n := len(perm)
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

// greedyOrder chains the items, each next to the one it has most lines
// with, then improves the order by moving single items while that helps.
func greedyOrder(items []item, weight [][]int, cost func([]int) int) []int {
	n := len(items)
	used := make([]bool, n)
	order := []int{0}
	used[0] = true
	for len(order) < n {
		last := order[len(order)-1]
		next, bw := -1, -1
		for i := 0; i < n; i++ {
			if !used[i] && weight[last][i] > bw {
				next, bw = i, weight[last][i]
			}
		}
		used[next] = true
		order = append(order, next)
	}
	c := cost(order)
	for round := 0; round < 20; round++ {
		improved := false
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if i == j {
					continue
				}
				cand := moveItem(order, i, j)
				if k := cost(cand); k < c {
					order, c, improved = cand, k, true
				}
			}
		}
		if !improved {
			break
		}
	}
	return order
}

func moveItem(order []int, from, to int) []int {
	v := order[from]
	rest := append(append([]int(nil), order[:from]...), order[from+1:]...)
	out := append([]int(nil), rest[:to]...)
	out = append(out, v)
	return append(out, rest[to:]...)
}

package diagram

// Column order: threads and locations interleaved so that lines are
// short. A line between a thread and a location that are not neighbours
// has to pass under the columns between them; one long line along the
// bottom is easier to follow than several that cross, so the price of a
// line grows with the columns it passes but less and less (passCost). The
// order also prefers threads at both ends (as the articles draw them), and
// threads and locations in source order.

const (
	orderLocAtEnd = 65 // a location as the first or last column
	orderInverted = 10 // per pair of threads, or of locations, out of order
	bruteForceMax = 8  // columns up to which every order is tried
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

func orderColumns(sc *scene, threads, locs []int, links []link) []*column {
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
	var best []int
	if n <= bruteForceMax {
		best = bestPermutation(perm, cost)
	} else {
		best = greedyOrder(items, weight, cost)
	}
	cols := make([]*column, n)
	for p, i := range best {
		cols[p] = &column{thread: items[i].thread, loc: items[i].loc}
	}
	return cols
}

// bestPermutation tries every order (Heap's algorithm) and keeps the first
// cheapest in the order tried.
func bestPermutation(perm []int, cost func([]int) int) []int {
	n := len(perm)
	best := append([]int(nil), perm...)
	bestCost := cost(perm)
	c := make([]int, n)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			if k := cost(perm); k < bestCost || (k == bestCost && lexLess(perm, best)) {
				bestCost = k
				copy(best, perm)
			}
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	return best
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

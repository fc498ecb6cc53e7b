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
	oc := newOrderCost(items, weight)
	var perms [][]int
	if n <= bruteForceMax {
		perms = bestPermutations(oc, orderTries)
	} else {
		perms = [][]int{greedyOrder(items, weight, oc.cost)}
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

// orderCost prices column orders (permutations of the items' indexes).
type orderCost struct {
	n     int
	loc   []bool        // the item is a location
	same  []orderPair   // pairs of items of the same kind
	lines [][]orderLine // per location: the threads it has lines with (lines join only those)
	pos   []int         // scratch: each item's position, -1 unplaced
	ws    []int         // scratch
}

// orderPair is a pair of items i < j of the same kind: placing j first is
// an inversion (items are listed threads first, each kind in source
// order).
type orderPair struct{ i, j int }

// orderLine: w lines between a location and thread t.
type orderLine struct{ t, w int }

func newOrderCost(items []item, weight [][]int) *orderCost {
	n := len(items)
	oc := &orderCost{n: n, loc: make([]bool, n), lines: make([][]orderLine, n), pos: make([]int, n)}
	for i, it := range items {
		oc.loc[i] = it.thread < 0
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i < j && oc.loc[i] == oc.loc[j] {
				oc.same = append(oc.same, orderPair{i, j})
			}
			if oc.loc[i] && !oc.loc[j] && weight[i][j] > 0 {
				oc.lines[i] = append(oc.lines[i], orderLine{j, weight[i][j]})
			}
		}
	}
	return oc
}

// cost is the price of a whole order.
func (oc *orderCost) cost(perm []int) int {
	return oc.bound(perm)
}

// bound is the least price of any order that starts with prefix (the
// price of the order itself when prefix is whole). The unplaced items
// take the positions from len(prefix) on: a placed location's unplaced
// threads are at best at the next positions, the heaviest nearest; an
// unplaced location's unplaced threads at best two at each distance
// from it, and its placed ones at least as far as the next position.
func (oc *orderCost) bound(prefix []int) int {
	n, d := oc.n, len(prefix)
	for i := range oc.pos {
		oc.pos[i] = -1
	}
	for p, i := range prefix {
		oc.pos[i] = p
	}
	c := 0
	for _, pr := range oc.same {
		pi, pj := oc.pos[pr.i], oc.pos[pr.j]
		if pj >= 0 && (pi < 0 || pi > pj) {
			c += orderInverted
		}
	}
	for l, lines := range oc.lines {
		pl := oc.pos[l]
		ws := oc.ws[:0]
		for _, ln := range lines {
			pt := oc.pos[ln.t]
			switch {
			case pt < 0:
				ws = append(ws, ln.w)
				continue
			case pl < 0:
				// The location comes at position d or later.
				if dist := d - pt; dist > 1 {
					c += ln.w * passCost(dist-1)
				}
			default:
				if dist := abs(pl - pt); dist > 1 {
					c += ln.w * passCost(dist-1)
				}
			}
		}
		oc.ws = ws
		if len(ws) == 0 {
			continue
		}
		for i := 1; i < len(ws); i++ { // heaviest first
			for j := i; j > 0 && ws[j] > ws[j-1]; j-- {
				ws[j], ws[j-1] = ws[j-1], ws[j]
			}
		}
		for k, w := range ws {
			dist := 1 + k/2 // around an unplaced location
			if pl >= 0 {
				dist = d + k - pl // after a placed one
			}
			if dist > 1 {
				c += w * passCost(dist-1)
			}
		}
	}
	if n > 1 {
		if d > 0 && oc.loc[prefix[0]] {
			c += orderLocAtEnd
		}
		if d == n && oc.loc[prefix[n-1]] {
			c += orderLocAtEnd
		}
	}
	return c
}

// bestPermutations finds the k cheapest orders, ties broken by the order
// of the items, and returns those within orderMargin of the cheapest. It
// builds the orders position by position in lexicographic order and
// abandons a prefix whose bound cannot beat the k-th cheapest found so
// far (a later order of the same price loses the tie).
func bestPermutations(oc *orderCost, k int) [][]int {
	type cand struct {
		p []int
		c int
	}
	n := oc.n
	var best []cand
	prefix := make([]int, 0, n)
	used := make([]bool, n)
	var walk func()
	walk = func() {
		c := oc.bound(prefix)
		if len(best) == k && c >= best[k-1].c {
			return
		}
		if len(prefix) == n {
			// Found in lexicographic order: it goes after every order of
			// the same price.
			i := len(best)
			for i > 0 && best[i-1].c > c {
				i--
			}
			best = append(best, cand{})
			copy(best[i+1:], best[i:])
			best[i] = cand{append([]int(nil), prefix...), c}
			if len(best) > k {
				best = best[:k]
			}
			return
		}
		for i := 0; i < n; i++ {
			if !used[i] {
				used[i] = true
				prefix = append(prefix, i)
				walk()
				prefix = prefix[:len(prefix)-1]
				used[i] = false
			}
		}
	}
	walk()
	var out [][]int
	for _, b := range best {
		if b.c <= best[0].c+orderMargin {
			out = append(out, b.p)
		}
	}
	return out
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

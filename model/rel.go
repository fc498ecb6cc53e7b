package model

import "math/bits"

// Set is a set of dense event indices.
type Set []uint64

func newSet(n int) Set { return make(Set, (n+63)/64) }

func (s Set) Add(i int)      { s[i>>6] |= 1 << (uint(i) & 63) }
func (s Set) Has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func (s Set) orWith(o Set) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s Set) andNot(o Set) {
	for i := range s {
		s[i] &^= o[i]
	}
}
func (s Set) intersects(o Set) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// Rel is a binary relation over n events, as a bit matrix.
type Rel struct {
	n, w int
	b    []uint64
	a    *arena // where results of operations on r are allocated, or nil
}

// NewRel returns the empty relation over n events.
func NewRel(n int) Rel {
	w := (n + 63) / 64
	return Rel{n: n, w: w, b: make([]uint64, n*w)}
}

// arena hands out zeroed words for relations and is reset between checks,
// so judging a graph allocates almost nothing.
type arena struct {
	buf []uint64
	off int
}

func (a *arena) words(k int) []uint64 {
	if a.off+k > len(a.buf) {
		// Grow by starting a new block; old slices stay valid.
		size := 2 * len(a.buf)
		if size < k+1024 {
			size = k + 1024
		}
		a.buf = make([]uint64, size)
		a.off = 0
	}
	s := a.buf[a.off : a.off+k : a.off+k]
	a.off += k
	clear(s)
	return s
}

func (a *arena) reset() { a.off = 0 }

// like returns an empty relation of r's size, in r's arena.
func (r Rel) like() Rel {
	if r.a == nil {
		return NewRel(r.n)
	}
	return Rel{n: r.n, w: r.w, b: r.a.words(r.n * r.w), a: r.a}
}

// Row returns the successors of i.
func (r Rel) Row(i int) Set     { return Set(r.b[i*r.w : (i+1)*r.w]) }
func (r Rel) Add(i, j int)      { r.b[i*r.w+j>>6] |= 1 << (uint(j) & 63) }
func (r Rel) Has(i, j int) bool { return r.b[i*r.w+j>>6]&(1<<(uint(j)&63)) != 0 }
func (r Rel) Len() int          { return r.n }

func (r Rel) clone() Rel {
	c := r.like()
	copy(c.b, r.b)
	return c
}

// Union returns the union of relations.
func Union(rs ...Rel) Rel {
	c := rs[0].clone()
	for _, r := range rs[1:] {
		for i := range c.b {
			c.b[i] |= r.b[i]
		}
	}
	return c
}

// Seq returns the composition a;b.
func Seq(a, b Rel) Rel {
	c := a.like()
	for i := 0; i < a.n; i++ {
		row := c.Row(i)
		for wi, word := range a.Row(i) {
			for word != 0 {
				j := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				row.orWith(b.Row(j))
			}
		}
	}
	return c
}

// Inverse returns r⁻¹.
func (r Rel) Inverse() Rel {
	c := r.like()
	r.each(func(i, j int) { c.Add(j, i) })
	return c
}

func (r Rel) each(f func(i, j int)) {
	for i := 0; i < r.n; i++ {
		for wi, word := range r.Row(i) {
			for word != 0 {
				j := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				f(i, j)
			}
		}
	}
}

// Plus returns the transitive closure r⁺ (Warshall's algorithm on rows).
func (r Rel) Plus() Rel {
	c := r.clone()
	for k := 0; k < c.n; k++ {
		rk := c.Row(k)
		kw, kb := k>>6, uint64(1)<<(uint(k)&63)
		for i := 0; i < c.n; i++ {
			if c.b[i*c.w+kw]&kb != 0 {
				c.Row(i).orWith(rk)
			}
		}
	}
	return c
}

// Opt returns r? (r with the identity added).
func (r Rel) Opt() Rel {
	c := r.clone()
	for i := 0; i < c.n; i++ {
		c.Add(i, i)
	}
	return c
}

// Restrict returns [dom];r;[ran]. A nil set means every event.
func (r Rel) Restrict(dom, ran Set) Rel {
	c := r.like()
	for i := 0; i < r.n; i++ {
		if dom != nil && !dom.Has(i) {
			continue
		}
		row := c.Row(i)
		copy(row, r.Row(i))
		if ran != nil {
			for k := range row {
				row[k] &= ran[k]
			}
		}
	}
	return c
}

// Minus returns r \ o.
func (r Rel) Minus(o Rel) Rel {
	c := r.clone()
	for i := range c.b {
		c.b[i] &^= o.b[i]
	}
	return c
}

// Inter returns r ∩ o.
func (r Rel) Inter(o Rel) Rel {
	c := r.clone()
	for i := range c.b {
		c.b[i] &= o.b[i]
	}
	return c
}

// Ident returns [s], the identity on s.
func Ident(n int, s Set) Rel {
	c := NewRel(n)
	for i := 0; i < n; i++ {
		if s.Has(i) {
			c.Add(i, i)
		}
	}
	return c
}

// IsEmpty reports whether r has no pairs.
func (r Rel) IsEmpty() bool {
	for _, w := range r.b {
		if w != 0 {
			return false
		}
	}
	return true
}

// Reflexive returns an event related to itself, or -1.
func (r Rel) Reflexive() int {
	for i := 0; i < r.n; i++ {
		if r.Has(i, i) {
			return i
		}
	}
	return -1
}

// Cycle returns a shortest cycle of r as a list of events (the first
// repeated at the end is left out), or nil when r is acyclic.
func (r Rel) Cycle() []int {
	best := []int(nil)
	// Breadth-first search from each node back to itself; relations are
	// small, and a shortest cycle is what a reader wants to see.
	prev := make([]int, r.n)
	queue := make([]int, 0, r.n)
	for s := 0; s < r.n; s++ {
		for i := range prev {
			prev[i] = -2
		}
		queue = append(queue[:0], s)
		prev[s] = -1
		found := false
		for qi := 0; qi < len(queue) && !found; qi++ {
			u := queue[qi]
			for wi, word := range r.Row(u) {
				for word != 0 {
					v := wi*64 + bits.TrailingZeros64(word)
					word &= word - 1
					if v == s {
						path := []int{}
						for x := u; x != -1; x = prev[x] {
							path = append(path, x)
						}
						for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
							path[i], path[j] = path[j], path[i]
						}
						if best == nil || len(path) < len(best) {
							best = path
						}
						found = true
						break
					}
					if prev[v] == -2 {
						prev[v] = u
						queue = append(queue, v)
					}
				}
				if found {
					break
				}
			}
		}
		if best != nil && len(best) == 1 {
			break
		}
	}
	return best
}

// Acyclic reports whether r has no cycle, cheaply (no witness).
func (r Rel) Acyclic() bool {
	// Kahn's algorithm.
	indeg := make([]int, r.n)
	r.each(func(i, j int) { indeg[j]++ })
	stack := make([]int, 0, r.n)
	for i, d := range indeg {
		if d == 0 {
			stack = append(stack, i)
		}
	}
	seen := 0
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		seen++
		for wi, word := range r.Row(u) {
			for word != 0 {
				v := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				indeg[v]--
				if indeg[v] == 0 {
					stack = append(stack, v)
				}
			}
		}
	}
	return seen == r.n
}

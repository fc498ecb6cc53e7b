package progtest

import (
	"sort"
	"strings"

	"happens/graph"
	"happens/prog"
)

// istate is a point of an interleaving: each thread's pc and registers, the
// memory, the last write to each location, and the execution so far.
type istate struct {
	pc   []int
	regs [][]uint64
	mem  []uint64
	last []Ref
	x    CExec
}

func (s *istate) clone() *istate {
	c := &istate{
		pc:   append([]int(nil), s.pc...),
		mem:  append([]uint64(nil), s.mem...),
		last: append([]Ref(nil), s.last...),
		regs: make([][]uint64, len(s.regs)),
		x:    CExec{Threads: make([][]CEvent, len(s.x.Threads)), MO: make([][]Ref, len(s.x.MO))},
	}
	for t := range s.regs {
		c.regs[t] = append([]uint64(nil), s.regs[t]...)
		c.x.Threads[t] = append([]CEvent(nil), s.x.Threads[t]...)
	}
	for l := range s.x.MO {
		c.x.MO[l] = append([]Ref(nil), s.x.MO[l]...)
	}
	return c
}

// Interleavings runs the straight-line program p in every interleaving of
// its threads' memory accesses against a plain memory (each access
// atomic, every location holding one value; a compare_exchange_weak whose
// value matches may also fail spuriously), and returns the set of
// executions the interleavings yield, as sorted canonical texts (CExec
// strings, comparable with Canon of a graph). Reads-from is "the last
// write to the location", modification order the order of the writes.
//
// Interleavings that reach the same partial execution continue the same
// way (the memory, the registers and the pcs are functions of it), so each
// partial execution is expanded once.
func Interleavings(p *prog.Program) ([]string, error) {
	if err := CheckStraightLine(p); err != nil {
		return nil, err
	}
	n := len(p.Threads)
	s0 := &istate{pc: make([]int, n), regs: make([][]uint64, n), mem: make([]uint64, len(p.Locs)),
		last: make([]Ref, len(p.Locs)), x: CExec{Threads: make([][]CEvent, n), MO: make([][]Ref, len(p.Locs))}}
	for l := range p.Locs {
		s0.mem[l] = p.Locs[l].Init
		s0.last[l] = Ref{-1, l}
	}
	for t := range p.Threads {
		s0.regs[t] = make([]uint64, p.Threads[t].NumRegs)
		var err error
		if s0.pc[t], err = runLocal(p.Threads[t].Code, 0, s0.regs[t]); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	final := map[string]bool{}
	var firstErr error
	var rec func(s *istate)
	rec = func(s *istate) {
		key := s.x.String()
		if seen[key] {
			return
		}
		seen[key] = true
		any := false
		for t := range p.Threads {
			code := p.Threads[t].Code
			if s.pc[t] >= len(code) {
				continue
			}
			any = true
			in := &code[s.pc[t]]
			loc := accessLoc(p, in)
			var read uint64
			var src Ref
			if loc >= 0 {
				read, src = s.mem[loc], s.last[loc]
			}
			for _, spurious := range []bool{false, true} {
				c := s.clone()
				ev, ok := perform(p, in, c.regs[t], read, spurious)
				if !ok {
					continue
				}
				me := Ref{t, len(c.x.Threads[t])}
				ce := CEvent{Kind: ev.Kind, Loc: ev.Loc, Ord: ev.Ord, Atomic: ev.Atomic, Spurious: ev.Spurious}
				if ev.Kind == graph.Read || ev.Kind == graph.RMW {
					ce.RVal, ce.RF = ev.RVal, src
				}
				if ev.Kind == graph.Write || ev.Kind == graph.RMW {
					ce.WVal = ev.WVal
					c.mem[loc] = ev.WVal
					c.last[loc] = me
					c.x.MO[loc] = append(c.x.MO[loc], me)
				}
				c.x.Threads[t] = append(c.x.Threads[t], ce)
				var err error
				if c.pc[t], err = runLocal(code, c.pc[t]+1, c.regs[t]); err != nil {
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				rec(c)
			}
		}
		if !any {
			final[key] = true
		}
	}
	rec(s0)
	out := make([]string, 0, len(final))
	for k := range final {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, firstErr
}

// SortedSet returns the distinct strings of xs, sorted.
func SortedSet(xs []string) []string {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

// Diff compares two multisets of strings. It returns the elements with more
// copies in a than in b (missing from b) and in b than in a (extra in b),
// each repeated by the surplus.
func Diff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for x, c := range count {
		for ; c > 0; c-- {
			onlyA = append(onlyA, x)
		}
		for ; c < 0; c++ {
			onlyB = append(onlyB, x)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

// Duplicates returns the strings that occur more than once in xs.
func Duplicates(xs []string) []string {
	count := map[string]int{}
	for _, x := range xs {
		count[x]++
	}
	var out []string
	for x, c := range count {
		if c > 1 {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// Indent prefixes every line of s.
func Indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}

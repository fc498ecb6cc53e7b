package explore

import "happens/prog"

// Set is a small set of variable indices.
type Set []uint64

// Has reports whether v is in s.
func (s Set) Has(v int) bool { return v>>6 < len(s) && s[v>>6]&(1<<(uint(v)&63)) != 0 }

// staticWriters computes, for every thread and program point, the set of
// variables the thread may still write from there on (stores, RMWs and
// compare-exchanges, whatever their outcome). It is a backward fixpoint over
// the thread's control flow.
func staticWriters(p *prog.Program) [][]Set {
	words := (len(p.Vars) + 63) / 64
	out := make([][]Set, len(p.Threads))
	for t := range p.Threads {
		code := p.Threads[t].Code
		sets := make([]Set, len(code)+1)
		for i := range sets {
			sets[i] = make(Set, words)
		}
		for changed := true; changed; {
			changed = false
			for pc := len(code) - 1; pc >= 0; pc-- {
				in := &code[pc]
				s := sets[pc]
				for _, n := range prog.Successors(code, pc) {
					for w := range s {
						if s[w]|sets[n][w] != s[w] {
							s[w] |= sets[n][w]
							changed = true
						}
					}
				}
				switch in.Op {
				case prog.OpStore, prog.OpRMW, prog.OpCAS:
					v := in.Addr.Var
					if s[v>>6]&(1<<(uint(v)&63)) == 0 {
						s[v>>6] |= 1 << (uint(v) & 63)
						changed = true
					}
				}
			}
		}
		out[t] = sets
	}
	return out
}

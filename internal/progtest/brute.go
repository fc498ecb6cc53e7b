package progtest

import (
	"errors"
	"math"

	"happens/graph"
	"happens/model"
	"happens/prog"
)

// Execution is one execution found by a reference enumerator: its graph
// and every thread's final registers.
type Execution struct {
	G    *graph.Graph
	Regs [][]uint64
}

// Options tune BruteForce.
type Options struct {
	// NoPrune turns off the one shortcut: dropping, before the model is
	// asked, modification orders in which a read-modify-write does not come
	// immediately after the write it reads from. Every model here rejects
	// those (the atomicity axiom), so the shortcut changes nothing but speed;
	// NoPrune exists to test exactly that.
	NoPrune bool
	// MaxChecks bounds the candidate graphs given to the model; 0: no bound.
	MaxChecks int
}

// Stats counts what BruteForce did.
type Stats struct {
	RFChoices  int // reads-from (and spurious-failure) assignments tried
	Evaluated  int // of those, the ones without a po ∪ rf cycle that make sense
	Checked    int // candidate graphs (with a modification order) given to the model
	Consistent int
}

// ErrTooBig is returned when MaxChecks is exceeded.
var ErrTooBig = errors.New("progtest: too many candidates")

// choice is what one read is given: the write it reads from, and for a
// compare_exchange_weak whether it fails spuriously.
type choice struct {
	src      Ref
	spurious bool
}

// BruteForce enumerates every execution of the straight-line program p that
// model m accepts, the way herd7 does: every read may read from every write
// to its location anywhere in the program (the initial write included); the
// threads are then evaluated along po ∪ rf (a cycle discards the
// candidate, as does reading from a compare-exchange that turned out to
// fail); then every permutation of each location's writes after its initial
// write is a modification order. Each candidate graph is built from scratch
// and kept when m.Check accepts it.
func BruteForce(p *prog.Program, m *model.Model, opt Options) ([]Execution, Stats, error) {
	var st Stats
	if err := CheckStraightLine(p); err != nil {
		return nil, st, err
	}
	pcs := memPCs(p)
	// The read events, and for each the writes it may read from.
	var reads []Ref
	var sources [][]Ref
	var weak []bool
	readIdx := make([][]int, len(p.Threads))
	for t := range p.Threads {
		readIdx[t] = make([]int, len(pcs[t]))
		for k, pc := range pcs[t] {
			readIdx[t][k] = -1
			in := &p.Threads[t].Code[pc]
			if !isReadInstr(in) {
				continue
			}
			loc := accessLoc(p, in)
			srcs := []Ref{{-1, loc}}
			for u := range p.Threads {
				for j, pc2 := range pcs[u] {
					in2 := &p.Threads[u].Code[pc2]
					if (u != t || j != k) && mayWriteInstr(in2) && accessLoc(p, in2) == loc {
						srcs = append(srcs, Ref{u, j})
					}
				}
			}
			readIdx[t][k] = len(reads)
			reads = append(reads, Ref{t, k})
			sources = append(sources, srcs)
			weak = append(weak, in.Op == prog.OpCAS && in.Weak && !m.StrongCAS) // x86 never fails spuriously
		}
	}

	var out []Execution
	cs := make([]choice, len(reads))
	var err error
	var rec func(i int)
	rec = func(i int) {
		if err != nil {
			return
		}
		if i == len(reads) {
			st.RFChoices++
			evs, rf, regs, ok := evaluate(p, pcs, readIdx, cs)
			if !ok {
				return
			}
			st.Evaluated++
			err = enumerateMO(p, m, opt, evs, rf, regs, &st, &out)
			return
		}
		for _, s := range sources[i] {
			cs[i] = choice{src: s}
			rec(i + 1)
			if weak[i] {
				cs[i] = choice{src: s, spurious: true}
				rec(i + 1)
			}
		}
	}
	rec(0)
	return out, st, err
}

// evaluate runs the threads under the reads-from choice cs, in any order
// that respects po ∪ rf. It reports false when there is no such order (a
// cycle), when a read would read from an event that is not a write, or when
// a spurious failure is chosen where there can be none.
func evaluate(p *prog.Program, pcs [][]int, readIdx [][]int, cs []choice) ([][]graph.Event, [][]Ref, [][]uint64, bool) {
	n := len(p.Threads)
	evs := make([][]graph.Event, n)
	rf := make([][]Ref, n)
	regs := make([][]uint64, n)
	pc := make([]int, n)
	for t := range p.Threads {
		regs[t] = make([]uint64, p.Threads[t].NumRegs)
		var e error
		if pc[t], e = runLocal(p.Threads[t].Code, 0, regs[t]); e != nil {
			return nil, nil, nil, false
		}
	}
	for {
		progress, done := false, true
		for t := range p.Threads {
			code := p.Threads[t].Code
			for pc[t] < len(code) {
				in := &code[pc[t]]
				k := len(evs[t])
				if pcs[t][k] != pc[t] {
					panic("progtest: event numbering out of step")
				}
				var read uint64
				c := choice{src: Ref{-2, 0}}
				if isReadInstr(in) {
					c = cs[readIdx[t][k]]
					if c.src.Thread < 0 {
						read = p.Locs[c.src.Index].Init
					} else {
						if len(evs[c.src.Thread]) <= c.src.Index {
							break // its write is not evaluated yet
						}
						w := &evs[c.src.Thread][c.src.Index]
						if w.Kind != graph.Write && w.Kind != graph.RMW {
							return nil, nil, nil, false // a failed compare-exchange
						}
						read = w.WVal
					}
				}
				ev, ok := perform(p, in, regs[t], read, c.spurious)
				if !ok {
					return nil, nil, nil, false
				}
				ev.Thread = t
				evs[t] = append(evs[t], ev)
				rf[t] = append(rf[t], c.src)
				var e error
				if pc[t], e = runLocal(code, pc[t]+1, regs[t]); e != nil {
					return nil, nil, nil, false
				}
				progress = true
			}
			if pc[t] < len(code) {
				done = false
			}
		}
		if done {
			return evs, rf, regs, true
		}
		if !progress {
			return nil, nil, nil, false // po ∪ rf cycle
		}
	}
}

// enumerateMO tries every modification order for the evaluated events.
func enumerateMO(p *prog.Program, m *model.Model, opt Options, evs [][]graph.Event, rf [][]Ref, regs [][]uint64, st *Stats, out *[]Execution) error {
	nloc := len(p.Locs)
	writes := make([][]Ref, nloc)
	for t := range evs {
		for k := range evs[t] {
			if e := &evs[t][k]; e.Kind == graph.Write || e.Kind == graph.RMW {
				writes[e.Loc] = append(writes[e.Loc], Ref{t, k})
			}
		}
	}
	perms := make([][][]Ref, nloc)
	for l := range writes {
		for _, pm := range permutations(writes[l]) {
			if opt.NoPrune || atomicOK(evs, rf, l, pm) {
				perms[l] = append(perms[l], pm)
			}
		}
		if len(perms[l]) == 0 {
			return nil
		}
	}
	sel := make([][]Ref, nloc)
	var rec func(l int) error
	rec = func(l int) error {
		if l == nloc {
			if opt.MaxChecks > 0 && st.Checked >= opt.MaxChecks {
				return ErrTooBig
			}
			st.Checked++
			g := buildGraph(p, evs, rf, sel)
			if m.Check(g) == nil {
				st.Consistent++
				rc := make([][]uint64, len(regs))
				for t := range regs {
					rc[t] = append([]uint64(nil), regs[t]...)
				}
				*out = append(*out, Execution{G: g, Regs: rc})
			}
			return nil
		}
		for _, pm := range perms[l] {
			sel[l] = pm
			if err := rec(l + 1); err != nil {
				return err
			}
		}
		return nil
	}
	return rec(0)
}

// atomicOK reports whether every read-modify-write in the order init, pm...
// comes right after the write it reads from.
func atomicOK(evs [][]graph.Event, rf [][]Ref, loc int, pm []Ref) bool {
	for i, w := range pm {
		if evs[w.Thread][w.Index].Kind != graph.RMW {
			continue
		}
		src := rf[w.Thread][w.Index]
		prev := Ref{-1, loc}
		if i > 0 {
			prev = pm[i-1]
		}
		if src != prev {
			return false
		}
	}
	return true
}

// buildGraph builds the candidate graph: the events thread by thread,
// reads-from, and the modification order sel[loc] after each initial write.
func buildGraph(p *prog.Program, evs [][]graph.Event, rf [][]Ref, sel [][]Ref) *graph.Graph {
	g := graph.New(p)
	ids := make([][]graph.ID, len(evs))
	for t := range evs {
		for k := range evs[t] {
			ids[t] = append(ids[t], g.Add(evs[t][k]))
		}
	}
	for t := range evs {
		for k, id := range ids[t] {
			if !g.Events[id].IsRead() {
				continue
			}
			s := rf[t][k]
			if s.Thread < 0 {
				g.Events[id].RF = g.MO[s.Index][0]
			} else {
				g.Events[id].RF = ids[s.Thread][s.Index]
			}
		}
	}
	for _, pm := range sel {
		for i, w := range pm {
			g.InsertMO(ids[w.Thread][w.Index], i+1)
		}
	}
	return g
}

// permutations returns every ordering of xs (one empty ordering for none).
func permutations(xs []Ref) [][]Ref {
	if len(xs) == 0 {
		return [][]Ref{nil}
	}
	var out [][]Ref
	for i := range xs {
		rest := make([]Ref, 0, len(xs)-1)
		rest = append(rest, xs[:i]...)
		rest = append(rest, xs[i+1:]...)
		for _, pm := range permutations(rest) {
			out = append(out, append([]Ref{xs[i]}, pm...))
		}
	}
	return out
}

// Estimate is an upper bound on the reads-from choices times the
// modification orders BruteForce may consider for p, ignoring pruning:
// a cheap way to keep random programs within a time budget.
func Estimate(p *prog.Program) float64 {
	pcs := memPCs(p)
	writers := make([]int, len(p.Locs))
	for t := range p.Threads {
		for _, pc := range pcs[t] {
			if in := &p.Threads[t].Code[pc]; mayWriteInstr(in) {
				writers[accessLoc(p, in)]++
			}
		}
	}
	est := 1.0
	for t := range p.Threads {
		for _, pc := range pcs[t] {
			in := &p.Threads[t].Code[pc]
			if isReadInstr(in) {
				n := float64(writers[accessLoc(p, in)] + 1)
				if in.Op == prog.OpCAS && in.Weak {
					n *= 2
				}
				est *= n
			}
		}
	}
	for _, w := range writers {
		est *= math.Gamma(float64(w) + 1)
	}
	return est
}

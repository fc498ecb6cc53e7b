package explore

import (
	"context"

	"happens/graph"
	"happens/model"
	"happens/prog"
)

// Coherent candidates for explanations under ARMv8, by revisits.
//
// Explaining an outcome under armv8 judges the candidates of
// model.CoherentCycles (coherence and atomicity; sb ∪ rf cycles allowed).
// Speculate lists them all, but it guesses every read's value, which blows
// up on read-modify-write chains and loops. CoherentHMC instead explores
// them by HMC's revisits (hmc.go) with two changes: the prefix a revisit
// of r by w must leave out r, and keeps, is w's (deps ∪ rf)⁺ prefix
// (dependencies only, without ARMv8's barrier and acquire/release
// orderings: a thread run again after a revisit must reach the events
// kept, which it does when they do not depend on what was deleted); and
// the only axiom checked is ARMv8's internal one (coherence:
// acyclic(po-loc ∪ rf ∪ co ∪ fr)), atomicity holding by construction.
// Its candidates are exactly those of CoherentCycles that have no cycle in
// deps ∪ rf (DepsCycle), as TestCoherentHMCAgainstSpeculation checks.
//
// What is left out is what ARMv8 rejects anyway, when no read-modify-write
// or compare-exchange takes an operand that depends on a read
// (DataIntoRMW). Take a cycle in deps ∪ rf of a coherent candidate. Its
// rf edges go forward in program order within a thread (a read reading a
// po-later write of its thread is a po-loc ∪ rf cycle) and so do
// dependencies, so it is made of runs within a thread, each from a read r
// entered by rfe to a write w left by rfe, and ARMv8's ob orders r before
// w: by the first step out of r, since
//
//   - ctrl r e: every event after the branch, w too, carries r's control
//     dependency, and ctrl;[W] ⊆ dob;
//   - addr r e: addr ⊆ dob when w is e, else (addr;po);[W] ⊆ dob;
//   - data r e: e is a write (loads have no data dependencies), data ⊆ dob;
//     e is w, or e's write is read by a later read r' of the thread, and
//     (addr ∪ data);rfi ⊆ dob, and the run goes on from r';
//   - r a read-modify-write whose write is w (rmw ⊆ aob) or is read by a
//     later r' of its thread: rmw;rfi ⊆ ob when r computes what it
//     stores from what it read (a fetch_add), or r' acquires
//     ([range(rmw)];rfi;[A] ⊆ aob); not for a swap or compare-exchange
//     read back by another load (ReadBackUnordered: explain does not
//     trust "no consistent candidate" then).
//
// With rfe ⊆ obs the cycle is one of ob, which the external axiom
// forbids. The exception is a data step into a read-modify-write e that
// the run leaves by a dependency on e's read: data goes to e's write
// only, so ob may have no path (and a compare-exchange that fails has no
// write at all). Explain therefore trusts CoherentHMC's "no consistent
// candidate" only for programs without such operands, and in any case
// only when some candidate produces the outcome; otherwise it speculates.
// (HMC itself, under armv8, shares that blind spot: see
// TestHMCDataIntoRMW.)

// CoherentHMCTrusted says whether explain and Explore use CoherentHMC for
// model.CoherentCycles. They do: its cross-check with value speculation
// (TestCoherentHMCAgainstSpeculation on every golden program,
// TestCrossCheckCoherentHMC on random ones) agrees. It once differed on
// three random programs: revisits deleting a compare-exchange whose
// maximality was judged without asking whether a value would make it
// write (testdata/hmc/swap-revisits-own-cas,
// ../testdata/cas-fails-before-swap) or whether its spurious failure was
// its first choice (testdata/hmc/weak-cas-fails-before-fetch-add), and a
// revisit making a read read a write later in its own thread. ARMv8's
// revisits (armMaximal, revisitAs) shared these faults.
const CoherentHMCTrusted = true

// CoherentHMC visits every candidate execution of p under
// model.CoherentCycles that has no cycle in deps ∪ rf, once (opts.Model is
// ignored). A thread longer than MaxHMCEvents makes it fall back to
// Speculate, which visits all of CoherentCycles' candidates.
func CoherentHMC(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	opts.Model = model.CoherentCycles
	e := newEngine(ctx, p, opts, visit)
	e.explore(newEgraph(p, e.opts.Unroll))
	if e.tooLong && e.stats.Complete+e.stats.Blocked+e.stats.Bounded+e.stats.Stuck+e.stats.Duplicates == 0 {
		return Speculate(ctx, p, opts, visit)
	}
	return e.done()
}

// DepsCycle reports whether g has a cycle in deps ∪ rf, deps relating a
// read to each later event of its thread whose address, data or control
// depends on it (graph.Event's Addr, Data and Ctrl masks, over the
// thread's events by Index).
func DepsCycle(g *graph.Graph) bool {
	const (
		unseen = iota
		busy
		done
	)
	state := make([]uint8, len(g.Events))
	var visit func(id graph.ID) bool // reports a cycle
	visit = func(id graph.ID) bool {
		switch state[id] {
		case busy:
			return true
		case done:
			return false
		}
		state[id] = busy
		e := &g.Events[id]
		// Predecessors: the write it reads, the reads it depends on.
		if e.IsRead() && e.RF != graph.None && visit(e.RF) {
			return true
		}
		if e.Kind != graph.Init {
			deps := e.Addr | e.Data | e.Ctrl
			th := g.Threads[e.Thread]
			for k := 0; k < e.Index && k < 64 && k < len(th); k++ {
				if deps&(1<<uint(k)) != 0 && visit(th[k]) {
					return true
				}
			}
		}
		state[id] = done
		return false
	}
	for id := range g.Events {
		if visit(graph.ID(id)) {
			return true
		}
	}
	return false
}

// ReadBackUnordered reports whether a thread of p may read back, by a
// load that is no acquire, what its own swap or compare-exchange wrote.
// ARMv8 orders a read-modify-write's read before such a load only when
// the stored value is computed from the read (a fetch_add's: rmw;rfi,
// model/armv8.go), so a cycle in deps ∪ rf through a swap's read-back
// need not be one of ob. Judged statically, cautiously: any such load
// of a variable the thread swaps or compare-exchanges.
func ReadBackUnordered(p *prog.Program) bool {
	for _, th := range p.Threads {
		vars := map[int]bool{}
		for i := range th.Code {
			in := &th.Code[i]
			if in.Op == prog.OpCAS || in.Op == prog.OpRMW && !in.StoresFromLoad() {
				vars[in.Addr.Var] = true
			}
		}
		for i := range th.Code {
			in := &th.Code[i]
			if (in.Op == prog.OpLoad || in.Op == prog.OpRMW || in.Op == prog.OpCAS) && vars[in.Addr.Var] && !model.ARMAcquiresInstr(in) {
				return true
			}
		}
	}
	return false
}

// DataIntoRMW reports whether some read-modify-write or compare-exchange
// of p may take an operand (the value added or swapped in, the expected or
// the new value) that depends on a read.
func DataIntoRMW(p *prog.Program) bool {
	return anyTainted(p, func(in *prog.Instr, is func(int) bool) bool {
		return in.Op == prog.OpRMW && is(in.B) || in.Op == prog.OpCAS && (is(in.B) || is(in.C))
	})
}

// HMCBlind reports whether exploration by revisits (HMC) may miss
// executions of p under ARMv8, which it does when a read-modify-write's
// written value depends on a read r that nothing else orders before the
// RMW's read: HMC treats the RMW as one event, so what depends on the
// value the RMW read is kept ordered after r, and a revisit of r by a
// write that depends on it is refused, although ARMv8 orders only the
// RMW's write after r (TestHMCDataIntoRMW). Judged statically, and
// cautiously (fences and unused results are not looked at): a fetch_add,
// swap or other RMW whose operand depends on a read that is not an
// acquire; a compare-exchange whose new value does, while its expected
// value depends on no read (when the expected value depends on r, the
// comparison and everything branching on it depend on r too).
func HMCBlind(p *prog.Program) bool {
	for _, th := range p.Threads {
		anyRead := taint(&th, func(*prog.Instr) bool { return true }) // as anyTainted's
		relaxed := taint(&th, func(in *prog.Instr) bool {
			ord := in.Ord
			if in.Op == prog.OpCAS {
				ord = prog.LoweredCASOrdering(in.Ord, in.Ord2)
			}
			return !in.Atomic || !(ord.IsAcquire() || ord == prog.Consume)
		})
		for i := range th.Code {
			in := &th.Code[i]
			switch {
			case in.Op == prog.OpRMW && relaxed(in.B):
				return true
			case in.Op == prog.OpCAS && relaxed(in.C) && !anyRead(in.B):
				return true
			}
		}
	}
	return false
}

// taint reports which registers of th may hold a value that depends on a
// read that counts (an access for which counts holds), judged over the
// code without regard to control flow.
func taint(th *prog.Thread, counts func(*prog.Instr) bool) func(int) bool {
	tainted := make([]bool, th.NumRegs)
	is := func(r int) bool { return r >= 0 && r < len(tainted) && tainted[r] }
	for changed := true; changed; {
		changed = false
		set := func(r int) {
			if r >= 0 && r < len(tainted) && !tainted[r] {
				tainted[r], changed = true, true
			}
		}
		for i := range th.Code {
			in := &th.Code[i]
			switch in.Op {
			case prog.OpLoad, prog.OpRMW:
				if counts(in) {
					set(in.A)
				}
			case prog.OpCAS:
				if counts(in) {
					set(in.A)
					set(in.A + 1)
				}
			case prog.OpMove, prog.OpUnary:
				if is(in.B) {
					set(in.A)
				}
			case prog.OpBinary:
				if is(in.B) || is(in.C) {
					set(in.A)
				}
			}
		}
	}
	return is
}

// Dependent reports whether some access of p may depend on a read: its
// address, the value it writes, or a branch before it. Without such
// dependencies no candidate has a cycle in deps ∪ rf, and CoherentHMC
// lists every candidate of model.CoherentCycles.
func Dependent(p *prog.Program) bool {
	return anyTainted(p, func(in *prog.Instr, is func(int) bool) bool {
		switch in.Op {
		case prog.OpBranch:
			return is(in.A)
		case prog.OpLoad:
			return is(in.Addr.Index)
		case prog.OpStore, prog.OpRMW:
			return is(in.Addr.Index) || is(in.B)
		case prog.OpCAS:
			return is(in.Addr.Index) || is(in.B) || is(in.C)
		}
		return false
	})
}

// anyTainted reports whether f holds of some instruction of p, told which
// registers may hold a value that depends on a read, judged over each
// thread's code without regard to control flow: a register depends on a
// read when any instruction that sets it loads, or computes it from one
// that does.
func anyTainted(p *prog.Program, f func(in *prog.Instr, is func(int) bool) bool) bool {
	for _, th := range p.Threads {
		is := taint(&th, func(*prog.Instr) bool { return true })
		for i := range th.Code {
			if f(&th.Code[i], is) {
				return true
			}
		}
	}
	return false
}

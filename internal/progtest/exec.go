package progtest

import (
	"fmt"

	"happens/graph"
	"happens/prog"
)

// This file is a small evaluator for straight-line thread code, written
// independently of package interp, shared by both reference enumerators.

// CheckStraightLine reports an error unless every thread of p is
// straight-line code over statically known locations: register arithmetic
// and memory accesses only.
func CheckStraightLine(p *prog.Program) error {
	for t := range p.Threads {
		for pc, in := range p.Threads[t].Code {
			switch in.Op {
			case prog.OpConst, prog.OpMove, prog.OpUnary, prog.OpBinary, prog.OpFence:
			case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS:
				if in.Addr.Index >= 0 {
					return fmt.Errorf("thread %d pc %d: indexed address", t, pc)
				}
				if _, ok := p.LocAddr(in.Addr, 0); !ok {
					return fmt.Errorf("thread %d pc %d: bad address", t, pc)
				}
			default:
				return fmt.Errorf("thread %d pc %d: %v is not straight-line code", t, pc, in.Op)
			}
		}
	}
	return nil
}

// memPCs lists, per thread, the program counters of its memory
// instructions: the event with index k of thread t is instruction memPCs[t][k].
func memPCs(p *prog.Program) [][]int {
	out := make([][]int, len(p.Threads))
	for t := range p.Threads {
		for pc, in := range p.Threads[t].Code {
			if in.Op.IsMemory() {
				out[t] = append(out[t], pc)
			}
		}
	}
	return out
}

// runLocal executes the register instructions from pc on and returns the
// pc of the next memory instruction (or the code's length).
func runLocal(code []prog.Instr, pc int, regs []uint64) (int, error) {
	for ; pc < len(code); pc++ {
		in := &code[pc]
		switch in.Op {
		case prog.OpConst:
			regs[in.A] = in.Imm
		case prog.OpMove:
			regs[in.A] = regs[in.B]
		case prog.OpUnary:
			regs[in.A] = prog.EvalUnary(in.Un, in.T, regs[in.B])
		case prog.OpBinary:
			v, err := prog.EvalBinary(in.Bin, in.T, regs[in.B], regs[in.C])
			if err != nil {
				return pc, err
			}
			regs[in.A] = v
		default:
			return pc, nil
		}
	}
	return pc, nil
}

// accessLoc is the location of a memory instruction (-1 for fences).
func accessLoc(p *prog.Program, in *prog.Instr) int {
	if in.Op == prog.OpFence {
		return -1
	}
	l, _ := p.LocAddr(in.Addr, 0)
	return l
}

// isReadInstr reports whether the instruction reads memory.
func isReadInstr(in *prog.Instr) bool {
	return in.Op == prog.OpLoad || in.Op == prog.OpRMW || in.Op == prog.OpCAS
}

// mayWriteInstr reports whether the instruction may write memory.
func mayWriteInstr(in *prog.Instr) bool {
	return in.Op == prog.OpStore || in.Op == prog.OpRMW || in.Op == prog.OpCAS
}

// perform executes memory instruction in of a thread with registers regs,
// given the value it reads (for reads) and whether a compare-exchange is to
// fail spuriously. It returns the event (RF and Thread left for the caller)
// and updates regs. It reports false when the choice is impossible: a
// spurious failure of a strong compare-exchange or of one whose value did
// not match (that would be an ordinary failure).
func perform(p *prog.Program, in *prog.Instr, regs []uint64, read uint64, spurious bool) (graph.Event, bool) {
	loc := accessLoc(p, in)
	ev := graph.Event{Loc: loc, Ord: in.Ord, Atomic: in.Atomic, Instr: in, RF: graph.None}
	var typ prog.Type
	if loc >= 0 {
		typ = p.Locs[loc].Type
	}
	if spurious && (in.Op != prog.OpCAS || !in.Weak) {
		return ev, false
	}
	switch in.Op {
	case prog.OpFence:
		ev.Kind, ev.Atomic = graph.Fence, true
	case prog.OpStore:
		ev.Kind, ev.WVal = graph.Write, typ.Wrap(regs[in.B])
	case prog.OpLoad:
		ev.Kind, ev.RVal = graph.Read, read
		regs[in.A] = read
	case prog.OpRMW:
		ev.Kind, ev.RVal = graph.RMW, read
		ev.WVal = prog.ApplyRMW(in.RMW, typ, read, regs[in.B])
		regs[in.A] = read
	case prog.OpCAS:
		ev.RVal = read
		regs[in.A] = read
		if read == regs[in.B] && !spurious {
			ev.Kind, ev.WVal = graph.RMW, typ.Wrap(regs[in.C])
			regs[in.A+1] = 1
		} else {
			if spurious && read != regs[in.B] {
				return ev, false
			}
			ev.Kind, ev.Ord, ev.Spurious = graph.Read, in.Ord2, spurious
			regs[in.A+1] = 0
		}
	}
	return ev, true
}

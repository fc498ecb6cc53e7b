package progtest

import (
	"fmt"
	"strings"

	"happens/prog"
)

// Format prints a resolved program: its locations, then each thread's code,
// one line per instruction with registers, locations and orderings.
func Format(p *prog.Program) string {
	var b strings.Builder
	for i, l := range p.Locs {
		kind := "plain"
		if l.Atomic {
			kind = "atomic"
		}
		fmt.Fprintf(&b, "loc %d %s: %v %s = %d\n", i, l.Name, l.Type, kind, l.Init)
	}
	for t := range p.Threads {
		th := &p.Threads[t]
		fmt.Fprintf(&b, "thread %d %s (%d regs", t, th.Name, th.NumRegs)
		for _, l := range th.Locals {
			fmt.Fprintf(&b, ", %s=r%d", l.Name, l.Reg)
		}
		b.WriteString("):\n")
		for pc := range th.Code {
			fmt.Fprintf(&b, "  %2d  %s\n", pc, FormatInstr(p, &th.Code[pc]))
		}
	}
	return b.String()
}

// FormatInstr prints one instruction.
func FormatInstr(p *prog.Program, in *prog.Instr) string {
	addr := func() string {
		if in.Addr.Var < 0 || in.Addr.Var >= len(p.Vars) {
			return fmt.Sprintf("var%d", in.Addr.Var)
		}
		v := &p.Vars[in.Addr.Var]
		switch {
		case v.Len == 0:
			return v.Name
		case in.Addr.Index >= 0:
			return fmt.Sprintf("%s[r%d]", v.Name, in.Addr.Index)
		}
		return fmt.Sprintf("%s[%d]", v.Name, in.Addr.Const)
	}
	acc := func() string {
		if in.Atomic {
			return in.Ord.String()
		}
		return "plain"
	}
	switch in.Op {
	case prog.OpConst:
		return fmt.Sprintf("r%d = %d", in.A, in.Imm)
	case prog.OpMove:
		return fmt.Sprintf("r%d = r%d", in.A, in.B)
	case prog.OpUnary:
		return fmt.Sprintf("r%d = %v r%d  (%v)", in.A, in.Un, in.B, in.T)
	case prog.OpBinary:
		return fmt.Sprintf("r%d = r%d %v r%d  (%v)", in.A, in.B, in.Bin, in.C, in.T)
	case prog.OpJump:
		return fmt.Sprintf("goto %d", in.Target)
	case prog.OpBranch:
		return fmt.Sprintf("if r%d == 0 goto %d", in.A, in.Target)
	case prog.OpLoad:
		return fmt.Sprintf("r%d = load %s %s", in.A, addr(), acc())
	case prog.OpStore:
		return fmt.Sprintf("store %s = r%d %s", addr(), in.B, acc())
	case prog.OpRMW:
		return fmt.Sprintf("r%d = %v %s r%d %s", in.A, in.RMW, addr(), in.B, acc())
	case prog.OpCAS:
		w := "cas"
		if in.Weak {
			w = "cas_weak"
		}
		return fmt.Sprintf("r%d,r%d = %s %s expect r%d new r%d %v/%v", in.A, in.A+1, w, addr(), in.B, in.C, in.Ord, in.Ord2)
	case prog.OpFence:
		return fmt.Sprintf("fence %v", in.Ord)
	case prog.OpAssert:
		return fmt.Sprintf("assert r%d %q", in.A, in.Msg)
	case prog.OpAssume:
		return fmt.Sprintf("assume r%d", in.A)
	case prog.OpPanic:
		return fmt.Sprintf("panic %q", in.Msg)
	case prog.OpLoopEnter:
		return fmt.Sprintf("loop %d (live %d)", in.Imm, in.A)
	case prog.OpLoopBack:
		return fmt.Sprintf("loopback %d goto %d", in.Imm, in.Target)
	case prog.OpLoopExit:
		return fmt.Sprintf("loopexit %d", in.Imm)
	}
	return in.Op.String()
}

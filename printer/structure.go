package printer

import (
	"happens/prog"
	"happens/source"
)

// The first step of printing a thread: recover its control structure from
// the register code. The front ends emit only forward branches and jumps
// plus loop markers, so the code parses into nested regions: a region is a
// range of instructions, and falling off its end continues at its follow.

type nodeKind uint8

const (
	nInstr nodeKind = iota
	nIf
	nLoop
	nBreak
	nContinue
)

// node is one piece of structured code.
type node struct {
	kind nodeKind
	pc   int
	// nIf: then runs when register cond is not 0, els otherwise.
	cond      int
	then, els []*node
	body      []*node // nLoop
	loop      *loopInfo
}

type loopInfo struct {
	id                uint64
	enter, back, exit int
	live              int // registers below live are compared by the spin check
}

// thread is the analysis of one thread's code.
type thread struct {
	pr    *printer
	ti    int
	th    *prog.Thread
	code  []prog.Instr
	reach []bool
	loops map[uint64]*loopInfo
	defs  [][]int // reachable defining instructions of each register
	uses  [][]int // reachable reading instructions of each register
	local map[int]string
	// defined[pc][r]: r is written on every path from the entry to pc.
	defined [][]bool
}

func (pr *printer) analyse(ti int) *thread {
	th := &pr.p.Threads[ti]
	a := &thread{pr: pr, ti: ti, th: th, code: th.Code, loops: map[uint64]*loopInfo{}, local: map[int]string{}}
	for _, l := range th.Locals {
		a.local[l.Reg] = l.Name
	}
	a.reachability()
	a.findLoops()
	a.defUse()
	a.dominance()
	return a
}

// pos is the best position for an error about instruction pc: its own, or
// the nearest instruction's before it, or the thread's.
func (a *thread) pos(pc int) source.Pos {
	for i := pc; i >= 0 && i < len(a.code); i-- {
		if a.code[i].Pos.IsValid() {
			return a.code[i].Pos
		}
	}
	for i := pc + 1; i >= 0 && i < len(a.code); i++ {
		if a.code[i].Pos.IsValid() {
			return a.code[i].Pos
		}
	}
	return a.th.Pos
}

func (a *thread) fail(pc int, format string, args ...any) {
	a.pr.fail(a.pos(pc), format, args...)
}

// succs are the instructions control can reach from pc.
func (a *thread) succs(pc int) []int { return prog.Successors(a.code, pc) }

func (a *thread) reachability() {
	a.reach = make([]bool, len(a.code))
	if len(a.code) == 0 {
		return
	}
	stack := []int{0}
	a.reach[0] = true
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range a.succs(pc) {
			if !a.reach[s] {
				a.reach[s] = true
				stack = append(stack, s)
			}
		}
	}
}

func (a *thread) findLoops() {
	for pc := range a.code {
		in := &a.code[pc]
		switch in.Op {
		case prog.OpLoopEnter, prog.OpLoopBack, prog.OpLoopExit:
		default:
			continue
		}
		l := a.loops[in.Imm]
		if l == nil {
			l = &loopInfo{id: in.Imm, enter: -1, back: -1, exit: -1}
			a.loops[in.Imm] = l
		}
		var slot *int
		switch in.Op {
		case prog.OpLoopEnter:
			slot = &l.enter
			l.live = in.A
		case prog.OpLoopBack:
			slot = &l.back
		default:
			slot = &l.exit
		}
		if *slot >= 0 {
			a.fail(pc, "cannot print this loop: its code is not structured (loop %d has two markers of a kind)", in.Imm)
		}
		*slot = pc
	}
	for _, l := range a.loops {
		if l.enter < 0 || l.back < l.enter || l.exit != l.back+1 || a.code[l.back].Target != l.enter+1 {
			pc := l.enter
			if pc < 0 {
				pc = max(l.back, l.exit)
			}
			a.fail(pc, "cannot print this loop: its code is not structured")
		}
	}
}

// reads lists the registers an instruction reads.
func reads(in *prog.Instr) []int {
	var r []int
	switch in.Op {
	case prog.OpMove, prog.OpUnary:
		r = append(r, in.B)
	case prog.OpBinary:
		r = append(r, in.B, in.C)
	case prog.OpBranch, prog.OpAssert, prog.OpAssume:
		r = append(r, in.A)
	case prog.OpStore, prog.OpRMW:
		r = append(r, in.B)
	case prog.OpCAS:
		r = append(r, in.B, in.C)
	}
	if in.Op == prog.OpLoad || in.Op == prog.OpStore || in.Op == prog.OpRMW || in.Op == prog.OpCAS {
		if in.Addr.Index >= 0 {
			r = append([]int{in.Addr.Index}, r...)
		}
	}
	return r
}

// writes lists the registers an instruction writes.
func writes(in *prog.Instr) []int {
	switch in.Op {
	case prog.OpConst, prog.OpMove, prog.OpUnary, prog.OpBinary, prog.OpLoad, prog.OpRMW:
		return []int{in.A}
	case prog.OpCAS:
		return []int{in.A, in.A + 1}
	}
	return nil
}

func (a *thread) defUse() {
	n := a.th.NumRegs
	a.defs = make([][]int, n)
	a.uses = make([][]int, n)
	for pc := range a.code {
		if !a.reach[pc] {
			continue
		}
		in := &a.code[pc]
		for _, r := range reads(in) {
			if r < 0 || r >= n {
				a.fail(pc, "cannot print this instruction: register %d out of range", r)
			}
			a.uses[r] = append(a.uses[r], pc)
		}
		for _, r := range writes(in) {
			if r < 0 || r >= n {
				a.fail(pc, "cannot print this instruction: register %d out of range", r)
			}
			a.defs[r] = append(a.defs[r], pc)
		}
	}
}

// dominance computes, for every instruction, the registers written on
// every path from the entry to it.
func (a *thread) dominance() {
	n := len(a.code)
	nr := a.th.NumRegs
	a.defined = make([][]bool, n)
	out := make([][]bool, n)
	preds := make([][]int, n)
	for pc := range a.code {
		if !a.reach[pc] {
			continue
		}
		for _, s := range a.succs(pc) {
			preds[s] = append(preds[s], pc)
		}
	}
	for pc := range a.code {
		out[pc] = make([]bool, nr)
		for r := range out[pc] {
			out[pc][r] = true // top, for the intersection
		}
		a.defined[pc] = make([]bool, nr)
	}
	for changed := true; changed; {
		changed = false
		for pc := 0; pc < n; pc++ {
			if !a.reach[pc] {
				continue
			}
			in := a.defined[pc]
			for r := range in {
				v := pc != 0
				for _, p := range preds[pc] {
					if !out[p][r] {
						v = false
						break
					}
				}
				in[r] = v
			}
			o := make([]bool, nr)
			copy(o, in)
			for _, r := range writes(&a.code[pc]) {
				o[r] = true
			}
			for r := range o {
				if o[r] != out[pc][r] {
					out[pc] = o
					changed = true
					break
				}
			}
		}
	}
}

// literal reports whether register r is a constant that can be printed as
// a literal wherever it is read: not exported, written once by a constant,
// and written before every read.
func (a *thread) literal(r int) (*prog.Instr, bool) {
	if _, ok := a.local[r]; ok || r >= len(a.defs) || len(a.defs[r]) != 1 {
		return nil, false
	}
	in := &a.code[a.defs[r][0]]
	if in.Op != prog.OpConst {
		return nil, false
	}
	for _, u := range a.uses[r] {
		if !a.defined[u][r] {
			return nil, false
		}
	}
	return in, true
}

// Structuring.

func (a *thread) structure() []*node {
	return a.region(0, len(a.code), len(a.code), nil)
}

// resolve follows a chain of jumps.
func (a *thread) resolve(t int) int {
	for steps := 0; steps <= len(a.code) && t >= 0 && t < len(a.code) && a.code[t].Op == prog.OpJump; steps++ {
		t = a.code[t].Target
	}
	return t
}

const (
	jFall = iota
	jBreak
	jContinue
	jBad
)

func (a *thread) jumpKind(t, follow int, lp *loopInfo) int {
	t = a.resolve(t)
	switch {
	case t == a.resolve(follow):
		return jFall
	case lp != nil && t == lp.exit:
		return jBreak
	case lp != nil && t == lp.back:
		return jContinue
	}
	return jBad
}

func (a *thread) lastReach(lo, hi int) int {
	for k := hi - 1; k >= lo; k-- {
		if a.reach[k] {
			return k
		}
	}
	return -1
}

func (a *thread) restDead(from, hi int) {
	for k := from; k < hi; k++ {
		if a.reach[k] {
			a.fail(k, "cannot print this thread: its code is not structured")
		}
	}
}

func (a *thread) backward(pc int) {
	if a.pr.t == tRust {
		a.fail(pc, "cannot print a loop without loop markers (a for loop) in the Rust-style language")
	}
	a.fail(pc, "a loop without loop markers (a Rust for loop, which has no unroll bound) has no equivalent in herd C")
}

// region structures [lo, hi); falling off its end continues at follow; lp
// is the innermost loop.
func (a *thread) region(lo, hi, follow int, lp *loopInfo) []*node {
	var out []*node
	for i := lo; i < hi; {
		if !a.reach[i] {
			i++
			continue
		}
		in := &a.code[i]
		switch in.Op {
		case prog.OpLoopEnter:
			l := a.loops[in.Imm]
			if l.exit >= hi {
				a.fail(i, "cannot print this loop: its code is not structured")
			}
			body := a.region(i+1, l.back, l.back, l)
			out = append(out, &node{kind: nLoop, pc: i, body: body, loop: l})
			i = l.exit + 1
		case prog.OpLoopBack, prog.OpLoopExit:
			a.fail(i, "cannot print this loop: its code is not structured")
		case prog.OpJump:
			if in.Target <= i {
				a.backward(i)
			}
			switch a.jumpKind(in.Target, follow, lp) {
			case jFall:
			case jBreak:
				out = append(out, &node{kind: nBreak, pc: i})
			case jContinue:
				out = append(out, &node{kind: nContinue, pc: i})
			default:
				a.fail(i, "cannot print this thread: a jump leaves more than the innermost loop")
			}
			a.restDead(i+1, hi)
			return out
		case prog.OpBranch:
			t := in.Target
			if t <= i {
				a.backward(i)
			}
			if t <= hi {
				f := t
				if t == hi {
					f = follow
				}
				if j := a.lastReach(i+1, t); j >= 0 && a.code[j].Op == prog.OpJump && a.code[j].Target > t && a.code[j].Target <= hi {
					jt := a.code[j].Target
					ef := jt
					if jt == hi {
						ef = follow
					}
					then := a.region(i+1, j, ef, lp)
					els := a.region(t, jt, ef, lp)
					out = append(out, &node{kind: nIf, pc: i, cond: in.A, then: then, els: els})
					i = jt
					continue
				}
				then := a.region(i+1, t, f, lp)
				out = append(out, &node{kind: nIf, pc: i, cond: in.A, then: then})
				i = t
				continue
			}
			switch a.jumpKind(t, follow, lp) {
			case jFall:
				then := a.region(i+1, hi, follow, lp)
				out = append(out, &node{kind: nIf, pc: i, cond: in.A, then: then})
				return out
			case jBreak:
				out = append(out, &node{kind: nIf, pc: i, cond: in.A, els: []*node{{kind: nBreak, pc: i}}})
			case jContinue:
				out = append(out, &node{kind: nIf, pc: i, cond: in.A, els: []*node{{kind: nContinue, pc: i}}})
			default:
				a.fail(i, "cannot print this thread: a branch leaves more than the innermost loop")
			}
			i++
		case prog.OpPanic:
			out = append(out, &node{kind: nInstr, pc: i})
			a.restDead(i+1, hi)
			return out
		default:
			out = append(out, &node{kind: nInstr, pc: i})
			i++
		}
	}
	return out
}

// nodeRegs collects the registers the instructions of nodes write and read.
func (a *thread) nodeRegs(nodes []*node, w, r map[int]bool) {
	for _, n := range nodes {
		switch n.kind {
		case nInstr:
			in := &a.code[n.pc]
			for _, x := range writes(in) {
				w[x] = true
			}
			for _, x := range reads(in) {
				r[x] = true
			}
		case nIf:
			r[n.cond] = true
			a.nodeRegs(n.then, w, r)
			a.nodeRegs(n.els, w, r)
		case nLoop:
			a.nodeRegs(n.body, w, r)
		}
	}
}

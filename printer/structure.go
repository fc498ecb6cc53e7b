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
	nBlock // a labelled block, left by a break to its label
	nFor   // a counted loop without markers (a Rust for loop)
)

// node is one piece of structured code.
type node struct {
	kind nodeKind
	pc   int
	// nIf: then runs when register cond is not 0, els otherwise.
	cond      int
	then, els []*node
	body      []*node // nLoop, nFor, nBlock
	loop      *loopInfo
	// target is the loop or block a break or continue leaves when it is
	// not the innermost loop (nil: the innermost loop); such targets are
	// labelled.
	target   *node
	labelled bool
	fr       *forInfo // nFor
}

// forInfo describes a counted loop (see rustlit's for loops):
//
//	pc:   c = i CMP e; if !c goto exit
//	      x = i
//	      body
//	next: d = e - i (i - e); if !(s < d) (s <= d) goto exit; i = i + s (i - s)
//	      goto pc+2
//	exit:
type forInfo struct {
	i, e, s, x int
	t          prog.Type
	desc, incl bool
	next, exit int
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
	th := pr.threadAt(ti)
	a := &thread{pr: pr, ti: ti, th: th, code: th.Code, loops: map[uint64]*loopInfo{}, local: map[int]string{}}
	for _, l := range th.Locals {
		a.local[l.Reg] = l.Name
	}
	if ti < len(pr.p.Threads) {
		// The registers the Final code joins are the thread's value.
		for r, n := range pr.resultNames(ti) {
			a.local[r] = n
		}
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
	var out []*node
	func() {
		defer func() {
			if r := recover(); r != nil {
				if nl, ok := r.(needLabel); ok {
					a.fail(0, "cannot print this thread: a jump to %d is not structured", nl.t)
				}
				panic(r)
			}
		}()
		out = a.region(0, len(a.code), len(a.code), nil)
	}()
	return out
}

// resolve follows a chain of jumps.
func (a *thread) resolve(t int) int {
	for steps := 0; steps <= len(a.code) && t >= 0 && t < len(a.code) && a.code[t].Op == prog.OpJump; steps++ {
		t = a.code[t].Target
	}
	return t
}

// canon is where control really continues from t: through jumps and over
// the exit markers of loops (leaving a loop past its exit marker, as a
// return from an inlined function does, is leaving it).
func (a *thread) canon(t int) int {
	for steps := 0; steps <= len(a.code); steps++ {
		t = a.resolve(t)
		if t < 0 || t >= len(a.code) || a.code[t].Op != prog.OpLoopExit {
			return t
		}
		t++
	}
	return t
}

const (
	jFall = iota
	jBreak
	jContinue
	jBad
)

// tgt is an enclosing construct a jump may leave: a loop (break to exit,
// continue to back) or a labelled block (break to exit).
type tgt struct {
	n          *node
	exit, back int // canonical targets; back < 0 for a block
	loop       bool
}

// needLabel is raised (as a panic) by a jump to t that no enclosing
// construct explains: the region holding both the jump and t wraps the
// code up to t in a labelled block.
type needLabel struct{ t int }

// jumpKind classifies a jump to t from a region whose end continues at
// follow, inside the constructs ctx (innermost last); it returns the
// construct left, nil for the innermost loop.
func (a *thread) jumpKind(t, follow int, ctx []*tgt) (int, *node) {
	c := a.canon(t)
	if c == a.canon(follow) {
		return jFall, nil
	}
	innermost := true
	for k := len(ctx) - 1; k >= 0; k-- {
		x := ctx[k]
		var target *node
		if !innermost || !x.loop {
			target = x.n
		}
		if c == x.exit {
			return jBreak, target
		}
		if x.loop && c == x.back {
			return jContinue, target
		}
		// Rust wants a label on a break out of a loop through a labelled
		// block, too.
		innermost = false
	}
	panic(needLabel{c})
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
		a.fail(pc, "cannot print this loop: a backward jump that is not a counted for loop")
	}
	a.fail(pc, "a loop without loop markers (a Rust for loop, which has no unroll bound) has no equivalent in herd C")
}

// jumpNode makes the node of a break or continue.
func jumpNode(kind int, target *node, pc int) *node {
	k := nBreak
	if kind == jContinue {
		k = nContinue
	}
	if target != nil {
		target.labelled = true
	}
	return &node{kind: k, pc: pc, target: target}
}

// forAt recognises a counted loop starting at pc.
func (a *thread) forAt(pc, hi int) *forInfo {
	code := a.code
	if pc+2 >= hi || code[pc].Op != prog.OpBinary || code[pc+1].Op != prog.OpBranch || code[pc+1].A != code[pc].A {
		return nil
	}
	exit := code[pc+1].Target
	if exit <= pc+7 || exit > hi || code[exit-1].Op != prog.OpJump || code[exit-1].Target != pc+2 {
		return nil
	}
	f := &forInfo{i: code[pc].B, e: code[pc].C, t: code[pc].T, exit: exit, next: exit - 5}
	switch code[pc].Bin {
	case prog.Lt:
	case prog.Le:
		f.incl = true
	case prog.Ge:
		f.desc, f.incl = true, true
	default:
		return nil
	}
	mv := &code[pc+2]
	d, c2, br, adv := &code[exit-5], &code[exit-4], &code[exit-3], &code[exit-2]
	u := prog.IntType(64, false)
	if mv.Op != prog.OpMove || mv.B != f.i {
		return nil
	}
	f.x = mv.A
	dx, dy := f.e, f.i
	if f.desc {
		dx, dy = f.i, f.e
	}
	cmp := prog.Lt
	if f.incl {
		cmp = prog.Le
	}
	op := prog.Add
	if f.desc {
		op = prog.Sub
	}
	if d.Op != prog.OpBinary || d.Bin != prog.Sub || d.T != u || d.B != dx || d.C != dy ||
		c2.Op != prog.OpBinary || c2.Bin != cmp || c2.T != u || c2.C != d.A ||
		br.Op != prog.OpBranch || br.A != c2.A || br.Target != exit ||
		adv.Op != prog.OpBinary || adv.Bin != op || adv.A != f.i || adv.B != f.i || adv.C != c2.B {
		return nil
	}
	f.s = c2.B
	return f
}

// region structures [lo, hi); falling off its end continues at follow;
// ctx are the enclosing loops and blocks.
func (a *thread) region(lo, hi, follow int, ctx []*tgt) []*node {
	var out []*node
	for i := lo; i < hi; {
		if !a.reach[i] {
			i++
			continue
		}
		nodes, next, done, label := a.step(i, hi, follow, ctx)
		if label > 0 {
			// A jump inside the statement at i leaves to label, further
			// down this region: the code from i to there is a labelled
			// block. Its body may need a larger one around it.
			var blk *node
			for blk == nil {
				var bigger int
				blk, bigger = a.labelBlock(i, label, hi, follow, ctx)
				if blk == nil {
					label = bigger
				}
			}
			out = append(out, blk)
			i = label
			continue
		}
		out = append(out, nodes...)
		if done {
			return out
		}
		i = next
	}
	return out
}

// labelBlock makes the labelled block [i, label) of a region ending at hi,
// or returns the end of a larger block that a jump inside it needs.
func (a *thread) labelBlock(i, label, hi, follow int, ctx []*tgt) (blk *node, bigger int) {
	defer func() {
		if r := recover(); r != nil {
			nl, ok := r.(needLabel)
			if !ok || nl.t <= label || nl.t > hi {
				panic(r)
			}
			blk, bigger = nil, nl.t
		}
	}()
	blk = &node{kind: nBlock, pc: i}
	f := label
	if label == hi {
		f = follow
	}
	inner := append(append([]*tgt(nil), ctx...), &tgt{n: blk, exit: a.canon(label), back: -1})
	blk.body = a.regionBlock(i, label, f, inner)
	return blk, 0
}

// regionBlock structures a labelled block's body, refusing to wrap the same
// code again (which would mean the code is not structured).
func (a *thread) regionBlock(lo, hi, follow int, ctx []*tgt) []*node {
	defer func() {
		if r := recover(); r != nil {
			if nl, ok := r.(needLabel); ok && nl.t == a.canon(hi) {
				a.fail(lo, "cannot print this thread: its code is not structured")
			}
			panic(r)
		}
	}()
	return a.region(lo, hi, follow, ctx)
}

// step structures the statement at i: its nodes, where the next one
// starts, whether the region ends after it, and (label > 0) the end of a
// labelled block the statement needs.
func (a *thread) step(i, hi, follow int, ctx []*tgt) (nodes []*node, next int, done bool, label int) {
	defer func() {
		if r := recover(); r != nil {
			nl, ok := r.(needLabel)
			if !ok || nl.t <= i || nl.t > hi {
				panic(r)
			}
			nodes, next, done, label = nil, 0, false, nl.t
		}
	}()
	in := &a.code[i]
	if f := a.forAt(i, hi); f != nil {
		n := &node{kind: nFor, pc: i, fr: f}
		li := &loopInfo{enter: i, back: f.next, exit: f.exit, live: -1}
		n.loop = li
		inner := append(append([]*tgt(nil), ctx...), &tgt{n: n, exit: a.canon(f.exit), back: a.canon(f.next), loop: true})
		n.body = a.region(i+3, f.next, f.next, inner)
		return []*node{n}, f.exit, false, 0
	}
	switch in.Op {
	case prog.OpLoopEnter:
		l := a.loops[in.Imm]
		if l.exit >= hi {
			a.fail(i, "cannot print this loop: its code is not structured")
		}
		n := &node{kind: nLoop, pc: i, loop: l}
		inner := append(append([]*tgt(nil), ctx...), &tgt{n: n, exit: a.canon(l.exit), back: a.canon(l.back), loop: true})
		n.body = a.region(i+1, l.back, l.back, inner)
		return []*node{n}, l.exit + 1, false, 0
	case prog.OpLoopBack, prog.OpLoopExit:
		a.fail(i, "cannot print this loop: its code is not structured")
	case prog.OpJump:
		if in.Target <= i {
			a.backward(i)
		}
		var out []*node
		switch k, target := a.jumpKind(in.Target, follow, ctx); k {
		case jFall:
		default:
			out = append(out, jumpNode(k, target, i))
		}
		a.restDead(i+1, hi)
		return out, hi, true, 0
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
				then := a.region(i+1, j, ef, ctx)
				els := a.region(t, jt, ef, ctx)
				return []*node{{kind: nIf, pc: i, cond: in.A, then: then, els: els}}, jt, false, 0
			}
			then := a.region(i+1, t, f, ctx)
			return []*node{{kind: nIf, pc: i, cond: in.A, then: then}}, t, false, 0
		}
		switch k, target := a.jumpKind(t, follow, ctx); k {
		case jFall:
			then := a.region(i+1, hi, follow, ctx)
			return []*node{{kind: nIf, pc: i, cond: in.A, then: then}}, hi, true, 0
		default:
			return []*node{{kind: nIf, pc: i, cond: in.A, els: []*node{jumpNode(k, target, i)}}}, i + 1, false, 0
		}
	case prog.OpPanic:
		a.restDead(i+1, hi)
		return []*node{{kind: nInstr, pc: i}}, hi, true, 0
	}
	return []*node{{kind: nInstr, pc: i}}, i + 1, false, 0
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
		case nLoop, nBlock:
			a.nodeRegs(n.body, w, r)
		case nFor:
			f := n.fr
			w[f.i], w[f.x] = true, true
			r[f.i], r[f.e], r[f.s] = true, true, true
			a.nodeRegs(n.body, w, r)
		}
	}
}

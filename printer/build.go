package printer

import (
	"fmt"
	"sort"

	"happens/prog"
)

// The second step: turn the structured instructions into statements over
// expressions. A temporary (written once, read once, not exported) becomes
// a pending expression that its reader takes in; everything else that holds
// a value is a variable. Memory events (and operations that can panic) keep
// their program order: a pending expression is taken into a later statement
// only when no other event comes between, and is otherwise flushed as an
// assignment first.

type exprKind uint8

const (
	eLit     exprKind = iota
	eVar              // a variable register (reg >= NumRegs: a Result variable)
	eUn               // un x at t
	eBin              // x bin y at operand type t (result Bool for comparisons)
	eConv             // x converted to t (Wrap at t)
	eLoad             // in (a load)
	eRMW              // in, x the operand
	eCAS              // in, x expected (nil in C), y new; value: Result in Rust, success in C
	eCASOk            // x.is_ok()
	eCASOld           // x.unwrap_or_else(|v| v)
	eLoadExp          // C: *E after a compare_exchange (exp is E)
	eCASErr           // x.is_err()
	eAnd              // x && y (short-circuit, bools)
	eOr               // x || y
	eJoin             // in (a join): the joined thread's value
)

type expr struct {
	k     exprKind
	t     prog.Type // type of the value; for eBin the operand type
	val   uint64    // eLit
	typed bool      // eLit: its own type is t (otherwise it takes its context's)
	reg   int       // eVar
	un    prog.UnOp
	bin   prog.BinOp
	x, y  *expr
	idx   *expr // array index of an access
	in    *prog.Instr
	exp   int // eCAS (C) and eLoadExp: the location holding the expected value
	pc    int
}

// typ is the type of e's value.
func (e *expr) typ() prog.Type {
	if e.k == eBin && e.bin.IsComparison() {
		return prog.Bool
	}
	return e.t
}

type stmtKind uint8

const (
	sAssign   stmtKind = iota // reg = x
	sEval                     // x, for its effect
	sStore                    // in, idx, x
	sStoreExp                 // C: *exp = x
	sFence                    // in
	sAssert                   // in (assert or assume), x
	sPanic                    // in
	sIf                       // if x != 0 then else els
	sLoop                     // body
	sBreak
	sContinue
	sBindCAS // Rust: let reg = x (a Result)
	sDecl    // declaration of variable reg, placed before its first use
	sBlock   // { body }
	sFor     // for reg in hdr { body } (Rust)
)

type stmt struct {
	k         stmtKind
	pc        int
	reg       int
	x, idx    *expr
	in        *prog.Instr
	then, els []*stmt
	body      []*stmt
	loop      *loopInfo
	exp       int
	// sAssign: this assignment declares its variable (let / T x = ...).
	decl bool
	// label is the node a labelled sLoop, sFor or sBlock is (its label's
	// key), or the node a labelled break or continue leaves.
	label *node
	// sFor: the start, limit and step (nil: 1) of the range, and its
	// shape.
	hdr []*expr
	fr  *forInfo
	// ret (sBlock) lists the registers the block's value is made of: a
	// thread's result printed as the tail of the block that hides its
	// temporaries. mark (sEval) is a statement that prints nothing: it
	// stands for that tail's reads, so that the result variables are
	// declared where the tail sees them.
	ret  []int
	mark bool
}

// pend is a pending expression: the value of temporary reg, not yet read.
type pend struct {
	reg   int
	e     *expr
	ev    []int // keys of its events, in evaluation order (pc*4+k)
	reads map[int]bool
	depth int
	seq   int
	done  bool // flushed
}

func (p *pend) effectful() bool { return len(p.ev) > 0 }
func (p *pend) last() int       { return p.ev[len(p.ev)-1] }

// opnd is an operand: a pending expression or a ready one.
type opnd struct {
	p *pend
	e *expr
}

type builder struct {
	a      *thread
	t      target
	pend   []*pend
	floor  int // pending expressions below floor are outside the current loop
	depth  int
	seq    int
	out    *[]*stmt
	isVar  map[int]bool
	vtype  map[int]prog.Type
	nregs  int // registers of the thread; above: Result variables
	inLoop int
	skip   map[*node]bool
	dead   bool // the current block ended (break, continue, panic)
	// dropped counts reads of a register that printing removed (the test
	// of herd's compare_exchange idiom).
	dropped map[int]int
	// views are registers read as an expression of a Result variable
	// wherever they are read (Rust: res.is_ok(), res.unwrap_or_else(...)).
	views map[int]*expr
	// end is the end (past the last instruction) of the current block.
	end int
	// facts are conditions known to hold (true) or fail in the current
	// branch, by factKey; killed are those an assignment ended.
	occ       map[int]int // reads and writes of each variable, for shortCircuits
	top       []*stmt
	facts     map[string]bool
	killed    map[string]bool
	endedDead bool // the last block built ends in break, continue or panic
	// forVar are the variables for loops bind.
	forVar map[int]bool
	// forInit marks the copies of a for loop's start, limit and step just
	// before it (rustlit copies the range's bounds into the loop's own
	// registers): the copied values are the loop's header, not variables.
	// initOp holds the value each copy read, for the header.
	forInit map[int]bool
	initOp  map[int]*opnd
	// skipPC marks instructions that print as part of others: a
	// step_by's check (step != 0, else panic) before a for loop, which
	// the loop's header says, and the copy of a compare_exchange's Result
	// into a let's variable.
	skipPC map[int]bool
	// extra gives the location (index past the program's) that holds a
	// compare_exchange's expected value in C, for this thread and type.
	extra func(t prog.Type) int
}

const inf = int(^uint(0) >> 1)

func key(pc, k int) int { return pc*4 + k }

func (a *thread) build(extra func(prog.Type) int) (*builder, []*stmt) {
	b := &builder{a: a, t: a.pr.t, isVar: map[int]bool{}, vtype: map[int]prog.Type{}, nregs: a.th.NumRegs, forVar: map[int]bool{},
		forInit: map[int]bool{}, initOp: map[int]*opnd{}, skipPC: map[int]bool{},
		skip: map[*node]bool{}, extra: extra, dropped: map[int]int{}, views: map[int]*expr{}, end: len(a.code),
		facts: map[string]bool{}, killed: map[string]bool{}}
	for _, l := range a.th.Locals {
		b.isVar[l.Reg] = true
		b.vtype[l.Reg] = l.Type
	}
	b.stepChecks()
	body := b.block(a.structure())
	b.top = body
	body = b.shortCircuits(body, nil)
	return b, body
}

func (b *builder) emit(s *stmt) {
	if !b.dead {
		*b.out = append(*b.out, s)
	}
	if s.k == sAssign {
		// What was known about the variable no longer holds.
		k := fmt.Sprintf("v%d", s.reg)
		delete(b.facts, k)
		b.killed[k] = true
	}
}

func (b *builder) markVar(r int, t prog.Type) {
	b.isVar[r] = true
	if t.Kind == prog.KindInt && t.Bits == 0 {
		// An untyped literal (herd's constants): the other writes, or
		// int, decide.
		return
	}
	old, ok := b.vtype[r]
	switch {
	case !ok:
		b.vtype[r] = t
	case old.Kind == prog.KindBool && t.Kind == prog.KindInt:
		// A register that holds both: an int (bools are 0/1).
		b.vtype[r] = t
	}
}

func (b *builder) varType(r int) prog.Type {
	if t, ok := b.vtype[r]; ok {
		return t
	}
	return prog.I32
}

func (b *builder) findPend(r int) *pend {
	for _, p := range b.pend[b.floor:] {
		if p.reg == r {
			return p
		}
	}
	return nil
}

func (b *builder) remove(p *pend) {
	for i, q := range b.pend {
		if q == p {
			b.pend = append(b.pend[:i], b.pend[i+1:]...)
			return
		}
	}
}

// operand is the value of register r where it is read.
func (b *builder) operand(r int) *opnd {
	if v, ok := b.views[r]; ok {
		c := *v
		return &opnd{e: &c}
	}
	if p := b.findPend(r); p != nil {
		return &opnd{p: p}
	}
	if in, ok := b.a.literal(r); ok {
		return &opnd{e: b.lit(in)}
	}
	b.markVar(r, b.guessType(r))
	return &opnd{e: &expr{k: eVar, reg: r, t: b.varType(r)}}
}

// guessType is the type of a register read as a variable before (in the
// walk) it is written: its definition's type.
func (b *builder) guessType(r int) prog.Type {
	if t, ok := b.vtype[r]; ok {
		return t
	}
	if r < len(b.a.defs) {
		for _, pc := range b.a.defs[r] {
			in := &b.a.code[pc]
			switch in.Op {
			case prog.OpBinary:
				if in.Bin.IsComparison() {
					return prog.Bool
				}
				return in.T
			case prog.OpUnary:
				return in.T
			case prog.OpLoad, prog.OpRMW:
				return b.a.pr.p.Vars[in.Addr.Var].Type
			case prog.OpCAS:
				if r == in.A+1 {
					return prog.Bool
				}
				return b.a.pr.p.Vars[in.Addr.Var].Type
			case prog.OpConst:
				if in.T.Kind == prog.KindBool || in.T.Bits > 0 {
					return in.T
				}
			}
		}
	}
	return prog.I32
}

func (b *builder) lit(in *prog.Instr) *expr {
	e := &expr{k: eLit, val: in.Imm, pc: -1}
	if in.T.Kind == prog.KindBool || in.T.Kind == prog.KindInt && in.T.Bits > 0 {
		e.t, e.typed = in.T, true
	}
	return e
}

// mat is the expression of an operand after settle.
func mat(o *opnd) *expr {
	if o.p != nil {
		if o.p.done {
			return &expr{k: eVar, reg: o.p.reg, t: o.p.e.typ()}
		}
		return o.p.e
	}
	return o.e
}

func mats(ops []*opnd) []*expr {
	out := make([]*expr, len(ops))
	for i, o := range ops {
		out[i] = mat(o)
	}
	return out
}

func increasing(seq []int) bool {
	for i := 1; i < len(seq); i++ {
		if seq[i] <= seq[i-1] {
			return false
		}
	}
	return true
}

// settle prepares a statement (or a new pending expression) that takes in
// the pending expressions among ops, in evaluation order, and has its own
// event own (-1: none): it flushes, as assignments before it, every pending
// expression whose events must come first, and those of ops that cannot
// stay inline without reordering events. all flushes every effectful
// pending expression (before control flow); forced are flushed too.
func (b *builder) settle(ops []*opnd, own int, all bool, forced []*pend) {
	var mine []*pend
	for _, o := range ops {
		if o.p != nil && !o.p.done {
			mine = append(mine, o.p)
			b.remove(o.p)
		}
	}
	flush := map[*pend]bool{}
	for _, p := range forced {
		if !p.done {
			flush[p] = true
		}
	}
	var seq []int
	for _, p := range mine {
		seq = append(seq, p.ev...)
	}
	if own >= 0 {
		seq = append(seq, own)
	}
	if !increasing(seq) {
		for _, p := range mine {
			if p.effectful() {
				flush[p] = true
			}
		}
	}
	for {
		changed := false
		m := own
		for _, p := range mine {
			if p.effectful() && !flush[p] {
				m = max(m, p.last())
			}
		}
		if all {
			m = inf
		}
		mf := -1
		for p := range flush {
			if p.effectful() {
				mf = max(mf, p.last())
			}
		}
		lim := max(m, mf)
		for _, p := range b.pend[b.floor:] {
			if p.effectful() && !flush[p] && p.ev[0] < lim {
				flush[p] = true
				changed = true
			}
		}
		for _, p := range mine {
			if p.effectful() && !flush[p] && p.ev[0] < mf {
				flush[p] = true
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	var list []*pend
	for p := range flush {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		x, y := list[i], list[j]
		if x.effectful() != y.effectful() {
			return !x.effectful()
		}
		if x.effectful() {
			return x.ev[0] < y.ev[0]
		}
		return x.seq < y.seq
	})
	for _, p := range list {
		b.flushOne(p)
	}
}

func (b *builder) flushOne(p *pend) {
	b.remove(p)
	p.done = true
	b.markVar(p.reg, p.e.typ())
	b.emit(&stmt{k: sAssign, reg: p.reg, x: p.e, pc: b.a.defs[p.reg][0]})
}

// readers are the visible pending expressions that read one of regs.
func (b *builder) readers(regs map[int]bool, exclude []*opnd) []*pend {
	var out []*pend
outer:
	for _, p := range b.pend[b.floor:] {
		for _, o := range exclude {
			if o.p == p {
				continue outer
			}
		}
		for r := range p.reads {
			if regs[r] {
				out = append(out, p)
				continue outer
			}
		}
	}
	return out
}

func varsRead(e *expr, into map[int]bool) {
	if e == nil {
		return
	}
	if e.k == eVar {
		into[e.reg] = true
	}
	varsRead(e.x, into)
	varsRead(e.y, into)
	varsRead(e.idx, into)
}

// nuses is the number of reads of register r left in the printed code.
func (b *builder) nuses(r int) int {
	if r >= len(b.a.uses) {
		return 0
	}
	return len(b.a.uses[r]) - b.dropped[r]
}

// temp reports whether register r is a temporary: not exported, written
// once and read once, so its value can be substituted into its reader.
func (b *builder) temp(r int) bool {
	if _, ok := b.a.local[r]; ok || r >= len(b.a.defs) {
		return false
	}
	return len(b.a.defs[r]) == 1 && b.nuses(r) == 1
}

// def handles an instruction that writes register r with the expression
// build makes from the operands; own is its own event (-1: none).
func (b *builder) def(pc, r int, ops []*opnd, own int, build func([]*expr) *expr) {
	_, isLocal := b.a.local[r]
	switch {
	case b.temp(r):
		b.settle(ops, own, false, nil)
		e := build(mats(ops))
		p := &pend{reg: r, e: e, reads: map[int]bool{}, depth: b.depth, seq: b.seq}
		b.seq++
		for _, o := range ops {
			if o.p != nil && !o.p.done {
				p.ev = append(p.ev, o.p.ev...)
			}
		}
		if own >= 0 {
			p.ev = append(p.ev, own)
		}
		varsRead(e, p.reads)
		b.pend = append(b.pend, p)
	case !isLocal && b.nuses(r) == 0:
		effect := own >= 0
		for _, o := range ops {
			if o.p != nil && o.p.effectful() {
				effect = true
			}
		}
		b.settle(ops, own, false, nil)
		if effect {
			b.emit(&stmt{k: sEval, x: build(mats(ops)), pc: pc})
		}
	default:
		b.settle(ops, own, false, b.readers(map[int]bool{r: true}, ops))
		e := build(mats(ops))
		b.markVar(r, e.typ())
		b.emit(&stmt{k: sAssign, reg: r, x: e, pc: pc})
	}
}

// block builds the statements of a list of nodes.
func (b *builder) block(nodes []*node) []*stmt {
	var out []*stmt
	saved, savedDead, savedEnd := b.out, b.dead, b.end
	b.out, b.dead = &out, false
	if e := maxPC(nodes); e >= 0 {
		b.end = e + 1
	}
	savedFacts := map[string]bool{}
	for k, v := range b.facts {
		savedFacts[k] = v
	}
	defer func() {
		b.end, b.facts = savedEnd, savedFacts
		// A fact learnt here may have been killed by an assignment here.
		for k := range savedFacts {
			if _, ok := b.killed[k]; ok {
				delete(savedFacts, k)
			}
		}
	}()
	b.depth++
	b.forPrologues(nodes)
	for k, n := range nodes {
		if b.skip[n] || (n.kind == nInstr || n.kind == nIf) && b.skipPC[n.pc] {
			continue
		}
		switch n.kind {
		case nInstr:
			b.instr(n, nodes[k+1:])
		case nIf:
			b.ifNode(n)
		case nLoop:
			b.loopNode(n)
		case nFor:
			b.forNode(n)
		case nBlock:
			b.blockNode(n)
		case nBreak, nContinue:
			if b.t == tC && n.target != nil {
				b.a.fail(n.pc, "a jump out of more than the innermost loop (a labelled break, or a return from inside a loop or block) has no equivalent in herd C")
			}
			b.settle(nil, -1, true, b.own())
			kind := sBreak
			if n.kind == nContinue {
				kind = sContinue
			}
			b.emit(&stmt{k: kind, pc: n.pc, label: n.target})
			b.dead = true
		}
	}
	b.settle(nil, -1, true, b.own())
	b.depth--
	b.endedDead = b.dead
	b.out, b.dead = saved, savedDead
	return out
}

// maxPC is the last instruction of nodes (-1: none).
func maxPC(nodes []*node) int {
	m := -1
	for _, n := range nodes {
		m = max(m, n.pc)
		switch n.kind {
		case nIf:
			m = max(m, maxPC(n.then), maxPC(n.els))
		case nLoop:
			m = max(m, n.loop.exit)
		case nFor:
			m = max(m, n.fr.exit-1)
		case nBlock:
			m = max(m, maxPC(n.body))
		}
	}
	return m
}

// own are the pending expressions made in the current block.
func (b *builder) own() []*pend {
	var out []*pend
	for _, p := range b.pend[b.floor:] {
		if p.depth == b.depth {
			out = append(out, p)
		}
	}
	return out
}

func hasJumps(nodes []*node) bool {
	for _, n := range nodes {
		switch n.kind {
		case nBreak, nContinue:
			return true
		case nIf:
			if hasJumps(n.then) || hasJumps(n.els) {
				return true
			}
		case nBlock:
			if hasJumps(n.body) {
				return true
			}
		case nLoop, nFor:
			if hasLabelledJumps(n.body) {
				return true
			}
		}
	}
	return false
}

// hasLabelledJumps reports whether nodes leave an enclosing construct
// by a labelled break or continue.
func hasLabelledJumps(nodes []*node) bool {
	for _, n := range nodes {
		switch n.kind {
		case nBreak, nContinue:
			if n.target != nil {
				return true
			}
		case nIf:
			if hasLabelledJumps(n.then) || hasLabelledJumps(n.els) {
				return true
			}
		case nBlock, nLoop, nFor:
			if hasLabelledJumps(n.body) {
				return true
			}
		}
	}
	return false
}

func (b *builder) ifNode(n *node) {
	w, r := map[int]bool{}, map[int]bool{}
	b.a.nodeRegs(n.then, w, r)
	b.a.nodeRegs(n.els, w, r)
	cond := b.operand(n.cond)
	forced := b.readers(w, []*opnd{cond})
	if hasJumps(n.then) || hasJumps(n.els) {
		// A break or continue leaves the block: whatever is pending must
		// be in its variable on that path too.
		forced = nil
		for _, p := range b.pend[b.floor:] {
			if p != cond.p {
				forced = append(forced, p)
			}
		}
	}
	pure := cond.p == nil || !cond.p.effectful()
	b.settle([]*opnd{cond}, -1, true, forced)
	c := mat(cond)
	if v, known := b.known(c); known && pure {
		// The branch is decided where it stands (a match arm that
		// cannot be reached): only the taken side is printed.
		side := n.els
		if v {
			side = n.then
		}
		dead := b.dead
		for _, st := range b.block(side) {
			b.emit(st)
		}
		b.dead = dead || b.dead
		return
	}
	s := &stmt{k: sIf, x: c, pc: n.pc}
	k, pos := factKey(c)
	fresh := k != "" && !(c.k == eVar && w[c.reg]) && !(c.k == eUn && c.x.k == eVar && w[c.x.reg])
	withFact := func(v bool, nodes []*node) []*stmt {
		if !fresh {
			return b.block(nodes)
		}
		old, had := b.facts[k]
		b.facts[k] = v
		defer func() {
			if had {
				b.facts[k] = old
			} else {
				delete(b.facts, k)
			}
		}()
		return b.block(nodes)
	}
	s.then = withFact(pos, n.then)
	thenDead := b.endedDead
	s.els = withFact(!pos, n.els)
	elsDead := b.endedDead
	b.emit(s)
	if fresh {
		// After a branch that leaves, the other side's condition holds.
		switch {
		case thenDead && !elsDead:
			b.facts[k] = !pos
		case elsDead && !thenDead:
			b.facts[k] = pos
		}
	}
}

// factKey names the condition e tests, for facts: a variable or a Result's
// success, and whether e holds when it is true (false for a negation).
func factKey(e *expr) (string, bool) {
	switch {
	case e.k == eVar:
		return fmt.Sprintf("v%d", e.reg), true
	case e.k == eCASOk && e.x.k == eVar:
		return fmt.Sprintf("ok%d", e.x.reg), true
	case e.k == eCASErr && e.x.k == eVar:
		return fmt.Sprintf("ok%d", e.x.reg), false
	case e.k == eUn && e.un == prog.Not && e.t.Kind == prog.KindBool:
		k, pos := factKey(e.x)
		return k, !pos
	}
	return "", false
}

// known decides e from the facts.
func (b *builder) known(e *expr) (bool, bool) {
	k, pos := factKey(e)
	if k == "" {
		return false, false
	}
	v, ok := b.facts[k]
	return v == pos, ok
}

func (b *builder) loopNode(n *node) {
	w, r := map[int]bool{}, map[int]bool{}
	b.a.nodeRegs(n.body, w, r)
	forced := b.readers(w, nil)
	for _, p := range b.pend[b.floor:] {
		if r[p.reg] {
			forced = append(forced, p)
		}
	}
	b.settle(nil, -1, true, forced)
	// The body runs again after it writes: what is known before the loop
	// about what it writes does not hold at its head.
	for r := range w {
		k := fmt.Sprintf("v%d", r)
		delete(b.facts, k)
		b.killed[k] = true
	}
	saved := b.floor
	b.floor = len(b.pend)
	b.inLoop++
	body := b.block(n.body)
	b.inLoop--
	b.floor = saved
	b.emit(&stmt{k: sLoop, body: body, loop: n.loop, pc: n.pc})
}

// blockNode builds a labelled block (left by break 'label).
func (b *builder) blockNode(n *node) {
	if b.t == tC {
		b.a.fail(n.pc, "a jump out of nested code (a return from inside a loop or block, a labelled break) has no equivalent in herd C")
	}
	// Whatever is pending must be in its variable on every way out.
	b.settle(nil, -1, true, b.pend[b.floor:])
	dead := b.dead
	body := b.block(n.body)
	b.emit(&stmt{k: sBlock, body: body, label: n, pc: n.pc})
	b.dead = dead
}

// forNode builds a counted loop: for x in i..e (..=e, rev, step_by s).
func (b *builder) forNode(n *node) {
	f := n.fr
	if b.t == tC {
		b.a.backward(n.pc)
	}
	w, r := map[int]bool{}, map[int]bool{}
	b.a.nodeRegs([]*node{n}, w, r)
	forced := b.readers(w, nil)
	for _, p := range b.pend[b.floor:] {
		if r[p.reg] {
			forced = append(forced, p)
		}
	}
	for r := range w {
		k := fmt.Sprintf("v%d", r)
		delete(b.facts, k)
		b.killed[k] = true
	}
	var hdr []*expr
	if oi, oe, os := b.initOp[f.i], b.initOp[f.e], b.initOp[f.s]; oi != nil && oe != nil && os != nil {
		// The header evaluates its bounds in the order the code did: the
		// start, the limit, the step; reversed, the limit (printed first)
		// was evaluated first.
		ops := []*opnd{oi, oe, os}
		if f.desc {
			ops = []*opnd{oe, oi, os}
		}
		if b.unitStep(f.s) {
			ops = ops[:2]
		}
		b.settle(ops, -1, true, b.readers(w, ops))
		hdr = []*expr{mat(oi), mat(oe), nil}
		if len(ops) == 3 {
			hdr[2] = mat(os)
		}
	} else {
		b.settle(nil, -1, true, forced)
		hdr = []*expr{mat(b.operand(f.i)), mat(b.operand(f.e)), nil}
		if !b.unitStep(f.s) {
			hdr[2] = mat(b.operand(f.s))
		}
	}
	b.forVar[f.x] = true
	b.vtype[f.x] = f.t
	saved := b.floor
	b.floor = len(b.pend)
	b.inLoop++
	body := b.block(n.body)
	b.inLoop--
	b.floor = saved
	// No loop for the declarations: a for loop has no spin check.
	b.emit(&stmt{k: sFor, reg: f.x, hdr: hdr, fr: f, body: body, label: n, pc: n.pc})
}

// stepMsg is the panic of step_by(0) in rustlit's for loops.
const stepMsg = "panicked: assertion failed: step != 0"

// stepChecks finds rustlit's check of a for loop's step,
//
//	pc:   c = s != 0; if c == 0 goto pc+3; goto pc+4; panic(step != 0)
//
// where s is copied into a for loop's step register: printing
// .step_by(s) says it again.
func (b *builder) stepChecks() {
	a := b.a
	code := a.code
	for pc := 0; pc+3 < len(code); pc++ {
		in := &code[pc]
		if in.Op != prog.OpBinary || in.Bin != prog.Ne || in.T != prog.IntType(64, false) || !a.reach[pc] {
			continue
		}
		if z, ok := a.literal(in.C); !ok || z.Imm != 0 {
			continue
		}
		br, j, pn := &code[pc+1], &code[pc+2], &code[pc+3]
		if br.Op != prog.OpBranch || br.A != in.A || br.Target != pc+3 || j.Op != prog.OpJump || j.Target != pc+4 ||
			pn.Op != prog.OpPanic || pn.Msg != stepMsg || len(a.defs[in.A]) != 1 || len(a.uses[in.A]) != 1 {
			continue
		}
		if _, l := a.local[in.A]; l {
			continue
		}
		copied := false
		for _, u := range a.uses[in.B] {
			if mv := &code[u]; mv.Op == prog.OpMove && u > pc+3 {
				if f := a.forAt(u+1, len(code)); f != nil && f.s == mv.A {
					copied = true
				}
			}
		}
		if copied {
			b.skipPC[pc], b.skipPC[pc+1] = true, true
			b.dropped[in.B]++
		}
	}
}

// forPrologues finds, in nodes, the copies of each for loop's bounds
// just before it (or before the labelled block it starts): i = start;
// e = limit; s = step, registers that nothing but the loop reads or
// writes.
func (b *builder) forPrologues(nodes []*node) {
	a := b.a
	for k, n := range nodes {
		for n != nil && n.kind == nBlock && len(n.body) > 0 {
			// A labelled block that starts with the loop (a return
			// from inside it).
			n = n.body[0]
		}
		if n == nil || n.kind != nFor || k < 3 || n.pc < 3 {
			continue
		}
		f := n.fr
		ok := true
		for j, r := range []int{f.i, f.e, f.s} {
			m := nodes[k-3+j]
			pc := n.pc - 3 + j
			if m.kind != nInstr || m.pc != pc || a.code[pc].Op != prog.OpMove || a.code[pc].A != r {
				ok = false
				break
			}
			if _, l := a.local[r]; l || r >= len(a.defs) {
				ok = false
				break
			}
			for _, d := range a.defs[r] {
				if d != pc && (d < n.pc || d >= f.exit) {
					ok = false
				}
			}
			for _, u := range a.uses[r] {
				if u < n.pc || u >= f.exit {
					ok = false
				}
			}
		}
		if f.i == f.e || f.i == f.s || f.e == f.s || a.code[n.pc-3].B == f.i {
			ok = false
		}
		if ok {
			for j := 1; j <= 3; j++ {
				b.forInit[n.pc-j] = true
			}
		}
	}
}

// unitStep reports whether register s holds the constant 1 (no step_by):
// a copy of a literal 1.
func (b *builder) unitStep(s int) bool {
	a := b.a
	if s >= len(a.defs) || len(a.defs[s]) != 1 {
		return false
	}
	in := &a.code[a.defs[s][0]]
	if in.Op == prog.OpMove {
		c, ok := a.literal(in.B)
		return ok && c.Imm == 1
	}
	return in.Op == prog.OpConst && in.Imm == 1
}

// accessOps are the operands of an access: its index, then the others.
func (b *builder) accessOps(in *prog.Instr, regs ...int) []*opnd {
	var ops []*opnd
	if in.Addr.Index >= 0 {
		ops = append(ops, b.operand(in.Addr.Index))
	}
	for _, r := range regs {
		ops = append(ops, b.operand(r))
	}
	return ops
}

// withIdx splits an access's operands into its index and the rest.
func withIdx(in *prog.Instr, x []*expr) (*expr, []*expr) {
	if in.Addr.Index >= 0 {
		return x[0], x[1:]
	}
	return nil, x
}

func panics(op prog.BinOp) bool {
	return op == prog.Div || op == prog.Rem || op == prog.Shl || op == prog.Shr
}

func (b *builder) instr(n *node, rest []*node) {
	a := b.a
	pc := n.pc
	in := &a.code[pc]
	own := key(pc, 1)
	b.check(pc, in)
	switch in.Op {
	case prog.OpConst:
		if _, ok := a.literal(in.A); ok {
			return
		}
		b.def(pc, in.A, nil, -1, func([]*expr) *expr { return b.lit(in) })
	case prog.OpMove:
		if b.forInit[pc] {
			b.initOp[in.A] = b.operand(in.B)
			return
		}
		b.def(pc, in.A, []*opnd{b.operand(in.B)}, -1, func(x []*expr) *expr { return x[0] })
	case prog.OpUnary:
		b.def(pc, in.A, []*opnd{b.operand(in.B)}, -1, func(x []*expr) *expr {
			if isLit(x[0]) {
				return &expr{k: eLit, val: prog.EvalUnary(in.Un, in.T, litValue(x[0])), t: in.T, typed: true, pc: pc}
			}
			return &expr{k: eUn, un: in.Un, t: in.T, x: x[0], pc: pc}
		})
	case prog.OpBinary:
		if in.Bin == prog.Add {
			if c, ok := a.literal(in.C); ok && c.Imm == 0 {
				b.def(pc, in.A, []*opnd{b.operand(in.B)}, -1, func(x []*expr) *expr {
					return &expr{k: eConv, t: in.T, x: x[0], pc: pc}
				})
				return
			}
		}
		o := -1
		if panics(in.Bin) {
			o = own
		}
		b.def(pc, in.A, []*opnd{b.operand(in.B), b.operand(in.C)}, o, func(x []*expr) *expr {
			e := &expr{k: eBin, bin: in.Bin, t: in.T, x: x[0], y: x[1], pc: pc}
			if (in.Bin == prog.Ne || in.Bin == prog.Eq) && isLit(x[1]) && litValue(x[1]) == 0 && !isLit(x[0]) && x[0].typ().Kind == prog.KindBool {
				// A bool (0 or 1) compared with 0.
				if in.Bin == prog.Ne {
					return x[0]
				}
				return negate(x[0])
			}
			if isLit(x[0]) && isLit(x[1]) {
				// Fold it: the same value, one literal.
				if v, err := prog.EvalBinary(in.Bin, in.T, litValue(x[0]), litValue(x[1])); err == nil {
					return &expr{k: eLit, val: v, t: e.typ(), typed: true, pc: pc}
				}
			}
			return e
		})
	case prog.OpLoad:
		b.def(pc, in.A, b.accessOps(in), own, func(x []*expr) *expr {
			idx, _ := withIdx(in, x)
			return &expr{k: eLoad, in: in, idx: idx, t: b.locType(in), pc: pc}
		})
	case prog.OpRMW:
		b.def(pc, in.A, b.accessOps(in, in.B), own, func(x []*expr) *expr {
			idx, r := withIdx(in, x)
			return &expr{k: eRMW, in: in, idx: idx, x: r[0], t: b.locType(in), pc: pc}
		})
	case prog.OpCAS:
		if b.t == tRust {
			b.casRust(pc, in)
		} else {
			b.casC(pc, in, rest)
		}
	case prog.OpStore:
		ops := b.accessOps(in, in.B)
		b.settle(ops, own, false, nil)
		idx, r := withIdx(in, mats(ops))
		b.emit(&stmt{k: sStore, in: in, idx: idx, x: r[0], pc: pc})
	case prog.OpFence:
		b.settle(nil, own, false, nil)
		b.emit(&stmt{k: sFence, in: in, pc: pc})
	case prog.OpJoin:
		if b.t == tC {
			a.fail(pc, "main's code after its joins has no equivalent in herd C")
		}
		t := prog.Unit
		if in.B >= 0 {
			t = a.pr.regType(int(in.Imm), in.B, 0)
		}
		b.def(pc, in.A, nil, own, func([]*expr) *expr { return &expr{k: eJoin, in: in, t: t, pc: pc} })
	case prog.OpAssert, prog.OpAssume:
		ops := []*opnd{b.operand(in.A)}
		b.settle(ops, own, false, nil)
		b.emit(&stmt{k: sAssert, in: in, x: mat(ops[0]), pc: pc})
	case prog.OpPanic:
		b.settle(nil, own, true, nil)
		b.emit(&stmt{k: sPanic, in: in, pc: pc})
		b.dead = true
	default:
		a.fail(pc, "cannot print this thread: unexpected %s instruction", in.Op)
	}
}

func (b *builder) locType(in *prog.Instr) prog.Type {
	return b.a.pr.p.Vars[in.Addr.Var].Type
}

func (b *builder) casExpr(pc int, in *prog.Instr, x []*expr) *expr {
	idx, r := withIdx(in, x)
	return &expr{k: eCAS, in: in, idx: idx, x: r[0], y: r[1], t: prog.Type{Kind: prog.KindResult}, pc: pc, exp: -1}
}

func (b *builder) casRust(pc int, in *prog.Instr) {
	a := b.a
	own := key(pc, 1)
	ops := b.accessOps(in, in.B, in.C)
	old, ok := in.A, in.A+1
	uOld, uOk := b.nuses(old), b.nuses(ok)
	_, lOld := a.local[old]
	_, lOk := a.local[ok]
	if lOld || lOk {
		uOld, uOk = max(uOld, 1), max(uOk, 1)
	}
	t := b.locType(in)
	if c, ok2, yes := b.casBinding(pc, in); yes {
		// let res = x.compare_exchange(...): the Result's variable is
		// res's registers.
		old, ok = c, ok2
		uOld, uOk = b.nuses(old), b.nuses(ok)
		b.skipPC[pc+1], b.skipPC[pc+2] = true, true
	}
	switch {
	case uOld == 0 && uOk == 0:
		b.settle(ops, own, false, nil)
		b.emit(&stmt{k: sEval, x: b.casExpr(pc, in, mats(ops)), pc: pc})
	case uOld == 0:
		b.def(pc, ok, ops, own, func(x []*expr) *expr {
			return &expr{k: eCASOk, x: b.casExpr(pc, in, x), t: prog.Bool, pc: pc}
		})
	case uOk == 0:
		b.def(pc, old, ops, own, func(x []*expr) *expr {
			return &expr{k: eCASOld, x: b.casExpr(pc, in, x), t: t, pc: pc}
		})
	default:
		b.settle(ops, own, false, nil)
		r := b.nregs
		b.nregs++
		b.emit(&stmt{k: sBindCAS, reg: r, x: b.casExpr(pc, in, mats(ops)), pc: pc})
		rv := &expr{k: eVar, reg: r, t: prog.Type{Kind: prog.KindResult}}
		vOld := &expr{k: eCASOld, x: rv, t: t, pc: pc}
		vOk := &expr{k: eCASOk, x: rv, t: prog.Bool, pc: pc}
		if !lOld && !lOk && b.inScope(pc, old) && b.inScope(pc, ok) {
			// Read the Result where the value is used: it is in scope.
			b.views[old], b.views[ok] = vOld, vOk
			return
		}
		b.def(pc, old, nil, -1, func([]*expr) *expr { return vOld })
		b.def(pc, ok, nil, -1, func([]*expr) *expr { return vOk })
	}
}

// casBinding recognises the copy of a compare_exchange's Result into a
// let's registers just after it (c = old; c+1 = ok), when nothing else
// reads the Result: it returns c and c+1.
func (b *builder) casBinding(pc int, in *prog.Instr) (int, int, bool) {
	a := b.a
	if b.t != tRust || pc+2 >= len(a.code) {
		return 0, 0, false
	}
	m1, m2 := &a.code[pc+1], &a.code[pc+2]
	old, ok := in.A, in.A+1
	if m1.Op != prog.OpMove || m2.Op != prog.OpMove || m1.B != old || m2.B != ok || m2.A != m1.A+1 ||
		len(a.uses[old]) != 1 || len(a.uses[ok]) != 1 || m1.A >= len(a.defs) || m2.A >= len(a.defs) ||
		len(a.defs[m1.A]) != 1 || len(a.defs[m2.A]) != 1 {
		return 0, 0, false
	}
	for _, r := range []int{old, ok, m1.A, m2.A} {
		if _, l := a.local[r]; l {
			return 0, 0, false
		}
	}
	return m1.A, m2.A, true
}

// inScope reports whether register r, written only at pc, is read only
// after pc in the current block.
func (b *builder) inScope(pc, r int) bool {
	if len(b.a.defs[r]) != 1 {
		return false
	}
	for _, u := range b.a.uses[r] {
		if u <= pc || u >= b.end {
			return false
		}
	}
	return true
}

// casC prints a compare_exchange as herd's atomic_compare_exchange, whose
// expected value is in a location: read plainly before, and on failure
// written back plainly with the value read. Code that a herd test compiled
// to (a plain load of E, the CAS, a store-back to E on failure) prints as
// herd's call on E; otherwise the expected value goes into a fresh location
// private to the thread.
func (b *builder) casC(pc int, in *prog.Instr, rest []*node) {
	a := b.a
	own := key(pc, 1)
	old, ok := in.A, in.A+1
	if b.herdCAS(pc, in, rest) {
		return
	}
	if b.inLoop > 0 {
		a.fail(pc, "compare_exchange inside a loop has no exact herd C equivalent (herd's compare_exchange writes its expected value to memory, which changes how the loop spins)")
	}
	t := b.locType(in)
	e := b.extra(t)
	ob := b.operand(in.B)
	b.settle([]*opnd{ob}, key(pc, 0), false, nil)
	b.emit(&stmt{k: sStoreExp, exp: e, x: mat(ob), pc: pc})
	oc := b.operand(in.C)
	build := func(x []*expr) *expr {
		return &expr{k: eCAS, in: in, y: x[0], t: prog.Bool, exp: e, pc: pc}
	}
	_, lOld := a.local[old]
	if b.nuses(old) == 0 && !lOld {
		b.def(pc, ok, []*opnd{oc}, own, build)
		return
	}
	// The old value is read back from E after the call.
	b.settle([]*opnd{oc}, own, false, b.readers(map[int]bool{ok: true}, []*opnd{oc}))
	x := build(mats([]*opnd{oc}))
	if _, l := a.local[ok]; b.nuses(ok) == 0 && !l {
		b.emit(&stmt{k: sEval, x: x, pc: pc})
	} else {
		b.markVar(ok, prog.Bool)
		b.emit(&stmt{k: sAssign, reg: ok, x: x, pc: pc})
	}
	b.def(pc, old, nil, key(pc, 2), func([]*expr) *expr {
		return &expr{k: eLoadExp, exp: e, t: t, pc: pc}
	})
}

// herdCAS recognises herd's compare_exchange: the expected value read
// plainly from location E just before, and stored back to E when the
// exchange fails.
func (b *builder) herdCAS(pc int, in *prog.Instr, rest []*node) bool {
	a := b.a
	p := a.pr.p
	old, ok := in.A, in.A+1
	pb := b.findPend(in.B)
	if pb == nil || pb.e.k != eLoad || pb.e.in.Atomic || pb.e.idx != nil || len(rest) == 0 || in.Addr.Index >= 0 {
		return false
	}
	ev := pb.e.in.Addr.Var
	if p.Vars[ev].Len > 0 || p.Vars[ev].Type.Bits != p.Vars[in.Addr.Var].Type.Bits || p.Vars[ev].Type.Kind != p.Vars[in.Addr.Var].Type.Kind {
		return false
	}
	n := rest[0]
	if n.kind != nIf || n.cond != ok || len(n.then) != 0 || len(n.els) != 1 || n.els[0].kind != nInstr {
		return false
	}
	st := &a.code[n.els[0].pc]
	if st.Op != prog.OpStore || st.Atomic || st.Addr.Var != ev || st.Addr.Index >= 0 || st.B != old ||
		len(a.uses[old]) != 1 || len(a.uses[ok]) < 1 {
		return false
	}
	if _, l := a.local[old]; l {
		return false
	}
	oc := b.operand(in.C)
	// The new value is evaluated before herd reads *E: its events, and
	// every other pending one, must come before the load.
	for _, q := range b.pend[b.floor:] {
		if q != pb && q.effectful() && q.last() > pb.ev[0] {
			return false
		}
	}
	b.skip[n] = true
	b.dropped[ok]++
	b.dropped[old]++
	b.def(pc, ok, []*opnd{oc, {p: pb}}, key(pc, 1), func(x []*expr) *expr {
		return &expr{k: eCAS, in: in, y: x[0], t: prog.Bool, exp: ev, pc: pc}
	})
	return true
}

// check rejects what the target cannot say about one instruction.
func (b *builder) check(pc int, in *prog.Instr) {
	a := b.a
	p := a.pr.p
	if in.Op == prog.OpConst {
		if _, ok := p.AddrTarget(in.Imm); ok || in.T.Kind == prog.KindAddr {
			a.fail(pc, "an address (a pointer value) has no equivalent in %s", b.t)
		}
	}
	if (in.Op == prog.OpBinary || in.Op == prog.OpUnary) && in.T.Kind == prog.KindAddr {
		a.fail(pc, "pointer arithmetic has no equivalent in %s", b.t)
	}
	if !in.Op.IsMemory() {
		if b.t == tC {
			switch in.Op {
			case prog.OpAssert:
				a.fail(pc, "assert! has no equivalent in herd C")
			case prog.OpAssume:
				a.fail(pc, "assume! has no equivalent in herd C")
			case prog.OpPanic:
				a.fail(pc, "a panic (panic!, unwrap, an unmatched match) has no equivalent in herd C")
			}
		}
		return
	}
	if in.Op != prog.OpFence {
		v := &p.Vars[in.Addr.Var]
		if v.Type.Kind == prog.KindAddr {
			a.fail(pc, "location %s holds addresses: pointers have no equivalent in %s", v.Name, b.t)
		}
	}
	if b.t == tC {
		if in.Op == prog.OpRMW && (in.RMW == prog.RMWNand || in.RMW == prog.RMWMax || in.RMW == prog.RMWMin) {
			a.fail(pc, "%s has no equivalent in herd C", in.RMW)
		}
		return
	}
	// Rust.
	if in.Ord == prog.Consume || in.Op == prog.OpCAS && in.Ord2 == prog.Consume {
		a.fail(pc, "Rust has no consume ordering (memory_order_consume)")
	}
	switch in.Op {
	case prog.OpLoad:
		if in.Atomic && (in.Ord == prog.Release || in.Ord == prog.AcqRel) {
			a.fail(pc, "a %s load has no equivalent in Rust (Rust panics on it)", ordC(in.Ord))
		}
	case prog.OpStore:
		if in.Atomic && (in.Ord == prog.Acquire || in.Ord == prog.AcqRel) {
			a.fail(pc, "a %s store has no equivalent in Rust (Rust panics on it)", ordC(in.Ord))
		}
	case prog.OpFence:
		if in.Ord == prog.Relaxed {
			a.fail(pc, "a relaxed fence has no equivalent in Rust (Rust panics on it)")
		}
	}
	if (in.Op == prog.OpLoad || in.Op == prog.OpStore) && !in.Atomic {
		if at, ok := a.pr.atomicAt[in.Addr.Var]; ok {
			a.fail(pc, "a plain (non-atomic) access to %s, which is also accessed atomically (at %s): Rust cannot express a plain access to an atomic", p.Vars[in.Addr.Var].Name, at)
		}
	}
}

var cOrderNames = [...]string{"memory_order_relaxed", "memory_order_acquire", "memory_order_release",
	"memory_order_acq_rel", "memory_order_seq_cst", "memory_order_consume"}

func ordC(o prog.Ordering) string { return cOrderNames[o] }

// Short-circuit operators compile to a branch: r = x; if r { r = y }
// (&&) or if !r { r = y } (||). shortCircuits puts them back together
// when r is read once, by the next statement.
func (b *builder) shortCircuits(list []*stmt, loops []*loopInfo) []*stmt {
	for _, s := range list {
		s.then = b.shortCircuits(s.then, loops)
		s.els = b.shortCircuits(s.els, loops)
		inner := loops
		if s.k == sLoop {
			inner = append(append([]*loopInfo(nil), loops...), s.loop)
		}
		s.body = b.shortCircuits(s.body, inner)
	}
	for i := 0; i+2 < len(list); i++ {
		s0, s1, s2 := list[i], list[i+1], list[i+2]
		if s0.k != sAssign || s1.k != sIf || len(s1.els) != 0 || len(s1.then) != 1 {
			continue
		}
		r := s0.reg
		// herd's || tests a copy: q = x; r = q; if !q { r = y }.
		if i > 0 && s0.x.k == eVar && list[i-1].k == sAssign && list[i-1].reg == s0.x.reg {
			q := s0.x.reg
			c := s1.x
			if c.k == eUn && c.un == prog.Not {
				c = c.x
			}
			if _, l := b.a.local[q]; !l && c.k == eVar && c.reg == q && b.count(q) == 3 && !b.liveIn(q, loops) {
				x := list[i-1].x
				if c == s1.x {
					s1.x = &expr{k: eVar, reg: r, t: prog.Bool}
				} else {
					s1.x = &expr{k: eUn, un: prog.Not, t: prog.Bool, x: &expr{k: eVar, reg: r, t: prog.Bool}}
				}
				s0.x = x
				b.occ[r]++
				delete(b.isVar, q)
				list = append(list[:i-1], list[i:]...)
				i--
				s0, s1, s2 = list[i], list[i+1], list[i+2]
			}
		}
		s3 := s1.then[0]
		if _, l := b.a.local[r]; l || r >= b.a.th.NumRegs || s3.k != sAssign || s3.reg != r ||
			s0.x.typ().Kind != prog.KindBool || s3.x.typ().Kind != prog.KindBool {
			continue
		}
		live := b.liveIn(r, loops)
		var k exprKind
		switch {
		case s1.x.k == eVar && s1.x.reg == r:
			k = eAnd
		case s1.x.k == eUn && s1.x.un == prog.Not && s1.x.x.k == eVar && s1.x.x.reg == r:
			k = eOr
		default:
			continue
		}
		// r is written twice here and read by s1 and by s2 only.
		if live || b.count(r) != 4 || readsVar(s0.x, r) || readsVar(s3.x, r) {
			continue
		}
		slot := func() **expr {
			switch {
			case s2.k == sAssign && s2.x.k == eVar && s2.x.reg == r:
				return &s2.x
			case s2.k == sIf && s2.x.k == eVar && s2.x.reg == r:
				return &s2.x
			case s2.k == sIf && s2.x.k == eUn && s2.x.un == prog.Not && s2.x.x.k == eVar && s2.x.x.reg == r:
				return &s2.x.x
			}
			return nil
		}()
		if slot == nil {
			continue
		}
		*slot = &expr{k: k, x: s0.x, y: s3.x, t: prog.Bool, pc: s0.pc}
		delete(b.isVar, r)
		list = append(list[:i], list[i+2:]...)
		i--
	}
	return list
}

// liveIn reports whether register r is live at the head of one of loops.
func (b *builder) liveIn(r int, loops []*loopInfo) bool {
	for _, l := range loops {
		if r < l.live {
			return true
		}
	}
	return false
}

func readsVar(e *expr, r int) bool {
	m := map[int]bool{}
	varsRead(e, m)
	return m[r]
}

// count counts the reads and writes of variable r in the thread.
func (b *builder) count(r int) int {
	return b.counts()[r]
}

func (b *builder) counts() map[int]int {
	if b.occ == nil {
		b.occ = map[int]int{}
		var walk func(list []*stmt)
		var ex func(e *expr)
		ex = func(e *expr) {
			if e == nil {
				return
			}
			if e.k == eVar {
				b.occ[e.reg]++
			}
			ex(e.x)
			ex(e.y)
			ex(e.idx)
		}
		walk = func(list []*stmt) {
			for _, s := range list {
				if s.k == sAssign {
					b.occ[s.reg]++
				}
				ex(s.x)
				ex(s.idx)
				for _, h := range s.hdr {
					ex(h)
				}
				walk(s.then)
				walk(s.els)
				walk(s.body)
			}
		}
		walk(b.top)
	}
	return b.occ
}

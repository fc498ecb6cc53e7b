// Package asm writes what a program becomes under the standard mappings of
// package hw: a compiler listing of only what matters to the memory model.
// For every memory access and fence it shows the instruction sequence a
// compiler emits for its operation and ordering on the chosen architecture
// (hw.Lower, with loop bodies and the actual fetch_op filled in), commented
// with the access's source text and line; around them, the thread's control
// flow as labels and branches, each branch commented with the condition it
// tests. Register arithmetic is left out.
//
// Conventions of the listing:
//
//   - a location's name stands for the register that holds its address
//     (`ldar w0, [Y]`); values are shown in 32-bit registers whatever
//     their width;
//   - the mapping's sequences are written out as compilers emit them for
//     the actual operation: the body of a load-exclusive/store-exclusive
//     loop, the negated operand of fetch_sub, the instruction of each
//     fetch_op where the mapping has one placeholder (LSE ldclr/ldset/
//     ldeor/ldsmax/..., RISC-V amoand/amoor/amoxor/amomax/...), a
//     compare-exchange loop for x86's fetch_and/or/xor/nand/max/min, and
//     an exclusive loop for nand, which has no LSE or AMO instruction;
//   - a plain (non-atomic) access lowers like a relaxed one;
//   - a compare-exchange is lowered with its success ordering, strengthened
//     when the failure ordering asks for more (Relaxed/Acquire becomes
//     Acquire, any/SeqCst SeqCst), as LLVM does; its failure path is shown;
//     compare_exchange_weak is a single load-exclusive/store-exclusive
//     attempt where the architecture has them (it can fail spuriously) and
//     the same instruction as the strong one elsewhere;
//   - labels are numbered through the listing (.L1, .L2, ...) like a
//     compiler's; 1:, 2: are local labels inside one access's sequence;
//   - a branch tests the register its condition was computed into (w8 on
//     AArch64, t0 on RISC-V, the flags elsewhere), and its comment gives
//     the condition under which it is taken;
//   - jumps that only skip register code are dropped.
//
// WriteTable prints the mapping itself: for every architecture, operation
// class and ordering, the instructions hw.Lower gives.
package asm

import (
	"fmt"
	"io"
	"strings"

	"happens/hw"
	"happens/prog"
)

// Write writes the listing of p for arch.
func Write(w io.Writer, p *prog.Program, arch hw.Arch) error {
	if _, err := hw.ParseArch(string(arch)); err != nil {
		return err
	}
	d := dialects[arch]
	var b strings.Builder
	name := p.Name
	if name == "" {
		name = "program"
	}
	fmt.Fprintf(&b, "%s %s on %s: the standard mappings of its atomic accesses and fences\n", d.comment, name, arch)
	fmt.Fprintf(&b, "%s (register arithmetic left out; a location's name stands for its address)\n", d.comment)
	next := 0
	for ti := range p.Threads {
		b.WriteString("\n")
		l := newLister(p, ti, &p.Threads[ti], arch)
		l.emit()
		l.peephole()
		l.print(&b, &next)
	}
	if p.Final != nil {
		fmt.Fprintf(&b, "\n%s main's code after its joins: it runs once every thread has finished (each\n", d.comment)
		fmt.Fprintf(&b, "%s join synchronises with the end of its thread):\n", d.comment)
		l := newLister(p, len(p.Threads), p.Final, arch)
		l.emit()
		l.peephole()
		l.print(&b, &next)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// dialect is what differs in how architectures write the listing.
type dialect struct {
	comment        string
	jump, bz, bnz  string // unconditional; taken when the register is zero / not zero
	addr           []string
	branchOperands string
}

var dialects = map[hw.Arch]dialect{
	hw.X86:     {comment: "#", jump: "jmp", bz: "jz", bnz: "jnz", addr: []string{"[x]", "[%s]"}},
	hw.AArch64: {comment: "//", jump: "b", bz: "cbz", bnz: "cbnz", addr: []string{"[x1]", "[%s]"}, branchOperands: "w8, "},
	hw.LSE:     {comment: "//", jump: "b", bz: "cbz", bnz: "cbnz", addr: []string{"[x1]", "[%s]"}, branchOperands: "w8, "},
	hw.RISCV:   {comment: "#", jump: "j", bz: "beqz", bnz: "bnez", addr: []string{"0(a1)", "%s", "(a1)", "(%s)"}, branchOperands: "t0, "},
	hw.POWER:   {comment: "#", jump: "b", bz: "beq", bnz: "bne", addr: []string{"0(r4)", "%s", "0, r4", "0, %s"}},
}

// address replaces the mapping's address register by the location.
func (d dialect) address(text, loc string) string {
	for i := 0; i+1 < len(d.addr); i += 2 {
		if strings.Contains(text, d.addr[i]) {
			return strings.Replace(text, d.addr[i], fmt.Sprintf(d.addr[i+1], loc), 1)
		}
	}
	return text
}

type itemKind uint8

const (
	kLabel  itemKind = iota // a .L label
	kInst                   // an instruction, or a local label ("1:")
	kJump                   // an unconditional jump to label
	kBranch                 // a conditional branch to label
	kNote                   // a comment line
)

type item struct {
	kind    itemKind
	label   int    // kLabel: its number; kJump, kBranch: the target's
	local   string // kInst: a local label line
	text    string // kInst
	comment string
	cond    *cexpr // kBranch: taken when cond is false, or true if ifTrue; comment says what for
	ifTrue  bool
	soft    bool // kNote: a loop marker; a jump over it to the next label is still dropped
	stop    bool // kNote: a panic, after which nothing runs
}

type lister struct {
	p      *prog.Program
	arch   hw.Arch
	d      dialect
	ti     int
	th     *prog.Thread
	local  map[int]string
	reach  []bool
	defs   *defs
	labels map[int]int // pc → label
	items  []item
}

func newLister(p *prog.Program, ti int, th *prog.Thread, arch hw.Arch) *lister {
	l := &lister{p: p, arch: arch, d: dialects[arch], ti: ti, th: th, local: map[int]string{}, labels: map[int]int{}}
	for _, lo := range th.Locals {
		l.local[lo.Reg] = lo.Name
	}
	l.reach = reachable(th.Code)
	l.defs = reachingDefs(th, l.reach)
	return l
}

// resolve follows a chain of jumps.
func (l *lister) resolve(t int) int {
	code := l.th.Code
	for steps := 0; steps <= len(code) && t >= 0 && t < len(code) && code[t].Op == prog.OpJump; steps++ {
		t = code[t].Target
	}
	return t
}

func (l *lister) label(target int) int {
	t := l.resolve(target)
	n, ok := l.labels[t]
	if !ok {
		n = len(l.labels) + 1
		l.labels[t] = n
	}
	return n
}

func (l *lister) line(pc int) string {
	if pos := l.th.Code[pc].Pos; pos.IsValid() {
		return fmt.Sprintf("line %d", pos.Line)
	}
	return ""
}

func (l *lister) emit() {
	code := l.th.Code
	// Labels first, so that the items can be placed in one pass.
	for pc := range code {
		if !l.reach[pc] {
			continue
		}
		switch code[pc].Op {
		case prog.OpJump, prog.OpBranch, prog.OpLoopBack:
			l.label(code[pc].Target)
		}
	}
	for pc := range code {
		if !l.reach[pc] {
			continue
		}
		if n, ok := l.labels[pc]; ok {
			l.items = append(l.items, item{kind: kLabel, label: n})
		}
		in := &code[pc]
		switch in.Op {
		case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS, prog.OpFence:
			l.access(pc)
		case prog.OpJump:
			it := item{kind: kJump, label: l.labels[l.resolve(in.Target)]}
			if in.Target <= pc {
				it.comment = "back to the loop head"
			}
			l.items = append(l.items, it)
		case prog.OpBranch:
			l.items = append(l.items, item{kind: kBranch, label: l.labels[l.resolve(in.Target)], cond: l.cond(pc, in.A)})
		case prog.OpLoopEnter:
			l.items = append(l.items, item{kind: kNote, soft: true, comment: join("loop", l.line(pc))})
		case prog.OpLoopBack:
			l.items = append(l.items, item{kind: kJump, label: l.labels[l.resolve(in.Target)], comment: join("next iteration", l.line(pc))})
		case prog.OpLoopExit:
			l.items = append(l.items, item{kind: kNote, soft: true, comment: "end of loop"})
		case prog.OpAssert:
			l.items = append(l.items, item{kind: kNote, comment: join(fmt.Sprintf("assert %s: panics unless %s", quote(in.Msg), l.cond(pc, in.A)), l.line(pc))})
		case prog.OpAssume:
			l.items = append(l.items, item{kind: kNote, comment: join(fmt.Sprintf("assume %s: the execution is discarded otherwise", l.cond(pc, in.A)), l.line(pc))})
		case prog.OpPanic:
			l.items = append(l.items, item{kind: kNote, stop: true, comment: join("panic "+quote(in.Msg), l.line(pc))})
		}
	}
	if n, ok := l.labels[len(code)]; ok {
		l.items = append(l.items, item{kind: kLabel, label: n})
	}
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "  " + b
}

// location names the location an access addresses.
func (l *lister) location(in *prog.Instr) string {
	v := &l.p.Vars[in.Addr.Var]
	switch {
	case v.Len == 0:
		return v.Name
	case in.Addr.Index >= 0:
		return fmt.Sprintf("%s[%s]", v.Name, l.reg(l.pcOf(in), in.Addr.Index, 3))
	}
	return fmt.Sprintf("%s[%d]", v.Name, in.Addr.Const)
}

func (l *lister) pcOf(in *prog.Instr) int {
	for pc := range l.th.Code {
		if &l.th.Code[pc] == in {
			return pc
		}
	}
	return 0
}

// dest is the exported local an access's value goes to, if any: its own
// register, or the register a single move copies it to.
func (l *lister) dest(pc int) string {
	in := &l.th.Code[pc]
	if in.Op != prog.OpLoad && in.Op != prog.OpRMW {
		return ""
	}
	if name, ok := l.local[in.A]; ok {
		return name
	}
	var use *prog.Instr
	for q := range l.th.Code {
		if !l.reach[q] {
			continue
		}
		c := &l.th.Code[q]
		if readsReg(c, in.A) && contains(l.defs.in[q][in.A], pc) {
			if use != nil {
				return ""
			}
			use = c
		}
	}
	if use != nil && use.Op == prog.OpMove {
		return l.local[use.A]
	}
	return ""
}

func readsReg(in *prog.Instr, r int) bool {
	switch in.Op {
	case prog.OpMove, prog.OpUnary:
		return in.B == r
	case prog.OpBinary:
		return in.B == r || in.C == r
	case prog.OpBranch, prog.OpAssert, prog.OpAssume:
		return in.A == r
	case prog.OpStore, prog.OpRMW:
		return in.B == r || in.Addr.Index == r
	case prog.OpCAS:
		return in.B == r || in.C == r || in.Addr.Index == r
	case prog.OpLoad:
		return in.Addr.Index == r
	}
	return false
}

func (l *lister) access(pc int) {
	in := &l.th.Code[pc]
	op := hw.OpOf(in)
	ord := in.Ord
	text := l.accessText(in)
	if d := l.dest(pc); d != "" {
		text = d + " = " + text
	}
	plain := !in.Atomic && (in.Op == prog.OpLoad || in.Op == prog.OpStore)
	if plain {
		ord = prog.Relaxed
		text += " (plain)"
	}
	if in.Op == prog.OpCAS {
		ord = prog.LoweredCASOrdering(in.Ord, in.Ord2)
		if ord != in.Ord {
			text += fmt.Sprintf(" (as %s: failure ordering %s)", ord, in.Ord2)
		}
	}
	comment := join(text, l.line(pc))
	signed := false
	if in.Op != prog.OpFence {
		signed = l.p.Vars[in.Addr.Var].Type.Signed
	}
	lines := expand(l.arch, in, op, ord, signed)
	if len(lines) == 0 {
		l.items = append(l.items, item{kind: kNote, comment: join(fmt.Sprintf("%s: no instruction on %s (a compiler barrier only)", text, l.arch), l.line(pc))})
		return
	}
	loc := ""
	if in.Op != prog.OpFence {
		loc = l.location(in)
	}
	first := true
	for _, ln := range lines {
		if ln.label != "" {
			l.items = append(l.items, item{kind: kInst, local: ln.label})
			continue
		}
		it := item{kind: kInst, text: ln.text, comment: ln.note}
		if loc != "" {
			it.text = l.d.address(ln.text, loc)
		}
		if first {
			it.comment = comment
			if ln.note != "" {
				l.items = append(l.items, it)
				it = item{kind: kNote, comment: ln.note}
			}
			first = false
		}
		l.items = append(l.items, it)
	}
}

// peephole drops the jumps and branches whose target comes next and the
// labels nothing jumps to, and turns a branch over a jump into the
// opposite branch.
func (l *lister) peephole() {
	for pass, changed := 0, true; changed && pass < 10*len(l.items)+10; pass++ {
		changed = false
		for i := 0; i < len(l.items); i++ {
			it := l.items[i]
			// What follows an unconditional jump or a panic up to the next
			// label is never reached.
			if it.kind == kJump || it.stop {
				k := i + 1
				for k < len(l.items) && l.items[k].kind != kLabel && !(l.items[k].kind == kNote && l.items[k].soft) {
					k++
				}
				if k > i+1 {
					l.items = append(l.items[:i+1], l.items[k:]...)
					changed = true
					break
				}
			}
			if it.kind != kJump && it.kind != kBranch {
				continue
			}
			// A jump to a jump goes straight to the second one's target.
			if j := l.jumpAt(it.label); j != nil && j.label != it.label {
				it.label = j.label
				if it.comment == "" {
					it.comment = j.comment
				}
				l.items[i] = it
				changed = true
				break
			}
			if l.follows(i+1, it.label) {
				l.items = append(l.items[:i], l.items[i+1:]...)
				changed = true
				break
			}
			if it.kind == kBranch && i+1 < len(l.items) && l.items[i+1].kind == kJump && l.follows(i+2, it.label) {
				j := l.items[i+1]
				it.label, it.ifTrue, it.comment = j.label, !it.ifTrue, j.comment
				l.items[i] = it
				l.items = append(l.items[:i+1], l.items[i+2:]...)
				changed = true
				break
			}
		}
		used := map[int]bool{}
		for _, it := range l.items {
			if it.kind == kJump || it.kind == kBranch {
				used[it.label] = true
			}
		}
		out := l.items[:0]
		for _, it := range l.items {
			if it.kind == kLabel && !used[it.label] {
				changed = true
				continue
			}
			out = append(out, it)
		}
		l.items = out
	}
}

// jumpAt is the unconditional jump that label n leads to without passing
// an instruction, if any.
func (l *lister) jumpAt(n int) *item {
	for i, it := range l.items {
		if it.kind == kLabel && it.label == n {
			for k := i + 1; k < len(l.items); k++ {
				switch x := &l.items[k]; {
				case x.kind == kLabel, x.kind == kNote && x.soft:
				case x.kind == kJump:
					return x
				default:
					return nil
				}
			}
			return nil
		}
	}
	return nil
}

// follows reports whether label n is reached from item i without passing
// an instruction.
func (l *lister) follows(i, n int) bool {
	for ; i < len(l.items); i++ {
		switch it := l.items[i]; {
		case it.kind == kLabel:
			if it.label == n {
				return true
			}
		case it.kind == kNote && it.soft:
		default:
			return false
		}
	}
	return false
}

const commentColumn = 48

func (l *lister) print(b *strings.Builder, next *int) {
	numbers := map[int]int{}
	number := func(n int) int {
		if k, ok := numbers[n]; ok {
			return k
		}
		*next++
		numbers[n] = *next
		return *next
	}
	// Number the labels in order of appearance.
	for _, it := range l.items {
		if it.kind == kLabel {
			number(it.label)
		}
	}
	c := l.d.comment
	head := l.th.Name + ":"
	if l.th.Pos.IsValid() {
		head = pad(head, commentColumn) + c + " thread " + l.th.Name + fmt.Sprintf("  line %d", l.th.Pos.Line)
	}
	b.WriteString(head + "\n")
	if len(l.items) == 0 {
		b.WriteString("        " + c + " no memory accesses\n")
	}
	for _, it := range l.items {
		var s, comment string
		switch it.kind {
		case kLabel:
			s = fmt.Sprintf(".L%d:", number(it.label))
		case kInst:
			if it.local != "" {
				s = it.local
			} else {
				s = "        " + tab(it.text)
			}
			comment = it.comment
		case kJump:
			s = "        " + tab(fmt.Sprintf("%s .L%d", l.d.jump, number(it.label)))
			comment = it.comment
		case kBranch:
			op, cond := l.d.bz, not(it.cond)
			if it.ifTrue {
				op, cond = l.d.bnz, it.cond
			}
			if reg := strings.TrimSuffix(l.d.branchOperands, ", "); reg != "" {
				// The register the branch tests holds the condition,
				// computed by arithmetic the listing leaves out: say so,
				// so that it is not read as never set.
				b.WriteString("        " + c + " " + reg + " = " + cond.String() + " (computed by the register arithmetic left out)\n")
			}
			s = "        " + tab(fmt.Sprintf("%s %s.L%d", op, l.d.branchOperands, number(it.label)))
			comment = "if " + cond.String()
			if it.comment != "" {
				comment += ": " + it.comment
			}
		case kNote:
			s = "        " + c + " " + it.comment
		}
		if comment != "" {
			s = pad(s, commentColumn) + c + " " + comment
		}
		b.WriteString(strings.TrimRight(s, " ") + "\n")
	}
}

// tab aligns an instruction's operands as compilers print them.
func tab(text string) string {
	m, ops, ok := strings.Cut(text, " ")
	if !ok {
		return text
	}
	if m == "lock" { // "lock cmpxchg": the prefix belongs to the mnemonic
		m2, rest, _ := strings.Cut(ops, " ")
		m, ops = m+" "+m2, rest
	}
	if len(m) >= 8 {
		return m + " " + strings.TrimSpace(ops)
	}
	return pad(m, 8) + strings.TrimSpace(ops)
}

func pad(s string, n int) string {
	if len([]rune(s)) >= n {
		return s + "  "
	}
	return s + strings.Repeat(" ", n-len([]rune(s)))
}

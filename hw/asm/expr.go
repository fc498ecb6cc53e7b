package asm

import (
	"fmt"
	"strings"

	"happens/prog"
)

// Branch comments name the condition a branch tests, rebuilt from the
// register code that computes it: a register with a single reaching
// definition is replaced by that definition (a constant, an operator over
// other registers, or the source text of the access that produced it),
// exported locals keep their names, anything else is shown as tN.

// cexpr is a condition for a comment.
type cexpr struct {
	atom string // when op is ""
	op   string // a binary operator, or "!" / "-" / "~" with y nil
	x, y *cexpr
}

func atom(s string) *cexpr { return &cexpr{atom: s} }

func (e *cexpr) String() string {
	switch {
	case e.op == "":
		return e.atom
	case e.y == nil:
		return e.op + e.x.operand()
	}
	return e.x.operand() + " " + e.op + " " + e.y.operand()
}

// operand prints e where it is an operand of another operator.
func (e *cexpr) operand() string {
	if e.op == "" || e.y == nil {
		return e.String()
	}
	return "(" + e.String() + ")"
}

var negated = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

// not is the negation of e, simplified where that reads better.
func not(e *cexpr) *cexpr {
	if e.op == "!" {
		return e.x
	}
	if n, ok := negated[e.op]; ok {
		return &cexpr{op: n, x: e.x, y: e.y}
	}
	return &cexpr{op: "!", x: e}
}

// defs holds, for every instruction, the definitions of each register
// that reach it (-1: the initial zero).
type defs struct {
	code  []prog.Instr
	reach []bool
	in    [][][]int // in[pc][reg] sorted
}

func reachingDefs(th *prog.Thread, reach []bool) *defs {
	n, nr := len(th.Code), th.NumRegs
	d := &defs{code: th.Code, reach: reach, in: make([][][]int, n)}
	for pc := range d.in {
		d.in[pc] = make([][]int, nr)
	}
	if n == 0 {
		return d
	}
	for r := 0; r < nr; r++ {
		d.in[0][r] = []int{-1}
	}
	for changed := true; changed; {
		changed = false
		for pc := 0; pc < n; pc++ {
			if !reach[pc] {
				continue
			}
			out := d.in[pc]
			w := writes(&th.Code[pc])
			for _, s := range prog.Successors(th.Code, pc) {
				for r := 0; r < nr; r++ {
					add := out[r]
					if contains(w, r) {
						add = []int{pc}
					}
					if merged, grew := union(d.in[s][r], add); grew {
						d.in[s][r] = merged
						changed = true
					}
				}
			}
		}
	}
	return d
}

func contains(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// union adds b to the sorted set a.
func union(a, b []int) ([]int, bool) {
	grew := false
	for _, x := range b {
		if !contains(a, x) {
			a = append(a, x)
			grew = true
		}
	}
	if grew {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j] < a[j-1]; j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
	}
	return a, grew
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

func reachable(code []prog.Instr) []bool {
	reach := make([]bool, len(code))
	if len(code) == 0 {
		return reach
	}
	stack := []int{0}
	reach[0] = true
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range prog.Successors(code, pc) {
			if !reach[s] {
				reach[s] = true
				stack = append(stack, s)
			}
		}
	}
	return reach
}

// cond rebuilds the value of register r as read by instruction pc.
func (l *lister) cond(pc, r int) *cexpr {
	return l.reg(pc, r, 4)
}

func (l *lister) reg(pc, r, depth int) *cexpr {
	if name, ok := l.local[r]; ok {
		return atom(name)
	}
	name := atom(fmt.Sprintf("t%d", r))
	if r < 0 || r >= len(l.defs.in[pc]) || depth == 0 {
		return name
	}
	ds := l.defs.in[pc][r]
	if len(ds) != 1 {
		return name
	}
	if ds[0] < 0 {
		return atom("0")
	}
	def := ds[0]
	in := &l.th.Code[def]
	switch in.Op {
	case prog.OpConst:
		return atom(l.constant(in.Imm, in.T))
	case prog.OpMove:
		return l.reg(def, in.B, depth)
	case prog.OpUnary:
		op := "-"
		if in.Un == prog.Not {
			op = "!"
			if in.T.Kind != prog.KindBool && l.p.Format == "c" {
				op = "~"
			}
		}
		x := l.reg(def, in.B, depth-1)
		if op == "!" && in.T.Kind == prog.KindBool {
			return not(x)
		}
		return &cexpr{op: op, x: x}
	case prog.OpBinary:
		return &cexpr{op: in.Bin.String(), x: l.reg(def, in.B, depth-1), y: l.reg(def, in.C, depth-1)}
	case prog.OpLoad, prog.OpRMW:
		return atom(l.accessText(in))
	case prog.OpCAS:
		if r == in.A+1 {
			if l.p.Format == "rust" {
				return atom(l.accessText(in) + ".is_ok()")
			}
			return atom(l.accessText(in))
		}
		return atom("(value read by " + l.accessText(in) + ")")
	}
	return name
}

func (l *lister) constant(v uint64, t prog.Type) string {
	if w, ok := l.p.AddrTarget(v); ok {
		return "&" + l.p.Vars[w].Name
	}
	switch {
	case t.Kind == prog.KindBool:
		return t.Format(v)
	case t.Kind == prog.KindInt && t.Bits > 0:
		return t.Format(v)
	case int64(v) < 0:
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprint(v)
}

// accessText is the source text of an access, or a description when the
// front end kept none.
func (l *lister) accessText(in *prog.Instr) string {
	if t := strings.TrimSpace(in.Text); t != "" {
		return t
	}
	return fmt.Sprintf("%s %s", in.Op, l.location(in))
}

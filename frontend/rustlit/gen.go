package rustlit

import (
	"strings"

	"happens/prog"
	"happens/source"
)

// value is where an expression's result lives. For a Result (from
// compare_exchange) reg holds the value and reg+1 whether it is Ok. reg is
// -1 for unit.
type value struct {
	reg int
	t   prog.Type
	// elem is the value type inside a Result.
	elem prog.Type
}

var unit = value{reg: -1, t: prog.Unit}

type local struct {
	v   value
	mut bool
}

type loopCtx struct {
	breaks, continues []int
	id                uint64
	framed            bool
}

type fnCtx struct {
	name    string
	returns []int
	result  value
	ret     prog.Type
	loops   int // len(g.loops) when the function was entered
}

type gen struct {
	c      *compiler
	code   []prog.Instr
	nregs  int
	scopes []map[string]*local
	loops  []*loopCtx
	fns    []*fnCtx
	locals []prog.Local // exported
	// zero is a register holding 0, used for conversions.
	zero int
}

// bail abandons the current statement after an error; errors are recorded
// first.
type genBail struct{}

func (g *gen) errorf(pos source.Pos, format string, args ...any) {
	g.c.errs.Add(pos, format, args...)
	panic(genBail{})
}

func (c *compiler) thread(th *threadItem, name string, fam map[string]cval) {
	g := &gen{c: c}
	c.famConsts = fam
	defer func() { c.famConsts = nil }()
	g.push()
	g.zero = g.reg()
	g.emit(prog.Instr{Op: prog.OpConst, A: g.zero})
	for n, v := range fam {
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpConst, A: r, Imm: v.v, T: v.t})
		g.scopes[0][n] = &local{v: value{reg: r, t: v.t}}
	}
	g.stmts(th.body.stmts, true)
	if th.body.tail != nil {
		g.safe(func() { g.expr(th.body.tail) })
	}
	c.p.Threads = append(c.p.Threads, prog.Thread{Name: name, Code: g.code, NumRegs: g.nregs, Locals: g.locals, Pos: th.p})
}

func (g *gen) push() { g.scopes = append(g.scopes, map[string]*local{}) }
func (g *gen) pop()  { g.scopes = g.scopes[:len(g.scopes)-1] }

func (g *gen) reg() int {
	g.nregs++
	return g.nregs - 1
}

func (g *gen) emit(in prog.Instr) int {
	g.code = append(g.code, in)
	return len(g.code) - 1
}

func (g *gen) here() int { return len(g.code) }

func (g *gen) patch(at []int, target int) {
	for _, i := range at {
		g.code[i].Target = target
	}
}

func (g *gen) lookup(name string) *local {
	for i := len(g.scopes) - 1; i >= 0; i-- {
		if l, ok := g.scopes[i][name]; ok {
			return l
		}
	}
	return nil
}

// safe runs f, recovering from a statement-level bail.
func (g *gen) safe(f func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(genBail); !ok {
				panic(r)
			}
		}
	}()
	f()
}

func (g *gen) stmts(list []stmt, top bool) {
	for _, s := range list {
		g.safe(func() { g.stmt(s, top) })
	}
}

func (g *gen) stmt(s stmt, top bool) {
	switch s := s.(type) {
	case *letStmt:
		var v value
		declared := prog.Type{}
		hasType := false
		if s.typ != nil {
			t, _, ok := g.c.valueType(s.typ)
			if !ok {
				g.errorf(s.typ.p, "unsupported type %s for a local", s.typ.name)
			}
			declared, hasType = t, true
		}
		if s.init == nil {
			t := declared
			if !hasType {
				t = prog.Int
			}
			v = value{reg: g.reg(), t: t}
			g.emit(prog.Instr{Op: prog.OpConst, A: v.reg, T: t})
			// A deferred initialisation is an assignment.
			s.mut = true
		} else {
			init := g.expr(s.init)
			if init.t.Kind == prog.KindUnit {
				if s.name == "_" {
					return
				}
				g.errorf(s.p, "%s would have type (); expressions with no value cannot be bound", s.name)
			}
			if hasType {
				init = g.coerce(init, declared, s.init.exprPos())
			}
			v = g.copyValue(init)
		}
		if s.name == "_" {
			return
		}
		g.scopes[len(g.scopes)-1][s.name] = &local{v: v, mut: s.mut}
		if top && v.t.Kind != prog.KindResult {
			g.export(s.name, v)
		}
	case *assignStmt:
		g.assign(s)
	case *exprStmt:
		g.expr(s.x)
	}
}

func (g *gen) export(name string, v value) {
	for i, l := range g.locals {
		if l.Name == name {
			g.locals = append(g.locals[:i], g.locals[i+1:]...)
			break
		}
	}
	g.locals = append(g.locals, prog.Local{Name: name, Reg: v.reg, Type: v.t})
}

// copyValue moves v into fresh registers, so a binding owns its storage.
func (g *gen) copyValue(v value) value {
	n := value{reg: g.reg(), t: v.t, elem: v.elem}
	g.emit(prog.Instr{Op: prog.OpMove, A: n.reg, B: v.reg})
	if v.t.Kind == prog.KindResult {
		ok := g.reg()
		g.emit(prog.Instr{Op: prog.OpMove, A: ok, B: v.reg + 1})
	}
	return n
}

// coerce checks that v can be used where type t is expected, converting a
// flexible integer to t.
func (g *gen) coerce(v value, t prog.Type, pos source.Pos) value {
	u, ok := prog.Unify(v.t, t)
	if !ok {
		g.errorf(pos, "mismatched types: expected %s, found %s", t, v.t)
	}
	if v.t.Flexible && !t.Flexible && t.IsInt() {
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: r, B: v.reg, C: g.zero})
		return value{reg: r, t: u}
	}
	return v
}

func (g *gen) assign(s *assignStmt) {
	text := g.c.text(exprStart(s.target), s.end)
	var op prog.BinOp
	compound := s.op != "="
	if compound {
		op = binOps[strings.TrimSuffix(s.op, "=")]
	}
	switch t := s.target.(type) {
	case *identExpr:
		if l := g.lookup(t.name); l != nil {
			if !l.mut {
				g.errorf(t.p, "cannot assign twice to immutable variable %s (declare it with let mut)", t.name)
			}
			v := g.expr(s.val)
			if compound {
				v = g.binop(op, l.v, v, s.p)
			}
			v = g.coerce(v, l.v.t, s.val.exprPos())
			g.emit(prog.Instr{Op: prog.OpMove, A: l.v.reg, B: v.reg})
			if l.v.t.Flexible && !v.t.Flexible {
				// keep the variable's type flexible
			}
			return
		}
		if _, ok := g.c.statics[t.name]; ok {
			g.storePlain(t.name, nil, s, op, compound, text)
			return
		}
		g.errorf(t.p, "cannot find %s in this scope", t.name)
	case *indexExpr:
		if id, ok := t.x.(*identExpr); ok {
			if _, ok := g.c.statics[id.name]; ok && g.lookup(id.name) == nil {
				g.storePlain(id.name, t.idx, s, op, compound, text)
				return
			}
		}
		g.errorf(t.p, "only elements of static arrays can be assigned")
	case *unaryExpr:
		if t.op == "*" {
			g.errorf(t.p, "pointers are not supported; assign to the static directly")
		}
	}
	g.errorf(s.p, "cannot assign to this expression")
}

func (g *gen) storePlain(name string, idx expr, s *assignStmt, op prog.BinOp, compound bool, text string) {
	vi := g.c.statics[name]
	v := &g.c.p.Vars[vi]
	if v.Atomic {
		g.errorf(s.p, "%s is atomic; use %s.store(value, ordering)", name, name)
	}
	addr := g.addr(vi, idx, s.p)
	val := g.expr(s.val)
	if compound {
		cur := value{reg: g.reg(), t: v.Type}
		g.emit(prog.Instr{Op: prog.OpLoad, A: cur.reg, Addr: addr, Pos: s.p, Text: text})
		val = g.binop(op, cur, val, s.p)
	}
	val = g.coerce(val, v.Type, s.val.exprPos())
	g.emit(prog.Instr{Op: prog.OpStore, B: val.reg, Addr: addr, Pos: s.p, Text: text})
}

// addr resolves a variable and optional index expression.
func (g *gen) addr(vi int, idx expr, pos source.Pos) prog.Addr {
	v := &g.c.p.Vars[vi]
	a := prog.Addr{Var: vi, Index: -1}
	if idx == nil {
		if v.Len > 0 {
			g.errorf(pos, "%s is an array; index it", v.Name)
		}
		return a
	}
	if v.Len == 0 {
		g.errorf(pos, "%s is not an array", v.Name)
	}
	if cv, ok := g.c.constEval(idx, true); ok && !cv.isOrd {
		if !cv.t.IsInt() {
			g.errorf(idx.exprPos(), "array index must be an integer")
		}
		if cv.v >= uint64(v.Len) {
			g.errorf(idx.exprPos(), "index out of bounds: the len is %d but the index is %d", v.Len, int64(cv.v))
		}
		a.Const = int(cv.v)
		return a
	}
	iv := g.expr(idx)
	if !iv.t.IsInt() {
		g.errorf(idx.exprPos(), "array index must be an integer, found %s", iv.t)
	}
	a.Index = iv.reg
	return a
}

func (g *gen) constant(v uint64, t prog.Type) value {
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpConst, A: r, Imm: v, T: t})
	return value{reg: r, t: t}
}

func (g *gen) binop(op prog.BinOp, x, y value, pos source.Pos) value {
	if x.t.Kind == prog.KindResult || y.t.Kind == prog.KindResult {
		g.errorf(pos, "operator %s cannot be applied to a Result", op)
	}
	t, ok := prog.Unify(x.t, y.t)
	if op == prog.Shl || op == prog.Shr {
		t, ok = x.t, x.t.IsInt() && y.t.IsInt()
	}
	if !ok {
		g.errorf(pos, "mismatched types %s and %s for %s", x.t, y.t, op)
	}
	switch {
	case t.Kind == prog.KindUnit:
		g.errorf(pos, "operator %s cannot be applied to ()", op)
	case t.Kind == prog.KindBool && !(op == prog.Eq || op == prog.Ne || op == prog.And || op == prog.Or || op == prog.Xor || op == prog.Lt || op == prog.Le || op == prog.Gt || op == prog.Ge):
		g.errorf(pos, "operator %s cannot be applied to bool", op)
	}
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: op, T: t, A: r, B: x.reg, C: y.reg, Pos: pos})
	rt := t
	if op.IsComparison() {
		rt = prog.Bool
	}
	return value{reg: r, t: rt}
}

func (g *gen) boolean(e expr) value {
	v := g.expr(e)
	if v.t.Kind != prog.KindBool {
		g.errorf(e.exprPos(), "expected bool, found %s", v.t)
	}
	return v
}

package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

// condition resolves the final condition over threads' final locals and
// final memory.
func (c *compiler) condition(ci *condItem) {
	kind := map[string]prog.CondKind{"exists": prog.Exists, "forall": prog.Forall, "~exists": prog.NotExists}[ci.kind]
	seen := map[string]bool{}
	var obs []prog.Observable
	x, t, ok := c.condExpr(ci.x, func(o prog.Observable) {
		if !seen[o.Name] {
			seen[o.Name] = true
			obs = append(obs, o)
		}
	})
	if !ok {
		return
	}
	if t.Kind != prog.KindBool {
		c.errorf(ci.x.exprPos(), "the final condition must be a bool, found %s", t)
		return
	}
	c.p.Cond = &prog.Condition{Kind: kind, Expr: x, Pos: ci.p, Text: ci.text}
	c.p.Observed = obs
}

func (c *compiler) threadIndex(e expr) (int, bool) {
	var name string
	switch t := e.(type) {
	case *identExpr:
		name = t.name
	case *indexExpr:
		id, ok := t.x.(*identExpr)
		if !ok {
			return 0, false
		}
		k, ok := c.constEval(t.idx, true)
		if !ok {
			return 0, false
		}
		name = fmt.Sprintf("%s[%d]", id.name, int64(k.v))
	default:
		return 0, false
	}
	if name == "main" && c.p.Final != nil {
		return len(c.p.Threads), true
	}
	for i := range c.p.Threads {
		if c.p.Threads[i].Name == name {
			return i, true
		}
	}
	return 0, false
}

// threadOf is thread t, or the Final code for t == len(Threads).
func (c *compiler) threadOf(t int) *prog.Thread {
	if t == len(c.p.Threads) {
		return c.p.Final
	}
	return &c.p.Threads[t]
}

func (c *compiler) condExpr(e expr, observe func(prog.Observable)) (prog.Expr, prog.Type, bool) {
	fail := func(pos source.Pos, format string, args ...any) (prog.Expr, prog.Type, bool) {
		c.errorf(pos, format, args...)
		return nil, prog.Type{}, false
	}
	switch e := e.(type) {
	case *fieldExpr:
		ti, ok := c.threadIndex(e.x)
		if !ok {
			if loc, ok := c.locByExpr(e); ok {
				l := &c.p.Locs[loc]
				observe(prog.Observable{Name: l.Name, Thread: -1, Loc: loc, Type: l.Type})
				return &prog.MemExpr{Loc: loc, T: l.Type}, l.Type, true
			}
			return fail(e.x.exprPos(), "no thread named %s", exprString(e.x))
		}
		th := c.threadOf(ti)
		l, ok := th.LocalByName(e.name)
		if !ok && c.broken[th.Name] {
			// The thread had syntax errors: its lets may be what failed.
			return nil, prog.Type{}, false
		}
		if !ok {
			var names []string
			for _, l := range th.Locals {
				names = append(names, l.Name)
			}
			return fail(e.p, "thread %s has no local %s at its top level (it has: %s)", th.Name, e.name, strings.Join(names, ", "))
		}
		observe(prog.Observable{Name: th.Name + "." + l.Name, Thread: ti, Reg: l.Reg, Loc: -1, Type: l.Type})
		return &prog.LocalExpr{Thread: ti, Reg: l.Reg, T: l.Type}, l.Type, true
	case *identExpr, *indexExpr:
		if loc, ok := c.locByExpr(e); ok {
			l := &c.p.Locs[loc]
			observe(prog.Observable{Name: l.Name, Thread: -1, Loc: loc, Type: l.Type})
			return &prog.MemExpr{Loc: loc, T: l.Type}, l.Type, true
		}
		if ix, ok := e.(*indexExpr); ok {
			if name, ok := c.locName(ix.x); ok && c.varNamed(name) {
				k, ok := c.constEval(ix.idx, false)
				if !ok {
					return nil, prog.Type{}, false
				}
				return fail(e.exprPos(), "%s[%d] is out of bounds", name, int64(k.v))
			}
		}
		if id, ok := e.(*identExpr); ok && c.varNamed(id.name) {
			return fail(id.p, "%s is an array or a struct; name an element or a field", id.name)
		}
	case *unaryExpr:
		x, t, ok := c.condExpr(e.x, observe)
		if !ok {
			return nil, t, false
		}
		switch e.op {
		case "!":
			return &prog.UnaryExpr{Op: prog.Not, X: x, T: t}, t, true
		case "-":
			if t.IsInt() {
				return &prog.UnaryExpr{Op: prog.Neg, X: x, T: t}, t, true
			}
		}
		return fail(e.p, "operator %s cannot be applied to %s", e.op, t)
	case *binaryExpr:
		x, tx, ok1 := c.condExpr(e.x, observe)
		y, ty, ok2 := c.condExpr(e.y, observe)
		if !ok1 || !ok2 {
			return nil, prog.Type{}, false
		}
		op := binOps[e.op]
		t, ok := prog.Unify(tx, ty)
		if !ok {
			return fail(e.p, "mismatched types %s and %s for %s", tx, ty, e.op)
		}
		if (op == prog.LAnd || op == prog.LOr) && t.Kind != prog.KindBool {
			return fail(e.p, "%s needs bool operands, found %s", e.op, t)
		}
		// Give literals the type of the other side.
		if cx, isC := x.(*prog.ConstExpr); isC {
			cx.Val, cx.T = t.Wrap(cx.Val), t
		}
		if cy, isC := y.(*prog.ConstExpr); isC {
			cy.Val, cy.T = t.Wrap(cy.Val), t
		}
		rt := t
		if op.IsComparison() {
			rt = prog.Bool
		}
		return &prog.BinaryExpr{Op: op, X: x, Y: y, T: t}, rt, true
	}
	cv, ok := c.constEval(e, true)
	if ok && !cv.isOrd {
		return &prog.ConstExpr{Val: cv.v, T: cv.t}, cv.t, true
	}
	return fail(e.exprPos(), "the final condition can name thread locals (t1.a), statics (X, A[2]), constants and literals; found %s", exprString(e))
}

// locName spells a location as outcomes name it: X, A[2], S.f, N[1].f.
func (c *compiler) locName(e expr) (string, bool) {
	switch e := e.(type) {
	case *identExpr:
		return e.name, true
	case *indexExpr:
		base, ok := c.locName(e.x)
		if !ok {
			return "", false
		}
		k, ok := c.constEval(e.idx, true)
		if !ok || k.isOrd {
			return "", false
		}
		return fmt.Sprintf("%s[%d]", base, int64(k.v)), true
	case *fieldExpr:
		base, ok := c.locName(e.x)
		if !ok {
			return "", false
		}
		return base + "." + e.name, true
	}
	return "", false
}

func (c *compiler) locByExpr(e expr) (int, bool) {
	name, ok := c.locName(e)
	if !ok {
		return 0, false
	}
	for i := range c.p.Locs {
		if c.p.Locs[i].Name == name {
			return i, true
		}
	}
	return 0, false
}

func (c *compiler) varNamed(name string) bool {
	for _, v := range c.p.Vars {
		if v.Name == name || strings.HasPrefix(v.Name, name+".") {
			return true
		}
	}
	return false
}

func exprString(e expr) string {
	switch e := e.(type) {
	case *identExpr:
		return e.name
	case *indexExpr:
		return exprString(e.x) + "[" + exprString(e.idx) + "]"
	case *intLit:
		return e.text
	case *fieldExpr:
		return exprString(e.x) + "." + e.name
	case *pathExpr:
		return strings.Join(e.segs, "::")
	case *methodExpr:
		return exprString(e.recv) + "." + e.name + "(...)"
	case *callExpr:
		return exprString(e.fn) + "(...)"
	case *unaryExpr:
		return e.op + exprString(e.x)
	}
	return "this expression"
}

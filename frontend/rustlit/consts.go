package rustlit

import (
	"strconv"
	"strings"

	"happens/prog"
	"happens/source"
)

// cval is a compile-time value: an integer, a bool or an ordering.
type cval struct {
	isOrd bool
	ord   prog.Ordering
	v     uint64
	t     prog.Type
}

type constDef struct {
	item  *constItem
	val   cval
	state uint8 // 0 new, 1 evaluating, 2 done, 3 failed
}

var intTypes = map[string]prog.Type{
	"u8": prog.IntType(8, false), "u16": prog.IntType(16, false), "u32": prog.IntType(32, false), "u64": prog.IntType(64, false), "usize": prog.IntType(64, false),
	"i8": prog.IntType(8, true), "i16": prog.IntType(16, true), "i32": prog.IntType(32, true), "i64": prog.IntType(64, true), "isize": prog.IntType(64, true),
}

// parseInt reads a Rust integer literal with optional suffix.
func parseInt(text string) (uint64, prog.Type, bool) {
	s := strings.ReplaceAll(text, "_", "")
	t := prog.Int
	for name, ty := range intTypes {
		if strings.HasSuffix(s, name) && len(s) > len(name) {
			// Avoid reading hex digits as a suffix: 0x1u8 is fine, 0xu8 is not.
			t = ty
			s = s[:len(s)-len(name)]
			break
		}
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0o"):
		base, s = 8, s[2:]
	case strings.HasPrefix(s, "0b"):
		base, s = 2, s[2:]
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, t, false
	}
	if !t.Flexible && t.Wrap(v) != v && !(t.Signed && t.Bits < 64 && v < 1<<t.Bits) {
		return 0, t, false
	}
	return t.Wrap(v), t, true
}

// orderingName recognises Ordering::X, atomic::Ordering::X, bare X, ...
func orderingName(e expr) (prog.Ordering, bool) {
	var name string
	switch e := e.(type) {
	case *identExpr:
		name = e.name
	case *pathExpr:
		if len(e.segs) < 2 || e.segs[len(e.segs)-2] != "Ordering" {
			return 0, false
		}
		name = e.segs[len(e.segs)-1]
	default:
		return 0, false
	}
	o, ok := prog.ParseOrdering(name)
	if !ok || o == prog.Consume {
		return 0, false
	}
	return o, true
}

// constEval evaluates a constant expression: literals, consts, orderings,
// and arithmetic over them. ok is false (and an error recorded) when e is
// not constant; quiet suppresses the error.
func (c *compiler) constEval(e expr, quiet bool) (cval, bool) {
	fail := func(pos source.Pos, format string, args ...any) (cval, bool) {
		if !quiet {
			c.errs.Add(pos, format, args...)
		}
		return cval{}, false
	}
	if o, ok := orderingName(e); ok {
		if id, isID := e.(*identExpr); !isID || c.consts[id.name] == nil {
			return cval{isOrd: true, ord: o}, true
		}
	}
	switch e := e.(type) {
	case *intLit:
		v, t, ok := parseInt(e.text)
		if !ok {
			return fail(e.p, "invalid integer literal %s", e.text)
		}
		return cval{v: v, t: t}, true
	case *boolLit:
		return cval{v: b2u(e.val), t: prog.Bool}, true
	case *identExpr:
		d := c.consts[e.name]
		if d == nil {
			if c.famConsts != nil {
				if v, ok := c.famConsts[e.name]; ok {
					return v, true
				}
			}
			return fail(e.p, "%s is not a constant", e.name)
		}
		return c.constValue(d, quiet)
	case *pathExpr:
		if len(e.segs) == 2 {
			if t, ok := intTypes[e.segs[0]]; ok {
				switch e.segs[1] {
				case "MAX":
					if t.Signed {
						return cval{v: t.Wrap(1<<(t.Bits-1) - 1), t: t}, true
					}
					return cval{v: t.Wrap(^uint64(0)), t: t}, true
				case "MIN":
					if t.Signed {
						return cval{v: t.Wrap(1 << (t.Bits - 1)), t: t}, true
					}
					return cval{v: 0, t: t}, true
				}
			}
		}
		return fail(e.p, "%s is not a constant", strings.Join(e.segs, "::"))
	case *unaryExpr:
		x, ok := c.constEval(e.x, quiet)
		if !ok {
			return x, false
		}
		switch e.op {
		case "-":
			if !x.t.IsInt() {
				return fail(e.p, "cannot negate %s", x.t)
			}
			return cval{v: prog.EvalUnary(prog.Neg, x.t, x.v), t: x.t}, true
		case "!":
			if x.isOrd {
				return fail(e.p, "cannot apply ! to an ordering")
			}
			return cval{v: prog.EvalUnary(prog.Not, x.t, x.v), t: x.t}, true
		}
		return fail(e.p, "operator %s is not allowed in a constant", e.op)
	case *binaryExpr:
		x, ok1 := c.constEval(e.x, quiet)
		y, ok2 := c.constEval(e.y, quiet)
		if !ok1 || !ok2 {
			return cval{}, false
		}
		if x.isOrd || y.isOrd {
			return fail(e.p, "orderings cannot be combined with %s", e.op)
		}
		op, ok := binOps[e.op]
		if !ok {
			return fail(e.p, "operator %s is not allowed in a constant", e.op)
		}
		t, ok := prog.Unify(x.t, y.t)
		if !ok {
			return fail(e.p, "mismatched types %s and %s", x.t, y.t)
		}
		v, err := prog.EvalBinary(op, t, x.v, y.v)
		if err != nil {
			return fail(e.p, "%v", err)
		}
		if op.IsComparison() || op == prog.LAnd || op == prog.LOr {
			t = prog.Bool
		}
		return cval{v: v, t: t}, true
	case *castExpr:
		x, ok := c.constEval(e.x, quiet)
		if !ok {
			return x, false
		}
		t, ok := intTypes[e.typ.name]
		if !ok {
			return fail(e.typ.p, "cannot cast to %s", e.typ.name)
		}
		return cval{v: t.Wrap(x.v), t: t}, true
	case *callExpr:
		// AtomicU32::new(v) in an initialiser.
		if pe, ok := e.fn.(*pathExpr); ok && len(pe.segs) >= 2 && pe.segs[len(pe.segs)-1] == "new" && len(e.args) == 1 {
			return c.constEval(e.args[0], quiet)
		}
	case *blockExpr:
		// const { AtomicU32::new(0) }
		if len(e.stmts) == 0 && e.tail != nil {
			return c.constEval(e.tail, quiet)
		}
	}
	return fail(e.exprPos(), "expected a constant expression")
}

func (c *compiler) constValue(d *constDef, quiet bool) (cval, bool) {
	switch d.state {
	case 2:
		return d.val, true
	case 3:
		return cval{}, false
	case 1:
		c.errs.Add(d.item.p, "constant %s is defined in terms of itself", d.item.name)
		d.state = 3
		return cval{}, false
	}
	d.state = 1
	var v cval
	ok := true
	if def, has := c.defines[d.item.name]; has {
		c.usedDefines[d.item.name] = true
		lit := &intLit{text: def, p: d.item.p}
		if def == "true" || def == "false" {
			v = cval{v: b2u(def == "true"), t: prog.Bool}
		} else if o, isOrd := prog.ParseOrdering(def); isOrd && o != prog.Consume {
			v = cval{isOrd: true, ord: o}
		} else if v, ok = c.constEval(lit, true); !ok {
			c.errs.Add(d.item.p, "-D %s=%s: not an integer, bool or ordering", d.item.name, def)
		}
	} else {
		v, ok = c.constEval(d.item.val, quiet)
	}
	if ok {
		v, ok = c.constType(d.item, v)
	}
	if !ok {
		d.state = 3
		return cval{}, false
	}
	d.val, d.state = v, 2
	return v, true
}

// constType checks a constant's value against its declared type.
func (c *compiler) constType(item *constItem, v cval) (cval, bool) {
	name := item.typ.name
	switch {
	case name == "Ordering":
		if !v.isOrd {
			c.errs.Add(item.p, "constant %s: expected an Ordering", item.name)
			return v, false
		}
	case name == "bool":
		if v.isOrd || v.t.Kind != prog.KindBool {
			c.errs.Add(item.p, "constant %s: expected a bool", item.name)
			return v, false
		}
	default:
		t, ok := intTypes[name]
		if !ok || v.isOrd || !v.t.IsInt() {
			c.errs.Add(item.p, "constant %s: expected a value of type %s", item.name, name)
			return v, false
		}
		if _, ok := prog.Unify(v.t, t); !ok {
			c.errs.Add(item.p, "constant %s: mismatched types %s and %s", item.name, t, v.t)
			return v, false
		}
		v.v, v.t = t.Wrap(v.v), t
	}
	return v, true
}

var binOps = map[string]prog.BinOp{
	"+": prog.Add, "-": prog.Sub, "*": prog.Mul, "/": prog.Div, "%": prog.Rem,
	"&": prog.And, "|": prog.Or, "^": prog.Xor, "<<": prog.Shl, ">>": prog.Shr,
	"==": prog.Eq, "!=": prog.Ne, "<": prog.Lt, "<=": prog.Le, ">": prog.Gt, ">=": prog.Ge,
	"&&": prog.LAnd, "||": prog.LOr,
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

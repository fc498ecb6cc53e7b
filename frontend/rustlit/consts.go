package rustlit

import (
	"strconv"
	"strings"

	"happens/prog"
	"happens/source"
)

// cval is a compile-time value: an integer, a bool, an ordering, or the
// initial value of a shared object (an atomic, an array, a struct, a
// Mutex) as static initialisers and consts write them.
type cval struct {
	isOrd bool
	ord   prog.Ordering
	v     uint64
	t     prog.Type
	// lit marks an unsuffixed literal (its type is still open); neg a
	// negative one (v is its two's complement).
	lit, neg bool
	// wrap names the constructor around a scalar: "AtomicU32", "Mutex",
	// "UnsafeCell", ... ("" for a bare value).
	wrap string
	// Aggregates: an array (elems), a tuple (elems, isTuple) or a struct
	// (sname, fields in declaration order of the literal).
	isArr, isTuple bool
	elems          []cval
	sname          string
	fields         map[string]cval
	// some/none: an Option constant.
	isOpt, some bool
}

func (v cval) aggregate() bool { return v.isArr || v.isTuple || v.sname != "" || v.isOpt }

type constDef struct {
	item  *constItem
	val   cval
	state uint8 // 0 new, 1 evaluating, 2 done, 3 failed
}

var intTypes = map[string]prog.Type{
	"u8": prog.IntType(8, false), "u16": prog.IntType(16, false), "u32": prog.IntType(32, false), "u64": prog.IntType(64, false), "usize": prog.IntType(64, false),
	"i8": prog.IntType(8, true), "i16": prog.IntType(16, true), "i32": prog.IntType(32, true), "i64": prog.IntType(64, true), "isize": prog.IntType(64, true),
}

// intSuffixes lists the suffixes longest first, so that "usize" is not
// read as "size" and "u8" not as "8".
var intSuffixes = []string{"usize", "isize", "u16", "u32", "u64", "i16", "i32", "i64", "u8", "i8"}

// parseInt reads a Rust integer literal with optional suffix. ok is false
// for malformed literals; inRange is false for a suffixed literal its type
// cannot hold.
func parseInt(text string) (v uint64, t prog.Type, ok bool) {
	s := strings.ReplaceAll(text, "_", "")
	t = prog.Int
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0o"):
		base, s = 8, s[2:]
	case strings.HasPrefix(s, "0b"):
		base, s = 2, s[2:]
	}
	for _, name := range intSuffixes {
		if strings.HasSuffix(s, name) && len(s) > len(name) {
			t = intTypes[name]
			s = s[:len(s)-len(name)]
			break
		}
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, t, false
	}
	return v, t, true
}

// fits reports whether the non-negative literal value v (neg: its
// negation) is a value of type t, as rustc's overflowing_literals check.
func fits(v uint64, neg bool, t prog.Type) bool {
	if t.Kind == prog.KindBool {
		return true
	}
	if !t.IsInt() || t.Flexible {
		return !neg || v <= 1<<63
	}
	if !t.Signed {
		if neg {
			return v == 0
		}
		return t.Bits >= 64 || v < 1<<t.Bits
	}
	limit := uint64(1) << (t.Bits - 1)
	if neg {
		return v <= limit
	}
	return v < limit
}

// litFits reports whether a literal's value (v; when neg, the two's
// complement of a negative value) is a value of type t.
func litFits(v uint64, neg bool, t prog.Type) bool {
	if neg {
		return fits(-v, true, t)
	}
	return fits(v, false, t)
}

// litResult is the literal flags of x op y over two literals: a literal
// when both are and neither is beyond i64.
func litResult(xl, xn bool, xv uint64, yl, yn bool, yv uint64, v uint64) (lit, neg bool) {
	if !xl || !yl || !xn && int64(xv) < 0 || !yn && int64(yv) < 0 {
		return false, false
	}
	return true, int64(v) < 0
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

// wrappers are the constructors whose new(v) is v as an initial value.
func isWrapper(name string) bool {
	if _, ok := atomicType(name); ok {
		return true
	}
	switch name {
	case "Mutex", "RwLock", "UnsafeCell", "Cell", "RefCell", "Arc", "Box", "Rc", "CachePadded":
		return true
	}
	return false
}

// constEval evaluates a constant expression: literals, consts, orderings,
// arithmetic, casts, integer constants (u32::MAX), and initial values of
// shared objects (AtomicU32::new(v), [v; N], Node { a: ... }, const fn
// calls). ok is false (and an error recorded) when e is not constant;
// quiet suppresses the error.
func (c *compiler) constEval(e expr, quiet bool) (cval, bool) {
	return c.constEvalIn(e, quiet, nil, 0)
}

func (c *compiler) constEvalIn(e expr, quiet bool, env map[string]cval, depth int) (cval, bool) {
	fail := func(pos source.Pos, format string, args ...any) (cval, bool) {
		if !quiet {
			c.errorf(pos, format, args...)
		}
		return cval{}, false
	}
	if depth > 64 {
		return fail(e.exprPos(), "constant evaluation is too deep (recursion?)")
	}
	if pe, ok := e.(*pathExpr); ok {
		// Ord::SeqCst after use ...::Ordering as Ord.
		if o, ok := orderingName(&pathExpr{segs: c.resolvePath(pe.segs), p: pe.p}); ok {
			return cval{isOrd: true, ord: o}, true
		}
	}
	if o, ok := orderingName(e); ok {
		if id, isID := e.(*identExpr); !isID || c.consts[id.name] == nil && env[id.name].t.Kind == 0 && !env[id.name].isOrd {
			return cval{isOrd: true, ord: o}, true
		}
	}
	eval := func(x expr) (cval, bool) { return c.constEvalIn(x, quiet, env, depth+1) }
	switch e := e.(type) {
	case *intLit:
		v, t, ok := parseInt(e.text)
		if !ok {
			return fail(e.p, "invalid integer literal %s", e.text)
		}
		if !fits(v, false, t) {
			return fail(e.p, "literal out of range for %s", t)
		}
		return cval{v: t.Wrap(v), t: t, lit: t.Flexible}, true
	case *boolLit:
		return cval{v: b2u(e.val), t: prog.Bool}, true
	case *identExpr:
		if v, ok := env[e.name]; ok {
			return v, true
		}
		if v, ok := c.famConsts[e.name]; ok {
			return v, true
		}
		if d := c.consts[e.name]; d != nil {
			return c.constValue(d, quiet)
		}
		if e.name == "None" {
			return cval{isOpt: true}, true
		}
		return fail(e.p, "%s is not a constant", e.name)
	case *pathExpr:
		segs := c.resolvePath(e.segs)
		if len(segs) >= 2 {
			last := segs[len(segs)-1]
			tname := segs[len(segs)-2]
			if t, ok := intTypes[tname]; ok {
				switch last {
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
				case "BITS":
					return cval{v: uint64(t.Bits), t: prog.U32}, true
				}
			}
			// An associated const: Node::EMPTY.
			if d := c.consts[tname+"::"+last]; d != nil {
				return c.constValue(d, quiet)
			}
			if last == "None" {
				return cval{isOpt: true}, true
			}
		}
		return fail(e.p, "%s is not a constant", strings.Join(e.segs, "::"))
	case *unaryExpr:
		if e.op == "-" {
			if l, ok := e.x.(*intLit); ok {
				v, t, ok := parseInt(l.text)
				if !ok {
					return fail(l.p, "invalid integer literal %s", l.text)
				}
				if !t.Flexible && !t.Signed {
					return fail(e.p, "cannot apply unary operator - to type %s", t)
				}
				if !fits(v, true, t) {
					return fail(e.p, "literal out of range for %s", t)
				}
				return cval{v: t.Wrap(-v), t: t, lit: t.Flexible, neg: t.Flexible && v != 0}, true
			}
		}
		if e.op == "&" {
			return eval(e.x)
		}
		x, ok := eval(e.x)
		if !ok {
			return x, false
		}
		if x.aggregate() || x.wrap != "" {
			return fail(e.p, "operator %s cannot be applied here", e.op)
		}
		switch e.op {
		case "-":
			if !x.t.IsInt() {
				return fail(e.p, "cannot negate %s", x.t)
			}
			if !x.t.Flexible && !x.t.Signed {
				return fail(e.p, "cannot apply unary operator - to type %s", x.t)
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
		x, ok1 := eval(e.x)
		y, ok2 := eval(e.y)
		if !ok1 || !ok2 {
			return cval{}, false
		}
		if x.isOrd || y.isOrd {
			return fail(e.p, "orderings cannot be combined with %s", e.op)
		}
		if x.aggregate() || y.aggregate() || x.wrap != "" || y.wrap != "" {
			return fail(e.p, "operator %s cannot be applied here", e.op)
		}
		op, ok := binOps[e.op]
		if !ok {
			return fail(e.p, "operator %s is not allowed in a constant", e.op)
		}
		t, ok := prog.Unify(x.t, y.t)
		if op == prog.Shl || op == prog.Shr {
			t, ok = x.t, x.t.IsInt() && y.t.IsInt()
		}
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
		lit, neg := litResult(x.lit, x.neg, x.v, y.lit, y.neg, y.v, v)
		if op.IsComparison() || op == prog.LAnd || op == prog.LOr {
			lit, neg = false, false
		}
		return cval{v: v, t: t, lit: lit, neg: neg}, true
	case *castExpr:
		x, ok := eval(e.x)
		if !ok {
			return x, false
		}
		t, ok := intTypes[e.typ.name]
		if !ok {
			if e.typ.name == "bool" {
				return fail(e.typ.p, "cannot cast to bool; compare with 0")
			}
			return fail(e.typ.p, "cannot cast to %s", e.typ.name)
		}
		return cval{v: t.Wrap(x.v), t: t}, true
	case *callExpr:
		name, ok := pathName(e.fn)
		if !ok {
			break
		}
		segs := c.resolvePath(strings.Split(name, "::"))
		last := segs[len(segs)-1]
		if len(segs) >= 2 && last == "new" && isWrapper(segs[len(segs)-2]) && len(e.args) == 1 {
			v, ok := eval(e.args[0])
			if !ok {
				return v, false
			}
			w := segs[len(segs)-2]
			if !v.aggregate() && v.wrap == "" {
				v.wrap = w
			} else if _, atomic := atomicType(w); atomic {
				return fail(e.p, "%s::new takes a number or bool", w)
			} else if v.wrap == "" {
				v.wrap = w
			}
			return v, true
		}
		if len(segs) >= 2 && last == "from" && len(e.args) == 1 {
			if t, ok := intTypes[segs[len(segs)-2]]; ok {
				v, ok := eval(e.args[0])
				if !ok {
					return v, false
				}
				return cval{v: t.Wrap(v.v), t: t}, true
			}
		}
		if last == "Some" && len(e.args) == 1 {
			v, ok := eval(e.args[0])
			if !ok {
				return v, false
			}
			return cval{isOpt: true, some: true, elems: []cval{v}}, true
		}
		// A const fn (or an associated one, Node::new()).
		key := strings.Join(segs, "::")
		if len(segs) >= 2 {
			key = segs[len(segs)-2] + "::" + last
		}
		fn := c.fns[key]
		if fn == nil {
			if isStructName(c, segs[len(segs)-1]) && c.structs[last].tuple {
				// A tuple struct: Pair(a, b).
				return c.constStruct(c.structs[last], nil, e.args, quiet, env, depth, e.p)
			}
			break
		}
		if len(fn.body.stmts) != 0 || fn.body.tail == nil {
			return fail(e.p, "%s is not a constant: only a function whose body is one expression can give an initial value", key)
		}
		if len(e.args) != len(fn.params) {
			return fail(e.p, "%s takes %d arguments, found %d", key, len(fn.params), len(e.args))
		}
		inner := map[string]cval{}
		for i, a := range e.args {
			v, ok := eval(a)
			if !ok {
				return v, false
			}
			inner[fn.params[i].name] = v
		}
		save := c.selfType
		c.selfType = fn.recv
		defer func() { c.selfType = save }()
		return c.constEvalIn(fn.body.tail, quiet, inner, depth+1)
	case *blockExpr:
		// const { AtomicU32::new(0) }, { v }
		if len(e.stmts) == 0 && e.tail != nil {
			return eval(e.tail)
		}
	case *arrayLit:
		a := cval{isArr: true}
		if e.repeat != nil {
			n, ok := eval(e.count)
			if !ok {
				return n, false
			}
			if n.isOrd || !n.t.IsInt() || n.v > 4096 {
				return fail(e.count.exprPos(), "array length must be an integer from 0 to 4096")
			}
			v, ok := eval(e.repeat)
			if !ok {
				return v, false
			}
			for i := uint64(0); i < n.v; i++ {
				a.elems = append(a.elems, v)
			}
			return a, true
		}
		for _, x := range e.elems {
			v, ok := eval(x)
			if !ok {
				return v, false
			}
			a.elems = append(a.elems, v)
		}
		return a, true
	case *tupleExpr:
		a := cval{isTuple: true}
		for _, x := range e.elems {
			v, ok := eval(x)
			if !ok {
				return v, false
			}
			a.elems = append(a.elems, v)
		}
		return a, true
	case *structLit:
		name := e.name
		if name == "Self" && c.selfType != "" {
			name = c.selfType
		}
		st := c.structs[name]
		if st == nil {
			return fail(e.p, "cannot find struct %s", e.name)
		}
		return c.constStruct(st, e, nil, quiet, env, depth, e.p)
	case *macroExpr:
		if e.name == "vec" {
			return fail(e.p, "a Vec is allocated at run time; use an array")
		}
	}
	return fail(e.exprPos(), "expected a constant expression")
}

// constStruct evaluates a struct literal (lit) or a tuple struct's
// constructor call (args).
func (c *compiler) constStruct(st *structItem, lit *structLit, args []expr, quiet bool, env map[string]cval, depth int, pos source.Pos) (cval, bool) {
	fail := func(pos source.Pos, format string, a ...any) (cval, bool) {
		if !quiet {
			c.errorf(pos, format, a...)
		}
		return cval{}, false
	}
	v := cval{sname: st.name, fields: map[string]cval{}}
	if lit != nil {
		var base cval
		if lit.base != nil {
			b, ok := c.constEvalIn(lit.base, quiet, env, depth+1)
			if !ok {
				return b, false
			}
			base = b
		}
		for _, f := range lit.fields {
			if structField(st, f.name) == nil {
				return fail(f.p, "struct %s has no field %s", st.name, f.name)
			}
			x, ok := c.constEvalIn(f.x, quiet, env, depth+1)
			if !ok {
				return x, false
			}
			v.fields[f.name] = x
		}
		for _, f := range st.fields {
			if _, ok := v.fields[f.name]; !ok {
				if x, ok := base.fields[f.name]; ok {
					v.fields[f.name] = x
					continue
				}
				return fail(pos, "missing field %s in initializer of %s", f.name, st.name)
			}
		}
		return v, true
	}
	if len(args) != len(st.fields) {
		return fail(pos, "%s takes %d fields, found %d", st.name, len(st.fields), len(args))
	}
	for i, a := range args {
		x, ok := c.constEvalIn(a, quiet, env, depth+1)
		if !ok {
			return x, false
		}
		v.fields[st.fields[i].name] = x
	}
	return v, true
}

func structField(st *structItem, name string) *param {
	for i := range st.fields {
		if st.fields[i].name == name {
			return &st.fields[i]
		}
	}
	return nil
}

func isStructName(c *compiler, name string) bool { return c.structs[name] != nil }

func (c *compiler) constValue(d *constDef, quiet bool) (cval, bool) {
	switch d.state {
	case 2:
		return d.val, true
	case 3:
		return cval{}, false
	case 1:
		c.errorf(d.item.p, "constant %s is defined in terms of itself", d.item.name)
		d.state = 3
		return cval{}, false
	}
	d.state = 1
	var v cval
	ok := true
	if def, has := c.defines[d.item.name]; has {
		c.usedDefines[d.item.name] = true
		var lit expr = &intLit{text: def, p: d.item.p}
		if rest, neg := strings.CutPrefix(def, "-"); neg {
			lit = &unaryExpr{op: "-", x: &intLit{text: rest, p: d.item.p}, p: d.item.p} // -D K=-1
		}
		bad := ""
		if def == "true" || def == "false" {
			v = cval{v: b2u(def == "true"), t: prog.Bool}
		} else if o, isOrd := prog.ParseOrdering(def); isOrd && o != prog.Consume {
			v = cval{isOrd: true, ord: o}
		} else if v, ok = c.constEval(lit, true); !ok {
			bad = "not an integer, bool or ordering"
		}
		if bad == "" {
			c.quiet++
			if _, fits := c.constType(d.item, v); !fits {
				bad = "not a value of its declared type"
				if d.item.typ.kind == tyPath {
					bad = "not a value of type " + d.item.typ.name
				}
			}
			c.quiet--
		}
		if bad != "" {
			c.errorf(d.item.p, "-D %s=%s: %s", d.item.name, def, bad)
			// Go on with the declared value, so that uses of the
			// constant do not report errors of their own.
			v, ok = c.constEval(d.item.val, true)
		}
	} else {
		save := c.selfType
		if i := strings.Index(d.item.name, "::"); i > 0 {
			c.selfType = d.item.name[:i]
		}
		v, ok = c.constEval(d.item.val, quiet)
		c.selfType = save
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
	te := item.typ
	name := te.name
	switch {
	case te.kind != tyPath || v.aggregate() || v.wrap != "":
		// An object's initial value (an atomic, an array, a struct):
		// checked where it is used.
		return v, true
	case name == "Ordering":
		if !v.isOrd {
			c.errorf(item.p, "constant %s: expected an Ordering", item.name)
			return v, false
		}
	case name == "bool":
		if v.isOrd || v.t.Kind != prog.KindBool {
			c.errorf(item.p, "constant %s: expected a bool", item.name)
			return v, false
		}
	default:
		t, ok := intTypes[name]
		if !ok || v.isOrd || !v.t.IsInt() {
			c.errorf(item.p, "constant %s: expected a value of type %s", item.name, name)
			return v, false
		}
		if _, ok := prog.Unify(v.t, t); !ok {
			c.errorf(item.p, "constant %s: mismatched types %s and %s", item.name, t, v.t)
			return v, false
		}
		if v.lit && !litFits(v.v, v.neg, t) {
			c.errorf(item.p, "constant %s: literal out of range for %s", item.name, t)
			return v, false
		}
		v.v, v.t, v.lit, v.neg = t.Wrap(v.v), t, false, false
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

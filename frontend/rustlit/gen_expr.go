package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

func (g *gen) expr(e expr) value { return g.exprWant(e, nil) }

// exprWant compiles e; want (nil: no expectation) is the type the context
// expects, which gives None, literals and empty collections their types.
func (g *gen) exprWant(e expr, want *ty) value {
	switch e := e.(type) {
	case *intLit:
		v, t, ok := parseInt(e.text)
		if !ok {
			g.errorf(e.p, "invalid integer literal %s", e.text)
		}
		if !t.Flexible {
			if !fits(v, false, t) {
				g.errorf(e.p, "literal out of range for %s", t)
			}
			return g.constant(t.Wrap(v), t)
		}
		if !fits(v, false, prog.I64) && !(want != nil && want.k == vScalar && want.t.IsInt() && !want.t.Signed) {
			g.errorf(e.p, "literal out of range for i64")
		}
		// An unsuffixed literal stays flexible; where it meets a type, the
		// coercion checks its range (300 for a u8 is an error, as in
		// rustc).
		c := g.constant(v, t)
		c.lit, c.litv = true, v
		return c
	case *boolLit:
		return g.constant(b2u(e.val), prog.Bool)
	case *strLit:
		// One error per line: the arms of a match of strings are one
		// mistake.
		key := fmt.Sprintf("%s:%d", e.p.File, e.p.Line)
		if g.c.strLines[key] {
			panic(genBail{})
		}
		g.c.strLines[key] = true
		g.errorf(e.p, "strings are only allowed as messages of assert! and panic!; for a value, use an integer (const EDGE: u32 = 1;)")
	case *identExpr:
		return g.ident(e, want)
	case *pathExpr:
		return g.path(e, want)
	case *unaryExpr:
		return g.unary(e, want)
	case *binaryExpr:
		if e.op == "&&" || e.op == "||" {
			return g.shortCircuit(e)
		}
		x := g.exprWant(e.x, scalarWant(want, e.op))
		yw := x.typ()
		if e.op == "<<" || e.op == ">>" || x.k != vScalar || x.t.Flexible {
			yw = nil
		}
		y := g.exprWant(e.y, yw)
		return g.binop(binOps[e.op], x, y, e.p)
	case *castExpr:
		return g.cast(e)
	case *indexExpr, *fieldExpr:
		if fe, ok := e.(*fieldExpr); ok {
			if v, ok := g.fieldOfValue(fe); ok {
				return v
			}
		}
		if ie, ok := e.(*indexExpr); ok {
			if hs, ok := g.handleList(ie.x); ok {
				k, ok := g.c.constEval(ie.idx, false)
				if !ok {
					panic(genBail{})
				}
				if k.v >= uint64(len(hs)) {
					g.errorf(ie.idx.exprPos(), "index out of bounds: the len is %d but the index is %d", len(hs), int64(k.v))
				}
				return value{k: vHandle, h: hs[k.v]}
			}
		}
		pl, ok := g.placeOf(e)
		if !ok {
			g.errorf(e.exprPos(), "cannot index or take a field of this expression")
		}
		return g.readPlace(pl, e, e.exprPos())
	case *methodExpr:
		return g.method(e, want)
	case *callExpr:
		return g.call(e, want)
	case *macroExpr:
		return g.macro(e, want)
	case *blockExpr:
		return g.block(e, want)
	case *ifExpr:
		return g.ifExpr(e, want)
	case *whileExpr:
		return g.while(e)
	case *loopExpr:
		return g.loopExpr(e, want)
	case *forExpr:
		return g.forExpr(e)
	case *matchExpr:
		return g.match(e, want)
	case *breakExpr:
		return g.breakExpr(e)
	case *continueExpr:
		l := g.findLoop(e.label, e.p, "continue")
		if l.block {
			g.errorf(e.p, "continue cannot name a labelled block")
		}
		g.dropTo(l.depth, e.p)
		l.continues = append(l.continues, g.jump())
		return never
	case *returnExpr:
		return g.ret(e)
	case *tupleExpr:
		if len(e.elems) == 0 {
			return unit
		}
		v := value{k: vTuple}
		for i, x := range e.elems {
			var w *ty
			if want != nil && want.k == vTuple && i < len(want.elems) {
				w = want.elems[i]
			}
			ev := g.exprWant(x, w)
			switch ev.k {
			case vUnit, vNever, vClosure, vRange:
				if ev.k == vNever {
					return never
				}
				g.errorf(x.exprPos(), "a tuple element cannot be %s", ev)
			}
			if ev.k != vPlace && ev.k != vGuard && ev.k != vHandle {
				// Keep each element's value as it is now: later elements
				// may change the variables it names.
				ev = g.copyValue(ev)
			}
			v.elems = append(v.elems, ev)
		}
		return v
	case *rangeExpr:
		return g.rangeValue(e)
	case *structLit:
		return g.structValue(e, want)
	case *arrayLit:
		g.errorf(e.p, "array values are only allowed as initial values of statics and of main's shared objects")
	case *closureExpr:
		return value{k: vClosure, cl: &closureVal{e: e, scope: append([]*scope(nil), g.scopes...)}}
	case *badExpr:
		g.errorf(e.p, "invalid expression")
	}
	g.errorf(e.exprPos(), "unsupported expression")
	return unit
}

// scalarWant passes an expected integer type to the operands of an
// arithmetic operator.
func scalarWant(want *ty, op string) *ty {
	if want == nil || want.k != vScalar {
		return nil
	}
	switch op {
	case "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>":
		return want
	}
	return nil
}

func (g *gen) ident(e *identExpr, want *ty) value {
	if l := g.use(e.name); l != nil {
		if l.cell {
			return g.readPlace(l.v.pl, e, e.p)
		}
		return l.v
	}
	if o := g.c.statics[e.name]; o != nil {
		pl := &place{obj: o, cidx: -1, p: e.p}
		if o.kind == objScalar {
			v := &g.c.p.Vars[o.vars[""]]
			if !v.Atomic {
				return g.readPlace(pl, e, e.p)
			}
			g.errorf(e.p, "%s is atomic; read it with %s.load(ordering)", e.name, e.name)
		}
		return value{k: vPlace, pl: pl}
	}
	if cv, ok := g.c.constEval(e, true); ok {
		return g.constValue(cv, e.p, want)
	}
	if e.name == "None" {
		return g.none(want, e.p)
	}
	if e.name == "self" {
		g.errorf(e.p, "self is only defined in methods")
	}
	if _, ok := g.c.fns[e.name]; ok {
		g.errorf(e.p, "%s is a function; call it", e.name)
	}
	g.errorf(e.p, "cannot find value %s in this scope", e.name)
	return unit
}

func (g *gen) path(e *pathExpr, want *ty) value {
	segs := g.c.resolvePath(e.segs)
	last := segs[len(segs)-1]
	if last == "None" && (len(segs) == 1 || segs[len(segs)-2] == "Option") {
		return g.none(want, e.p)
	}
	if cv, ok := g.c.constEval(e, true); ok && !cv.isOrd {
		return g.constValue(cv, e.p, want)
	}
	if _, ok := orderingName(e); ok {
		g.errorf(e.p, "an ordering is only allowed as an argument of an atomic operation")
	}
	if o := g.c.statics[last]; o != nil && len(segs) <= 2 {
		return g.ident(&identExpr{name: last, p: e.p}, want)
	}
	if kind := g.c.others[segs[0]]; kind != "" {
		g.errorf(e.p, "%s is an %s, which is not supported (use integer constants)", segs[0], kind)
	}
	g.errorf(e.p, "cannot find %s", strings.Join(e.segs, "::"))
	return unit
}

// constValue materialises a compile-time value.
func (g *gen) constValue(cv cval, pos source.Pos, want *ty) value {
	if cv.isOrd {
		g.errorf(pos, "an ordering is only allowed as an argument of an atomic operation")
	}
	switch {
	case cv.isTuple:
		v := value{k: vTuple}
		for _, x := range cv.elems {
			v.elems = append(v.elems, g.constValue(x, pos, nil))
		}
		return v
	case cv.isOpt:
		if !cv.some {
			return g.none(want, pos)
		}
		p := g.constValue(cv.elems[0], pos, nil)
		return value{k: vOption, reg: g.constant(1, prog.Bool).reg, t: prog.Bool, elems: []value{p}}
	case cv.isArr || cv.sname != "" || cv.wrap != "":
		g.errorf(pos, "this constant is shared memory, not a value: declare it as a static")
	}
	if cv.lit && want != nil && want.k == vScalar && want.t.IsInt() && !want.t.Flexible {
		if !litFits(cv.v, cv.neg, want.t) {
			g.errorf(pos, "literal out of range for %s", want.t)
		}
		return g.constant(want.t.Wrap(cv.v), want.t)
	}
	c := g.constant(cv.v, cv.t)
	c.lit, c.litv, c.litNeg = cv.lit, cv.v, cv.neg
	return c
}

func (g *gen) none(want *ty, pos source.Pos) value {
	var payload *ty
	if want != nil && want.k == vOption {
		payload = want.elems[0]
	}
	if payload == nil {
		payload = &ty{k: vScalar, t: prog.Int}
	}
	v := value{k: vOption, reg: g.constant(0, prog.Bool).reg, t: prog.Bool, elems: []value{g.alloc(payload)}}
	g.zeroFill(v.elems[0])
	return v
}

func (g *gen) some(x value) value {
	if x.k == vNever {
		return never
	}
	switch x.k {
	case vScalar, vTuple, vOption, vStruct, vResult:
	default:
		g.errorf(source.Pos{}, "an Option of %s is not supported", x)
	}
	return value{k: vOption, reg: g.constant(1, prog.Bool).reg, t: prog.Bool, elems: []value{g.copyValue(x)}}
}

func (g *gen) unary(e *unaryExpr, want *ty) value {
	switch e.op {
	case "-":
		if l, ok := e.x.(*intLit); ok {
			v, t, ok := parseInt(l.text)
			if !ok {
				g.errorf(l.p, "invalid integer literal %s", l.text)
			}
			wt := t
			if t.Flexible && want != nil && want.k == vScalar && want.t.IsInt() && !want.t.Flexible {
				wt = want.t
			}
			if !wt.Flexible && !wt.Signed {
				g.errorf(e.p, "cannot apply unary operator - to type %s", wt)
			}
			if !fits(v, true, wt) {
				g.errorf(e.p, "literal out of range for %s", wt)
			}
			c := g.constant(wt.Wrap(-v), wt)
			if wt.Flexible {
				c.lit, c.litv, c.litNeg = true, -v, v != 0
			}
			return c
		}
		x := g.exprWant(e.x, want)
		if x.k != vScalar || !x.t.IsInt() {
			g.errorf(e.p, "cannot negate %s", x)
		}
		if !x.t.Flexible && !x.t.Signed {
			g.errorf(e.p, "cannot apply unary operator - to type %s", x.t)
		}
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Neg, T: x.t, A: r, B: x.reg})
		return scalar(r, x.t)
	case "!":
		x := g.exprWant(e.x, want)
		if x.k != vScalar {
			g.errorf(e.p, "cannot apply ! to %s", x)
		}
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: x.t, A: r, B: x.reg})
		return scalar(r, x.t)
	case "&":
		if pl, ok := g.placeOf(e.x); ok {
			return value{k: vPlace, pl: pl}
		}
		return g.exprWant(e.x, want)
	case "*":
		if pl, ok := g.placeOf(e); ok {
			return g.readPlace(pl, e, e.p)
		}
		// A value that is never a reference (x +* 2): rustc's "cannot
		// be dereferenced". A local may hold one (&v, for x in a.iter()),
		// which happens reads as the value.
		switch x := e.x.(type) {
		case *intLit, *boolLit, *binaryExpr, *castExpr:
			v := g.exprWant(e.x, want)
			g.errorf(e.p, "type %s cannot be dereferenced", v)
		case *unaryExpr:
			if x.op == "-" || x.op == "!" {
				v := g.exprWant(e.x, want)
				g.errorf(e.p, "type %s cannot be dereferenced", v)
			}
		}
		return g.exprWant(e.x, want)
	}
	g.errorf(e.p, "unsupported operator %s", e.op)
	return unit
}

func (g *gen) shortCircuit(e *binaryExpr) value {
	r := g.reg()
	x := g.boolean(e.x)
	g.emit(prog.Instr{Op: prog.OpMove, A: r, B: x.reg})
	var skip int
	if e.op == "&&" {
		skip = g.branchFalse(r)
	} else {
		skip = g.branchTrue(r)
	}
	y := g.boolean(e.y)
	g.emit(prog.Instr{Op: prog.OpMove, A: r, B: y.reg})
	g.code[skip].Target = g.here()
	return scalar(r, prog.Bool)
}

func (g *gen) cast(e *castExpr) value {
	x := g.expr(e.x)
	if x.k == vNever {
		return never
	}
	if why := unsupportedType(e.typ); why != "" {
		g.errorf(e.typ.p, "%s", why)
	}
	name := g.c.typeName(e.typ.name)
	t, ok := intTypes[name]
	if !ok || e.typ.kind != tyPath {
		if name == "bool" {
			g.errorf(e.typ.p, "cannot cast to bool; compare with 0 (x != 0)")
		}
		g.errorf(e.typ.p, "cannot cast to %s (only integer types)", typeString(e.typ))
	}
	if x.k != vScalar {
		g.errorf(e.p, "cannot cast %s to %s", x, t)
	}
	if x.lit && !litFits(x.litv, x.litNeg, t) {
		// rustc rejects 300 as u8 (overflowing_literals).
		g.errorf(e.x.exprPos(), "literal out of range for %s", t)
	}
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: r, B: x.reg, C: g.zero})
	return scalar(r, t)
}

// fieldOfValue reads a field of a tuple or plain struct value (x.0,
// p.field).
func (g *gen) fieldOfValue(e *fieldExpr) (value, bool) {
	if _, ok := g.placeOf(e.x); ok {
		return value{}, false
	}
	x := g.expr(e.x)
	switch x.k {
	case vTuple:
		for i := range x.elems {
			if itoa(i) == e.name {
				return x.elems[i], true
			}
		}
		g.errorf(e.p, "no field %s on a tuple of %d", e.name, len(x.elems))
	case vStruct:
		st := g.c.structs[x.sname]
		if k := fieldIndex(st, e.name); k >= 0 {
			return x.elems[k], true
		}
		g.errorf(e.p, "struct %s has no field %s", x.sname, e.name)
	case vPlace:
		return value{}, false
	}
	g.errorf(e.p, "no field %s on %s", e.name, x)
	return value{}, false
}

func (g *gen) structValue(e *structLit, want *ty) value {
	name := g.c.typeName(e.name)
	st := g.c.structs[name]
	if st == nil {
		g.errorf(e.p, "cannot find struct %s", e.name)
	}
	fts, plain := g.plainStruct(st)
	if !plain {
		g.errorf(e.p, "a struct of atomics is shared memory: declare it as a static (or allocate it in main before the threads)")
	}
	vals := make([]value, len(st.fields))
	set := make([]bool, len(st.fields))
	for _, f := range e.fields {
		k := fieldIndex(st, f.name)
		if k < 0 {
			g.errorf(f.p, "struct %s has no field %s", st.name, f.name)
		}
		vals[k] = g.copyValue(g.coerce(g.exprWant(f.x, fts[k]), fts[k], f.x.exprPos()))
		set[k] = true
	}
	var base value
	if e.base != nil {
		base = g.exprWant(e.base, &ty{k: vStruct, sname: st.name, elems: fts})
		if base.k != vStruct || base.sname != st.name {
			g.errorf(e.base.exprPos(), "mismatched types: expected %s, found %s", st.name, base)
		}
	}
	for k := range vals {
		if !set[k] {
			if e.base == nil {
				g.errorf(e.p, "missing field %s in initializer of %s", st.fields[k].name, st.name)
			}
			vals[k] = g.copyValue(base.elems[k])
		}
	}
	return value{k: vStruct, sname: st.name, elems: vals}
}

func (g *gen) rangeValue(e *rangeExpr) value {
	r := &rangeVal{incl: e.incl, p: e.p}
	if e.lo == nil {
		g.errorf(e.p, "a range to iterate over needs a start")
	}
	r.lo = g.expr(e.lo)
	if e.hi == nil {
		r.hi = unit
		if e.incl {
			g.errorf(e.p, "an inclusive range needs an end")
		}
	} else {
		r.hi = g.exprWant(e.hi, r.lo.typ())
	}
	if r.lo.k != vScalar || !r.lo.t.IsInt() || r.hi.k != vUnit && (r.hi.k != vScalar || !r.hi.t.IsInt()) {
		g.errorf(e.p, "a range needs integer bounds, found %s and %s", r.lo, r.hi)
	}
	t := r.lo.t
	if r.hi.k == vScalar {
		u, ok := prog.Unify(r.lo.t, r.hi.t)
		if !ok {
			g.errorf(e.p, "mismatched types %s and %s in a range", r.lo.t, r.hi.t)
		}
		t = u
		r.lo = g.coerceScalar(r.lo, t, e.p)
		r.hi = g.coerceScalar(r.hi, t, e.p)
	}
	r.elemT = t
	return value{k: vRange, rng: r}
}

// block compiles a block expression (labelled, unsafe, const or plain).
func (g *gen) block(e *blockExpr, want *ty) value {
	var l *loopCtx
	if e.label != "" {
		l = &loopCtx{label: e.label, block: true, depth: len(g.scopes), want: want}
		g.loops = append(g.loops, l)
	}
	g.push()
	g.stmts(e.stmts, false)
	v := unit
	if e.tail != nil {
		g.safe(func() {
			v = g.exprWant(e.tail, want)
			if v.k == vGuard && v.gd.depth < 0 {
				// The guard outlives the block's temporaries.
				v.gd.depth = len(g.scopes) - 2
			}
			g.dropTemps(e.tail.exprPos())
		})
	} else if diverges(e) {
		v = never
	}
	if l != nil && v.k != vNever && l.result != nil {
		g.move(*l.result, g.coerce(v, l.result.typ(), e.p))
	}
	// A value computed in the block must survive its scope's drops.
	if v.k != vNever && v.k != vUnit && len(g.scopes[len(g.scopes)-1].guards) > 0 {
		v = g.copyValue(v)
	}
	g.pop(e.end)
	if l != nil {
		g.loops = g.loops[:len(g.loops)-1]
		g.patch(l.breaks, g.here())
		if l.result != nil {
			return *l.result
		}
		if len(l.breaks) > 0 && v.k == vNever {
			return unit
		}
	}
	return v
}

func (g *gen) ifExpr(e *ifExpr, want *ty) value {
	g.push()
	var toElse []int
	if e.pat != nil {
		v := g.expr(e.cond)
		g.matchPat(e.pat, v, &toElse, nil)
	} else {
		c := g.boolean(e.cond)
		toElse = append(toElse, g.branchFalse(c.reg))
	}
	tv := g.block(e.then, want)
	var result *value
	if e.els != nil && tv.k != vUnit && tv.k != vNever {
		if tv.k == vPlace || tv.k == vGuard || tv.k == vClosure || tv.k == vRange || tv.k == vHandle {
			g.errorf(e.p, "an if that chooses between %s values is not supported", tv)
		}
		r := g.copyValue(tv)
		result = &r
	}
	g.pop(e.then.end)
	skip := g.jump()
	g.patch(toElse, g.here())
	if e.els == nil {
		if tv.k != vUnit && tv.k != vNever {
			g.errorf(e.then.p, "if without else has type (), but its block has a value of type %s (add an else, or end the value with ;)", tv)
		}
		g.code[skip].Target = g.here()
		return unit
	}
	w := want
	if result != nil {
		w = result.typ()
	}
	ev := g.exprWant(e.els, w)
	switch {
	case result != nil && ev.k != vNever:
		if ev.k == vUnit {
			g.errorf(e.els.exprPos(), "if and else have different types: %s and ()", tv)
		}
		g.move(*result, g.coerce(ev, result.typ(), e.els.exprPos()))
	case result == nil && tv.k == vNever && ev.k != vUnit && ev.k != vNever:
		if ev.k == vPlace || ev.k == vGuard || ev.k == vClosure || ev.k == vRange || ev.k == vHandle {
			g.errorf(e.p, "an if that chooses between %s values is not supported", ev)
		}
		r := g.copyValue(ev)
		result = &r
	case result == nil && tv.k == vUnit && ev.k != vUnit && ev.k != vNever:
		g.errorf(e.els.exprPos(), "if and else have different types: () and %s", ev)
	}
	g.code[skip].Target = g.here()
	switch {
	case result != nil:
		return *result
	case tv.k == vNever && ev.k == vNever:
		return never
	}
	return unit
}

func (g *gen) match(e *matchExpr, want *ty) value {
	x := g.expr(e.x)
	if x.k == vNever {
		return never
	}
	if x.k == vPlace || x.k == vGuard {
		g.errorf(e.x.exprPos(), "cannot match on shared memory: load the value first")
	}
	var result *value
	var ends []int
	var pats []*pattern
	for _, arm := range e.arms {
		g.push()
		var next []int
		g.matchPat(arm.pat, x, &next, nil)
		if arm.guard != nil {
			c := g.boolean(arm.guard)
			next = append(next, g.branchFalse(c.reg))
		} else {
			pats = append(pats, arm.pat)
		}
		w := want
		if result != nil {
			w = result.typ()
		}
		var v value
		g.safe(func() { v = g.exprWant(arm.body, w) })
		if v.k != vUnit && v.k != vNever {
			if result == nil {
				r := g.alloc(v.typ())
				result = &r
			}
			g.safe(func() { g.move(*result, g.coerce(v, result.typ(), arm.body.exprPos())) })
		}
		g.pop(arm.body.exprPos())
		if v.k != vNever {
			ends = append(ends, g.jump())
		}
		g.patch(next, g.here())
	}
	if !g.covers(pats, x) {
		g.errorf(e.p, "non-exhaustive match: add a _ arm (or arms covering every value)")
	}
	g.emit(prog.Instr{Op: prog.OpPanic, Msg: "entered unreachable code: no match arm matched", Pos: e.p})
	g.patch(ends, g.here())
	if result != nil {
		return *result
	}
	if len(ends) == 0 {
		return never
	}
	return unit
}

func (g *gen) findLoop(label string, pos source.Pos, what string) *loopCtx {
	lo := 0
	if len(g.fns) > 0 {
		lo = g.fns[len(g.fns)-1].loops
	}
	for i := len(g.loops) - 1; i >= lo; i-- {
		l := g.loops[i]
		if label == "" && !l.block || label != "" && l.label == label {
			return l
		}
	}
	if label != "" {
		g.errorf(pos, "use of undeclared label '%s", label)
	}
	g.errorf(pos, "%s outside of a loop", what)
	return nil
}

// dropTo releases the guards of the scopes a jump leaves (those from
// depth on), innermost first, without ending them: other paths still
// hold them.
func (g *gen) dropTo(depth int, pos source.Pos) {
	for i := len(g.scopes) - 1; i >= depth; i-- {
		s := g.scopes[i]
		for k := len(s.guards) - 1; k >= 0; k-- {
			if s.guards[k].held {
				g.unlock(s.guards[k], pos)
			}
		}
	}
	for _, gd := range g.temps {
		if gd.held && gd.depth < 0 {
			g.unlock(gd, pos)
		}
	}
}

func (g *gen) breakExpr(e *breakExpr) value {
	l := g.findLoop(e.label, e.p, "break")
	if e.x != nil {
		if !l.isLoop && !l.block {
			g.errorf(e.p, "break with a value is only allowed in loop (and labelled blocks)")
		}
		w := l.want
		if l.result != nil {
			w = l.result.typ()
		}
		v := g.exprWant(e.x, w)
		if v.k == vNever {
			return never
		}
		if l.result == nil {
			r := g.alloc(v.typ())
			l.result = &r
		}
		g.move(*l.result, g.coerce(v, l.result.typ(), e.x.exprPos()))
	}
	g.dropTo(l.depth, e.p)
	l.breaks = append(l.breaks, g.jump())
	return never
}

func (g *gen) ret(e *returnExpr) value {
	if len(g.fns) == 0 {
		g.errorf(e.p, "return outside of a function")
	}
	f := g.fns[len(g.fns)-1]
	if e.x != nil {
		v := g.exprWant(e.x, f.ret)
		if v.k == vNever {
			return never
		}
		if f.ret == nil {
			f.ret = v.typ()
			f.result = g.alloc(f.ret)
		}
		if f.ret.k == vUnit {
			if v.k != vUnit {
				g.errorf(e.x.exprPos(), "mismatched types: expected (), found %s (the function has no return type)", v)
			}
		} else {
			g.move(f.result, g.coerce(v, f.ret, e.x.exprPos()))
		}
	} else if f.ret != nil && f.ret.k != vUnit {
		g.errorf(e.p, "return needs a value of type %s", f.ret)
	}
	g.dropTo(f.depth, e.p)
	f.returns = append(f.returns, g.jump())
	return never
}

// placeOf resolves an expression that names shared memory (a static, an
// element, a field, a reference held in a local, *guard) without reading
// it.
func (g *gen) placeOf(e expr) (*place, bool) {
	switch e := e.(type) {
	case *identExpr:
		if l := g.use(e.name); l != nil {
			if l.v.k == vPlace {
				return l.v.pl, true
			}
			return nil, false
		}
		if o := g.c.statics[e.name]; o != nil {
			return &place{obj: o, cidx: -1, p: e.p}, true
		}
	case *pathExpr:
		segs := g.c.resolvePath(e.segs)
		if o := g.c.statics[segs[len(segs)-1]]; o != nil && len(segs) <= 2 {
			return &place{obj: o, cidx: -1, p: e.p}, true
		}
	case *indexExpr:
		base, ok := g.placeOf(e.x)
		if !ok {
			return nil, false
		}
		return g.placeIndex(base, e.idx, e.p), true
	case *fieldExpr:
		base, ok := g.placeOf(e.x)
		if !ok {
			return nil, false
		}
		return g.placeField(base, e.name, e.p), true
	case *unaryExpr:
		switch e.op {
		case "&":
			return g.placeOf(e.x)
		case "*":
			if id, ok := e.x.(*identExpr); ok {
				if l := g.use(id.name); l != nil && l.v.k == vGuard {
					pl := *l.v.gd.mutex
					pl.data = true
					return &pl, true
				}
			}
			if m, ok := e.x.(*methodExpr); ok && (m.name == "unwrap" || m.name == "expect") {
				if lm, ok := m.recv.(*methodExpr); ok && lm.name == "lock" {
					gv := g.expr(m)
					if gv.k == vGuard {
						pl := *gv.gd.mutex
						pl.data = true
						return &pl, true
					}
				}
			}
			return g.placeOf(e.x)
		}
	case *methodExpr:
		switch e.name {
		case "as_ref", "deref", "borrow", "get_ref", "get", "get_mut", "as_ptr":
			// UnsafeCell::get() and friends: a pointer to the same
			// memory, dereferenced with *.
			if len(e.args) == 0 {
				if pl, ok := g.placeOf(e.recv); ok && (e.name != "get" && e.name != "get_mut" && e.name != "as_ptr" || g.plainPlace(pl)) {
					return pl, true
				}
			}
		}
	}
	return nil, false
}

// plainPlace reports whether a place is plain (non-atomic) memory.
func (g *gen) plainPlace(pl *place) bool {
	o := pl.obj
	vi, ok := o.vars[pl.field]
	if o.kind == objMutex {
		return pl.data
	}
	return ok && !g.c.p.Vars[vi].Atomic
}

// objLen is the length of the array a place indexes, or 0.
func (g *gen) arrayLenOf(pl *place) int {
	o := pl.obj
	switch o.kind {
	case objArray:
		if !pl.indexed() {
			return o.len
		}
	case objStructArray:
		if !pl.indexed() && pl.field == "" {
			return o.len
		}
	case objStruct:
		if pl.field != "" && !pl.indexed() {
			return g.c.p.Vars[o.vars[pl.field]].Len
		}
	case objMutex:
		if pl.data && !pl.indexed() {
			return o.len
		}
	}
	return 0
}

func (g *gen) placeIndex(base *place, idx expr, pos source.Pos) *place {
	n := g.arrayLenOf(base)
	if n == 0 {
		g.errorf(pos, "%s is not an array", g.placeName(base))
	}
	pl := *base
	pl.p = pos
	if cv, ok := g.c.constEval(idx, true); ok && !cv.isOrd && !cv.aggregate() {
		if !cv.t.IsInt() {
			g.errorf(idx.exprPos(), "array index must be an integer")
		}
		if cv.v >= uint64(n) {
			g.errorf(idx.exprPos(), "index out of bounds: the len is %d but the index is %d", n, int64(cv.v))
		}
		pl.cidx = int(cv.v)
		return &pl
	}
	iv := g.exprWant(idx, &ty{k: vScalar, t: prog.IntType(64, false)})
	if iv.k != vScalar || !iv.t.IsInt() {
		g.errorf(idx.exprPos(), "array index must be an integer, found %s", iv)
	}
	c := g.copyValue(iv)
	pl.idx = &c
	return &pl
}

func (g *gen) placeField(base *place, name string, pos source.Pos) *place {
	o := base.obj
	ok := false
	switch o.kind {
	case objStruct:
		ok = base.field == ""
	case objStructArray:
		ok = base.field == "" && base.indexed()
		if base.field == "" && !base.indexed() {
			g.errorf(pos, "%s is an array; index it before taking field %s", o.name, name)
		}
	}
	if !ok {
		g.errorf(pos, "no field %s on %s", name, g.placeName(base))
	}
	if _, has := o.vars[name]; !has {
		g.errorf(pos, "struct %s has no field %s", o.sname, name)
	}
	pl := *base
	pl.field = name
	pl.p = pos
	return &pl
}

// leafVar resolves a place to the variable and address of one location;
// it reports an error when the place is not a scalar.
func (g *gen) leaf(pl *place, pos source.Pos) (prog.Addr, *prog.Var) {
	o := pl.obj
	var vi int
	needIndex := false
	switch o.kind {
	case objScalar:
		vi = o.vars[""]
	case objArray:
		vi, needIndex = o.vars[""], true
	case objStruct:
		if pl.field == "" {
			g.errorf(pos, "%s is a struct; name a field", g.placeName(pl))
		}
		vi = o.vars[pl.field]
		needIndex = g.c.p.Vars[vi].Len > 0
	case objStructArray:
		if !pl.indexed() {
			g.errorf(pos, "%s is an array; index it", o.name)
		}
		if pl.field == "" {
			g.errorf(pos, "%s is a struct; name a field", g.placeName(pl))
		}
		vi, needIndex = o.vars[pl.field], true
	case objMutex:
		if !pl.data {
			g.errorf(pos, "%s is a Mutex; lock it (%s.lock().unwrap()) to reach its data", o.name, o.name)
		}
		d, ok := o.vars[""]
		if !ok {
			g.errorf(pos, "the Mutex %s holds no data", o.name)
		}
		vi = d
		needIndex = o.len > 0
	}
	v := &g.c.p.Vars[vi]
	a := prog.Addr{Var: vi, Index: -1}
	if needIndex {
		if !pl.indexed() {
			g.errorf(pos, "%s is an array; index it", g.placeName(pl))
		}
		if pl.idx != nil {
			a.Index = pl.idx.reg
		} else {
			a.Const = pl.cidx
		}
	} else if pl.indexed() && o.kind != objStructArray {
		g.errorf(pos, "%s is not an array", g.placeName(pl))
	}
	return a, v
}

func (g *gen) placeName(pl *place) string {
	s := pl.obj.name
	idx := ""
	if pl.idx != nil {
		idx = "[i]"
	} else if pl.cidx >= 0 {
		idx = "[" + itoa(pl.cidx) + "]"
	}
	if pl.obj.kind == objStructArray {
		s += idx
		idx = ""
	}
	if pl.field != "" {
		s += "." + pl.field
	}
	return s + idx
}

// readPlace reads a plain location (an atomic one must be read with
// load).
func (g *gen) readPlace(pl *place, e expr, pos source.Pos) value {
	if g.arrayLenOf(pl) > 0 || pl.obj.kind == objStruct && pl.field == "" || pl.obj.kind == objStructArray && pl.field == "" || pl.obj.kind == objMutex && !pl.data {
		return value{k: vPlace, pl: pl}
	}
	addr, v := g.leaf(pl, pos)
	if v.Atomic {
		name := exprString(e)
		if strings.HasPrefix(name, "*") {
			name = name[1:]
		}
		g.errorf(pos, "%s is atomic; read it with %s.load(ordering)", name, name)
	}
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpLoad, A: r, Addr: addr, Pos: pos, Text: g.c.accessText(e, g.placeName(pl))})
	return scalar(r, v.Type)
}

// accessText is the source text of an access, or its place's name.
func (c *compiler) accessText(e expr, fallback string) string {
	if e == nil {
		return fallback
	}
	s := exprString(e)
	if s == "this expression" || strings.Contains(s, "(...)") {
		return fallback
	}
	return s
}

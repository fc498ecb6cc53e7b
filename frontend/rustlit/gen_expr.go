package rustlit

import (
	"strings"

	"happens/prog"
	"happens/source"
)

func (g *gen) expr(e expr) value {
	switch e := e.(type) {
	case *intLit:
		v, t, ok := parseInt(e.text)
		if !ok {
			g.errorf(e.p, "invalid integer literal %s", e.text)
		}
		return g.constant(v, t)
	case *boolLit:
		return g.constant(b2u(e.val), prog.Bool)
	case *strLit:
		g.errorf(e.p, "strings are only allowed as assertion messages")
	case *identExpr:
		if l := g.lookup(e.name); l != nil {
			return l.v
		}
		if vi, ok := g.c.statics[e.name]; ok {
			v := &g.c.p.Vars[vi]
			if v.Atomic {
				g.errorf(e.p, "%s is atomic; read it with %s.load(ordering)", e.name, e.name)
			}
			r := g.reg()
			g.emit(prog.Instr{Op: prog.OpLoad, A: r, Addr: g.addr(vi, nil, e.p), Pos: e.p, Text: e.name})
			return value{reg: r, t: v.Type}
		}
		if cv, ok := g.c.constEval(e, true); ok {
			if cv.isOrd {
				g.errorf(e.p, "an ordering is only allowed as an argument of an atomic operation")
			}
			return g.constant(cv.v, cv.t)
		}
		if _, ok := g.c.fns[e.name]; ok {
			g.errorf(e.p, "%s is a function; call it", e.name)
		}
		g.errorf(e.p, "cannot find value %s in this scope", e.name)
	case *pathExpr:
		if cv, ok := g.c.constEval(e, true); ok && !cv.isOrd {
			return g.constant(cv.v, cv.t)
		}
		if _, ok := orderingName(e); ok {
			g.errorf(e.p, "an ordering is only allowed as an argument of an atomic operation")
		}
		g.errorf(e.p, "cannot find %s", strings.Join(e.segs, "::"))
	case *unaryExpr:
		switch e.op {
		case "-":
			x := g.expr(e.x)
			if !x.t.IsInt() {
				g.errorf(e.p, "cannot negate %s", x.t)
			}
			r := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Neg, T: x.t, A: r, B: x.reg})
			return value{reg: r, t: x.t}
		case "!":
			x := g.expr(e.x)
			if !x.t.IsInt() && x.t.Kind != prog.KindBool {
				g.errorf(e.p, "cannot apply ! to %s", x.t)
			}
			r := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: x.t, A: r, B: x.reg})
			return value{reg: r, t: x.t}
		}
		g.errorf(e.p, "references and pointers (%s) are not supported", e.op)
	case *binaryExpr:
		if e.op == "&&" || e.op == "||" {
			return g.shortCircuit(e)
		}
		x := g.expr(e.x)
		y := g.expr(e.y)
		return g.binop(binOps[e.op], x, y, e.p)
	case *castExpr:
		x := g.expr(e.x)
		t, ok := intTypes[e.typ.name]
		if !ok {
			g.errorf(e.typ.p, "cannot cast to %s", e.typ.name)
		}
		if !x.t.IsInt() && x.t.Kind != prog.KindBool {
			g.errorf(e.p, "cannot cast %s to %s", x.t, t)
		}
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: r, B: x.reg, C: g.zero})
		return value{reg: r, t: t}
	case *indexExpr:
		if id, ok := e.x.(*identExpr); ok && g.lookup(id.name) == nil {
			if vi, ok := g.c.statics[id.name]; ok {
				v := &g.c.p.Vars[vi]
				if v.Atomic {
					g.errorf(e.p, "%s is atomic; read an element with %s[i].load(ordering)", id.name, id.name)
				}
				addr := g.addr(vi, e.idx, e.p)
				r := g.reg()
				g.emit(prog.Instr{Op: prog.OpLoad, A: r, Addr: addr, Pos: e.p, Text: id.name + "[…]"})
				return value{reg: r, t: v.Type}
			}
		}
		g.errorf(e.p, "only static arrays can be indexed")
	case *fieldExpr:
		g.errorf(e.p, "fields are not supported here (t.x names a thread's final value only in the final condition)")
	case *methodExpr:
		return g.method(e)
	case *callExpr:
		return g.call(e)
	case *macroExpr:
		return g.macro(e)
	case *blockExpr:
		g.push()
		defer g.pop()
		g.stmts(e.stmts, false)
		if e.tail != nil {
			return g.expr(e.tail)
		}
		return unit
	case *ifExpr:
		return g.ifExpr(e)
	case *whileExpr:
		g.loop(e.p, true, func(exit *[]int) {
			if e.pat != nil {
				g.push()
				g.matchPattern(e.pat, g.expr(e.cond), exit)
			} else {
				c := g.boolean(e.cond)
				*exit = append(*exit, g.emit(prog.Instr{Op: prog.OpBranch, A: c.reg}))
			}
		}, func() {
			g.expr(e.body)
			if e.pat != nil {
				g.pop()
			}
		})
		return unit
	case *loopExpr:
		g.loop(e.p, true, nil, func() { g.expr(e.body) })
		return unit
	case *forExpr:
		return g.forExpr(e)
	case *matchExpr:
		return g.match(e)
	case *breakExpr:
		if len(g.loops) == 0 || g.inFnOutsideLoop() {
			g.errorf(e.p, "break outside of a loop")
		}
		l := g.loops[len(g.loops)-1]
		l.breaks = append(l.breaks, g.emit(prog.Instr{Op: prog.OpJump}))
		return unit
	case *continueExpr:
		if len(g.loops) == 0 || g.inFnOutsideLoop() {
			g.errorf(e.p, "continue outside of a loop")
		}
		l := g.loops[len(g.loops)-1]
		l.continues = append(l.continues, g.emit(prog.Instr{Op: prog.OpJump}))
		return unit
	case *returnExpr:
		if len(g.fns) == 0 {
			// return from a thread: jump to its end.
			g.errorf(e.p, "return outside of a function (a thread ends at its closing brace)")
		}
		f := g.fns[len(g.fns)-1]
		if e.x != nil {
			v := g.coerce(g.expr(e.x), f.ret, e.x.exprPos())
			g.emit(prog.Instr{Op: prog.OpMove, A: f.result.reg, B: v.reg})
		} else if f.ret.Kind != prog.KindUnit {
			g.errorf(e.p, "return needs a value of type %s", f.ret)
		}
		f.returns = append(f.returns, g.emit(prog.Instr{Op: prog.OpJump}))
		return unit
	case *arrayLit:
		g.errorf(e.p, "array values are only allowed as static initialisers")
	case *closureExpr:
		g.errorf(e.p, "closures are only allowed as the argument of unwrap_or_else")
	}
	g.errorf(e.exprPos(), "unsupported expression")
	return unit
}

func (g *gen) inFnOutsideLoop() bool {
	return len(g.fns) > 0 && g.fns[len(g.fns)-1].loops == len(g.loops)
}

func (g *gen) shortCircuit(e *binaryExpr) value {
	r := g.reg()
	x := g.boolean(e.x)
	g.emit(prog.Instr{Op: prog.OpMove, A: r, B: x.reg})
	var skip int
	if e.op == "&&" {
		skip = g.emit(prog.Instr{Op: prog.OpBranch, A: r})
	} else {
		n := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: r})
		skip = g.emit(prog.Instr{Op: prog.OpBranch, A: n})
	}
	y := g.boolean(e.y)
	g.emit(prog.Instr{Op: prog.OpMove, A: r, B: y.reg})
	g.code[skip].Target = g.here()
	return value{reg: r, t: prog.Bool}
}

// loop emits a loop: cond (may be nil) appends jumps to the exit, body
// follows. Loops carry enter/back/exit markers so the interpreter can spot
// spinning and bound unrolling.
func (g *gen) loop(pos source.Pos, framed bool, cond func(exit *[]int), body func()) {
	g.c.loopID++
	id := g.c.loopID
	l := &loopCtx{id: id, framed: framed}
	g.emit(prog.Instr{Op: prog.OpLoopEnter, Imm: id, A: g.nregs, Pos: pos})
	head := g.here()
	var exits []int
	if cond != nil {
		cond(&exits)
	}
	g.loops = append(g.loops, l)
	g.safe(body)
	g.loops = g.loops[:len(g.loops)-1]
	back := g.emit(prog.Instr{Op: prog.OpLoopBack, Imm: id, Target: head, Pos: pos})
	g.patch(l.continues, back)
	exit := g.emit(prog.Instr{Op: prog.OpLoopExit, Imm: id})
	g.patch(exits, exit)
	g.patch(l.breaks, exit)
}

func (g *gen) forExpr(e *forExpr) value {
	lo := g.expr(e.lo)
	hi := g.expr(e.hi)
	t, ok := prog.Unify(lo.t, hi.t)
	if !ok || !t.IsInt() {
		g.errorf(e.p, "a for range needs integer bounds, found %s and %s", lo.t, hi.t)
	}
	i := g.copyValue(lo)
	i.t = t
	end := g.copyValue(hi)
	one := g.constant(1, t)
	g.push()
	defer g.pop()
	l := &loopCtx{}
	head := g.here()
	cmp := prog.Lt
	if e.incl {
		cmp = prog.Le
	}
	c := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: cmp, T: t, A: c, B: i.reg, C: end.reg})
	exit := g.emit(prog.Instr{Op: prog.OpBranch, A: c})
	body := g.copyValue(i)
	g.scopes[len(g.scopes)-1][e.name] = &local{v: body}
	g.loops = append(g.loops, l)
	g.safe(func() { g.expr(e.body) })
	g.loops = g.loops[:len(g.loops)-1]
	next := g.here()
	if e.incl {
		// Stop after hi even when hi is the type's maximum.
		done := g.reg()
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Ne, T: t, A: done, B: i.reg, C: end.reg})
		exit2 := g.emit(prog.Instr{Op: prog.OpBranch, A: done})
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: i.reg, B: i.reg, C: one.reg})
		g.emit(prog.Instr{Op: prog.OpJump, Target: head})
		g.code[exit2].Target = g.here()
	} else {
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: i.reg, B: i.reg, C: one.reg})
		g.emit(prog.Instr{Op: prog.OpJump, Target: head})
	}
	g.code[exit].Target = g.here()
	g.patch(l.continues, next)
	g.patch(l.breaks, g.here())
	return unit
}

func (g *gen) ifExpr(e *ifExpr) value {
	var result *value
	g.push()
	var toElse []int
	if e.pat != nil {
		g.matchPattern(e.pat, g.expr(e.cond), &toElse)
	} else {
		c := g.boolean(e.cond)
		toElse = append(toElse, g.emit(prog.Instr{Op: prog.OpBranch, A: c.reg}))
	}
	tv := g.expr(e.then)
	g.pop()
	if e.els != nil && tv.t.Kind != prog.KindUnit {
		r := g.copyValue(tv)
		result = &r
	}
	skip := g.emit(prog.Instr{Op: prog.OpJump})
	g.patch(toElse, g.here())
	if e.els != nil {
		ev := g.expr(e.els)
		if result != nil {
			if ev.t.Kind == prog.KindUnit {
				g.errorf(e.els.exprPos(), "if and else have different types: %s and ()", tv.t)
			}
			ev = g.coerce(ev, result.t, e.els.exprPos())
			g.emit(prog.Instr{Op: prog.OpMove, A: result.reg, B: ev.reg})
			if ev.t.Kind == prog.KindResult {
				g.emit(prog.Instr{Op: prog.OpMove, A: result.reg + 1, B: ev.reg + 1})
			}
		}
	}
	g.code[skip].Target = g.here()
	if result != nil {
		return *result
	}
	return unit
}

// matchPattern tests v against pat, binding names in the current scope;
// on a mismatch it jumps to a location appended to fail.
func (g *gen) matchPattern(pat *pattern, v value, fail *[]int) {
	switch pat.kind {
	case "Ok", "Err":
		if v.t.Kind != prog.KindResult {
			g.errorf(pat.p, "%s(...) matches a Result (from compare_exchange), found %s", pat.kind, v.t)
		}
		okReg := v.reg + 1
		if pat.kind == "Err" {
			n := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: okReg})
			okReg = n
		}
		*fail = append(*fail, g.emit(prog.Instr{Op: prog.OpBranch, A: okReg}))
		if pat.bind != "_" && pat.bind != "" {
			g.scopes[len(g.scopes)-1][pat.bind] = &local{v: g.copyValue(value{reg: v.reg, t: v.elem})}
		}
	case "_":
	case "bind":
		g.scopes[len(g.scopes)-1][pat.bind] = &local{v: g.copyValue(v)}
	case "lit":
		l := g.expr(pat.lit)
		c := g.binop(prog.Eq, v, l, pat.p)
		*fail = append(*fail, g.emit(prog.Instr{Op: prog.OpBranch, A: c.reg}))
	}
}

func (g *gen) match(e *matchExpr) value {
	x := g.expr(e.x)
	var result *value
	var ends []int
	exhaustive := false
	var sawOk, sawErr bool
	for _, arm := range e.arms {
		g.push()
		var next []int
		g.matchPattern(arm.pat, x, &next)
		switch arm.pat.kind {
		case "_", "bind":
			exhaustive = true
		case "Ok":
			sawOk = true
		case "Err":
			sawErr = true
		}
		v := g.expr(arm.body)
		g.pop()
		if v.t.Kind != prog.KindUnit {
			if result == nil {
				r := value{reg: g.reg(), t: v.t, elem: v.elem}
				if v.t.Kind == prog.KindResult {
					g.reg()
				}
				result = &r
			}
			v = g.coerce(v, result.t, arm.body.exprPos())
			g.emit(prog.Instr{Op: prog.OpMove, A: result.reg, B: v.reg})
		}
		ends = append(ends, g.emit(prog.Instr{Op: prog.OpJump}))
		g.patch(next, g.here())
	}
	if sawOk && sawErr {
		exhaustive = true
	}
	if !exhaustive {
		g.errorf(e.p, "non-exhaustive match: add a _ arm")
	}
	g.emit(prog.Instr{Op: prog.OpPanic, Msg: "entered unreachable code: no match arm matched", Pos: e.p})
	g.patch(ends, g.here())
	if result != nil {
		return *result
	}
	return unit
}

package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

var rmwMethods = map[string]prog.RMWOp{
	"fetch_add": prog.RMWAdd, "fetch_sub": prog.RMWSub, "fetch_and": prog.RMWAnd, "fetch_or": prog.RMWOr,
	"fetch_xor": prog.RMWXor, "fetch_nand": prog.RMWNand, "fetch_max": prog.RMWMax, "fetch_min": prog.RMWMin,
	"swap": prog.RMWSwap,
}

// atomicRecv resolves the receiver of an atomic method: a static atomic or
// an element of a static atomic array.
func (g *gen) atomicRecv(recv expr) (int, expr, bool) {
	switch r := recv.(type) {
	case *identExpr:
		if vi, ok := g.c.statics[r.name]; ok && g.lookup(r.name) == nil {
			return vi, nil, true
		}
	case *indexExpr:
		if id, ok := r.x.(*identExpr); ok && g.lookup(id.name) == nil {
			if vi, ok := g.c.statics[id.name]; ok {
				return vi, r.idx, true
			}
		}
	case *unaryExpr:
		if r.op == "&" {
			return g.atomicRecv(r.x)
		}
	}
	return 0, nil, false
}

func (g *gen) ordering(e expr) prog.Ordering {
	cv, ok := g.c.constEval(e, true)
	if !ok || !cv.isOrd {
		g.errorf(e.exprPos(), "expected an ordering (Relaxed, Acquire, Release, AcqRel, SeqCst, or a const of type Ordering)")
	}
	return cv.ord
}

func (g *gen) nargs(e *methodExpr, n int) {
	if len(e.args) != n {
		g.errorf(e.p, "%s takes %d arguments, found %d", e.name, n, len(e.args))
	}
}

func (g *gen) method(e *methodExpr) value {
	if vi, idx, ok := g.atomicRecv(e.recv); ok {
		return g.atomicMethod(e, vi, idx)
	}
	recv := g.expr(e.recv)
	text := g.c.text(exprStart(e.recv), e.end)
	if recv.t.Kind == prog.KindResult {
		val := value{reg: recv.reg, t: recv.elem}
		ok := value{reg: recv.reg + 1, t: prog.Bool}
		switch e.name {
		case "is_ok":
			g.nargs(e, 0)
			return ok
		case "is_err":
			g.nargs(e, 0)
			r := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: r, B: ok.reg})
			return value{reg: r, t: prog.Bool}
		case "unwrap", "unwrap_err", "expect", "expect_err":
			want := ok.reg
			if strings.HasSuffix(e.name, "err") {
				n := g.reg()
				g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: ok.reg})
				want = n
			}
			skip := g.emit(prog.Instr{Op: prog.OpBranch, A: want})
			jmp := g.emit(prog.Instr{Op: prog.OpJump})
			g.code[skip].Target = g.here()
			g.emit(prog.Instr{Op: prog.OpPanic, Msg: fmt.Sprintf("called %s on a failed result: %s", e.name, text), Pos: e.p})
			g.code[jmp].Target = g.here()
			return val
		case "unwrap_or_else", "unwrap_or":
			g.nargs(e, 1)
			if e.name == "unwrap_or_else" {
				cl, isCl := e.args[0].(*closureExpr)
				if !isCl {
					g.errorf(e.args[0].exprPos(), "unwrap_or_else takes a closure |x| ...")
				}
				r := g.copyValue(val)
				skip := g.emit(prog.Instr{Op: prog.OpBranch, A: ok.reg})
				done := g.emit(prog.Instr{Op: prog.OpJump})
				g.code[skip].Target = g.here()
				g.push()
				g.scopes[len(g.scopes)-1][cl.param] = &local{v: val}
				v := g.coerce(g.expr(cl.body), val.t, cl.body.exprPos())
				g.pop()
				g.emit(prog.Instr{Op: prog.OpMove, A: r.reg, B: v.reg})
				g.code[done].Target = g.here()
				return r
			}
			r := g.copyValue(val)
			skip := g.emit(prog.Instr{Op: prog.OpBranch, A: ok.reg})
			done := g.emit(prog.Instr{Op: prog.OpJump})
			g.code[skip].Target = g.here()
			v := g.coerce(g.expr(e.args[0]), val.t, e.args[0].exprPos())
			g.emit(prog.Instr{Op: prog.OpMove, A: r.reg, B: v.reg})
			g.code[done].Target = g.here()
			return r
		}
		g.errorf(e.p, "no method %s on a Result (use is_ok, is_err, unwrap, unwrap_err, unwrap_or, unwrap_or_else, or match)", e.name)
	}
	if recv.t.IsInt() {
		ops := map[string]prog.BinOp{"wrapping_add": prog.Add, "wrapping_sub": prog.Sub, "wrapping_mul": prog.Mul}
		if op, ok := ops[e.name]; ok {
			g.nargs(e, 1)
			return g.binop(op, recv, g.expr(e.args[0]), e.p)
		}
	}
	g.errorf(e.p, "no method %s on a value of type %s", e.name, recv.t)
	return unit
}

func (g *gen) atomicMethod(e *methodExpr, vi int, idx expr) value {
	v := &g.c.p.Vars[vi]
	text := g.c.text(exprStart(e.recv), e.end)
	if !v.Atomic {
		g.errorf(e.p, "%s is not atomic (static mut of type %s); read and assign it directly", v.Name, v.Type)
	}
	addr := g.addr(vi, idx, e.recv.exprPos())
	in := prog.Instr{Addr: addr, Atomic: true, Pos: e.recv.exprPos(), Text: text}
	t := v.Type
	switch e.name {
	case "load":
		g.nargs(e, 1)
		in.Op, in.Ord = prog.OpLoad, g.ordering(e.args[0])
		switch in.Ord {
		case prog.Release:
			g.errorf(e.args[0].exprPos(), "there is no such thing as a release load (Rust panics)")
		case prog.AcqRel:
			g.errorf(e.args[0].exprPos(), "there is no such thing as an acquire-release load (Rust panics)")
		}
		in.A = g.reg()
		g.emit(in)
		return value{reg: in.A, t: t}
	case "store":
		g.nargs(e, 2)
		val := g.coerce(g.expr(e.args[0]), t, e.args[0].exprPos())
		in.Op, in.B, in.Ord = prog.OpStore, val.reg, g.ordering(e.args[1])
		switch in.Ord {
		case prog.Acquire:
			g.errorf(e.args[1].exprPos(), "there is no such thing as an acquire store (Rust panics)")
		case prog.AcqRel:
			g.errorf(e.args[1].exprPos(), "there is no such thing as an acquire-release store (Rust panics)")
		}
		g.emit(in)
		return unit
	case "compare_exchange", "compare_exchange_weak":
		g.nargs(e, 4)
		cur := g.coerce(g.expr(e.args[0]), t, e.args[0].exprPos())
		nw := g.coerce(g.expr(e.args[1]), t, e.args[1].exprPos())
		in.Op, in.B, in.C = prog.OpCAS, cur.reg, nw.reg
		in.Ord, in.Ord2 = g.ordering(e.args[2]), g.ordering(e.args[3])
		in.Weak = e.name == "compare_exchange_weak"
		switch in.Ord2 {
		case prog.Release:
			g.errorf(e.args[3].exprPos(), "there is no such thing as a release failure ordering (Rust panics)")
		case prog.AcqRel:
			g.errorf(e.args[3].exprPos(), "there is no such thing as an acquire-release failure ordering (Rust panics)")
		}
		in.A = g.reg()
		g.reg()
		g.emit(in)
		return value{reg: in.A, t: prog.Type{Kind: prog.KindResult}, elem: t}
	case "compare_and_swap":
		g.nargs(e, 3)
		cur := g.coerce(g.expr(e.args[0]), t, e.args[0].exprPos())
		nw := g.coerce(g.expr(e.args[1]), t, e.args[1].exprPos())
		in.Op, in.B, in.C = prog.OpCAS, cur.reg, nw.reg
		in.Ord = g.ordering(e.args[2])
		in.Ord2 = prog.FailureFor(in.Ord)
		in.A = g.reg()
		g.reg()
		g.emit(in)
		return value{reg: in.A, t: t}
	case "fetch_update", "get_mut", "into_inner", "as_ptr":
		g.errorf(e.p, "%s is not supported", e.name)
	}
	if op, ok := rmwMethods[e.name]; ok {
		g.nargs(e, 2)
		if t.Kind == prog.KindBool && op != prog.RMWAnd && op != prog.RMWOr && op != prog.RMWXor && op != prog.RMWNand && op != prog.RMWSwap {
			g.errorf(e.p, "no method %s on AtomicBool", e.name)
		}
		val := g.coerce(g.expr(e.args[0]), t, e.args[0].exprPos())
		in.Op, in.RMW, in.B, in.Ord = prog.OpRMW, op, val.reg, g.ordering(e.args[1])
		in.A = g.reg()
		g.emit(in)
		return value{reg: in.A, t: t}
	}
	g.errorf(e.p, "no atomic method %s (supported: load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, fetch_nand, fetch_max, fetch_min, compare_exchange, compare_exchange_weak, compare_and_swap)", e.name)
	return unit
}

func pathName(e expr) (string, bool) {
	switch e := e.(type) {
	case *identExpr:
		return e.name, true
	case *pathExpr:
		return strings.Join(e.segs, "::"), true
	}
	return "", false
}

var noOps = map[string]bool{
	"spin_loop": true, "hint::spin_loop": true, "std::hint::spin_loop": true, "core::hint::spin_loop": true,
	"yield_now": true, "thread::yield_now": true, "std::thread::yield_now": true,
	"atomic::spin_loop_hint": true, "spin_loop_hint": true, "std::sync::atomic::spin_loop_hint": true,
}

func (g *gen) call(e *callExpr) value {
	name, ok := pathName(e.fn)
	if !ok {
		g.errorf(e.p, "only named functions can be called")
	}
	last := name[strings.LastIndex(name, ":")+1:]
	if noOps[name] {
		return unit
	}
	if last == "fence" && (name == "fence" || strings.HasSuffix(name, "atomic::fence")) {
		if len(e.args) != 1 {
			g.errorf(e.p, "fence takes one ordering")
		}
		ord := g.ordering(e.args[0])
		if ord == prog.Relaxed {
			g.errorf(e.args[0].exprPos(), "there is no such thing as a relaxed fence (Rust panics)")
		}
		g.emit(prog.Instr{Op: prog.OpFence, Ord: ord, Atomic: true, Pos: e.p, Text: fmt.Sprintf("fence(%s)", ord)})
		return unit
	}
	if last == "compiler_fence" {
		g.errorf(e.p, "compiler_fence orders only against signal handlers and is not modelled; use fence")
	}
	fn, ok := g.c.fns[name]
	if !ok {
		g.errorf(e.p, "cannot find function %s", name)
	}
	for _, f := range g.fns {
		if f.name == name {
			g.errorf(e.p, "recursive call of %s: recursion is not supported", name)
		}
	}
	if len(e.args) != len(fn.params) {
		g.errorf(e.p, "%s takes %d arguments, found %d", name, len(fn.params), len(e.args))
	}
	// Evaluate arguments in the caller's scope, then bind them.
	var args []value
	for i, a := range e.args {
		pt, _, ok := g.c.valueType(fn.params[i].typ)
		if !ok {
			g.errorf(fn.params[i].p, "unsupported parameter type %s", fn.params[i].typ.name)
		}
		args = append(args, g.copyValue(g.coerce(g.expr(a), pt, a.exprPos())))
	}
	ret := prog.Unit
	if fn.ret != nil {
		t, _, ok := g.c.valueType(fn.ret)
		if !ok {
			g.errorf(fn.ret.p, "unsupported return type %s", fn.ret.name)
		}
		ret = t
	}
	f := &fnCtx{name: name, ret: ret, loops: len(g.loops)}
	if ret.Kind != prog.KindUnit {
		f.result = value{reg: g.reg(), t: ret}
	} else {
		f.result = unit
	}
	// A function body sees only its parameters and globals.
	saved := g.scopes
	g.scopes = []map[string]*local{{}}
	for i, p := range fn.params {
		g.scopes[0][p.name] = &local{v: args[i], mut: true}
	}
	savedLoops := g.loops
	g.loops = nil
	f.loops = 0
	g.fns = append(g.fns, f)
	func() {
		defer func() {
			g.fns = g.fns[:len(g.fns)-1]
			g.scopes = saved
			g.loops = savedLoops
		}()
		g.stmts(fn.body.stmts, false)
		if fn.body.tail != nil {
			g.safe(func() {
				v := g.expr(fn.body.tail)
				if ret.Kind != prog.KindUnit {
					v = g.coerce(v, ret, fn.body.tail.exprPos())
					g.emit(prog.Instr{Op: prog.OpMove, A: f.result.reg, B: v.reg})
				}
			})
		}
	}()
	g.patch(f.returns, g.here())
	return f.result
}

func (g *gen) macro(e *macroExpr) value {
	text := g.c.text(e.p, e.end)
	switch e.name {
	case "assert", "debug_assert", "assume":
		if len(e.args) < 1 {
			g.errorf(e.p, "%s! needs a condition", e.name)
		}
		c := g.boolean(e.args[0])
		op := prog.OpAssert
		if e.name == "assume" {
			op = prog.OpAssume
		}
		g.emit(prog.Instr{Op: op, A: c.reg, Msg: "assertion failed: " + text, Pos: e.p, Text: text})
		return unit
	case "assert_eq", "assert_ne", "debug_assert_eq", "debug_assert_ne":
		if len(e.args) < 2 {
			g.errorf(e.p, "%s! needs two values", e.name)
		}
		op := prog.Eq
		if strings.HasSuffix(e.name, "_ne") {
			op = prog.Ne
		}
		c := g.binop(op, g.expr(e.args[0]), g.expr(e.args[1]), e.p)
		g.emit(prog.Instr{Op: prog.OpAssert, A: c.reg, Msg: "assertion failed: " + text, Pos: e.p, Text: text})
		return unit
	case "panic", "unreachable", "todo", "unimplemented":
		g.emit(prog.Instr{Op: prog.OpPanic, Msg: "panicked: " + text, Pos: e.p, Text: text})
		return unit
	case "println", "print", "eprintln", "eprint", "dbg":
		return unit
	}
	g.errorf(e.p, "unsupported macro %s!", e.name)
	return unit
}

var _ = source.Pos{}

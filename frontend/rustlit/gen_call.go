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

func (g *gen) method(e *methodExpr, want *ty) value {
	if pl, ok := g.placeOf(e.recv); ok {
		return g.placeMethod(e, pl, want)
	}
	if id, ok := e.recv.(*identExpr); ok && g.lookup(id.name) == nil && g.c.consts[id.name] == nil {
		if _, isRMW := rmwMethods[e.name]; isRMW || e.name == "load" || e.name == "store" || strings.HasPrefix(e.name, "compare_") {
			g.errorf(id.p, "cannot find value %s in this scope (declare the atomic it names: static %s: AtomicU32 = AtomicU32::new(0);)", id.name, id.name)
		}
	}
	recv := g.expr(e.recv)
	if recv.k == vPlace {
		return g.placeMethod(e, recv.pl, want)
	}
	return g.valueMethod(e, recv, want)
}

// placeMethod calls a method on shared memory.
func (g *gen) placeMethod(e *methodExpr, pl *place, want *ty) value {
	o := pl.obj
	switch e.name {
	case "clone":
		// Arc::clone: the same object.
		return value{k: vPlace, pl: pl}
	case "len":
		if n := g.arrayLenOf(pl); n > 0 {
			g.nargs(e, 0)
			return g.constant(uint64(n), prog.IntType(64, false))
		}
	case "as_ref", "deref", "borrow":
		return value{k: vPlace, pl: pl}
	}
	// A method of the struct's impl, with self the place.
	if (o.kind == objStruct && pl.field == "") || (o.kind == objStructArray && pl.field == "" && pl.indexed()) {
		if fn := g.c.fns[o.sname+"::"+e.name]; fn != nil {
			return g.inline(fn, e.args, &value{k: vPlace, pl: pl}, e.p, e.end)
		}
		g.errorf(e.p, "no method %s on %s", e.name, o.sname)
	}
	if o.kind == objMutex && !pl.data {
		switch e.name {
		case "lock":
			g.nargs(e, 0)
			gd := g.lock(pl, e.p)
			return value{k: vGuard, pl: pl, gd: gd}
		case "try_lock":
			g.errorf(e.p, "try_lock is not supported; use lock()")
		case "into_inner":
			// After the threads: the data (a LockResult: unwrap it).
			g.nargs(e, 0)
			data := *pl
			data.data = true
			return value{k: vJoined, elems: []value{g.readPlace(&data, nil, e.p)}}
		case "get_mut":
			g.errorf(e.p, "%s is not supported on a shared Mutex; use lock()", e.name)
		}
		g.errorf(e.p, "no method %s on Mutex %s (use lock())", e.name, o.name)
	}
	if g.arrayLenOf(pl) > 0 {
		g.errorf(e.p, "%s is an array; index it (%s[i].%s(...))", g.placeName(pl), g.placeName(pl), e.name)
	}
	addr, v := g.leaf(pl, e.recv.exprPos())
	if !v.Atomic {
		if _, isAtomicOp := rmwMethods[e.name]; isAtomicOp || e.name == "load" || e.name == "store" || strings.HasPrefix(e.name, "compare_") {
			g.errorf(e.p, "%s is not atomic (a plain %s); read and assign it directly", g.placeName(pl), v.Type)
		}
		// A plain value: read it, then call the method on the value.
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpLoad, A: r, Addr: addr, Pos: e.recv.exprPos(), Text: g.placeName(pl)})
		return g.valueMethod(e, scalar(r, v.Type), want)
	}
	return g.atomicMethod(e, addr, v)
}

func (g *gen) atomicMethod(e *methodExpr, addr prog.Addr, v *prog.Var) value {
	text := g.c.text(exprStart(e.recv), e.end)
	in := prog.Instr{Addr: addr, Atomic: true, Pos: e.recv.exprPos(), Text: text}
	t := v.Type
	want := &ty{k: vScalar, t: t}
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
		return scalar(in.A, t)
	case "store":
		g.nargs(e, 2)
		val := g.coerceValue(g.exprWant(e.args[0], want), t, e.args[0].exprPos())
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
		cur := g.coerceValue(g.exprWant(e.args[0], want), t, e.args[0].exprPos())
		nw := g.coerceValue(g.exprWant(e.args[1], want), t, e.args[1].exprPos())
		in.Op, in.B, in.C = prog.OpCAS, cur.reg, nw.reg
		in.Ord, in.Ord2 = g.ordering(e.args[2]), g.ordering(e.args[3])
		in.Weak = e.name == "compare_exchange_weak"
		g.checkFailure(e.args[3], in.Ord2)
		in.A = g.reg()
		g.reg()
		g.emit(in)
		return value{k: vResult, reg: in.A, t: t}
	case "compare_and_swap":
		g.nargs(e, 3)
		cur := g.coerceValue(g.exprWant(e.args[0], want), t, e.args[0].exprPos())
		nw := g.coerceValue(g.exprWant(e.args[1], want), t, e.args[1].exprPos())
		in.Op, in.B, in.C = prog.OpCAS, cur.reg, nw.reg
		in.Ord = g.ordering(e.args[2])
		in.Ord2 = prog.FailureFor(in.Ord)
		in.A = g.reg()
		g.reg()
		g.emit(in)
		return scalar(in.A, t)
	case "fetch_update":
		return g.fetchUpdate(e, in, t)
	case "fetch_not":
		if t.Kind != prog.KindBool {
			g.errorf(e.p, "no method fetch_not on Atomic of %s", t)
		}
		g.nargs(e, 1)
		one := g.constant(1, prog.Bool)
		in.Op, in.RMW, in.B, in.Ord = prog.OpRMW, prog.RMWXor, one.reg, g.ordering(e.args[0])
		in.A = g.reg()
		g.emit(in)
		return scalar(in.A, t)
	case "into_inner":
		// After the threads (or on a thread's own atomic): its value.
		g.nargs(e, 0)
		in.Op, in.Ord, in.A = prog.OpLoad, prog.Relaxed, g.reg()
		g.emit(in)
		return scalar(in.A, t)
	case "get_mut", "as_ptr", "get", "set":
		g.errorf(e.p, "%s is not supported on a shared atomic; use load and store", e.name)
	}
	if op, ok := rmwMethods[e.name]; ok {
		g.nargs(e, 2)
		if t.Kind == prog.KindBool && op != prog.RMWAnd && op != prog.RMWOr && op != prog.RMWXor && op != prog.RMWNand && op != prog.RMWSwap {
			g.errorf(e.p, "no method %s on AtomicBool", e.name)
		}
		val := g.coerceValue(g.exprWant(e.args[0], want), t, e.args[0].exprPos())
		in.Op, in.RMW, in.B, in.Ord = prog.OpRMW, op, val.reg, g.ordering(e.args[1])
		in.A = g.reg()
		g.emit(in)
		return scalar(in.A, t)
	}
	g.errorf(e.p, "no atomic method %s (supported: load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, fetch_nand, fetch_max, fetch_min, fetch_update, compare_exchange, compare_exchange_weak, compare_and_swap)", e.name)
	return unit
}

func (g *gen) checkFailure(arg expr, o prog.Ordering) {
	switch o {
	case prog.Release:
		g.errorf(arg.exprPos(), "there is no such thing as a release failure ordering (Rust panics)")
	case prog.AcqRel:
		g.errorf(arg.exprPos(), "there is no such thing as an acquire-release failure ordering (Rust panics)")
	}
}

// fetchUpdate is std's fetch_update: a loop that loads, applies the
// closure and tries a weak compare-exchange; it returns Ok(previous) or,
// when the closure returns None, Err(previous).
func (g *gen) fetchUpdate(e *methodExpr, in prog.Instr, t prog.Type) value {
	g.nargs(e, 3)
	set := g.ordering(e.args[0])
	fetch := g.ordering(e.args[1])
	g.checkFailure(e.args[1], fetch)
	cl := g.expr(e.args[2])
	if cl.k != vClosure || len(cl.cl.e.params) != 1 {
		g.errorf(e.args[2].exprPos(), "fetch_update takes a closure |x| ... returning an Option")
	}
	res := value{k: vResult, reg: g.reg(), t: t}
	g.reg()
	g.loop(e.p, "", false, nil, func() {
		ld := in
		ld.Op, ld.Ord, ld.A = prog.OpLoad, fetch, g.reg()
		if fetch == prog.Release || fetch == prog.AcqRel {
			ld.Ord = prog.FailureFor(fetch)
		}
		g.emit(ld)
		old := scalar(ld.A, t)
		nv := g.callClosure(cl.cl, []value{old}, e.args[2].exprPos(), &ty{k: vOption, elems: []*ty{{k: vScalar, t: t}}})
		if nv.k != vOption {
			g.errorf(e.args[2].exprPos(), "the closure of fetch_update must return an Option, found %s", nv)
		}
		l := g.loops[len(g.loops)-1]
		// None: Err(old).
		some := g.branchTrue(nv.reg)
		g.emit(prog.Instr{Op: prog.OpMove, A: res.reg, B: old.reg})
		g.emit(prog.Instr{Op: prog.OpConst, A: res.reg + 1, T: prog.Bool})
		l.breaks = append(l.breaks, g.jump())
		g.patch([]int{some}, g.here())
		p := g.coerceValue(nv.elems[0], t, e.args[2].exprPos())
		cas := in
		cas.Op, cas.B, cas.C, cas.Ord, cas.Ord2, cas.Weak = prog.OpCAS, old.reg, p.reg, set, fetch, true
		cas.A = g.reg()
		g.reg()
		g.emit(cas)
		retry := g.branchFalse(cas.A + 1)
		g.emit(prog.Instr{Op: prog.OpMove, A: res.reg, B: old.reg})
		g.emit(prog.Instr{Op: prog.OpConst, A: res.reg + 1, Imm: 1, T: prog.Bool})
		l.breaks = append(l.breaks, g.jump())
		l.continues = append(l.continues, retry)
	})
	return res
}

// valueMethod calls a method on a value in registers.
func (g *gen) valueMethod(e *methodExpr, recv value, want *ty) value {
	text := g.c.text(exprStart(e.recv), e.end)
	switch recv.k {
	case vNever:
		return never
	case vGuard:
		switch e.name {
		case "unwrap", "expect":
			return recv
		case "clone", "deref":
		}
		// Auto-deref: a method of the data.
		pl := *recv.gd.mutex
		pl.data = true
		return g.placeMethod(e, &pl, want)
	case vResult:
		return g.resultMethod(e, recv, text, want)
	case vOption:
		return g.optionMethod(e, recv, text, want)
	case vScalar:
		return g.intMethod(e, recv, want)
	case vStruct:
		if fn := g.c.fns[recv.sname+"::"+e.name]; fn != nil && fn.self {
			return g.inline(fn, e.args, &recv, e.p, e.end)
		}
		if e.name == "clone" {
			return recv
		}
	case vTuple:
		if e.name == "clone" {
			return recv
		}
	case vRange:
		if e.name == "contains" {
			g.nargs(e, 1)
			r := recv.rng
			x := g.exprWant(e.args[0], &ty{k: vScalar, t: r.elemT})
			if x.k == vPlace {
				x = g.readPlace(x.pl, e.args[0], e.args[0].exprPos())
			}
			ge := g.binop(prog.Ge, x, r.lo, e.p)
			if r.hi.k == vUnit {
				return ge
			}
			op := prog.Lt
			if r.incl {
				op = prog.Le
			}
			lt := g.binop(op, x, r.hi, e.p)
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.And, T: prog.Bool, A: ge.reg, B: ge.reg, C: lt.reg})
			return ge
		}
		g.errorf(e.p, "%s on a range is only supported as the iterable of a for loop", e.name)
	case vHandle:
		return g.handleMethod(e, recv)
	case vHandles:
		switch e.name {
		case "len":
			return g.constant(uint64(len(recv.hs)), prog.IntType(64, false))
		case "into_iter", "iter", "drain", "iter_mut":
			return recv
		case "pop", "remove", "swap_remove":
			g.errorf(e.p, "%s on a Vec of handles is not supported; join them with a for loop", e.name)
		}
	case vJoined:
		switch e.name {
		case "unwrap", "expect":
			return recv.elems[0]
		case "is_ok":
			return g.constant(1, prog.Bool)
		case "is_err":
			return g.constant(0, prog.Bool)
		}
		g.errorf(e.p, "no method %s on a join result (use unwrap, expect, or match Ok(v))", e.name)
	}
	g.errorf(e.p, "no method %s on a value of type %s", e.name, recv)
	return unit
}

func (g *gen) panicIfFalse(cond int, msg string, pos source.Pos) {
	skip := g.emit(prog.Instr{Op: prog.OpBranch, A: cond})
	jmp := g.jump()
	g.code[skip].Target = g.here()
	g.emit(prog.Instr{Op: prog.OpPanic, Msg: msg, Pos: pos})
	g.code[jmp].Target = g.here()
}

func (g *gen) resultMethod(e *methodExpr, recv value, text string, want *ty) value {
	val := scalar(recv.reg, recv.t)
	ok := scalar(recv.reg+1, prog.Bool)
	switch e.name {
	case "is_ok":
		g.nargs(e, 0)
		return ok
	case "is_err":
		g.nargs(e, 0)
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: r, B: ok.reg})
		return scalar(r, prog.Bool)
	case "unwrap", "unwrap_err", "expect", "expect_err":
		want := ok.reg
		if strings.HasSuffix(e.name, "err") {
			n := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: ok.reg})
			want = n
		}
		what := "an `Err` value"
		if strings.HasSuffix(e.name, "err") {
			what = "an `Ok` value"
		}
		g.panicIfFalse(want, fmt.Sprintf("called %s on %s: %s", e.name, what, text), e.p)
		return val
	case "unwrap_or_else", "unwrap_or", "unwrap_or_default":
		r := g.copyValue(val)
		if e.name == "unwrap_or_else" && len(e.args) == 1 && identityClosure(e.args[0]) {
			// res.unwrap_or_else(|v| v): the value either way (a
			// compare_exchange's old value), as fmt --to rust prints it.
			return r
		}
		skip := g.branchFalse(ok.reg)
		done := g.jump()
		g.code[skip].Target = g.here()
		var v value
		switch e.name {
		case "unwrap_or_else":
			g.nargs(e, 1)
			cl := g.expr(e.args[0])
			if cl.k != vClosure {
				g.errorf(e.args[0].exprPos(), "unwrap_or_else takes a closure |x| ...")
			}
			v = g.callClosure(cl.cl, []value{val}, e.args[0].exprPos(), &ty{k: vScalar, t: val.t})
		case "unwrap_or":
			g.nargs(e, 1)
			v = g.exprWant(e.args[0], &ty{k: vScalar, t: val.t})
		default:
			v = g.constant(0, val.t)
		}
		g.move(r, g.coerceValue(v, val.t, e.p))
		g.code[done].Target = g.here()
		return r
	case "ok", "err":
		g.nargs(e, 0)
		tag := ok
		if e.name == "err" {
			n := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: ok.reg})
			tag = scalar(n, prog.Bool)
		}
		return value{k: vOption, reg: g.copyValue(tag).reg, t: prog.Bool, elems: []value{g.copyValue(val)}}
	case "clone":
		return recv
	}
	g.errorf(e.p, "no method %s on a Result (use is_ok, is_err, unwrap, unwrap_err, unwrap_or, unwrap_or_else, ok, err, or match)", e.name)
	return unit
}

// identityClosure reports whether e is |v| v.
func identityClosure(e expr) bool {
	cl, ok := e.(*closureExpr)
	if !ok || len(cl.params) != 1 {
		return false
	}
	p := cl.params[0]
	if p.kind != pBind || p.sub != nil || p.name == "_" || p.typ != nil {
		return false
	}
	body := cl.body
	if b, ok := body.(*blockExpr); ok && len(b.stmts) == 0 && b.tail != nil {
		body = b.tail
	}
	id, ok := body.(*identExpr)
	return ok && id.name == p.name
}

func (g *gen) optionMethod(e *methodExpr, recv value, text string, want *ty) value {
	tag := scalar(recv.reg, prog.Bool)
	payload := recv.elems[0]
	switch e.name {
	case "is_some":
		g.nargs(e, 0)
		return tag
	case "is_none":
		g.nargs(e, 0)
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: r, B: tag.reg})
		return scalar(r, prog.Bool)
	case "unwrap", "expect":
		g.panicIfFalse(tag.reg, "called `Option::unwrap()` on a `None` value: "+text, e.p)
		return payload
	case "unwrap_or", "unwrap_or_else", "unwrap_or_default":
		r := g.copyValue(payload)
		skip := g.branchFalse(tag.reg)
		done := g.jump()
		g.code[skip].Target = g.here()
		var v value
		switch e.name {
		case "unwrap_or":
			g.nargs(e, 1)
			v = g.exprWant(e.args[0], payload.typ())
		case "unwrap_or_else":
			g.nargs(e, 1)
			cl := g.expr(e.args[0])
			if cl.k != vClosure {
				g.errorf(e.args[0].exprPos(), "unwrap_or_else takes a closure || ...")
			}
			v = g.callClosure(cl.cl, nil, e.args[0].exprPos(), payload.typ())
		default:
			v = g.alloc(payload.typ())
			g.zeroFill(v)
		}
		g.move(r, g.coerce(v, payload.typ(), e.p))
		g.code[done].Target = g.here()
		return r
	case "map", "and_then", "filter":
		g.nargs(e, 1)
		cl := g.expr(e.args[0])
		if cl.k != vClosure {
			g.errorf(e.args[0].exprPos(), "%s takes a closure |x| ...", e.name)
		}
		out := g.copyValue(tag)
		skip := g.branchFalse(tag.reg)
		v := g.callClosure(cl.cl, []value{payload}, e.args[0].exprPos(), nil)
		var res value
		switch e.name {
		case "map":
			res = value{k: vOption, reg: out.reg, t: prog.Bool, elems: []value{g.copyValue(v)}}
		case "and_then":
			if v.k != vOption {
				g.errorf(e.args[0].exprPos(), "and_then's closure must return an Option")
			}
			g.emit(prog.Instr{Op: prog.OpMove, A: out.reg, B: v.reg})
			res = value{k: vOption, reg: out.reg, t: prog.Bool, elems: []value{g.copyValue(v.elems[0])}}
		default:
			if v.k != vScalar || v.t.Kind != prog.KindBool {
				g.errorf(e.args[0].exprPos(), "filter's closure must return a bool")
			}
			g.emit(prog.Instr{Op: prog.OpMove, A: out.reg, B: v.reg})
			res = value{k: vOption, reg: out.reg, t: prog.Bool, elems: []value{g.copyValue(payload)}}
		}
		g.patch([]int{skip}, g.here())
		return res
	case "take", "replace":
		g.errorf(e.p, "%s is not supported; assign None (or the new value) to the variable", e.name)
	case "clone", "copied", "cloned", "as_ref":
		return recv
	}
	g.errorf(e.p, "no method %s on an Option (use is_some, is_none, unwrap, expect, unwrap_or, unwrap_or_else, map, or match)", e.name)
	return unit
}

// Integer methods.

func (g *gen) bin(op prog.BinOp, t prog.Type, x, y int) int {
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: op, T: t, A: r, B: x, C: y})
	return r
}

func (g *gen) not(x int) int {
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: r, B: x})
	return r
}

// sel sets dst to b when cond holds, else to a.
func (g *gen) sel(cond, a, b int) int {
	dst := g.reg()
	g.emit(prog.Instr{Op: prog.OpMove, A: dst, B: a})
	skip := g.branchFalse(cond)
	g.emit(prog.Instr{Op: prog.OpMove, A: dst, B: b})
	g.patch([]int{skip}, g.here())
	return dst
}

func minMax(t prog.Type) (uint64, uint64) {
	if t.Signed {
		return t.Wrap(1 << (t.Bits - 1)), t.Wrap(1<<(t.Bits-1) - 1)
	}
	return 0, t.Wrap(^uint64(0))
}

// overflow computes x op y at type t and a bool register that is set when
// the mathematical result does not fit t.
func (g *gen) overflow(op prog.BinOp, t prog.Type, x, y int, pos source.Pos) (res, over int) {
	zero := g.constant(0, t).reg
	switch op {
	case prog.Add, prog.Sub:
		res = g.bin(op, t, x, y)
		if !t.Signed {
			if op == prog.Add {
				return res, g.bin(prog.Lt, t, res, x)
			}
			return res, g.bin(prog.Lt, t, x, y)
		}
		// Signed: the operands' signs decide, then the result's sign.
		xs := g.bin(prog.Lt, t, x, zero)
		ys := g.bin(prog.Lt, t, y, zero)
		rs := g.bin(prog.Lt, t, res, zero)
		same := g.bin(prog.Eq, prog.Bool, xs, ys)
		if op == prog.Sub {
			same = g.not(same)
		}
		flip := g.bin(prog.Ne, prog.Bool, rs, xs)
		return res, g.bin(prog.And, prog.Bool, same, flip)
	case prog.Mul:
		res = g.bin(prog.Mul, t, x, y)
		nz := g.bin(prog.Ne, t, x, zero)
		// q = res / x when x != 0 (avoid the division by zero).
		one := g.constant(1, t).reg
		safeX := g.sel(g.not(nz), x, one)
		q := g.bin(prog.Div, t, res, safeX)
		bad := g.bin(prog.Ne, t, q, y)
		over = g.bin(prog.And, prog.Bool, nz, bad)
		if t.Signed {
			mn, _ := minMax(t)
			m1 := g.constant(t.Wrap(^uint64(0)), t).reg
			xm1 := g.bin(prog.Eq, t, x, m1)
			ymin := g.bin(prog.Eq, t, y, g.constant(mn, t).reg)
			both := g.bin(prog.And, prog.Bool, xm1, ymin)
			over = g.bin(prog.Or, prog.Bool, over, both)
		}
		return res, over
	case prog.Div, prog.Rem:
		// None on division by zero and on MIN / -1.
		isZero := g.bin(prog.Eq, t, y, zero)
		over = isZero
		if t.Signed {
			mn, _ := minMax(t)
			m1 := g.constant(t.Wrap(^uint64(0)), t).reg
			a := g.bin(prog.Eq, t, x, g.constant(mn, t).reg)
			b := g.bin(prog.Eq, t, y, m1)
			over = g.bin(prog.Or, prog.Bool, over, g.bin(prog.And, prog.Bool, a, b))
		}
		one := g.constant(1, t).reg
		safeY := g.sel(over, y, one)
		return g.bin(op, t, x, safeY), over
	}
	g.errorf(pos, "unsupported operation")
	return 0, 0
}

var checkedOps = map[string]prog.BinOp{"add": prog.Add, "sub": prog.Sub, "mul": prog.Mul, "div": prog.Div, "rem": prog.Rem}

func (g *gen) intMethod(e *methodExpr, recv value, want *ty) value {
	t := recv.t
	if recv.lit && want != nil && want.k == vScalar && want.t.IsInt() && !want.t.Flexible {
		recv = g.coerceScalar(recv, want.t, e.recv.exprPos())
		t = recv.t
	}
	arg := func(i int) value {
		v := g.exprWant(e.args[i], &ty{k: vScalar, t: t})
		if v.k == vPlace {
			v = g.readPlace(v.pl, e.args[i], e.args[i].exprPos())
		}
		if v.k != vScalar {
			g.errorf(e.args[i].exprPos(), "expected %s, found %s", t, v)
		}
		if recv.t.Flexible && !v.t.Flexible {
			recv = g.coerceScalar(recv, v.t, e.p)
			t = v.t
		}
		return g.coerceScalar(v, t, e.args[i].exprPos())
	}
	isInt := t.IsInt()
	name := e.name
	switch {
	case name == "clone" || name == "to_owned" || name == "into":
		g.nargs(e, 0)
		if name == "into" && want != nil && want.k == vScalar && want.t.IsInt() && isInt {
			return g.widen(recv, want.t, e.p)
		}
		return recv
	case name == "min" || name == "max":
		g.nargs(e, 1)
		y := arg(0)
		op := prog.Lt
		if name == "max" {
			op = prog.Gt
		}
		c := g.bin(op, t, y.reg, recv.reg)
		return scalar(g.sel(c, recv.reg, y.reg), t)
	case !isInt:
	case name == "abs" || name == "unsigned_abs" || name == "wrapping_abs":
		g.nargs(e, 0)
		if !t.Signed {
			g.errorf(e.p, "no method abs on %s", t)
		}
		zero := g.constant(0, t)
		neg := g.bin(prog.Lt, t, recv.reg, zero.reg)
		n := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Neg, T: t, A: n, B: recv.reg})
		r := scalar(g.sel(neg, recv.reg, n), t)
		if name == "unsigned_abs" {
			u := prog.IntType(int(t.Bits), false)
			return scalar(g.bin(prog.Add, u, r.reg, g.zero), u)
		}
		return r
	case name == "pow" || name == "wrapping_pow":
		g.nargs(e, 1)
		return g.pow(recv, e.args[0], e.p)
	case strings.HasPrefix(name, "wrapping_"):
		op := strings.TrimPrefix(name, "wrapping_")
		if op == "neg" {
			g.nargs(e, 0)
			r := g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Neg, T: t, A: r, B: recv.reg})
			return scalar(r, t)
		}
		bo, ok := checkedOps[op]
		if op == "shl" || op == "shr" {
			g.nargs(e, 1)
			s := g.exprWant(e.args[0], &ty{k: vScalar, t: prog.U32})
			mask := g.constant(uint64(t.Bits-1), s.t)
			m := g.bin(prog.And, s.t, s.reg, mask.reg)
			bo = prog.Shl
			if op == "shr" {
				bo = prog.Shr
			}
			return scalar(g.bin(bo, t, recv.reg, m), t)
		}
		if !ok {
			break
		}
		g.nargs(e, 1)
		y := arg(0)
		if bo == prog.Div || bo == prog.Rem {
			return scalar(g.bin(bo, t, recv.reg, y.reg), t)
		}
		return scalar(g.bin(bo, t, recv.reg, y.reg), t)
	case strings.HasPrefix(name, "checked_"):
		op := strings.TrimPrefix(name, "checked_")
		if op == "neg" {
			g.nargs(e, 0)
			zero := g.constant(0, t)
			res, over := g.overflow(prog.Sub, t, zero.reg, recv.reg, e.p)
			return value{k: vOption, reg: g.not(over), t: prog.Bool, elems: []value{scalar(res, t)}}
		}
		bo, ok := checkedOps[op]
		if !ok {
			break
		}
		g.nargs(e, 1)
		y := arg(0)
		res, over := g.overflow(bo, t, recv.reg, y.reg, e.p)
		return value{k: vOption, reg: g.not(over), t: prog.Bool, elems: []value{scalar(res, t)}}
	case strings.HasPrefix(name, "saturating_"):
		op := strings.TrimPrefix(name, "saturating_")
		bo, ok := checkedOps[op]
		if !ok || bo == prog.Rem {
			break
		}
		g.nargs(e, 1)
		y := arg(0)
		res, over := g.overflow(bo, t, recv.reg, y.reg, e.p)
		mn, mx := minMax(t)
		// Which bound: unsigned add/mul saturate up, sub down; signed by
		// the sign of the true result.
		var up int
		switch {
		case !t.Signed:
			up = g.constant(b2u(bo != prog.Sub), prog.Bool).reg
		case bo == prog.Mul || bo == prog.Div:
			zero := g.constant(0, t).reg
			xs := g.bin(prog.Lt, t, recv.reg, zero)
			ys := g.bin(prog.Lt, t, y.reg, zero)
			up = g.bin(prog.Eq, prog.Bool, xs, ys)
		default:
			// add overflows up when y > 0; sub when y < 0.
			zero := g.constant(0, t).reg
			if bo == prog.Add {
				up = g.bin(prog.Gt, t, y.reg, zero)
			} else {
				up = g.bin(prog.Lt, t, y.reg, zero)
			}
		}
		bound := g.sel(up, g.constant(mn, t).reg, g.constant(mx, t).reg)
		return scalar(g.sel(over, res, bound), t)
	case name == "signum":
		g.nargs(e, 0)
		zero := g.constant(0, t)
		pos := g.bin(prog.Gt, t, recv.reg, zero.reg)
		neg := g.bin(prog.Lt, t, recv.reg, zero.reg)
		r := g.sel(pos, zero.reg, g.constant(1, t).reg)
		return scalar(g.sel(neg, r, g.constant(t.Wrap(^uint64(0)), t).reg), t)
	case name == "count_ones" || name == "count_zeros":
		g.nargs(e, 0)
		x := recv.reg
		if name == "count_zeros" {
			x = g.reg()
			g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: t, A: x, B: recv.reg})
		}
		return scalar(g.popcount(x, t), prog.U32)
	case name == "is_power_of_two":
		g.nargs(e, 0)
		c := g.popcount(recv.reg, t)
		return scalar(g.bin(prog.Eq, prog.U32, c, g.constant(1, prog.U32).reg), prog.Bool)
	case name == "rem_euclid" || name == "div_euclid":
		if !t.Signed {
			g.nargs(e, 1)
			y := arg(0)
			op := prog.Rem
			if name == "div_euclid" {
				op = prog.Div
			}
			return scalar(g.bin(op, t, recv.reg, y.reg), t)
		}
	}
	g.errorf(e.p, "no method %s on a value of type %s", e.name, t)
	return unit
}

// widen converts x to a wider (or equal) integer type t (From/Into).
func (g *gen) widen(x value, t prog.Type, pos source.Pos) value {
	if x.t.Kind == prog.KindBool {
		return scalar(g.bin(prog.Add, t, x.reg, g.zero), t)
	}
	if !x.t.Flexible && (x.t.Bits > t.Bits || x.t.Signed && !t.Signed || !x.t.Signed && t.Signed && x.t.Bits == t.Bits) {
		g.errorf(pos, "the trait From<%s> is not implemented for %s (use as %s, or try_from)", x.t, t, t)
	}
	return scalar(g.bin(prog.Add, t, x.reg, g.zero), t)
}

// popcount counts the one bits of x at type t (SWAR on its unsigned
// 64-bit image).
func (g *gen) popcount(x int, t prog.Type) int {
	u := prog.IntType(64, false)
	ut := prog.IntType(int(t.Bits), false)
	if t.Kind == prog.KindBool {
		ut = prog.IntType(8, false)
	}
	v := g.bin(prog.Add, ut, x, g.zero) // the bits of the value at its width
	k := func(c uint64) int { return g.constant(c, u).reg }
	sh := func(r int, n uint64) int { return g.bin(prog.Shr, u, r, k(n)) }
	v = g.bin(prog.Sub, u, v, g.bin(prog.And, u, sh(v, 1), k(0x5555555555555555)))
	v = g.bin(prog.Add, u, g.bin(prog.And, u, v, k(0x3333333333333333)), g.bin(prog.And, u, sh(v, 2), k(0x3333333333333333)))
	v = g.bin(prog.And, u, g.bin(prog.Add, u, v, sh(v, 4)), k(0x0f0f0f0f0f0f0f0f))
	v = sh(g.bin(prog.Mul, u, v, k(0x0101010101010101)), 56)
	return g.bin(prog.Add, prog.U32, v, g.zero)
}

// pow raises x to a u32 power, wrapping (square and multiply over the
// exponent's bits; unrolled when the exponent is a constant).
func (g *gen) pow(x value, expE expr, pos source.Pos) value {
	t := x.t
	if cv, ok := g.c.constEval(expE, true); ok && !cv.isOrd && cv.t.IsInt() {
		r := g.constant(1, t).reg
		for i := uint64(0); i < cv.v && i < 1024; i++ {
			r = g.bin(prog.Mul, t, r, x.reg)
		}
		return scalar(r, t)
	}
	ev := g.coerceValue(g.exprWant(expE, &ty{k: vScalar, t: prog.U32}), prog.U32, expE.exprPos())
	r := g.constant(1, t).reg
	b := g.copyValue(scalar(x.reg, t)).reg
	one := g.constant(1, prog.U32).reg
	e := g.copyValue(ev).reg
	for i := 0; i < 32; i++ {
		bit := g.bin(prog.And, prog.U32, e, one)
		skip := g.branchFalse(bit)
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Mul, T: t, A: r, B: r, C: b})
		g.patch([]int{skip}, g.here())
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Mul, T: t, A: b, B: b, C: b})
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Shr, T: prog.U32, A: e, B: e, C: one})
	}
	return scalar(r, t)
}

// Calls.

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
	"spin_loop": true, "yield_now": true, "spin_loop_hint": true, "sleep": true, "park": true,
}

func (g *gen) call(e *callExpr, want *ty) value {
	if id, ok := e.fn.(*identExpr); ok {
		if l := g.use(id.name); l != nil {
			if l.v.k != vClosure {
				g.errorf(e.p, "%s is not a function", id.name)
			}
			var args []value
			for _, a := range e.args {
				args = append(args, g.expr(a))
			}
			return g.callClosure(l.v.cl, args, e.p, want)
		}
	}
	name, ok := pathName(e.fn)
	if !ok {
		g.errorf(e.p, "only named functions can be called")
	}
	segs := g.c.resolvePath(strings.Split(name, "::"))
	last := segs[len(segs)-1]
	full := strings.Join(segs, "::")
	owner := ""
	if len(segs) >= 2 {
		owner = g.c.typeName(segs[len(segs)-2])
	}
	if noOps[last] && (len(segs) == 1 || owner == "hint" || owner == "thread" || owner == "atomic") {
		if last == "park" {
			g.errorf(e.p, "%s is not modelled (park/unpark); use a spin loop on a flag", full)
		}
		// sleep: every interleaving is explored anyway, so a delay
		// changes nothing.
		return unit
	}
	switch {
	case last == "fence" && (len(segs) == 1 || owner == "atomic"):
		if len(e.args) != 1 {
			g.errorf(e.p, "fence takes one ordering")
		}
		ord := g.ordering(e.args[0])
		if ord == prog.Relaxed {
			g.errorf(e.args[0].exprPos(), "there is no such thing as a relaxed fence (Rust panics)")
		}
		g.emit(prog.Instr{Op: prog.OpFence, Ord: ord, Atomic: true, Pos: e.p, Text: fmt.Sprintf("fence(%s)", ord)})
		return unit
	case last == "compiler_fence":
		g.errorf(e.p, "compiler_fence orders only against signal handlers and is not modelled; use fence")
	case last == "drop" && (len(segs) == 1 || owner == "mem"):
		if len(e.args) != 1 {
			g.errorf(e.p, "drop takes one argument")
		}
		v := g.expr(e.args[0])
		if v.k == vGuard && v.gd.held {
			if v.gd.depth >= 0 && v.gd.depth != len(g.scopes)-1 {
				g.errorf(e.p, "dropping a guard inside a nested block is not supported; drop it at the level where it was taken, or use a block around the guard")
			}
			g.unlock(v.gd, e.p)
			v.gd.held = false
		}
		return unit
	case last == "black_box" || last == "identity":
		if len(e.args) != 1 {
			g.errorf(e.p, "%s takes one argument", last)
		}
		return g.exprWant(e.args[0], want)
	case (last == "min" || last == "max") && (len(segs) == 1 || owner == "cmp") && len(e.args) == 2:
		x := g.expr(e.args[0])
		m := &methodExpr{recv: e.args[0], name: last, args: e.args[1:], p: e.p, end: e.end}
		return g.intMethod(m, x, want)
	case last == "Some" && len(segs) <= 2:
		if len(e.args) != 1 {
			g.errorf(e.p, "Some takes one value")
		}
		var w *ty
		if want != nil && want.k == vOption {
			w = want.elems[0]
		}
		return g.some(g.exprWant(e.args[0], w))
	case (last == "Ok" || last == "Err") && len(segs) <= 2:
		// Ok(v) / Err(v), compared with a compare_exchange's Result.
		if len(e.args) != 1 {
			g.errorf(e.p, "%s takes one value", last)
		}
		var w *ty
		if want != nil && want.k == vResult {
			w = &ty{k: vScalar, t: want.t}
		}
		x := g.exprWant(e.args[0], w)
		if x.k != vScalar {
			g.errorf(e.args[0].exprPos(), "only a Result of an integer or bool (as compare_exchange returns) is supported, found %s", x)
		}
		res := value{k: vResult, reg: g.reg(), t: x.t}
		g.reg()
		g.emit(prog.Instr{Op: prog.OpMove, A: res.reg, B: x.reg})
		g.emit(prog.Instr{Op: prog.OpConst, A: res.reg + 1, Imm: b2u(last == "Ok"), T: prog.Bool})
		return res
	case (last == "from" || last == "try_from") && owner != "":
		if t, ok := intTypes[owner]; ok {
			if len(e.args) != 1 {
				g.errorf(e.p, "%s takes one argument", full)
			}
			x := g.expr(e.args[0])
			if x.k != vScalar {
				g.errorf(e.args[0].exprPos(), "cannot convert %s to %s", x, t)
			}
			if last == "from" {
				return g.widen(x, t, e.p)
			}
			// try_from: Ok when the value fits.
			r := g.bin(prog.Add, t, x.reg, g.zero)
			back := g.bin(prog.Add, x.t, r, g.zero)
			same := g.bin(prog.Eq, x.t, back, x.reg)
			if x.t.Signed != t.Signed && !x.t.Flexible {
				// The sign must survive too.
				zero := g.constant(0, x.t).reg
				neg := g.bin(prog.Lt, x.t, x.reg, zero)
				negT := g.bin(prog.Lt, t, r, g.constant(0, t).reg)
				same = g.bin(prog.And, prog.Bool, same, g.bin(prog.Eq, prog.Bool, neg, negT))
			}
			res := value{k: vResult, reg: g.reg(), t: t}
			g.reg()
			g.emit(prog.Instr{Op: prog.OpMove, A: res.reg, B: r})
			g.emit(prog.Instr{Op: prog.OpMove, A: res.reg + 1, B: same})
			return res
		}
	case last == "new" && owner != "" && isWrapper(owner):
		g.errorf(e.p, "%s::new allocates shared memory: declare it as a static, or allocate it in main before the threads start", owner)
	case last == "spawn" || last == "scope":
		g.errorf(e.p, "threads are started by fn main (thread::spawn, thread::scope) or written as thread blocks; a thread cannot start threads")
	}
	if st := g.c.structs[g.c.typeName(last)]; st != nil && st.tuple {
		return g.tupleStruct(st, e)
	}
	key := last
	if owner != "" && g.c.fns[owner+"::"+last] != nil {
		key = owner + "::" + last
	}
	fn, ok := g.c.fns[key]
	if !ok {
		if why := unsupportedType(&typeExpr{kind: tyPath, name: owner}); owner != "" && why != "" {
			g.errorf(e.p, "%s", why)
		}
		if kind := g.c.others[owner]; kind != "" {
			g.errorf(e.p, "%s is an %s, which is not supported (use integer constants)", owner, kind)
		}
		if owner != "" {
			g.errorf(e.p, "cannot find function %s", full)
		}
		g.errorf(e.p, "cannot find function %s", name)
	}
	var self *value
	args := e.args
	if fn.self {
		// Type::method(&x, ...): the first argument is self.
		if len(args) == 0 {
			g.errorf(e.p, "%s takes self as its first argument", key)
		}
		v := g.expr(args[0])
		self = &v
		args = args[1:]
	}
	return g.inline(fn, args, self, e.p, e.end)
}

func (g *gen) tupleStruct(st *structItem, e *callExpr) value {
	fts, plain := g.plainStruct(st)
	if !plain {
		g.errorf(e.p, "a struct of atomics is shared memory: declare it as a static")
	}
	if len(e.args) != len(fts) {
		g.errorf(e.p, "%s takes %d fields, found %d", st.name, len(fts), len(e.args))
	}
	v := value{k: vStruct, sname: st.name}
	for i, a := range e.args {
		v.elems = append(v.elems, g.copyValue(g.coerce(g.exprWant(a, fts[i]), fts[i], a.exprPos())))
	}
	return v
}

// inline compiles a call of fn in place: arguments are evaluated in the
// caller's scope, then the body runs in a scope of its own where a return
// jumps to its end.
func (g *gen) inline(fn *fnItem, argExprs []expr, self *value, pos source.Pos, end int) value {
	key := fn.name
	if fn.recv != "" {
		key = fn.recv + "::" + fn.name
	}
	for _, f := range g.fns {
		if f.name == key {
			g.errorf(pos, "recursive call of %s: recursion is not supported", key)
		}
	}
	if fn.generic {
		g.errorf(fn.p, "generic functions are not supported; write the types out (%s)", key)
	}
	if len(argExprs) != len(fn.params) {
		g.errorf(pos, "%s takes %d arguments, found %d", key, len(fn.params), len(argExprs))
	}
	if fn.self && self == nil {
		g.errorf(pos, "%s is a method; call it as x.%s(...)", key, fn.name)
	}
	saveSelf := g.c.selfType
	g.c.selfType = fn.recv
	defer func() { g.c.selfType = saveSelf }()
	var args []value
	for i, a := range argExprs {
		pt := g.typeOf(fn.params[i].typ)
		v := g.exprWant(a, pt)
		if pt != nil && pt.k == vPlace {
			if v.k != vPlace {
				g.errorf(a.exprPos(), "%s expects a reference to shared memory (&X), found %s", key, v)
			}
		} else {
			v = g.coerce(v, pt, a.exprPos())
			v = g.copyValue(v)
		}
		args = append(args, v)
	}
	ret := g.typeOf(fn.ret)
	if ret == nil {
		ret = &ty{k: vUnit}
	}
	if ret.k == vPlace || ret.k == vGuard {
		g.errorf(fn.ret.p, "returning references is not supported; pass the reference in, or return an index")
	}
	f := &fnCtx{name: key, ret: ret, loops: len(g.loops), result: unit}
	if ret.k != vUnit && ret.k != vNever {
		f.result = g.alloc(ret)
	}
	// A function body sees only its parameters and the globals.
	saved := g.scopes
	savedTemps := g.temps
	g.scopes = nil
	g.temps = nil
	g.push()
	f.depth = len(g.scopes)
	if self != nil {
		g.bind("self", *self, false)
	}
	for i, p := range fn.params {
		if p.pat != nil && !(p.pat.kind == pBind && p.pat.sub == nil) {
			g.matchPat(p.pat, args[i], new([]int), nil)
		} else {
			g.bind(p.name, args[i], p.pat != nil && p.pat.mut)
		}
	}
	g.fns = append(g.fns, f)
	nerr := len(*g.c.errs)
	broken := fn.broken
	func() {
		defer func() {
			g.fns = g.fns[:len(g.fns)-1]
			g.scopes = saved
			g.temps = savedTemps
		}()
		if broken {
			g.c.lenient++
			defer func() { g.c.lenient-- }()
		}
		v := g.block(fn.body, ret)
		if v.k != vNever && ret.k != vUnit && !broken {
			g.safe(func() {
				if v.k == vUnit {
					g.errorf(fn.body.end, "mismatched types: %s returns %s, but its body ends without a value", key, ret)
				}
				g.move(f.result, g.coerce(v, ret, fn.body.end))
			})
		}
	}()
	g.patch(f.returns, g.here())
	if len(*g.c.errs) > nerr && !broken {
		// Errors inside the function were reported there.
		panic(genBail{})
	}
	return f.result
}

// callClosure inlines a closure with the given arguments.
func (g *gen) callClosure(cl *closureVal, args []value, pos source.Pos, want *ty) value {
	if len(args) != len(cl.e.params) {
		g.errorf(pos, "the closure takes %d arguments, found %d", len(cl.e.params), len(args))
	}
	for _, f := range g.fns {
		if f.name == fmt.Sprintf("closure@%p", cl.e) {
			g.errorf(pos, "a closure calling itself is not supported")
		}
	}
	saved := g.scopes
	g.scopes = append(append([]*scope(nil), cl.scope...), &scope{vars: map[string]*local{}})
	f := &fnCtx{name: fmt.Sprintf("closure@%p", cl.e), ret: want, loops: len(g.loops), depth: len(g.scopes), result: unit}
	if want != nil && want.k != vUnit {
		f.result = g.alloc(want)
	}
	g.fns = append(g.fns, f)
	var v value
	func() {
		defer func() {
			g.fns = g.fns[:len(g.fns)-1]
			g.scopes = saved
		}()
		for i, p := range cl.e.params {
			a := args[i]
			if p.typ != nil {
				a = g.coerce(a, g.typeOf(p.typ), pos)
			}
			g.matchPat(p, a, new([]int), nil)
		}
		v = g.exprWant(cl.e.body, want)
		if f.ret == nil && len(f.returns) > 0 {
			g.errorf(pos, "return in a closure needs the closure's value type to be known")
		}
		if v.k != vNever && f.result.k != vUnit {
			g.move(f.result, g.coerce(v, f.result.typ(), cl.e.body.exprPos()))
			v = f.result
		}
	}()
	g.patch(f.returns, g.here())
	if len(f.returns) > 0 {
		return f.result
	}
	return v
}

func (g *gen) macro(e *macroExpr, want *ty) value {
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
		x := g.operand(e.args[0], nil)
		y := g.operand(e.args[1], x.typ())
		if x.k == vScalar && x.t.Flexible && y.k == vScalar && !y.t.Flexible {
			x = g.coerceScalar(x, y.t, e.args[0].exprPos())
		}
		c := g.binop(op, x, y, e.p)
		g.emit(prog.Instr{Op: prog.OpAssert, A: c.reg, Msg: "assertion failed: " + text, Pos: e.p, Text: text})
		return unit
	case "panic", "unreachable", "todo", "unimplemented":
		msg := "panicked: " + text
		if e.name == "unreachable" {
			msg = "internal error: entered unreachable code: " + text
		}
		g.emit(prog.Instr{Op: prog.OpPanic, Msg: msg, Pos: e.p, Text: text})
		return never
	case "println", "print", "eprintln", "eprint", "dbg", "debug_assert_matches":
		return unit
	case "matches":
		x := g.expr(e.args[0])
		r := g.constant(0, prog.Bool)
		g.push()
		var fail []int
		g.matchPat(e.pat, x, &fail, nil)
		if e.guard != nil {
			c := g.boolean(e.guard)
			fail = append(fail, g.branchFalse(c.reg))
		}
		g.emit(prog.Instr{Op: prog.OpConst, A: r.reg, Imm: 1, T: prog.Bool})
		g.scopes = g.scopes[:len(g.scopes)-1]
		g.patch(fail, g.here())
		return r
	case "vec":
		g.errorf(e.p, "a Vec allocates at run time: use an array in shared memory (or, in main, collect the thread handles)")
	case "format", "write", "writeln", "format_args":
		g.errorf(e.p, "%s! is not supported", e.name)
	}
	g.errorf(e.p, "unsupported macro %s!", e.name)
	return unit
}

// operand evaluates an operand of a comparison: shared memory reached
// through a reference is read (assert_eq!(*g, 2)).
func (g *gen) operand(e expr, want *ty) value {
	v := g.exprWant(e, want)
	if v.k == vPlace {
		return g.readPlace(v.pl, e, e.exprPos())
	}
	if v.k == vGuard {
		pl := *v.gd.mutex
		pl.data = true
		return g.readPlace(&pl, e, e.exprPos())
	}
	return v
}

// handleMethod: join on a thread handle (in main after the threads, or in
// a final block).
func (g *gen) handleMethod(e *methodExpr, h value) value {
	switch e.name {
	case "join":
		g.nargs(e, 0)
		return g.join(h.h, e.p)
	case "is_finished":
		g.errorf(e.p, "is_finished is not supported; join the thread")
	case "thread":
		g.errorf(e.p, "thread handles' names and ids are not supported")
	}
	g.errorf(e.p, "no method %s on a JoinHandle (use join())", e.name)
	return unit
}

// join reads a finished thread's value into this code's registers.
func (g *gen) join(h *handleVal, pos source.Pos) value {
	if !g.final {
		g.errorf(pos, "join is only supported in main after its threads are started (or in a final block)")
	}
	if h.result.k == vPoison {
		// The thread's code had an error (reported there): its value is
		// unknown, and what uses it reports nothing more.
		g.emit(prog.Instr{Op: prog.OpJoin, Imm: uint64(h.thread), A: g.reg(), B: -1, Pos: pos, Text: h.name + ".join()"})
		return value{k: vJoined, elems: []value{{k: vPoison}}}
	}
	src := regsOf(h.result)
	dst := g.alloc(h.result.typ())
	out := regsOf(dst)
	if len(src) == 0 {
		g.emit(prog.Instr{Op: prog.OpJoin, Imm: uint64(h.thread), A: g.reg(), B: -1, Pos: pos, Text: h.name + ".join()"})
	}
	for i := range src {
		g.emit(prog.Instr{Op: prog.OpJoin, Imm: uint64(h.thread), A: out[i], B: src[i], Pos: pos, Text: h.name + ".join()"})
	}
	if h.result.k == vUnit || h.result.k == vNever {
		dst = unit
	}
	return value{k: vJoined, elems: []value{dst}}
}

// regsOf lists a value's registers in order.
func regsOf(v value) []int {
	switch v.k {
	case vScalar:
		return []int{v.reg}
	case vResult:
		return []int{v.reg, v.reg + 1}
	case vOption:
		return append([]int{v.reg}, regsOf(v.elems[0])...)
	case vTuple, vStruct:
		var out []int
		for _, e := range v.elems {
			out = append(out, regsOf(e)...)
		}
		return out
	}
	return nil
}

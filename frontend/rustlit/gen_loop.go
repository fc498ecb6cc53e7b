package rustlit

import (
	"happens/prog"
	"happens/source"
)

// Loops. while and loop carry loop markers (OpLoopEnter, OpLoopBack,
// OpLoopExit) so that the interpreter can spot spinning and bound
// unrolling. A for loop over a range always ends, so it has no markers and
// no unroll bound: it is a counted loop of one fixed shape, which the
// printer recognises to print it back:
//
//	     i = first; e = limit; s = step
//	     c = i CMP e; if !c goto exit        CMP: < (a..b), <= (a..=b), >= (reversed)
//	head: x = i
//	     body
//	next: d = e - i (or i - e); if !(s < d) goto exit   (s <= d for ..= and reversed)
//	     i = i + s (or i - s); goto head
//	exit:
//
// The distance test, computed as a u64 difference, never overflows, so a
// range ending at the type's maximum (0..=u8::MAX) ends as Rust's does.

// loop emits a loop with markers: cond (may be nil) appends jumps to the
// exit, body follows.
func (g *gen) loop(pos source.Pos, label string, isLoop bool, cond func(exit *[]int), body func()) *loopCtx {
	g.c.loopID++
	id := g.c.loopID
	l := &loopCtx{id: id, label: label, depth: len(g.scopes), isLoop: isLoop}
	g.emit(prog.Instr{Op: prog.OpLoopEnter, Imm: id, A: g.nregs, Pos: pos})
	head := g.here()
	var exits []int
	g.loops = append(g.loops, l)
	g.inLoop++
	func() {
		defer func() {
			g.inLoop--
			g.loops = g.loops[:len(g.loops)-1]
		}()
		if cond != nil {
			cond(&exits)
		}
		g.safe(body)
	}()
	back := g.emit(prog.Instr{Op: prog.OpLoopBack, Imm: id, Target: head, Pos: pos})
	g.patch(l.continues, back)
	exit := g.emit(prog.Instr{Op: prog.OpLoopExit, Imm: id})
	g.patch(exits, exit)
	g.patch(l.breaks, exit)
	return l
}

func (g *gen) while(e *whileExpr) value {
	g.loop(e.p, e.label, false, func(exit *[]int) {
		g.push()
		if e.pat != nil {
			g.matchPat(e.pat, g.expr(e.cond), exit, nil)
		} else {
			c := g.boolean(e.cond)
			*exit = append(*exit, g.branchFalse(c.reg))
		}
	}, func() {
		defer g.pop(e.body.end)
		g.block(e.body, nil)
	})
	return unit
}

func (g *gen) loopExpr(e *loopExpr, want *ty) value {
	// A break value's register is allocated before the loop, among the
	// registers its spin check compares: it is written only on the way
	// out, so it never makes two iterations differ, and a printed
	// `let v; loop { ... }` means the same. Its type, when the context
	// does not give it, comes from compiling the loop once on trial.
	var res *value
	if hasBreakValue(e) {
		t := want
		if t == nil || t.k == vUnit {
			t = g.trialBreakType(e)
		}
		if t != nil && t.k != vUnit && t.k != vNever {
			r := g.alloc(t)
			res = &r
		}
	}
	l := g.loop(e.p, e.label, true, func(*[]int) {
		l := g.loops[len(g.loops)-1]
		l.want, l.result = want, res
	}, func() { g.block(e.body, nil) })
	if l.result != nil {
		return *l.result
	}
	if len(l.breaks) == 0 {
		return never
	}
	return unit
}

// handleList resolves an iterable that is a list of thread handles.
func (g *gen) handleList(e expr) ([]*handleVal, bool) {
	switch x := e.(type) {
	case *identExpr:
		if l := g.use(x.name); l != nil && l.v.k == vHandles {
			return l.v.hs, true
		}
	case *methodExpr:
		switch x.name {
		case "into_iter", "iter", "drain", "iter_mut":
			return g.handleList(x.recv)
		}
	case *unaryExpr:
		if x.op == "&" {
			return g.handleList(x.x)
		}
	}
	return nil, false
}

// forHandles unrolls a loop over thread handles (for h in handles {
// h.join().unwrap(); }): one copy of the body per thread.
func (g *gen) forHandles(e *forExpr, hs []*handleVal) value {
	l := &loopCtx{label: e.label, depth: len(g.scopes), block: false}
	g.loops = append(g.loops, l)
	defer func() { g.loops = g.loops[:len(g.loops)-1] }()
	for _, h := range hs {
		g.push()
		g.matchPat(e.pat, value{k: vHandle, h: h}, new([]int), nil)
		g.safe(func() { g.block(e.body, nil) })
		g.pop(e.body.end)
		g.patch(l.continues, g.here())
		l.continues = nil
	}
	g.patch(l.breaks, g.here())
	return unit
}

// hasBreakValue reports whether a loop breaks out of itself with a value.
func hasBreakValue(e *loopExpr) bool {
	found := false
	walkExpr(e.body, func(x expr, d int) bool {
		switch x := x.(type) {
		case *breakExpr:
			if x.x != nil && (x.label == "" && d == 1 || x.label != "" && x.label == e.label) {
				found = true
			}
		case *closureExpr:
			return false
		}
		return true
	}, 1)
	return found
}

// trialBreakType compiles a loop without keeping anything, to learn the
// type of its break value.
func (g *gen) trialBreakType(e *loopExpr) (t *ty) {
	code, nregs, locals, temps := len(g.code), g.nregs, len(g.locals), g.temps
	loopID, nvars, nlocs := g.c.loopID, len(g.c.p.Vars), len(g.c.p.Locs)
	g.c.quiet++
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(genBail); !ok {
				panic(r)
			}
		}
		g.c.quiet--
		g.code, g.nregs, g.locals, g.temps = g.code[:code], nregs, g.locals[:locals], temps
		g.c.loopID, g.c.p.Vars, g.c.p.Locs = loopID, g.c.p.Vars[:nvars], g.c.p.Locs[:nlocs]
	}()
	l := g.loop(e.p, e.label, true, nil, func() { g.block(e.body, nil) })
	if l.result != nil {
		t = l.result.typ()
	}
	return t
}

// iterable is what a for loop walks: a range of integers, or the
// elements of an array in shared memory.
func (g *gen) forExpr(e *forExpr) value {
	if hs, ok := g.handleList(e.iter); ok {
		return g.forHandles(e, hs)
	}
	it := g.iterOf(e.iter)
	r := it.rng
	if r == nil {
		g.errorf(e.iter.exprPos(), "a for loop walks a range (a..b, a..=b, with .rev() and .step_by(k)) or an array's elements (A.iter())")
	}
	if r.hi.k == vUnit {
		g.errorf(e.iter.exprPos(), "an unbounded range never ends; write a loop with a break")
	}
	t := r.elemT
	exit := []int{}
	first, limit := r.lo, r.hi
	desc := r.rev
	incl := r.incl
	var step value
	if r.step != nil {
		step = g.coerceScalar(*r.step, prog.IntType(64, false), r.p)
		nz := g.binop(prog.Ne, step, g.constant(0, prog.IntType(64, false)), r.p)
		g.panicIfFalse(nz.reg, "panicked: assertion failed: step != 0", r.p)
	} else {
		step = g.constant(1, prog.IntType(64, false))
	}
	if desc {
		// The reversed sequence starts at its last element: hi (..=) or
		// hi-1 (..) for step 1, lo + ((hi-lo)/s)*s when stepped before
		// reversing. An empty range skips the loop.
		if !incl || r.stepFirst {
			// (lo..=hi).rev() needs no test of its own: the loop's
			// first (hi >= lo) is the same, and printing the loop back
			// gives the same code.
			cmp := prog.Lt
			if incl {
				cmp = prog.Le
			}
			ne := g.binop(cmp, first, limit, r.p)
			exit = append(exit, g.branchFalse(ne.reg))
		}
		last := limit
		if !incl {
			last = g.binop(prog.Sub, limit, g.constant(1, t), r.p)
		}
		if r.stepFirst {
			u := prog.IntType(64, false)
			d := scalar(g.reg(), u)
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Sub, T: u, A: d.reg, B: last.reg, C: first.reg})
			q := scalar(g.reg(), u)
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Div, T: u, A: q.reg, B: d.reg, C: step.reg})
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Mul, T: u, A: q.reg, B: q.reg, C: step.reg})
			l2 := scalar(g.reg(), t)
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: l2.reg, B: first.reg, C: q.reg})
			last = l2
		}
		first, limit, incl = last, first, true
	}
	i := g.copyValue(first)
	i.t = t
	end := g.copyValue(limit)
	s := g.copyValue(step)
	var cmp prog.BinOp
	switch {
	case !desc && !incl:
		cmp = prog.Lt
	case !desc:
		cmp = prog.Le
	default:
		cmp = prog.Ge
	}
	c0 := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: cmp, T: t, A: c0, B: i.reg, C: end.reg, Pos: e.p})
	exit = append(exit, g.branchFalse(c0))
	head := g.here()
	l := &loopCtx{label: e.label, depth: len(g.scopes)}
	g.loops = append(g.loops, l)
	g.inLoop++
	func() {
		defer func() {
			g.inLoop--
			g.loops = g.loops[:len(g.loops)-1]
		}()
		g.push()
		x := scalar(g.reg(), t)
		g.emit(prog.Instr{Op: prog.OpMove, A: x.reg, B: i.reg})
		if it.elems != nil {
			pl := *it.elems
			pl.idx = &x
			pl.cidx = -1
			g.matchPat(e.pat, value{k: vPlace, pl: &pl}, new([]int), nil)
		} else {
			var fail []int
			if !irrefutable(e.pat, x) {
				g.errorf(e.pat.p, "refutable pattern in for loop")
			}
			g.matchPat(e.pat, x, &fail, nil)
		}
		g.safe(func() { g.block(e.body, nil) })
		g.pop(e.body.end)
	}()
	next := g.here()
	u := prog.IntType(64, false)
	d := g.reg()
	if desc {
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Sub, T: u, A: d, B: i.reg, C: end.reg})
	} else {
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Sub, T: u, A: d, B: end.reg, C: i.reg})
	}
	c2 := g.reg()
	op := prog.Lt
	if incl {
		op = prog.Le
	}
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: op, T: u, A: c2, B: s.reg, C: d})
	exit = append(exit, g.branchFalse(c2))
	adv := prog.Add
	if desc {
		adv = prog.Sub
	}
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: adv, T: t, A: i.reg, B: i.reg, C: s.reg})
	g.emit(prog.Instr{Op: prog.OpJump, Target: head})
	g.patch(exit, g.here())
	g.patch(l.continues, next)
	g.patch(l.breaks, g.here())
	return unit
}

// iterOf resolves a for loop's iterable.
type iterable struct {
	rng   *rangeVal
	elems *place // iterating an array's elements: the array
}

func (g *gen) iterOf(e expr) iterable {
	switch x := e.(type) {
	case *methodExpr:
		switch x.name {
		case "rev", "step_by", "into_iter", "iter":
			if x.name == "iter" || x.name == "into_iter" {
				if pl, ok := g.placeOf(x.recv); ok {
					return g.arrayIter(pl, x.p)
				}
				if x.name == "into_iter" {
					return g.iterOf(x.recv)
				}
				break
			}
			it := g.iterOf(x.recv)
			if it.rng == nil {
				break
			}
			r := *it.rng
			if x.name == "rev" {
				if len(x.args) != 0 {
					g.errorf(x.p, "rev takes no arguments")
				}
				if r.hi.k == vUnit {
					g.errorf(x.p, "an unbounded range cannot be reversed")
				}
				if r.rev {
					g.errorf(x.p, "rev of rev is not supported")
				}
				r.rev = true
				if r.step != nil {
					r.stepFirst = true
				}
			} else {
				if len(x.args) != 1 {
					g.errorf(x.p, "step_by takes one argument")
				}
				if r.step != nil {
					g.errorf(x.p, "step_by twice is not supported")
				}
				s := g.exprWant(x.args[0], &ty{k: vScalar, t: prog.IntType(64, false)})
				if s.k != vScalar || !s.t.IsInt() {
					g.errorf(x.args[0].exprPos(), "step_by takes a usize")
				}
				s = g.coerceScalar(s, prog.IntType(64, false), x.args[0].exprPos())
				r.step = &s
			}
			return iterable{rng: &r, elems: it.elems}
		}
	case *unaryExpr:
		if x.op == "&" {
			if pl, ok := g.placeOf(x.x); ok {
				return g.arrayIter(pl, x.p)
			}
		}
	case *rangeExpr:
		v := g.rangeValue(x)
		return iterable{rng: v.rng}
	case *identExpr:
		if l := g.lookup(x.name); l != nil && l.v.k == vRange {
			return iterable{rng: l.v.rng}
		}
		if pl, ok := g.placeOf(x); ok {
			return g.arrayIter(pl, x.p)
		}
	}
	v := g.expr(e)
	if v.k == vRange {
		return iterable{rng: v.rng}
	}
	return iterable{}
}

// arrayIter walks the elements of an array in shared memory.
func (g *gen) arrayIter(pl *place, pos source.Pos) iterable {
	n := g.arrayLenOf(pl)
	if n == 0 {
		g.errorf(pos, "%s is not an array", g.placeName(pl))
	}
	u := prog.IntType(64, false)
	r := &rangeVal{lo: g.constant(0, u), hi: g.constant(uint64(n), u), elemT: u, p: pos}
	return iterable{rng: r, elems: pl}
}

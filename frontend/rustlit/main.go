package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

// Whole programs: fn main, #[test] functions and loom models.
//
// main's statements are read in order, in phases:
//
//   - setup, before the first thread starts: lets of shared objects
//     (Arc::new(AtomicUsize::new(0)), arrays, structs, Mutexes), of
//     constants and of clones of those (Arc::clone(&x), x.clone(), &x),
//     and empty handle vectors (vec![], Vec::new()); each object is one
//     shared object named after its variable, with its value as the
//     initial value;
//   - threads: thread::spawn(closure), s.spawn(closure) in
//     thread::scope(|s| { ... }), handles.push(spawn), a family
//     (0..N).map(|i| { ...; spawn }).collect() or a for loop of spawns;
//     each closure is a thread, named after its handle (h, handles[0]) or
//     t0, t1, ...;
//   - main's own code between its spawns and its first join: a thread
//     named main;
//   - from the first join (h.join(), for h in handles { ... }, the end of
//     a thread::scope) on: the program's Final code, which runs once
//     every thread has finished, with join's happens-before; join()
//     returns the thread's value.
//
// What does not fit (a spawn after main's own code or after a join, code
// before the first spawn that is not a declaration) is a positioned
// error that says what to write instead.

type phase uint8

const (
	phSetup  phase = iota // before the first spawn
	phSpawn               // threads are being started
	phMain                // main's own code runs concurrently
	phJoined              // the first join was seen: the rest is Final
)

type envEntry struct {
	name   string
	obj    *object
	cv     *cval
	h      *handleVal
	hs     []*handleVal // a handle vector (appendable while spawning)
	isHs   bool
	mut    bool
	poison bool
	// cell: a let mut local of main that a thread's closure borrows: a
	// plain shared variable (obj), read and written in place.
	cell bool
	pos  source.Pos
}

type lowering struct {
	c *compiler
	// all is main's statements (and tail), for inferring the types of
	// cells from their uses.
	all   []stmt
	env   []*envEntry // in declaration order; later entries shadow
	phase phase
	// mainCode is main's own code between the spawns and the joins;
	// final the code from the first join on.
	mainCode []stmt
	final    []stmt
	tail     expr
	finalEnd source.Pos
	unnamed  int
	scopes   []string // names of thread::scope parameters in force
	// scoped are the threads started in scopes, joined at their end.
	scoped    []*handleVal
	threads   []*handleVal
	joined    map[int]bool
	scopedAll map[*handleVal]bool
}

func (l *lowering) lookup(name string) *envEntry {
	for i := len(l.env) - 1; i >= 0; i-- {
		if l.env[i].name == name {
			return l.env[i]
		}
	}
	return nil
}

func (l *lowering) bindings() []setupBinding {
	var out []setupBinding
	for _, e := range l.env {
		out = append(out, setupBinding{name: e.name, obj: e.obj, cv: e.cv, h: e.h, hs: e.hs, isHs: e.isHs, mut: e.mut, poison: e.poison, cell: e.cell, pos: e.pos})
	}
	return out
}

// main compiles a program from its fn main.
func (c *compiler) main(fn *fnItem, h *hoisted) {
	body := fn.body
	if fn.broken {
		c.lenient++
		defer func() { c.lenient-- }()
	}
	for _, s := range body.stmts {
		if _, ok := s.(*markStmt); ok {
			// Book notation inside fn main (as mdBook wraps the book's
			// snippets).
			c.book(body.stmts, nil)
			return
		}
	}
	stmts, tail, end := body.stmts, body.tail, body.end
	// loom::model(|| { ... }): the closure is the program.
	if m := modelClosure(stmts, tail); m != nil {
		if b, ok := m.body.(*blockExpr); ok {
			stmts, tail, end = b.stmts, b.tail, b.end
		} else {
			stmts, tail = nil, m.body
		}
	}
	if !hasSpawn(stmts, tail) {
		// No threads: main alone runs the statements.
		g := newGen(c, "main")
		v := g.body(stmts, tail, end)
		t := c.addThread(g.thread("main", fn.p))
		c.results[t] = v
		return
	}
	l := &lowering{c: c, joined: map[int]bool{}, finalEnd: end, scopedAll: map[*handleVal]bool{}}
	l.all = stmts
	if tail != nil {
		l.all = append(append([]stmt(nil), stmts...), &exprStmt{x: tail, p: tail.exprPos()})
	}
	l.block(stmts, tail)
	l.finish(fn.p)
}

// modelClosure finds loom::model(|| { ... }) as the only statement.
func modelClosure(stmts []stmt, tail expr) *closureExpr {
	var x expr
	n := 0
	for _, s := range stmts {
		switch s := s.(type) {
		case *itemStmt:
		case *exprStmt:
			x = s.x
			n++
		default:
			n += 2
		}
	}
	if tail != nil {
		x = tail
		n++
	}
	if n != 1 {
		return nil
	}
	ce, ok := x.(*callExpr)
	if !ok || len(ce.args) != 1 {
		return nil
	}
	name, _ := pathName(ce.fn)
	if name != "loom::model" && name != "model" && !strings.HasSuffix(name, "::model") {
		return nil
	}
	cl, _ := ce.args[0].(*closureExpr)
	return cl
}

// isSpawnCall reports whether e starts a thread: thread::spawn(f),
// s.spawn(f) on a scope, thread::Builder::new().spawn(f).
func isSpawnCall(e expr) (*closureExpr, expr, bool) {
	switch x := e.(type) {
	case *callExpr:
		if name, ok := pathName(x.fn); ok && (name == "spawn" || strings.HasSuffix(name, "thread::spawn")) && len(x.args) == 1 {
			cl, _ := x.args[0].(*closureExpr)
			return cl, x.args[0], true
		}
	case *methodExpr:
		switch x.name {
		case "spawn":
			if len(x.args) == 1 {
				cl, _ := x.args[0].(*closureExpr)
				return cl, x.args[0], true
			}
		case "unwrap", "expect":
			// Builder::new().spawn(f).unwrap()
			if m, ok := x.recv.(*methodExpr); ok && m.name == "spawn" {
				return isSpawnCall(m)
			}
		}
	}
	return nil, nil, false
}

// hasSpawn reports whether statements start threads anywhere.
func hasSpawn(stmts []stmt, tail expr) bool {
	found := false
	f := func(x expr, _ int) bool {
		if _, _, ok := isSpawnCall(x); ok {
			found = true
		}
		if ce, ok := x.(*callExpr); ok {
			if name, _ := pathName(ce.fn); strings.HasSuffix(name, "scope") {
				found = true
			}
		}
		return !found
	}
	for _, s := range stmts {
		walkStmt(s, f)
	}
	if tail != nil {
		walkExpr(tail, f, 0)
	}
	return found
}

// hasJoin reports whether a statement joins a thread (a join() on a
// handle, or a loop over handles).
func (l *lowering) hasJoin(s stmt) bool {
	found := false
	f := func(x expr, _ int) bool {
		switch x := x.(type) {
		case *methodExpr:
			if x.name == "join" && len(x.args) == 0 {
				found = true
			}
		case *forExpr:
			if l.handleIter(x.iter) != nil {
				found = true
			}
		case *closureExpr:
			return true
		}
		return !found
	}
	walkStmt(s, f)
	return found
}

// handleIter resolves for h in handles (.into_iter(), .iter(), .drain(..)).
func (l *lowering) handleIter(e expr) *envEntry {
	switch x := e.(type) {
	case *identExpr:
		if en := l.lookup(x.name); en != nil && en.isHs {
			return en
		}
	case *methodExpr:
		switch x.name {
		case "into_iter", "iter", "drain", "iter_mut":
			return l.handleIter(x.recv)
		}
	case *unaryExpr:
		if x.op == "&" {
			return l.handleIter(x.x)
		}
	}
	return nil
}

// block reads a statement list of main (or of a thread::scope closure).
func (l *lowering) block(stmts []stmt, tail expr) {
	for _, s := range stmts {
		l.stmt(s)
	}
	if tail != nil {
		l.stmt(&exprStmt{x: tail, p: tail.exprPos(), semi: false})
		if l.phase == phJoined && len(l.final) > 0 {
			// A value main's block ends with.
			if es, ok := l.final[len(l.final)-1].(*exprStmt); ok && es.x == tail {
				l.final = l.final[:len(l.final)-1]
				l.tail = tail
			}
		}
	}
}

func (l *lowering) stmt(s stmt) {
	c := l.c
	if _, ok := s.(*itemStmt); ok {
		return
	}
	if l.phase == phJoined {
		if l.spawns(s) {
			c.errorf(s.stmtPos(), "starting a thread after a join is not supported: start every thread first, then join them")
			return
		}
		l.final = append(l.final, s)
		return
	}
	// thread::scope(|s| { ... }).
	if sc := scopeCall(s); sc != nil {
		l.scope(sc, s)
		return
	}
	if l.hasJoin(s) && l.phase != phSetup {
		l.phase = phJoined
		l.final = append(l.final, s)
		return
	}
	if l.spawnStmt(s) {
		if l.phase == phMain {
			c.errorf(s.stmtPos(), "starting a thread after main's own code is not supported: start every thread first (main's code between the spawns and the joins runs as a thread of its own)")
		}
		if l.phase == phSetup {
			l.phase = phSpawn
		}
		return
	}
	if l.phase != phSetup && l.declStmt(s) {
		// An empty handle vector, a clone of a shared object or a new
		// object: declarations that run no code.
		return
	}
	switch l.phase {
	case phSetup:
		if l.setupStmt(s) {
			return
		}
		if pos, why := l.unsupportedSetup(s); why != "" {
			c.errorf(pos, "%s", why)
		} else {
			c.errorf(s.stmtPos(), "main runs this before starting any thread: only declarations of shared objects and constants, and computation with constants (k += 1), can come before the first spawn (move it into a thread, or after the joins)")
		}
		if ls, ok := s.(*letStmt); ok {
			for _, n := range patNames(ls.pat, nil) {
				l.env = append(l.env, &envEntry{name: n, poison: true, pos: ls.p})
			}
		}
	default:
		l.phase = phMain
		l.mainCode = append(l.mainCode, s)
	}
}

// spawns reports whether a statement starts a thread.
func (l *lowering) spawns(s stmt) bool {
	found := false
	walkStmt(s, func(x expr, _ int) bool {
		if _, _, ok := isSpawnCall(x); ok {
			found = true
		}
		return !found
	})
	return found
}

// scopeCall recognises thread::scope(|s| { ... }) as a statement (or the
// value of a let).
func scopeCall(s stmt) *callExpr {
	var x expr
	switch s := s.(type) {
	case *exprStmt:
		x = s.x
	case *letStmt:
		x = s.init
	}
	ce, ok := x.(*callExpr)
	if !ok || len(ce.args) != 1 {
		return nil
	}
	name, _ := pathName(ce.fn)
	if name != "scope" && !strings.HasSuffix(name, "thread::scope") {
		return nil
	}
	if _, ok := ce.args[0].(*closureExpr); !ok {
		return nil
	}
	return ce
}

// scope reads thread::scope(|s| { body }): its threads are joined at its
// end, after which main's code is Final.
func (l *lowering) scope(ce *callExpr, s stmt) {
	cl := ce.args[0].(*closureExpr)
	if l.phase == phMain {
		l.c.errorf(ce.p, "a thread::scope after main's own code is not supported: start every thread first")
		return
	}
	param := ""
	if len(cl.params) == 1 && cl.params[0].kind == pBind {
		param = cl.params[0].name
	}
	l.scopes = append(l.scopes, param)
	saved := l.scoped
	l.scoped = nil
	if b, ok := cl.body.(*blockExpr); ok {
		l.block(b.stmts, b.tail)
	} else {
		l.block(nil, cl.body)
	}
	l.scopes = l.scopes[:len(l.scopes)-1]
	// The scope joins its threads at its end.
	if l.phase != phJoined {
		l.phase = phJoined
	}
	l.scoped = saved
	if ls, ok := s.(*letStmt); ok {
		// let v = thread::scope(...): v is the scope's value.
		if l.tail != nil {
			l.final = append(l.final, &letStmt{pat: ls.pat, typ: ls.typ, init: l.tail, p: ls.p})
			l.tail = nil
		}
	}
}

// spawnStmt handles a statement that starts threads; it reports whether s
// was one.
func (l *lowering) spawnStmt(s stmt) bool {
	switch s := s.(type) {
	case *letStmt:
		if s.init == nil {
			return false
		}
		if _, _, ok := isSpawnCall(s.init); ok {
			name := ""
			if s.pat.kind == pBind {
				name = s.pat.name
			}
			hv := l.spawn(s.init, name, nil)
			if hv != nil && name != "" {
				l.env = append(l.env, &envEntry{name: name, h: hv, pos: s.p})
			}
			return true
		}
		// let handles: Vec<_> = (0..N).map(|i| { ...; spawn }).collect();
		if lo, hi, incl, cl, ok := familyMap(s.init); ok {
			name := "t"
			if s.pat.kind == pBind {
				name = s.pat.name
			}
			hs := l.family(name, lo, hi, incl, cl.params, cl.body, s.p)
			l.env = append(l.env, &envEntry{name: name, hs: hs, isHs: true, pos: s.p})
			return true
		}
		return false
	case *exprStmt:
		if _, _, ok := isSpawnCall(s.x); ok {
			l.spawn(s.x, "", nil)
			return true
		}
		// handles.push(h) of a handle started before.
		if l.pushHandle(s.x) {
			return true
		}
		// handles.push(thread::spawn(...))
		if m, ok := s.x.(*methodExpr); ok && m.name == "push" && len(m.args) == 1 {
			if _, _, ok := isSpawnCall(m.args[0]); ok {
				id, isID := m.recv.(*identExpr)
				var en *envEntry
				if isID {
					en = l.lookup(id.name)
				}
				if en == nil || !en.isHs {
					l.c.errorf(m.p, "push the handle onto a vector declared before (let mut handles = vec![];)")
					return true
				}
				hv := l.spawn(m.args[0], fmt.Sprintf("%s[%d]", en.name, len(en.hs)), nil)
				if hv != nil {
					en.hs = append(en.hs, hv)
				}
				return true
			}
		}
		// for i in 0..N { ...; spawn }
		if f, ok := s.x.(*forExpr); ok && l.spawns(s) {
			l.forSpawn(f)
			return true
		}
		if _, ok := s.x.(*methodExpr); ok && l.spawns(s) {
			if lo, hi, incl, cl, ok := familyMap(s.x); ok {
				l.family("t", lo, hi, incl, cl.params, cl.body, s.p)
				return true
			}
		}
		if l.spawns(s) {
			l.c.errorf(s.p, "threads can be started by thread::spawn(...) or s.spawn(...) as a statement, in a let, pushed onto a vector, in a for loop over a range or in (0..N).map(...).collect(); not here")
			return true
		}
	}
	return false
}

// familyMap recognises (lo..hi).map(|i| ...).collect() (also with
// .into_iter() before map).
func familyMap(e expr) (lo, hi expr, incl bool, cl *closureExpr, ok bool) {
	m, isM := e.(*methodExpr)
	if !isM {
		return
	}
	if m.name == "collect" {
		m2, isM2 := m.recv.(*methodExpr)
		if !isM2 {
			return
		}
		m = m2
	}
	if m.name != "map" || len(m.args) != 1 {
		return
	}
	cl, _ = m.args[0].(*closureExpr)
	if cl == nil {
		return
	}
	recv := m.recv
	if r, isM := recv.(*methodExpr); isM && r.name == "into_iter" {
		recv = r.recv
	}
	r, isR := recv.(*rangeExpr)
	if !isR || r.lo == nil || r.hi == nil {
		return
	}
	return r.lo, r.hi, r.incl, cl, true
}

// family starts one thread per index of lo..hi, each with the closure's
// statements before its spawn evaluated for that index.
func (l *lowering) family(name string, loE, hiE expr, incl bool, params []*pattern, body expr, pos source.Pos) []*handleVal {
	c := l.c
	lo, ok1 := c.constEval(loE, false)
	hi, ok2 := c.constEval(hiE, false)
	if !ok1 || !ok2 {
		return nil
	}
	if !lo.t.IsInt() || !hi.t.IsInt() || lo.isOrd || hi.isOrd {
		c.errorf(pos, "a family of threads needs integer bounds")
		return nil
	}
	t, ok := prog.Unify(lo.t, hi.t)
	if !ok {
		c.errorf(pos, "mismatched types %s and %s in the range", lo.t, hi.t)
		return nil
	}
	end := int64(hi.v)
	if incl {
		end++
	}
	if end-int64(lo.v) > 64 {
		c.errorf(pos, "%d threads; at most 64 are supported", end-int64(lo.v))
		return nil
	}
	var out []*handleVal
	for k := int64(lo.v); k < end; k++ {
		saved := len(l.env)
		if len(params) == 1 && params[0].kind == pBind {
			v := cval{v: uint64(k), t: t, lit: t.Flexible}
			l.env = append(l.env, &envEntry{name: params[0].name, cv: &v, pos: params[0].p})
		}
		stmts, tail := []stmt(nil), body
		if b, ok := body.(*blockExpr); ok {
			stmts, tail = b.stmts, b.tail
		}
		for _, s := range stmts {
			if !l.setupStmt(s) && !l.spawnInFamily(s, name, k, &out) {
				c.errorf(s.stmtPos(), "in a family of threads, only declarations (let c = Arc::clone(&x);) can come before the spawn")
			}
		}
		if tail != nil {
			if _, _, ok := isSpawnCall(tail); ok {
				if hv := l.spawn(tail, fmt.Sprintf("%s[%d]", name, k), nil); hv != nil {
					out = append(out, hv)
				}
			} else {
				c.errorf(tail.exprPos(), "a family's closure must end by starting its thread (thread::spawn(...))")
			}
		}
		l.env = l.env[:saved]
	}
	return out
}

// pushHandle handles handles.push(h) for a handle h of the environment.
func (l *lowering) pushHandle(x expr) bool {
	m, ok := x.(*methodExpr)
	if !ok || m.name != "push" || len(m.args) != 1 {
		return false
	}
	id, ok1 := m.recv.(*identExpr)
	arg, ok2 := m.args[0].(*identExpr)
	if !ok1 || !ok2 {
		return false
	}
	vec, h := l.lookup(id.name), l.lookup(arg.name)
	if vec == nil || !vec.isHs || h == nil || h.h == nil {
		return false
	}
	// The thread takes its place's name: handles[2].
	name := fmt.Sprintf("%s[%d]", vec.name, len(vec.hs))
	l.c.p.Threads[h.h.thread].Name = name
	h.h.name = name
	vec.hs = append(vec.hs, h.h)
	return true
}

func (l *lowering) spawnInFamily(s stmt, name string, k int64, out *[]*handleVal) bool {
	if ls, ok := s.(*letStmt); ok && ls.init != nil && ls.pat.kind == pBind {
		if _, _, ok := isSpawnCall(ls.init); ok {
			hv := l.spawn(ls.init, fmt.Sprintf("%s[%d]", ls.pat.name, k), nil)
			if hv != nil {
				l.env = append(l.env, &envEntry{name: ls.pat.name, h: hv, pos: ls.p})
				*out = append(*out, hv)
			}
			return true
		}
	}
	es, ok := s.(*exprStmt)
	if !ok {
		return false
	}
	if l.pushHandle(es.x) {
		return true
	}
	if _, _, ok := isSpawnCall(es.x); ok {
		if hv := l.spawn(es.x, fmt.Sprintf("%s[%d]", name, k), nil); hv != nil {
			*out = append(*out, hv)
		}
		return true
	}
	if m, ok := es.x.(*methodExpr); ok && m.name == "push" && len(m.args) == 1 {
		if _, _, ok := isSpawnCall(m.args[0]); ok {
			id, _ := m.recv.(*identExpr)
			var en *envEntry
			if id != nil {
				en = l.lookup(id.name)
			}
			if en == nil || !en.isHs {
				l.c.errorf(m.p, "push the handle onto a vector declared before the loop (let mut handles = vec![];)")
				return true
			}
			if hv := l.spawn(m.args[0], fmt.Sprintf("%s[%d]", en.name, len(en.hs)), nil); hv != nil {
				en.hs = append(en.hs, hv)
			}
			return true
		}
	}
	return false
}

// forSpawn unrolls for i in lo..hi { ...; spawn } into a family.
func (l *lowering) forSpawn(f *forExpr) {
	r, ok := f.iter.(*rangeExpr)
	if !ok || r.lo == nil || r.hi == nil {
		l.c.errorf(f.iter.exprPos(), "threads started in a for loop need a range of constants (for i in 0..N)")
		return
	}
	var hs []*handleVal
	l.family("t", r.lo, r.hi, r.incl, []*pattern{f.pat}, f.body, f.p)
	_ = hs
}

// setupStmt evaluates a declaration main makes before (or between) its
// spawns; it reports whether s was one.
func (l *lowering) setupStmt(s stmt) bool {
	c := l.c
	switch s := s.(type) {
	case *itemStmt:
		return true
	case *letStmt:
		// let (a, b) = (x.clone(), y.clone()): one declaration each.
		if s.pat.kind == pTuple && s.typ == nil {
			if tu, ok := s.init.(*tupleExpr); ok && len(tu.elems) == len(s.pat.elems) {
				saved := len(l.env)
				for i, p := range s.pat.elems {
					if !l.setupStmt(&letStmt{pat: p, init: tu.elems[i], p: s.p}) {
						l.env = l.env[:saved]
						return false
					}
				}
				return true
			}
		}
		if s.pat.kind != pBind || s.pat.sub != nil || s.init == nil {
			return false
		}
		name := s.pat.name
		// let mut handles = vec![]; Vec::new(); Vec::with_capacity(n)
		if emptyVec(s.init) {
			l.env = append(l.env, &envEntry{name: name, isHs: true, pos: s.p})
			return true
		}
		// An alias: x.clone(), Arc::clone(&x), &x, x.
		if en := l.alias(s.init); en != nil {
			cp := *en
			cp.name, cp.pos = name, s.p
			l.env = append(l.env, &cp)
			return true
		}
		if b, ok := c.setupLet(s, l.constEnv()); ok {
			if b.obj == nil && b.cv == nil {
				return true // an error was reported
			}
			l.env = append(l.env, &envEntry{name: b.name, obj: b.obj, cv: b.cv, mut: b.mut, pos: b.pos})
			return true
		}
	case *exprStmt:
		// println!, drop(x) and the like in setup do nothing.
		if m, ok := s.x.(*macroExpr); ok {
			switch m.name {
			case "println", "print", "eprintln", "eprint", "dbg":
				return true
			}
		}
		// X.store(v, ord) before any thread: X's initial value is v.
		if m, ok := s.x.(*methodExpr); ok && m.name == "store" && len(m.args) == 2 {
			return l.setInit(m.recv, m.args[0])
		}
		if b, ok := s.x.(*blockExpr); ok && b.unsafe && len(b.stmts) == 1 && b.tail == nil {
			return l.setupStmt(b.stmts[0])
		}
		if b, ok := s.x.(*blockExpr); ok && b.unsafe && len(b.stmts) == 0 && b.tail != nil {
			return l.setupStmt(&exprStmt{x: b.tail, p: b.tail.exprPos()})
		}
	case *assignStmt:
		// k += 1 on a let mut constant of the setup: plain computation
		// main does before its threads, evaluated here.
		if id, ok := s.target.(*identExpr); ok {
			if en := l.lookup(id.name); en != nil && en.cv != nil && !en.cv.isOrd {
				if !en.mut {
					c.errorf(id.p, "cannot assign twice to immutable variable %s (declare it with let mut)", id.name)
					return true
				}
				val := s.val
				if s.op != "=" {
					val = &binaryExpr{op: strings.TrimSuffix(s.op, "="), x: id, y: s.val, p: s.p}
				}
				v, ok := c.constEvalIn(val, true, l.constEnv(), 0)
				if !ok || v.isOrd || v.aggregate() != en.cv.aggregate() {
					return false
				}
				if t, ok := prog.Unify(en.cv.t, v.t); ok {
					if !t.Flexible && v.lit && !litFits(v.v, v.neg, t) {
						c.errorf(s.val.exprPos(), "literal out of range for %s", t)
						return true
					}
					if !t.Flexible {
						v.v, v.t, v.lit = t.Wrap(v.v), t, false
					}
				} else {
					c.errorf(s.val.exprPos(), "mismatched types: expected %s, found %s", en.cv.t, v.t)
					return true
				}
				en.cv = &v
				return true
			}
		}
		// BUF[0] = v before any thread (a plain location).
		if s.op == "=" {
			return l.setInit(s.target, s.val)
		}
	}
	return false
}

// setInit makes v the initial value of the location e names (a constant
// place: an object of the environment or a static, constant indices and
// fields).
func (l *lowering) setInit(e, v expr) bool {
	c := l.c
	name, ok := l.setupLocName(e)
	if !ok {
		return false
	}
	loc := -1
	for i := range c.p.Locs {
		if c.p.Locs[i].Name == name {
			loc = i
		}
	}
	if loc < 0 {
		return false
	}
	cv, ok := c.constEvalIn(v, true, l.constEnv(), 0)
	if !ok || cv.isOrd || cv.aggregate() {
		return false
	}
	t := c.p.Locs[loc].Type
	if _, ok := prog.Unify(cv.t, t); !ok {
		c.errorf(v.exprPos(), "mismatched types: expected %s, found %s", t, cv.t)
		return true
	}
	if cv.lit && !litFits(cv.v, cv.neg, t) {
		c.errorf(v.exprPos(), "literal out of range for %s", t)
		return true
	}
	c.p.Locs[loc].Init = t.Wrap(cv.v)
	return true
}

// setupLocName spells the location a setup access names, resolving the
// environment's objects.
func (l *lowering) setupLocName(e expr) (string, bool) {
	switch x := e.(type) {
	case *identExpr:
		if en := l.lookup(x.name); en != nil {
			if en.obj == nil {
				return "", false
			}
			return en.obj.name, true
		}
		if o := l.c.statics[x.name]; o != nil {
			return o.name, true
		}
	case *unaryExpr:
		if x.op == "&" || x.op == "*" {
			return l.setupLocName(x.x)
		}
	case *indexExpr:
		base, ok := l.setupLocName(x.x)
		if !ok {
			return "", false
		}
		k, ok := l.c.constEvalIn(x.idx, true, l.constEnv(), 0)
		if !ok || k.isOrd {
			return "", false
		}
		return fmt.Sprintf("%s[%d]", base, int64(k.v)), true
	case *fieldExpr:
		base, ok := l.setupLocName(x.x)
		if !ok {
			return "", false
		}
		return base + "." + x.name, true
	}
	return "", false
}

// declStmt handles the declarations main may make once threads run: an
// empty handle vector, an alias of a shared object, a new shared object.
func (l *lowering) declStmt(s stmt) bool {
	ls, ok := s.(*letStmt)
	if !ok || ls.pat.kind != pBind || ls.pat.sub != nil || ls.init == nil {
		return false
	}
	if emptyVec(ls.init) {
		l.env = append(l.env, &envEntry{name: ls.pat.name, isHs: true, pos: ls.p})
		return true
	}
	if en := l.alias(ls.init); en != nil {
		cp := *en
		cp.name, cp.pos = ls.pat.name, ls.p
		l.env = append(l.env, &cp)
		return true
	}
	if v, ok := l.c.constEvalIn(ls.init, true, l.constEnv(), 0); ok && !v.isOrd && (v.aggregate() || v.wrap != "") {
		if b, ok := l.c.setupLet(ls, l.constEnv()); ok && b.obj != nil {
			l.env = append(l.env, &envEntry{name: b.name, obj: b.obj, pos: b.pos})
			return true
		}
	}
	return false
}

// constEnv is the constants the environment binds, for constant
// evaluation.
func (l *lowering) constEnv() map[string]cval {
	m := map[string]cval{}
	for _, e := range l.env {
		if e.cv != nil {
			m[e.name] = *e.cv
		} else {
			delete(m, e.name)
		}
	}
	return m
}

func emptyVec(e expr) bool {
	switch x := e.(type) {
	case *macroExpr:
		if x.name == "vec" && len(x.args) == 1 {
			if a, ok := x.args[0].(*arrayLit); ok && len(a.elems) == 0 && a.repeat == nil {
				return true
			}
		}
	case *callExpr:
		name, _ := pathName(x.fn)
		return name == "Vec::new" || name == "Vec::with_capacity" || strings.HasSuffix(name, "vec::Vec::new")
	}
	return false
}

// alias resolves an expression naming an object of the environment:
// x, &x, x.clone(), Arc::clone(&x), Rc::clone(&x).
func (l *lowering) alias(e expr) *envEntry {
	switch x := e.(type) {
	case *identExpr:
		if en := l.lookup(x.name); en != nil && en.obj != nil {
			return en
		}
	case *unaryExpr:
		if x.op == "&" {
			return l.alias(x.x)
		}
	case *methodExpr:
		if (x.name == "clone" || x.name == "as_ref") && len(x.args) == 0 {
			return l.alias(x.recv)
		}
	case *callExpr:
		name, _ := pathName(x.fn)
		if (strings.HasSuffix(name, "::clone") || name == "clone") && len(x.args) == 1 {
			return l.alias(x.args[0])
		}
	}
	return nil
}

// spawn compiles a spawned closure as a thread.
func (l *lowering) spawn(call expr, name string, _ []setupBinding) *handleVal {
	c := l.c
	cl, arg, _ := isSpawnCall(call)
	if name == "" && cl == nil {
		// s.spawn(worker): the thread is named after its function.
		if fname, ok := pathName(arg); ok && c.fns[fname] != nil && !strings.Contains(fname, ":") {
			name = fname
			for _, th := range c.p.Threads {
				if th.Name == name {
					name = ""
				}
			}
		}
	}
	if name == "" {
		name = fmt.Sprintf("t%d", l.unnamed)
		l.unnamed++
	}
	pos := call.exprPos()
	var stmts []stmt
	var tail expr
	var end source.Pos
	var fnItem *fnItem
	switch {
	case cl != nil:
		if b, ok := cl.body.(*blockExpr); ok {
			stmts, tail, end = b.stmts, b.tail, b.end
		} else {
			tail, end = cl.body, cl.body.exprPos()
		}
	default:
		// thread::spawn(worker): a function of no arguments.
		fname, ok := pathName(arg)
		if !ok {
			c.errorf(arg.exprPos(), "thread::spawn takes a closure (move || { ... }) or a function name")
			return nil
		}
		tail, end = &callExpr{fn: arg, p: arg.exprPos()}, arg.exprPos()
		if fn := c.fns[fname]; fn != nil && len(fn.params) == 0 && !fn.self && !fn.generic && fn.recv == "" && fn.body != nil && !fn.broken {
			// s.spawn(worker): worker's body is the thread's, so that its
			// top-level lets are shown like a closure's.
			fnItem = fn
			stmts, tail, end = fn.body.stmts, fn.body.tail, fn.body.end
		}
	}
	if cl != nil && !cl.move {
		l.captureCells(cl)
	}
	g := newGen(c, name)
	if fnItem != nil {
		// A function body sees only the globals.
		if fnItem.ret != nil {
			nerr := c.nerr
			g.threadRet = g.typeOfSafe(fnItem.ret)
			if c.nerr > nerr {
				return nil
			}
		}
	} else {
		g.bindSetup(l.bindings())
	}
	if cl != nil {
		for _, p := range cl.params {
			// A scope's spawn closure may take the scope (crossbeam).
			if p.kind == pBind {
				g.bind(p.name, unit, false)
			}
		}
	}
	nerr := c.nerr
	v := g.body(stmts, tail, end)
	if c.nerr > nerr || g.bails > 0 {
		// Part of the thread was given up at an error: its value is
		// unknown, and main's uses of it report nothing more.
		v = value{k: vPoison}
	}
	t := c.addThread(g.thread(name, pos))
	c.results[t] = v
	hv := &handleVal{thread: t, result: v, name: name}
	l.threads = append(l.threads, hv)
	if len(l.scopes) > 0 {
		l.scoped = append(l.scoped, hv)
		l.scopedAll[hv] = true
	}
	return hv
}

// finish compiles main's own code as a thread and the rest as Final.
func (l *lowering) finish(pos source.Pos) {
	c := l.c
	var mainVals []setupBinding
	mainThread := -1
	if len(l.mainCode) > 0 {
		if l.phase != phJoined && len(l.final) == 0 {
			// No join: main's code runs concurrently to the end.
		}
		// main's own code runs concurrently with its threads but is main:
		// the let mut locals it names are the same variables its final
		// code sees (cells), not copies.
		if len(l.final) > 0 || l.tail != nil {
			l.captureCells(&closureExpr{body: &blockExpr{stmts: l.mainCode}})
		}
		g := newGen(c, "main")
		g.bindSetup(l.bindings())
		g.body(l.mainCode, nil, l.mainCode[0].stmtPos())
		th := g.thread("main", l.mainCode[0].stmtPos())
		t := c.addThread(th)
		mainThread = t
		// main's values continue into its Final code.
		for _, loc := range th.Locals {
			v := scalar(loc.Reg, loc.Type)
			mainVals = append(mainVals, setupBinding{name: loc.Name, h: &handleVal{thread: t, result: v, name: "main"}, joinedVal: true})
		}
		if len(l.final) > 0 || l.tail != nil {
			c.p.Threads[t].Locals = nil
		}
	}
	if len(l.final) == 0 && l.tail == nil {
		return
	}
	g := newGen(c, "main")
	g.final = true
	g.bindSetup(l.bindings())
	for _, b := range mainVals {
		v := g.join(b.h, pos)
		g.bind(b.name, v.elems[0], true)
		g.export(b.name, v.elems[0])
	}
	if len(mainVals) == 0 && mainThread >= 0 {
		// main's own code happens before its final code (it is the
		// same thread), whatever it left in its locals.
		g.join(&handleVal{thread: mainThread, result: unit, name: "main"}, pos)
	}
	g.body(l.final, l.tail, l.finalEnd)
	// Every final load must come after every join: a read of memory
	// while a thread may still run is not what Final code means.
	sawAccess := source.Pos{}
	for _, in := range g.code {
		if in.Op.IsMemory() && !sawAccess.IsValid() {
			sawAccess = in.Pos
		}
		if in.Op == prog.OpJoin && sawAccess.IsValid() {
			c.errorf(sawAccess, "main reads shared memory here before it joins every thread (a join follows at %s): join all threads first", in.Pos)
			break
		}
	}
	t := g.thread("main", pos)
	c.p.Final = &t
	joined := map[int]bool{}
	for _, in := range t.Code {
		if in.Op == prog.OpJoin {
			joined[int(in.Imm)] = true
		}
	}
	for _, h := range l.threads {
		if !joined[h.thread] && !l.isScoped(h) {
			c.errorf(c.p.Threads[h.thread].Pos, "thread %s is never joined, but main goes on after joining others: join it (%s.join().unwrap()) before main's final code", h.name, h.name)
		}
	}
}

func (l *lowering) isScoped(h *handleVal) bool {
	return l.scopedAll[h]
}

// tests compiles the #[test] function chosen by Options.Test (or the
// first). A #[should_panic] test expects a failure.
func (c *compiler) tests(tests []*fnItem, h *hoisted) {
	pick := tests[0]
	if c.opts.Test != "" {
		pick = nil
		for _, t := range tests {
			if t.name == c.opts.Test {
				pick = t
			}
		}
		if pick == nil {
			var names []string
			for _, t := range tests {
				names = append(names, t.name)
			}
			c.errorf(source.Pos{File: c.filename, Line: 1, Col: 1}, "no #[test] fn named %s (the tests are: %s)", c.opts.Test, strings.Join(names, ", "))
			return
		}
	}
	c.p.Name = pick.name
	c.main(pick, h)
	if hasAttr(pick, "should_panic") {
		c.p.Expect = &prog.Expectation{Verdict: prog.ExpectPanic, Pos: pick.p}
	}
}

// TestNames lists the #[test] functions of a Rust file, in order.
func TestNames(filename string, src []byte) []string {
	var errs source.ErrorList
	f := parseFile(filename, src, &errs)
	c := newCompiler(filename, src, &errs, Options{})
	h := c.hoist(f)
	var out []string
	for _, fn := range h.fns {
		if hasAttr(fn, "test") {
			out = append(out, fn.name)
		}
	}
	return out
}

package rustlit

import (
	"strings"

	"happens/prog"
	"happens/source"
)

// Cells: a let mut local of main that a spawned closure borrows (a
// closure without move, as thread::scope's threads are written) is one
// variable shared by main and its threads, as in Rust: what a thread
// writes, main reads after the join (join gives happens-before), and two
// threads that touch it without synchronisation race on it. It is a
// plain (non-atomic) shared location, like a static mut, named after the
// local and initialised by main's setup. A move closure copies the local
// instead (each thread its own variable), as Rust does for Copy values.

// captureCells turns the let mut locals of main's environment that a
// borrowing closure names into cells.
func (l *lowering) captureCells(cl *closureExpr) {
	walkExpr(cl.body, func(x expr, _ int) bool {
		id, ok := x.(*identExpr)
		if !ok {
			return true
		}
		en := l.lookup(id.name)
		if en == nil || en.cv == nil || !en.mut || en.cv.isOrd || en.cv.aggregate() || en.cv.wrap != "" {
			return true
		}
		l.makeCell(en)
		return true
	}, 0)
}

// makeCell allocates the shared variable of a captured local.
func (l *lowering) makeCell(en *envEntry) {
	c := l.c
	v := *en.cv
	t := v.t
	if t.Flexible || !(t.IsInt() || t.Kind == prog.KindBool) {
		// An unsuffixed literal takes the type its uses give it (rustc
		// infers it the same way); i32 when nothing says.
		t = prog.I32
		if g, ok := l.cellType(en.name); ok {
			t = g
		}
		if v.lit && t.IsInt() && !litFits(v.v, v.neg, t) {
			c.errorf(en.pos, "literal out of range for %s", t)
		}
	}
	v.t, v.lit = t, false
	lay := layout{kind: objScalar, elem: fieldLayout{t: t, p: en.pos}}
	o := c.newObject(c.freshVarName(en.name), lay, v, en.pos)
	en.obj, en.cv, en.cell = o, nil, true
}

// cellType infers a cell's type from main's code (its threads' closures
// included): the type of a value assigned to it or compared with it, or
// the written type of a let that copies it.
func (l *lowering) cellType(name string) (prog.Type, bool) {
	locals := map[string]prog.Type{}
	var found prog.Type
	ok := false
	note := func(t prog.Type, good bool) {
		if good && !ok && (t.IsInt() && !t.Flexible || t.Kind == prog.KindBool) {
			found, ok = t, true
		}
	}
	isName := func(e expr) bool {
		id, isID := e.(*identExpr)
		return isID && id.name == name
	}
	// Two passes: the first learns the types of the closures' lets, the
	// second reads the cell's uses with them.
	for pass := 0; pass < 2; pass++ {
		visit := func(s stmt) {
			switch s := s.(type) {
			case *letStmt:
				if s.init == nil {
					break
				}
				if pass == 0 {
					l.guessLet(s.pat, s.typ, s.init, locals)
				} else if isName(s.init) && s.typ != nil {
					if t, good := intTypes[s.typ.name]; good && s.typ.kind == tyPath {
						note(t, true)
					}
				}
			case *assignStmt:
				if pass == 1 && isName(s.target) {
					note(l.guessType(s.val, locals))
				}
			}
		}
		f := func(x expr, _ int) bool {
			switch x := x.(type) {
			case *blockExpr:
				for _, s := range x.stmts {
					visit(s)
				}
			case *binaryExpr:
				if pass == 1 {
					switch {
					case isName(x.x):
						note(l.guessType(x.y, locals))
					case isName(x.y):
						note(l.guessType(x.x, locals))
					}
				}
			}
			return true
		}
		for _, s := range l.all {
			visit(s)
			walkStmt(s, f)
		}
	}
	return found, ok
}

// guessLet records the types of the names a let binds, where its value
// shows them.
func (l *lowering) guessLet(p *pattern, te *typeExpr, init expr, locals map[string]prog.Type) {
	if p == nil {
		return
	}
	switch p.kind {
	case pBind:
		if te != nil && te.kind == tyPath {
			if t, ok := intTypes[te.name]; ok {
				locals[p.name] = t
				return
			}
		}
		if t, ok := l.guessType(init, locals); ok {
			locals[p.name] = t
		}
	case pTuple:
		if tu, ok := init.(*tupleExpr); ok && len(tu.elems) == len(p.elems) {
			for i, e := range p.elems {
				l.guessLet(e, nil, tu.elems[i], locals)
			}
		}
	}
}

// guessType is the type of an expression where its syntax shows it: a
// suffixed literal, a cast, an atomic's load or read-modify-write, a
// shared variable, a local whose type was learnt, arithmetic on those.
func (l *lowering) guessType(e expr, locals map[string]prog.Type) (prog.Type, bool) {
	switch x := e.(type) {
	case *intLit:
		if _, t, ok := parseInt(x.text); ok && !t.Flexible {
			return t, true
		}
	case *boolLit:
		return prog.Bool, true
	case *castExpr:
		if x.typ != nil && x.typ.kind == tyPath {
			t, ok := intTypes[x.typ.name]
			return t, ok
		}
	case *identExpr:
		if t, ok := locals[x.name]; ok {
			return t, true
		}
		if en := l.lookup(x.name); en != nil {
			if en.cv != nil && !en.cv.aggregate() && !en.cv.t.Flexible {
				return en.cv.t, true
			}
			if en.obj != nil {
				return l.objType(en.obj, "")
			}
		}
		if o := l.c.statics[x.name]; o != nil {
			return l.objType(o, "")
		}
	case *unaryExpr:
		if x.op == "!" {
			if t, ok := l.guessType(x.x, locals); ok {
				return t, true
			}
			return prog.Type{}, false
		}
		return l.guessType(x.x, locals)
	case *binaryExpr:
		switch x.op {
		case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
			return prog.Bool, true
		case "<<", ">>":
			return l.guessType(x.x, locals)
		}
		if t, ok := l.guessType(x.x, locals); ok {
			return t, true
		}
		return l.guessType(x.y, locals)
	case *methodExpr:
		switch {
		case x.name == "load" || x.name == "swap" || strings.HasPrefix(x.name, "fetch_") && x.name != "fetch_update":
			return l.placeType(x.recv)
		case x.name == "unwrap" || x.name == "unwrap_or" || x.name == "clone":
			if m, ok := x.recv.(*methodExpr); ok && strings.HasPrefix(m.name, "compare_exchange") {
				return l.placeType(m.recv)
			}
			return l.guessType(x.recv, locals)
		case x.name == "min" || x.name == "max" || strings.HasPrefix(x.name, "wrapping_") || strings.HasPrefix(x.name, "saturating_") || x.name == "pow":
			return l.guessType(x.recv, locals)
		}
	case *blockExpr:
		if x.tail != nil {
			return l.guessType(x.tail, locals)
		}
	case *ifExpr:
		if t, ok := l.guessType(x.then, locals); ok {
			return t, true
		}
		if x.els != nil {
			return l.guessType(x.els, locals)
		}
	}
	return prog.Type{}, false
}

// placeType is the value type of the shared memory an expression names.
func (l *lowering) placeType(e expr) (prog.Type, bool) {
	field := ""
	for {
		switch x := e.(type) {
		case *fieldExpr:
			if field == "" {
				field = x.name
			}
			e = x.x
			continue
		case *indexExpr:
			e = x.x
			continue
		case *unaryExpr:
			e = x.x
			continue
		case *methodExpr:
			if x.name == "clone" || x.name == "as_ref" {
				e = x.recv
				continue
			}
		}
		break
	}
	id, ok := e.(*identExpr)
	if !ok {
		return prog.Type{}, false
	}
	if en := l.lookup(id.name); en != nil && en.obj != nil {
		return l.objType(en.obj, field)
	}
	if o := l.c.statics[id.name]; o != nil {
		return l.objType(o, field)
	}
	return prog.Type{}, false
}

// objType is the type of an object's variable (a field's, for structs).
func (l *lowering) objType(o *object, field string) (prog.Type, bool) {
	vi, ok := o.vars[field]
	if !ok {
		vi, ok = o.vars[""]
	}
	if !ok || vi < 0 || vi >= len(l.c.p.Vars) {
		return prog.Type{}, false
	}
	return l.c.p.Vars[vi].Type, true
}

// unsupportedSetup explains the first construct of a setup statement
// happens does not model (AtomicPtr, vec![...], a raw pointer, a type it
// has no layout for), so that main's setup gets one error naming it
// instead of a general one.
func (l *lowering) unsupportedSetup(s stmt) (source.Pos, string) {
	c := l.c
	if ls, ok := s.(*letStmt); ok && ls.typ != nil {
		if why := c.firstUnsupported(ls.typ); why != "" {
			return ls.typ.p, why
		}
	}
	var pos source.Pos
	msg := ""
	walkStmt(s, func(x expr, _ int) bool {
		if msg != "" {
			return false
		}
		switch x := x.(type) {
		case *callExpr:
			name, _ := pathName(x.fn)
			seg := name[strings.LastIndex(name, ":")+1:]
			owner := strings.TrimSuffix(strings.TrimSuffix(name, seg), "::")
			owner = owner[strings.LastIndex(owner, ":")+1:]
			if why := unsupportedType(&typeExpr{kind: tyPath, name: owner}); why != "" {
				pos, msg = x.fn.exprPos(), why
				return false
			}
		case *pathExpr:
			if len(x.segs) > 0 {
				if why := unsupportedType(&typeExpr{kind: tyPath, name: x.segs[0]}); why != "" {
					pos, msg = x.p, why
					return false
				}
			}
		case *macroExpr:
			if x.name == "vec" {
				pos, msg = x.p, "vec![...] allocates at run time and is not supported; use an array of fixed size ([a, b, c] or [v; N]), of atomics if threads share it"
				return false
			}
		case *castExpr:
			if x.typ != nil {
				if why := unsupportedType(x.typ); why != "" {
					pos, msg = x.p, why
					return false
				}
			}
		case *closureExpr:
			return false
		}
		return true
	})
	return pos, msg
}

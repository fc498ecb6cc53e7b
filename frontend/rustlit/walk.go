package rustlit

// walkExpr calls f on e and every expression inside it, statements'
// expressions included, in source order; f returns false to skip an
// expression's insides. depth counts the loops entered (a loop's body is
// one deeper than the loop).
func walkExpr(e expr, f func(expr, int) bool, depth int) {
	if e == nil {
		return
	}
	if !f(e, depth) {
		return
	}
	w := func(x expr) { walkExpr(x, f, depth) }
	switch e := e.(type) {
	case *unaryExpr:
		w(e.x)
	case *binaryExpr:
		w(e.x)
		w(e.y)
	case *callExpr:
		w(e.fn)
		for _, a := range e.args {
			w(a)
		}
	case *methodExpr:
		w(e.recv)
		for _, a := range e.args {
			w(a)
		}
	case *indexExpr:
		w(e.x)
		w(e.idx)
	case *fieldExpr:
		w(e.x)
	case *castExpr:
		w(e.x)
	case *macroExpr:
		for _, a := range e.args {
			w(a)
		}
		w(e.guard)
	case *arrayLit:
		for _, a := range e.elems {
			w(a)
		}
		w(e.repeat)
		w(e.count)
	case *tupleExpr:
		for _, a := range e.elems {
			w(a)
		}
	case *rangeExpr:
		w(e.lo)
		w(e.hi)
	case *structLit:
		for _, fi := range e.fields {
			w(fi.x)
		}
		w(e.base)
	case *blockExpr:
		for _, s := range e.stmts {
			walkStmtDepth(s, f, depth)
		}
		w(e.tail)
	case *ifExpr:
		w(e.cond)
		w(e.then)
		if e.els != nil {
			w(e.els)
		}
	case *whileExpr:
		w(e.cond)
		walkExpr(e.body, f, depth+1)
	case *loopExpr:
		walkExpr(e.body, f, depth+1)
	case *forExpr:
		w(e.iter)
		walkExpr(e.body, f, depth+1)
	case *matchExpr:
		w(e.x)
		for _, a := range e.arms {
			w(a.guard)
			w(a.body)
		}
	case *breakExpr:
		w(e.x)
	case *returnExpr:
		w(e.x)
	case *closureExpr:
		w(e.body)
	}
}

func walkStmtDepth(s stmt, f func(expr, int) bool, depth int) {
	switch s := s.(type) {
	case *letStmt:
		walkExpr(s.init, f, depth)
		if s.els != nil {
			walkExpr(s.els, f, depth)
		}
	case *assignStmt:
		walkExpr(s.target, f, depth)
		walkExpr(s.val, f, depth)
	case *exprStmt:
		walkExpr(s.x, f, depth)
	}
}

func walkStmt(s stmt, f func(expr, int) bool) { walkStmtDepth(s, f, 0) }

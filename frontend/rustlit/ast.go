package rustlit

import "happens/source"

// The syntax tree. Expressions and items are closed sets.

type expr interface{ exprPos() source.Pos }

type (
	identExpr struct {
		name string
		p    source.Pos
	}
	// pathExpr is a::b::c (two or more segments).
	pathExpr struct {
		segs []string
		p    source.Pos
	}
	intLit struct {
		text string
		p    source.Pos
	}
	boolLit struct {
		val bool
		p   source.Pos
	}
	strLit struct {
		val string
		p   source.Pos
	}
	unaryExpr struct {
		op string
		x  expr
		p  source.Pos
	}
	binaryExpr struct {
		op    string
		x, y  expr
		p     source.Pos
		paren bool // written in parentheses
	}
	callExpr struct {
		fn   expr
		args []expr
		p    source.Pos
	}
	methodExpr struct {
		recv expr
		name string
		args []expr
		p    source.Pos
		end  int // byte offset just past the call, for its source text
	}
	indexExpr struct {
		x, idx expr
		p      source.Pos
	}
	fieldExpr struct {
		x    expr
		name string
		p    source.Pos
	}
	castExpr struct {
		x   expr
		typ *typeExpr
		p   source.Pos
	}
	macroExpr struct {
		name string
		args []expr
		p    source.Pos
		end  int
	}
	arrayLit struct {
		elems  []expr
		repeat expr // [repeat; count]
		count  expr
		p      source.Pos
	}
	blockExpr struct {
		stmts []stmt
		tail  expr // value of the block, or nil
		p     source.Pos
	}
	ifExpr struct {
		cond expr
		pat  *pattern // if let PAT = cond
		then *blockExpr
		els  expr // nil, *blockExpr or *ifExpr
		p    source.Pos
	}
	whileExpr struct {
		cond expr
		pat  *pattern // while let
		body *blockExpr
		p    source.Pos
	}
	loopExpr struct {
		body *blockExpr
		p    source.Pos
	}
	forExpr struct {
		name   string
		lo, hi expr
		incl   bool
		body   *blockExpr
		p      source.Pos
	}
	matchExpr struct {
		x    expr
		arms []matchArm
		p    source.Pos
	}
	breakExpr    struct{ p source.Pos }
	continueExpr struct{ p source.Pos }
	returnExpr   struct {
		x expr
		p source.Pos
	}
	closureExpr struct {
		param string
		body  expr
		p     source.Pos
	}
)

type matchArm struct {
	pat  *pattern
	body expr
	p    source.Pos
}

// pattern is Ok(x), Err(x), _, a literal, or a binding name.
type pattern struct {
	kind string // "Ok", "Err", "_", "lit", "bind"
	bind string // bound name, or "" / "_"
	lit  expr
	p    source.Pos
}

func (e *identExpr) exprPos() source.Pos    { return e.p }
func (e *pathExpr) exprPos() source.Pos     { return e.p }
func (e *intLit) exprPos() source.Pos       { return e.p }
func (e *boolLit) exprPos() source.Pos      { return e.p }
func (e *strLit) exprPos() source.Pos       { return e.p }
func (e *unaryExpr) exprPos() source.Pos    { return e.p }
func (e *binaryExpr) exprPos() source.Pos   { return e.p }
func (e *callExpr) exprPos() source.Pos     { return e.p }
func (e *methodExpr) exprPos() source.Pos   { return e.p }
func (e *indexExpr) exprPos() source.Pos    { return e.p }
func (e *fieldExpr) exprPos() source.Pos    { return e.p }
func (e *castExpr) exprPos() source.Pos     { return e.p }
func (e *macroExpr) exprPos() source.Pos    { return e.p }
func (e *arrayLit) exprPos() source.Pos     { return e.p }
func (e *blockExpr) exprPos() source.Pos    { return e.p }
func (e *ifExpr) exprPos() source.Pos       { return e.p }
func (e *whileExpr) exprPos() source.Pos    { return e.p }
func (e *loopExpr) exprPos() source.Pos     { return e.p }
func (e *forExpr) exprPos() source.Pos      { return e.p }
func (e *matchExpr) exprPos() source.Pos    { return e.p }
func (e *breakExpr) exprPos() source.Pos    { return e.p }
func (e *continueExpr) exprPos() source.Pos { return e.p }
func (e *returnExpr) exprPos() source.Pos   { return e.p }
func (e *closureExpr) exprPos() source.Pos  { return e.p }

type stmt interface{ stmtPos() source.Pos }

type (
	letStmt struct {
		name string
		mut  bool
		typ  *typeExpr
		init expr
		p    source.Pos
	}
	assignStmt struct {
		target expr
		op     string // "=", "+=", ...
		val    expr
		p      source.Pos
		end    int // byte offset just past the value, for its source text
	}
	exprStmt struct {
		x expr
		p source.Pos
	}
)

func (s *letStmt) stmtPos() source.Pos    { return s.p }
func (s *assignStmt) stmtPos() source.Pos { return s.p }
func (s *exprStmt) stmtPos() source.Pos   { return s.p }

// typeExpr is a type: a name (u32, AtomicBool, Ordering) or an array.
type typeExpr struct {
	name string
	elem *typeExpr // for arrays
	len  expr
	p    source.Pos
}

type (
	staticItem struct {
		name string
		mut  bool
		typ  *typeExpr
		init expr
		p    source.Pos
	}
	constItem struct {
		name string
		typ  *typeExpr
		val  expr
		p    source.Pos
	}
	fnItem struct {
		name   string
		params []param
		ret    *typeExpr
		body   *blockExpr
		p      source.Pos
	}
	threadItem struct {
		name   string
		famVar string // thread w[i in lo..hi]
		lo, hi expr
		incl   bool
		body   *blockExpr
		p      source.Pos
	}
	condItem struct {
		kind string // "exists", "forall", "~exists"
		x    expr
		p    source.Pos
		text string
	}
	expectItem struct {
		verdict string
		p       source.Pos
	}
)

type param struct {
	name string
	typ  *typeExpr
	p    source.Pos
}

type file struct {
	doc     []string
	statics []*staticItem
	consts  []*constItem
	fns     []*fnItem
	threads []*threadItem
	cond    *condItem
	expect  *expectItem
}

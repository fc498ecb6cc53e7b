package herdc

import "happens/source"

// The syntax tree of one herd C litmus test, before resolution.

type litmus struct {
	name    string
	namePos source.Pos
	doc     []string
	init    []*initItem
	threads []*threadDecl

	locations []*condLoc
	locPos    source.Pos
	filter    condExpr
	filterPos source.Pos
	cond      *condClause
}

// ctype is a C type as herd's tests write them.
type ctype struct {
	elem   *ctype // non-nil: a pointer to elem
	bits   int
	signed bool
	atomic bool
	wide   bool   // __int128 and friends
	name   string // as written, for messages
	pos    source.Pos
}

func (t *ctype) isPtr() bool { return t != nil && t.elem != nil }

// initItem is one entry of the init block: "[type] loc [= value]".
type initItem struct {
	pos    source.Pos
	typ    *ctype // nil when not given
	thread int    // >= 0 for a register "0:r1"
	name   string
	val    *initVal // nil when not given
}

type initVal struct {
	pos  source.Pos
	num  int64
	addr string // non-empty: the address of a location
}

type threadDecl struct {
	index  int
	pos    source.Pos
	params []*param
	body   []stmt
}

type param struct {
	typ  *ctype
	name string
	pos  source.Pos
}

// Statements.
type stmt interface{ stmtPos() source.Pos }

type (
	declStmt struct {
		pos  source.Pos
		typ  *ctype
		name string
		init expr // may be nil
	}
	assignStmt struct {
		pos source.Pos
		lhs expr // *identExpr (a register) or a dereference
		rhs expr
	}
	exprStmt struct {
		pos source.Pos
		x   expr
	}
	ifStmt struct {
		pos        source.Pos
		cond       expr
		then, els_ stmt // els_ may be nil
	}
	whileStmt struct {
		pos  source.Pos
		cond expr
		body stmt
		do   bool // do body while (cond);
	}
	blockStmt struct {
		pos   source.Pos
		stmts []stmt
	}
)

func (s *declStmt) stmtPos() source.Pos   { return s.pos }
func (s *assignStmt) stmtPos() source.Pos { return s.pos }
func (s *exprStmt) stmtPos() source.Pos   { return s.pos }
func (s *ifStmt) stmtPos() source.Pos     { return s.pos }
func (s *whileStmt) stmtPos() source.Pos  { return s.pos }
func (s *blockStmt) stmtPos() source.Pos  { return s.pos }

// Expressions. Every node keeps the byte range of its source text.
type expr interface{ sp() *span }

type span struct {
	pos      source.Pos
	off, end int
}

func (s *span) sp() *span { return s }

type (
	numExpr struct {
		span
		val uint64
	}
	identExpr struct {
		span
		name string
	}
	unaryExpr struct {
		span
		op string // "-", "+", "!", "~", "*", "&"
		x  expr
	}
	binaryExpr struct {
		span
		op   string
		x, y expr
	}
	condExprC struct { // c ? a : b
		span
		c, a, b expr
	}
	castExpr struct {
		span
		typ *ctype
		x   expr
	}
	callExpr struct {
		span
		name   string
		annots []string // herd's name{annot,...}(...) form
		args   []expr
	}
)

// Final conditions.

type condClause struct {
	kind string // "exists", "~exists", "forall", "final"
	pos  source.Pos
	x    condExpr
}

type condExpr interface{ cpos() source.Pos }

type (
	condConst struct {
		pos source.Pos
		val bool
	}
	condNot struct {
		pos source.Pos
		x   condExpr
	}
	condBin struct {
		pos  source.Pos
		op   string // "/\", "\/", "=>"
		x, y condExpr
	}
	condAtom struct {
		pos source.Pos
		lhs *condLoc
		ne  bool
		rhs *condVal
	}
)

func (c *condConst) cpos() source.Pos { return c.pos }
func (c *condNot) cpos() source.Pos   { return c.pos }
func (c *condBin) cpos() source.Pos   { return c.pos }
func (c *condAtom) cpos() source.Pos  { return c.pos }

// condLoc is a register "0:r1" (thread >= 0) or a memory location "x".
type condLoc struct {
	pos    source.Pos
	thread int
	name   string
}

// condVal is the right side of an atom: a number, an address, or another
// location.
type condVal struct {
	pos  source.Pos
	num  int64
	addr string
	loc  *condLoc
}

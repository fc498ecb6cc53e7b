package rustlit

import "happens/source"

// The syntax tree. Expressions, statements, patterns and items are closed
// sets.

type expr interface{ exprPos() source.Pos }

type (
	identExpr struct {
		name string
		p    source.Pos
	}
	// pathExpr is a::b::c (two or more segments; generic arguments are
	// dropped).
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
		op string // "-", "!", "*", "&"
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
		end  int
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
	// fieldExpr is x.name, also a tuple field x.0.
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
		// pat and guard are the pattern of matches!(x, PAT if GUARD).
		pat   *pattern
		guard expr
		p     source.Pos
		end   int
	}
	arrayLit struct {
		elems  []expr
		repeat expr // [repeat; count]
		count  expr
		p      source.Pos
	}
	tupleExpr struct {
		elems []expr
		p     source.Pos
	}
	// rangeExpr is lo..hi or lo..=hi (either bound may be nil).
	rangeExpr struct {
		lo, hi expr
		incl   bool
		p      source.Pos
	}
	structLit struct {
		name   string // the struct's name (last path segment)
		fields []fieldInit
		base   expr // ..base
		p      source.Pos
	}
	blockExpr struct {
		stmts  []stmt
		tail   expr // value of the block, or nil
		label  string
		unsafe bool
		konst  bool // const { ... }
		p      source.Pos
		end    source.Pos // the closing brace
	}
	ifExpr struct {
		cond expr
		pat  *pattern // if let PAT = cond
		then *blockExpr
		els  expr // nil, *blockExpr or *ifExpr
		p    source.Pos
	}
	whileExpr struct {
		cond  expr
		pat   *pattern // while let
		body  *blockExpr
		label string
		p     source.Pos
	}
	loopExpr struct {
		body  *blockExpr
		label string
		p     source.Pos
	}
	forExpr struct {
		pat   *pattern
		iter  expr
		body  *blockExpr
		label string
		p     source.Pos
	}
	matchExpr struct {
		x    expr
		arms []matchArm
		p    source.Pos
	}
	breakExpr struct {
		label string
		x     expr // break value
		p     source.Pos
	}
	continueExpr struct {
		label string
		p     source.Pos
	}
	returnExpr struct {
		x expr
		p source.Pos
	}
	closureExpr struct {
		params []*pattern
		body   expr
		move   bool
		p      source.Pos
	}
	// badExpr stands for an expression that failed to parse.
	badExpr struct{ p source.Pos }
)

type fieldInit struct {
	name string
	x    expr
	p    source.Pos
}

type matchArm struct {
	pat   *pattern
	guard expr
	body  expr
	p     source.Pos
}

type patKind uint8

const (
	pWild    patKind = iota // _
	pBind                   // name, or name @ sub
	pLit                    // a literal (or a const)
	pRange                  // lo..=hi, lo..hi, lo.., ..=hi
	pOr                     // alts
	pTuple                  // (a, b)
	pVariant                // Ok(p), Err(p), Some(p), None
	pRest                   // .. inside a tuple pattern
	pRef                    // &p
	pStruct                 // Name { f: p, .. }
)

// pattern is a pattern of let, match, if let, while let, for and closure
// parameters.
type pattern struct {
	kind   patKind
	name   string // pBind: the name; pVariant: Ok, Err, Some, None; pStruct: the type
	mut    bool
	sub    *pattern   // pBind: name @ sub; pRef: the referent
	elems  []*pattern // pTuple, pVariant arguments, pOr alternatives, pStruct fields
	fields []string   // pStruct: field names of elems
	lit    expr       // pLit
	lo, hi expr       // pRange
	incl   bool
	typ    *typeExpr // a closure parameter's type, if written
	p      source.Pos
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
func (e *tupleExpr) exprPos() source.Pos    { return e.p }
func (e *rangeExpr) exprPos() source.Pos    { return e.p }
func (e *structLit) exprPos() source.Pos    { return e.p }
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
func (e *badExpr) exprPos() source.Pos      { return e.p }

type stmt interface{ stmtPos() source.Pos }

type (
	letStmt struct {
		pat  *pattern
		typ  *typeExpr
		init expr
		els  *blockExpr // let PAT = x else { ... };
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
		x    expr
		semi bool // ended by ';'
		p    source.Pos
	}
	// itemStmt is an item declared inside a block (fn, const, static,
	// struct, use, impl).
	itemStmt struct {
		it item
		p  source.Pos
	}
	// markStmt is a `// t_1` comment line: the statements after it, up to
	// the next mark, are a thread.
	markStmt struct {
		name string
		p    source.Pos
	}
)

func (s *letStmt) stmtPos() source.Pos    { return s.p }
func (s *assignStmt) stmtPos() source.Pos { return s.p }
func (s *exprStmt) stmtPos() source.Pos   { return s.p }
func (s *itemStmt) stmtPos() source.Pos   { return s.p }
func (s *markStmt) stmtPos() source.Pos   { return s.p }

type typeKind uint8

const (
	tyPath  typeKind = iota // u32, AtomicU32, Node, Option<T>, Arc<T>, ...
	tyArray                 // [T; N]
	tySlice                 // [T]
	tyTuple                 // (A, B), () is the empty tuple
	tyRef                   // &T, &mut T, &'a T
	tyPtr                   // *const T, *mut T
	tyInfer                 // _
	tyNever                 // !
	tyOther                 // impl Trait, dyn Trait, fn(...) -> T
)

// typeExpr is a written type.
type typeExpr struct {
	kind typeKind
	name string      // tyPath: last segment; tyOther: "impl", "dyn" or "fn"
	path []string    // tyPath: every segment
	args []*typeExpr // tyPath: generic arguments; tyTuple: elements
	elem *typeExpr   // tyArray, tySlice, tyRef, tyPtr
	len  expr        // tyArray
	mut  bool        // &mut, *mut
	p    source.Pos
}

// item is a top-level (or block-level) declaration.
type item interface{ itemPos() source.Pos }

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
		name    string
		params  []param
		ret     *typeExpr
		body    *blockExpr
		self    bool // a method: takes &self (or self)
		isConst bool
		generic bool // has generic parameters
		attrs   []string
		recv    string // the impl's type for methods and associated fns
		p       source.Pos
		broken  bool // its text had syntax errors
	}
	structItem struct {
		name    string
		fields  []param
		tuple   bool // struct S(A, B);
		generic bool
		p       source.Pos
	}
	implItem struct {
		typ   string
		trait string
		fns   []*fnItem
		items []item // associated consts
		p     source.Pos
	}
	// useItem is a use declaration; names lists each imported name with
	// its full path (a glob ends in "*").
	useItem struct {
		paths [][]string
		p     source.Pos
	}
	threadItem struct {
		name   string
		famVar string // thread w[i in lo..hi]
		lo, hi expr
		incl   bool
		body   *blockExpr
		p      source.Pos
		broken bool
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
	// finalItem is final { ... }: code that runs once every thread has
	// finished (a whole program's main after its joins).
	finalItem struct {
		body *blockExpr
		p    source.Pos
	}
	// otherItem is an item happens does not model (enum, trait, mod,
	// extern crate, macro_rules!, type alias): it is rejected when used.
	otherItem struct {
		kind string
		name string
		p    source.Pos
	}
	// modItem is an inline module (mod tests { ... }).
	modItem struct {
		items []item
		p     source.Pos
	}
	// topStmt is a statement written at the top level of a file (the
	// seeds' snippets): book notation.
	topStmt struct {
		s stmt
	}
)

func (i *staticItem) itemPos() source.Pos { return i.p }
func (i *constItem) itemPos() source.Pos  { return i.p }
func (i *fnItem) itemPos() source.Pos     { return i.p }
func (i *structItem) itemPos() source.Pos { return i.p }
func (i *implItem) itemPos() source.Pos   { return i.p }
func (i *useItem) itemPos() source.Pos    { return i.p }
func (i *threadItem) itemPos() source.Pos { return i.p }
func (i *condItem) itemPos() source.Pos   { return i.p }
func (i *expectItem) itemPos() source.Pos { return i.p }
func (i *otherItem) itemPos() source.Pos  { return i.p }
func (i *finalItem) itemPos() source.Pos  { return i.p }
func (i *modItem) itemPos() source.Pos    { return i.p }
func (i *topStmt) itemPos() source.Pos    { return i.s.stmtPos() }

type param struct {
	name string
	pat  *pattern
	typ  *typeExpr
	p    source.Pos
}

type file struct {
	doc   []string
	items []item
	// attrs are the attributes of each fn item, by fn.
	errLines map[int]bool // lines with syntax errors
	// hashes are the `# text` comments after code, read only in a
	// snippet (snippet.go).
	hashes []source.Pos
}

package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

// Values. Everything a thread computes lives in registers; compound
// values (tuples, Options, structs of plain fields, compare_exchange
// Results) are several registers, and references to shared memory are
// compile-time places that cost no register.

type vkind uint8

const (
	vUnit    vkind = iota
	vScalar        // reg: an integer or bool of type t
	vResult        // reg: the value (of type t), reg+1: whether it is Ok (compare_exchange)
	vTuple         // elems
	vOption        // reg: Some (bool); elems[0]: the payload
	vStruct        // a struct of plain fields: elems in field order, sname
	vPlace         // pl: a reference to shared memory
	vGuard         // a MutexGuard: pl is the Mutex's data, gd its record
	vNever         // the expression does not finish (return, break, panic, loop)
	vClosure       // cl: a closure, inlined where it is called
	vRange         // rng: lo..hi, an iterator
	vHandle        // h: a thread's JoinHandle (whole programs, final blocks)
	vHandles       // hs: a list of handles (a Vec of JoinHandles, a thread family)
	vJoined        // what join() returns: elems[0] is the thread's value
	vPoison        // a name whose declaration failed: its uses report nothing more
)

type value struct {
	k     vkind
	reg   int
	t     prog.Type
	elems []value
	sname string
	pl    *place
	gd    *guard
	cl    *closureVal
	rng   *rangeVal
	h     *handleVal
	hs    []*handleVal
	// lit marks an unsuffixed integer literal, whose type is open and
	// whose range is checked against the type it meets.
	lit    bool
	litNeg bool
	litv   uint64
}

var unit = value{k: vUnit, reg: -1, t: prog.Unit}
var never = value{k: vNever, reg: -1, t: prog.Unit}

func scalar(reg int, t prog.Type) value { return value{k: vScalar, reg: reg, t: t} }

// ty is the type of a value, for allocation and checks.
type ty struct {
	k     vkind
	t     prog.Type
	elems []*ty
	sname string
}

func (v value) typ() *ty {
	switch v.k {
	case vScalar, vResult:
		return &ty{k: v.k, t: v.t}
	case vTuple, vOption, vStruct:
		out := &ty{k: v.k, sname: v.sname}
		for _, e := range v.elems {
			out.elems = append(out.elems, e.typ())
		}
		return out
	}
	return &ty{k: v.k}
}

func (t *ty) String() string {
	if t == nil {
		return "_"
	}
	switch t.k {
	case vUnit:
		return "()"
	case vScalar:
		return t.t.String()
	case vResult:
		return fmt.Sprintf("Result<%s, %s>", t.t, t.t)
	case vTuple:
		var parts []string
		for _, e := range t.elems {
			parts = append(parts, e.String())
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case vOption:
		return "Option<" + t.elems[0].String() + ">"
	case vStruct:
		return t.sname
	case vPlace:
		return "a reference to shared memory"
	case vGuard:
		return "MutexGuard"
	case vNever:
		return "!"
	case vClosure:
		return "a closure"
	case vRange:
		return "a range"
	case vHandle:
		return "JoinHandle"
	case vHandles:
		return "Vec<JoinHandle>"
	case vJoined:
		return "thread::Result"
	}
	return "?"
}

func (v value) String() string { return v.typ().String() }

// place is a reference to shared memory: an object, and within it a field
// and an element.
type place struct {
	obj   *object
	field string
	idx   *value // a dynamic index
	cidx  int    // a constant index (when idx is nil); -1: none
	data  bool   // a Mutex's data (through its guard), not the Mutex
	p     source.Pos
}

func (pl *place) indexed() bool { return pl.idx != nil || pl.cidx >= 0 }

// guard is a held MutexGuard.
type guard struct {
	mutex *place
	held  bool
	depth int // the scope that owns it (-1: a temporary of the statement)
}

type closureVal struct {
	e     *closureExpr
	scope []*scope // the scopes it captures
}

type rangeVal struct {
	lo, hi value // hi.k == vUnit: unbounded
	incl   bool
	rev    bool
	step   *value
	// stepFirst: step_by was applied before rev.
	stepFirst bool
	p         source.Pos
	elemT     prog.Type
}

type handleVal struct {
	thread int   // index of the thread in the program
	result value // the thread's value, in its registers
	name   string
}

type local struct {
	v   value
	mut bool
	// cell: v is the place of a local of main that threads share (see
	// cells.go): the name reads and assigns it in place.
	cell bool
}

type scope struct {
	vars   map[string]*local
	guards []*guard
}

type loopCtx struct {
	label             string
	breaks, continues []int
	id                uint64
	block             bool // a labelled block: break only
	depth             int  // len(g.scopes) when it was entered
	result            *value
	want              *ty  // the type the context expects of the break value
	isLoop            bool // loop (may break with a value)
}

type fnCtx struct {
	name    string
	returns []int
	result  value
	ret     *ty
	loops   int // len(g.loops) when the function was entered
	depth   int
}

type gen struct {
	c      *compiler
	code   []prog.Instr
	nregs  int
	scopes []*scope
	loops  []*loopCtx
	fns    []*fnCtx
	// threadRet is the return type of a fn item run as a thread's body.
	threadRet *ty
	locals    []prog.Local // exported
	// zero is a register holding 0, used for conversions.
	zero int
	// temps are guards created by the current statement and not bound:
	// they are dropped at its end.
	temps []*guard
	// bails counts the statements (and parts) given up at an error or a
	// poisoned name: a value computed across one is unknown.
	bails int
	// inLoop counts the loops being compiled, for allocations that a loop
	// would repeat.
	inLoop int
	name   string
	// final is set while compiling a program's Final code (main after its
	// joins), where join() reads a finished thread's value.
	final bool
}

// genBail abandons the current statement after an error; errors are
// recorded first.
type genBail struct{}

func (g *gen) errorf(pos source.Pos, format string, args ...any) {
	g.c.errorf(pos, format, args...)
	panic(genBail{})
}

func newGen(c *compiler, name string) *gen {
	g := &gen{c: c, name: name}
	g.push()
	for n := range c.badNames {
		g.bind(n, value{k: vPoison}, false)
	}
	g.zero = g.reg()
	g.emit(prog.Instr{Op: prog.OpConst, A: g.zero})
	return g
}

func (g *gen) push() { g.scopes = append(g.scopes, &scope{vars: map[string]*local{}}) }

// pop closes the innermost scope, dropping the guards it holds (unless the
// code there is unreachable: dead).
func (g *gen) pop(end source.Pos) {
	s := g.scopes[len(g.scopes)-1]
	for i := len(s.guards) - 1; i >= 0; i-- {
		if s.guards[i].held {
			g.unlock(s.guards[i], end)
		}
	}
	g.scopes = g.scopes[:len(g.scopes)-1]
}

func (g *gen) bind(name string, v value, mut bool) {
	if name == "_" || name == "" {
		return
	}
	g.scopes[len(g.scopes)-1].vars[name] = &local{v: v, mut: mut}
}

func (g *gen) reg() int {
	g.nregs++
	return g.nregs - 1
}

func (g *gen) emit(in prog.Instr) int {
	g.code = append(g.code, in)
	return len(g.code) - 1
}

func (g *gen) here() int { return len(g.code) }

func (g *gen) patch(at []int, target int) {
	for _, i := range at {
		g.code[i].Target = target
	}
}

func (g *gen) jump() int { return g.emit(prog.Instr{Op: prog.OpJump}) }

// branchFalse emits a branch taken when register r is 0.
func (g *gen) branchFalse(r int) int { return g.emit(prog.Instr{Op: prog.OpBranch, A: r}) }

// branchTrue emits a branch taken when bool register r is 1.
func (g *gen) branchTrue(r int) int {
	n := g.reg()
	g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: n, B: r})
	return g.branchFalse(n)
}

// use looks a name up where the program uses its value: a poisoned name
// ends the statement without another error.
func (g *gen) use(name string) *local {
	l := g.lookup(name)
	if l != nil {
		usable(l.v)
	}
	return l
}

func (g *gen) lookup(name string) *local {
	for i := len(g.scopes) - 1; i >= 0; i-- {
		if l, ok := g.scopes[i].vars[name]; ok {
			return l
		}
	}
	return nil
}

// safe runs f, recovering from a statement-level bail.
func (g *gen) safe(f func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(genBail); !ok {
				panic(r)
			}
			g.bails++
		}
	}()
	f()
}

// alloc allocates registers for a value of type t.
func (g *gen) alloc(t *ty) value {
	switch t.k {
	case vScalar:
		return scalar(g.reg(), t.t)
	case vResult:
		r := g.reg()
		g.reg()
		return value{k: vResult, reg: r, t: t.t}
	case vTuple, vStruct:
		v := value{k: t.k, sname: t.sname}
		for _, e := range t.elems {
			v.elems = append(v.elems, g.alloc(e))
		}
		return v
	case vOption:
		tag := g.reg()
		return value{k: vOption, reg: tag, t: prog.Bool, elems: []value{g.alloc(t.elems[0])}}
	case vNever:
		return never
	}
	return unit
}

// move copies src into the registers of dst (same shape).
func (g *gen) move(dst, src value) {
	switch dst.k {
	case vScalar:
		if src.k == vScalar && dst.reg != src.reg {
			g.emit(prog.Instr{Op: prog.OpMove, A: dst.reg, B: src.reg})
		}
	case vResult:
		if dst.reg != src.reg {
			g.emit(prog.Instr{Op: prog.OpMove, A: dst.reg, B: src.reg})
			g.emit(prog.Instr{Op: prog.OpMove, A: dst.reg + 1, B: src.reg + 1})
		}
	case vOption:
		if dst.reg != src.reg {
			g.emit(prog.Instr{Op: prog.OpMove, A: dst.reg, B: src.reg})
		}
		g.move(dst.elems[0], src.elems[0])
	case vTuple, vStruct:
		for i := range dst.elems {
			if i < len(src.elems) {
				g.move(dst.elems[i], src.elems[i])
			}
		}
	}
}

// copyValue moves v into fresh registers, so a binding owns its storage.
func (g *gen) copyValue(v value) value {
	switch v.k {
	case vScalar, vResult, vTuple, vOption, vStruct:
		n := g.alloc(v.typ())
		g.move(n, v)
		return n
	}
	return v
}

// sameShape reports whether values of types a and b fit the same
// registers, allowing flexible integers.
func sameShape(a, b *ty) bool {
	if a == nil || b == nil {
		return true
	}
	if a.k == vNever || b.k == vNever {
		return true
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case vScalar, vResult:
		_, ok := prog.Unify(a.t, b.t)
		return ok
	case vTuple, vOption, vStruct:
		if len(a.elems) != len(b.elems) || a.sname != b.sname {
			return false
		}
		for i := range a.elems {
			if !sameShape(a.elems[i], b.elems[i]) {
				return false
			}
		}
	}
	return true
}

// coerce checks that v can be used where type want (nil: any) is
// expected, converting flexible integers and checking literals' ranges.
func (g *gen) coerce(v value, want *ty, pos source.Pos) value {
	if want == nil {
		return v
	}
	if v.k == vNever {
		return g.alloc(want)
	}
	if want.k == vPlace && (v.k == vPlace || v.k == vGuard) {
		return v
	}
	if v.k != want.k {
		g.errorf(pos, "mismatched types: expected %s, found %s", want, v)
	}
	switch v.k {
	case vScalar:
		return g.coerceScalar(v, want.t, pos)
	case vResult:
		if _, ok := prog.Unify(v.t, want.t); !ok {
			g.errorf(pos, "mismatched types: expected %s, found %s", want, v)
		}
		return v
	case vTuple, vStruct:
		if len(v.elems) != len(want.elems) || v.sname != want.sname {
			g.errorf(pos, "mismatched types: expected %s, found %s", want, v)
		}
		out := value{k: v.k, sname: v.sname}
		for i := range v.elems {
			out.elems = append(out.elems, g.coerce(v.elems[i], want.elems[i], pos))
		}
		return out
	case vOption:
		return value{k: vOption, reg: v.reg, t: prog.Bool, elems: []value{g.coerce(v.elems[0], want.elems[0], pos)}}
	}
	return v
}

func (g *gen) coerceScalar(v value, t prog.Type, pos source.Pos) value {
	u, ok := prog.Unify(v.t, t)
	if !ok {
		g.errorf(pos, "mismatched types: expected %s, found %s", t, v.t)
	}
	if v.lit && t.IsInt() && !t.Flexible && !litFits(v.litv, v.litNeg, t) {
		if v.litNeg && !t.Signed {
			g.errorf(pos, "cannot apply unary operator - to type %s", t)
		}
		g.errorf(pos, "literal out of range for %s", t)
	}
	if v.t.Flexible && !t.Flexible && t.IsInt() {
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.Add, T: t, A: r, B: v.reg, C: g.zero})
		return scalar(r, u)
	}
	return v
}

// typeOfSafe is typeOf outside a statement: an error is reported, and
// nil returned.
func (g *gen) typeOfSafe(te *typeExpr) (t *ty) {
	g.safe(func() { t = g.typeOf(te) })
	return t
}

// typeOf resolves a written type to a value type. Types of shared memory
// (&AtomicU32, &Node, Arc<...>) are places.
func (g *gen) typeOf(te *typeExpr) *ty {
	if te == nil {
		return nil
	}
	g.checkType(te)
	switch te.kind {
	case tyInfer:
		return nil
	case tyNever:
		return &ty{k: vNever}
	case tyTuple:
		if len(te.args) == 0 {
			return &ty{k: vUnit}
		}
		out := &ty{k: vTuple}
		for _, a := range te.args {
			e := g.typeOf(a)
			if e == nil {
				g.errorf(a.p, "the type of a tuple element must be written out")
			}
			out.elems = append(out.elems, e)
		}
		return out
	case tyRef:
		inner := unwrapType(te.elem)
		if why := unsupportedType(inner); why != "" {
			g.errorf(inner.p, "%s", why)
		}
		if inner.kind == tyPath {
			if t, atomic, ok := scalarType(g.c.typeName(inner.name)); ok && !atomic {
				if te.mut {
					g.errorf(te.p, "mutable references to locals are not supported; return the new value instead")
				}
				return &ty{k: vScalar, t: t}
			}
		}
		return &ty{k: vPlace}
	case tyArray:
		g.errorf(te.p, "arrays are shared memory (statics, or allocated by main); a thread's local arrays are not supported")
	}
	if why := unsupportedType(te); why != "" {
		g.errorf(te.p, "%s", why)
	}
	name := g.c.typeName(te.name)
	if t, atomic, ok := scalarType(name); ok {
		if atomic {
			return &ty{k: vPlace}
		}
		return &ty{k: vScalar, t: t}
	}
	switch name {
	case "Option":
		if len(te.args) != 1 {
			g.errorf(te.p, "Option takes one type argument")
		}
		e := g.typeOf(te.args[0])
		if e == nil {
			e = &ty{k: vScalar, t: prog.Int}
		}
		return &ty{k: vOption, elems: []*ty{e}}
	case "Result":
		if len(te.args) == 2 {
			a, b := g.typeOf(te.args[0]), g.typeOf(te.args[1])
			if a != nil && b != nil && a.k == vScalar && b.k == vScalar {
				if _, ok := prog.Unify(a.t, b.t); ok {
					return &ty{k: vResult, t: a.t}
				}
			}
		}
		g.errorf(te.p, "only Result<T, T> of an integer or bool (as compare_exchange returns) is supported")
	case "Arc", "Box", "Mutex", "CachePadded", "Pin", "UnsafeCell":
		return &ty{k: vPlace}
	case "MutexGuard":
		return &ty{k: vGuard}
	case "JoinHandle", "ScopedJoinHandle":
		return &ty{k: vHandle}
	}
	if st := g.c.structs[name]; st != nil {
		fs, plain := g.plainStruct(st)
		if !plain {
			return &ty{k: vPlace}
		}
		return &ty{k: vStruct, sname: st.name, elems: fs}
	}
	g.errorf(te.p, "unsupported type %s", typeString(te))
	return nil
}

// checkType reports the first part of a written type happens does not
// model (dyn Fn inside a Box, a Vec of anything, a raw pointer).
func (g *gen) checkType(te *typeExpr) {
	if te == nil {
		return
	}
	if why := unsupportedType(te); why != "" {
		g.errorf(te.p, "%s", why)
	}
	for _, a := range te.args {
		g.checkType(a)
	}
	g.checkType(te.elem)
}

// plainStruct reports whether a struct has only plain scalar fields (a
// value a thread can hold in registers), and their types.
func (g *gen) plainStruct(st *structItem) ([]*ty, bool) {
	var out []*ty
	for _, f := range st.fields {
		te := f.typ
		if te.kind != tyPath {
			return nil, false
		}
		t, atomic, ok := scalarType(g.c.typeName(te.name))
		if !ok || atomic {
			return nil, false
		}
		out = append(out, &ty{k: vScalar, t: t})
	}
	return out, true
}

// Statements.

func (g *gen) stmts(list []stmt, top bool) {
	for _, s := range list {
		ok := false
		g.safe(func() {
			g.stmt(s, top)
			ok = true
		})
		if ls, isLet := s.(*letStmt); isLet && !ok {
			// The error was reported; what the let would have declared
			// must not be reported missing as well.
			g.poison(ls.pat)
		}
		g.dropTemps(s.stmtPos())
	}
}

// poison binds the names a pattern declares to a value whose uses end
// their statement without another error.
func (g *gen) poison(p *pattern) {
	for _, n := range patNames(p, nil) {
		g.bind(n, value{k: vPoison}, true)
	}
}

// usable stops a statement, without an error, at a poisoned name.
func usable(v value) value {
	if v.k == vPoison {
		panic(genBail{})
	}
	return v
}

// dropTemps releases the guards the statement created and did not bind.
func (g *gen) dropTemps(pos source.Pos) {
	for i := len(g.temps) - 1; i >= 0; i-- {
		if gd := g.temps[i]; gd.held && gd.depth < 0 {
			g.unlock(gd, pos)
		}
	}
	g.temps = nil
}

func (g *gen) stmt(s stmt, top bool) {
	switch s := s.(type) {
	case *letStmt:
		g.let(s, top)
	case *assignStmt:
		g.assign(s)
	case *exprStmt:
		v := g.expr(s.x)
		if v.k == vHandle && !s.semi {
			return
		}
	case *itemStmt:
		// Hoisted before code generation.
	case *markStmt:
		g.errorf(s.p, "a thread comment (// %s) can only start a thread at the top level of a file or of fn main", s.name)
	}
}

func (g *gen) let(s *letStmt, top bool) {
	want := g.typeOf(s.typ)
	if s.init == nil {
		if s.pat.kind != pBind {
			g.errorf(s.p, "a let without a value must bind a name")
		}
		t := want
		if t == nil {
			t = &ty{k: vScalar, t: prog.Int}
		}
		v := g.alloc(t)
		g.zeroFill(v)
		// A deferred initialisation is an assignment.
		g.bind(s.pat.name, v, true)
		if top {
			g.export(s.pat.name, v)
		}
		return
	}
	if s.pat.kind == pBind && s.pat.sub == nil {
		if obj := g.localObject(s, top); obj {
			return
		}
	}
	nerr, bails := g.c.nerr, g.bails
	start := g.here()
	init := g.exprWant(s.init, want)
	if init.k == vUnit && (g.c.nerr > nerr || g.bails > bails) {
		// A part of the value failed (reported there): the let's names
		// are poisoned, not ().
		panic(genBail{})
	}
	if init.k == vUnit && s.pat.kind == pBind && s.pat.name != "_" {
		if _, isCall := s.init.(*callExpr); !isCall {
			g.errorf(s.p, "%s would have type (); expressions with no value cannot be bound", s.pat.name)
		}
	}
	if want != nil {
		init = g.coerce(init, want, s.init.exprPos())
	}
	if top && g.zeroLet(s, init, start) {
		return
	}
	if init.k == vGuard {
		init.gd.depth = len(g.scopes) - 1
		g.scopes[len(g.scopes)-1].guards = append(g.scopes[len(g.scopes)-1].guards, init.gd)
	}
	if s.els != nil {
		var fail []int
		g.matchPat(s.pat, init, &fail, nil)
		skip := g.jump()
		g.patch(fail, g.here())
		v := g.expr(s.els)
		if v.k != vNever && !diverges(s.els) {
			g.errorf(s.els.p, "the else block of let-else must not finish normally (end it with return, break, continue or panic!)")
		}
		g.patch([]int{skip}, g.here())
	} else {
		if !irrefutable(s.pat, init) {
			g.errorf(s.pat.p, "refutable pattern in let: use if let, match or let ... else")
		}
		var fail []int
		g.matchPat(s.pat, init, &fail, nil)
		if len(fail) > 0 {
			// Unreachable for an irrefutable pattern.
			g.patch(fail, g.here())
		}
	}
	if top {
		g.exportPat(s.pat)
	}
}

// zeroLet compiles let x = 0 (or false) at a thread's top level, where
// init is the literal's value, computed from instruction start on: x is
// the literal's own register, which no instruction writes before (the
// registers are fresh, and the top level runs once), so it holds 0
// without the constant (or its conversion to x's declared type). This
// is how fmt --to rust declares a variable it assigns later (let mut x:
// u32 = 0;), so the printed text compiles to the code it was printed
// from.
func (g *gen) zeroLet(s *letStmt, init value, start int) bool {
	if s.els != nil || s.pat.kind != pBind || s.pat.sub != nil || s.pat.name == "_" || g.c.consts[s.pat.name] != nil {
		return false
	}
	switch l := s.init.(type) {
	case *intLit:
	case *boolLit:
		if l.val {
			return false
		}
	default:
		return false
	}
	if init.k != vScalar || g.here() != start+1 && g.here() != start+2 {
		return false
	}
	in := &g.code[start]
	if in.Op != prog.OpConst || in.Imm != 0 {
		return false
	}
	if g.here() == start+2 {
		// let x: u32 = 0: the literal converted to the declared type.
		cv := &g.code[start+1]
		if cv.Op != prog.OpBinary || cv.Bin != prog.Add || cv.B != in.A || cv.C != g.zero || cv.A != init.reg {
			return false
		}
	} else if in.A != init.reg {
		return false
	}
	g.code = g.code[:start]
	init.lit, init.litv = false, 0 // a variable now, no longer a literal
	g.bind(s.pat.name, init, s.pat.mut)
	g.exportPat(s.pat)
	return true
}

// zeroFill sets v's registers to 0 (None for an Option).
func (g *gen) zeroFill(v value) {
	switch v.k {
	case vScalar:
		g.emit(prog.Instr{Op: prog.OpConst, A: v.reg, T: v.t})
	case vResult:
		g.emit(prog.Instr{Op: prog.OpConst, A: v.reg, T: v.t})
		g.emit(prog.Instr{Op: prog.OpConst, A: v.reg + 1, T: prog.Bool})
	case vOption:
		g.emit(prog.Instr{Op: prog.OpConst, A: v.reg, T: prog.Bool})
		g.zeroFill(v.elems[0])
	case vTuple, vStruct:
		for _, e := range v.elems {
			g.zeroFill(e)
		}
	}
}

// exportPat exports the names a top-level let binds.
func (g *gen) exportPat(p *pattern) {
	switch p.kind {
	case pBind:
		if l := g.lookup(p.name); l != nil {
			g.export(p.name, l.v)
		}
		if p.sub != nil {
			g.exportPat(p.sub)
		}
	case pTuple, pStruct, pVariant:
		for _, e := range p.elems {
			g.exportPat(e)
		}
	case pRef:
		g.exportPat(p.sub)
	}
}

func (g *gen) export(name string, v value) {
	if v.k != vScalar {
		return
	}
	for i, l := range g.locals {
		if l.Name == name {
			g.locals = append(g.locals[:i], g.locals[i+1:]...)
			break
		}
	}
	g.locals = append(g.locals, prog.Local{Name: name, Reg: v.reg, Type: v.t})
}

// irrefutable reports whether p matches every value of v's type.
func irrefutable(p *pattern, v value) bool {
	switch p.kind {
	case pWild, pRest:
		return true
	case pBind:
		return p.sub == nil || irrefutable(p.sub, v)
	case pRef:
		return irrefutable(p.sub, v)
	case pTuple, pStruct:
		for i, e := range p.elems {
			var ev value
			if i < len(v.elems) {
				ev = v.elems[i]
			}
			if !irrefutable(e, ev) {
				return false
			}
		}
		return true
	case pOr:
		for _, e := range p.elems {
			if irrefutable(e, v) {
				return true
			}
		}
	}
	return false
}

// Assignments.

func (g *gen) assign(s *assignStmt) {
	text := g.c.text(exprStart(s.target), s.end)
	var op prog.BinOp
	compound := s.op != "="
	if compound {
		op = binOps[strings.TrimSuffix(s.op, "=")]
	}
	switch t := s.target.(type) {
	case *identExpr:
		if t.name == "_" && !compound {
			g.expr(s.val)
			return
		}
		if l := g.use(t.name); l != nil && !l.cell {
			if l.v.k == vPlace || l.v.k == vGuard {
				g.errorf(t.p, "%s refers to shared memory; use a method (store) or *%s = ... for a Mutex guard", t.name, t.name)
			}
			if !l.mut {
				g.errorf(t.p, "cannot assign twice to immutable variable %s (declare it with let mut)", t.name)
			}
			v := g.exprWant(s.val, l.v.typ())
			if compound {
				v = g.binop(op, l.v, v, s.p)
			}
			v = g.coerce(v, l.v.typ(), s.val.exprPos())
			g.move(l.v, v)
			return
		}
	case *tupleExpr:
		if !compound {
			// (a, b) = (b, a): evaluate, then assign each.
			v := g.copyValue(g.expr(s.val))
			if v.k != vTuple || len(v.elems) != len(t.elems) {
				g.errorf(s.p, "mismatched types: expected a tuple of %d, found %s", len(t.elems), v)
			}
			for i, x := range t.elems {
				id, ok := x.(*identExpr)
				if !ok {
					g.errorf(x.exprPos(), "only names can be assigned in a tuple assignment")
				}
				if id.name == "_" {
					continue
				}
				l := g.lookup(id.name)
				if l == nil {
					g.errorf(id.p, "cannot find %s in this scope", id.name)
				}
				if !l.mut {
					g.errorf(id.p, "cannot assign twice to immutable variable %s (declare it with let mut)", id.name)
				}
				g.move(l.v, g.coerce(v.elems[i], l.v.typ(), s.val.exprPos()))
			}
			return
		}
	}
	// A field of a local tuple or struct: got.0 = v, p.x += 1.
	if fe, ok := s.target.(*fieldExpr); ok {
		if dst, mut, ok := g.localField(fe); ok {
			if !mut {
				g.errorf(fe.p, "cannot assign to a field of an immutable variable (declare it with let mut)")
			}
			v := g.exprWant(s.val, dst.typ())
			if compound {
				v = g.binop(op, dst, v, s.p)
			}
			g.move(dst, g.coerce(v, dst.typ(), s.val.exprPos()))
			return
		}
	}
	// Shared memory: a static mut, an element, a field, *guard.
	pl, ok := g.placeOf(s.target)
	if !ok {
		if id, isID := s.target.(*identExpr); isID {
			g.errorf(id.p, "cannot find %s in this scope", id.name)
		}
		g.errorf(s.p, "cannot assign to this expression")
	}
	addr, v := g.leaf(pl, s.target.exprPos())
	if v.Atomic {
		name := exprString(s.target)
		g.errorf(s.p, "%s is atomic; use %s.store(value, ordering)", name, name)
	}
	val := g.exprWant(s.val, &ty{k: vScalar, t: v.Type})
	if compound {
		cur := scalar(g.reg(), v.Type)
		g.emit(prog.Instr{Op: prog.OpLoad, A: cur.reg, Addr: addr, Pos: s.p, Text: text})
		val = g.binop(op, cur, val, s.p)
	}
	val = g.coerceValue(val, v.Type, s.val.exprPos())
	g.emit(prog.Instr{Op: prog.OpStore, B: val.reg, Addr: addr, Pos: s.p, Text: text})
}

// localField resolves x.0, x.f (nested) of a local tuple or struct to the
// element's registers, and whether the variable is mutable.
func (g *gen) localField(e *fieldExpr) (value, bool, bool) {
	var base value
	var mut bool
	switch x := e.x.(type) {
	case *identExpr:
		l := g.use(x.name)
		if l == nil {
			return value{}, false, false
		}
		base, mut = l.v, l.mut
	case *fieldExpr:
		v, m, ok := g.localField(x)
		if !ok {
			return value{}, false, false
		}
		base, mut = v, m
	default:
		return value{}, false, false
	}
	switch base.k {
	case vTuple:
		for i := range base.elems {
			if itoa(i) == e.name {
				return base.elems[i], mut, true
			}
		}
		g.errorf(e.p, "no field %s on a tuple of %d", e.name, len(base.elems))
	case vStruct:
		if k := fieldIndex(g.c.structs[base.sname], e.name); k >= 0 {
			return base.elems[k], mut, true
		}
		g.errorf(e.p, "struct %s has no field %s", base.sname, e.name)
	}
	return value{}, false, false
}

// coerceValue checks that v is a scalar of type t.
func (g *gen) coerceValue(v value, t prog.Type, pos source.Pos) value {
	if v.k == vNever {
		return scalar(g.zero, t)
	}
	if v.k != vScalar {
		g.errorf(pos, "mismatched types: expected %s, found %s", t, v)
	}
	return g.coerceScalar(v, t, pos)
}

func (g *gen) constant(v uint64, t prog.Type) value {
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpConst, A: r, Imm: v, T: t})
	return scalar(r, t)
}

func (g *gen) binop(op prog.BinOp, x, y value, pos source.Pos) value {
	if x.k == vNever || y.k == vNever {
		return never
	}
	if op == prog.Eq || op == prog.Ne {
		if x.k != vScalar || y.k != vScalar {
			return g.equal(op, x, y, pos)
		}
	}
	if x.k != vScalar || y.k != vScalar {
		bad := x
		if x.k == vScalar {
			bad = y
		}
		g.errorf(pos, "operator %s cannot be applied to %s", op, bad)
	}
	t, ok := prog.Unify(x.t, y.t)
	if op == prog.Shl || op == prog.Shr {
		t, ok = x.t, x.t.IsInt() && y.t.IsInt()
	}
	if !ok {
		g.errorf(pos, "mismatched types %s and %s for %s", x.t, y.t, op)
	}
	if x.lit && !t.Flexible && t.IsInt() && !litFits(x.litv, x.litNeg, t) {
		g.errorf(pos, "literal out of range for %s", t)
	}
	if y.lit && !t.Flexible && t.IsInt() && op != prog.Shl && op != prog.Shr && !litFits(y.litv, y.litNeg, t) {
		g.errorf(pos, "literal out of range for %s", t)
	}
	switch {
	case t.Kind == prog.KindUnit:
		g.errorf(pos, "operator %s cannot be applied to ()", op)
	case t.Kind == prog.KindBool && !(op == prog.Eq || op == prog.Ne || op == prog.And || op == prog.Or || op == prog.Xor || op == prog.Lt || op == prog.Le || op == prog.Gt || op == prog.Ge):
		g.errorf(pos, "operator %s cannot be applied to bool", op)
	}
	r := g.reg()
	g.emit(prog.Instr{Op: prog.OpBinary, Bin: op, T: t, A: r, B: x.reg, C: y.reg, Pos: pos})
	rt := t
	if op.IsComparison() {
		rt = prog.Bool
	}
	out := scalar(r, rt)
	if x.lit && y.lit && !op.IsComparison() {
		if v, err := prog.EvalBinary(op, t, x.litv, y.litv); err == nil {
			out.lit, out.litNeg = litResult(x.lit, x.litNeg, x.litv, y.lit, y.litNeg, y.litv, v)
			out.litv = v
		}
	}
	return out
}

// equal compares compound values (tuples, Options, structs) field by
// field.
func (g *gen) equal(op prog.BinOp, x, y value, pos source.Pos) value {
	if !sameShape(x.typ(), y.typ()) {
		g.errorf(pos, "mismatched types %s and %s for %s", x, y, op)
	}
	var eq value
	switch x.k {
	case vScalar:
		eq = g.binop(prog.Eq, x, y, pos)
	case vTuple, vStruct:
		eq = g.constant(1, prog.Bool)
		for i := range x.elems {
			e := g.equal(prog.Eq, x.elems[i], y.elems[i], pos)
			g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.And, T: prog.Bool, A: eq.reg, B: eq.reg, C: e.reg})
		}
	case vOption:
		// Equal tags, and (both None or equal payloads).
		eq = g.binop(prog.Eq, scalar(x.reg, prog.Bool), scalar(y.reg, prog.Bool), pos)
		skip := g.branchFalse(x.reg)
		p := g.equal(prog.Eq, x.elems[0], y.elems[0], pos)
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.And, T: prog.Bool, A: eq.reg, B: eq.reg, C: p.reg})
		g.patch([]int{skip}, g.here())
	case vResult:
		eq = g.binop(prog.Eq, scalar(x.reg+1, prog.Bool), scalar(y.reg+1, prog.Bool), pos)
		p := g.binop(prog.Eq, scalar(x.reg, x.t), scalar(y.reg, y.t), pos)
		g.emit(prog.Instr{Op: prog.OpBinary, Bin: prog.And, T: prog.Bool, A: eq.reg, B: eq.reg, C: p.reg})
	case vUnit:
		eq = g.constant(1, prog.Bool)
	default:
		g.errorf(pos, "cannot compare %s", x)
	}
	if op == prog.Ne {
		r := g.reg()
		g.emit(prog.Instr{Op: prog.OpUnary, Un: prog.Not, T: prog.Bool, A: r, B: eq.reg})
		return scalar(r, prog.Bool)
	}
	return eq
}

func (g *gen) boolean(e expr) value {
	v := g.exprWant(e, &ty{k: vScalar, t: prog.Bool})
	if v.k == vNever {
		return g.constant(0, prog.Bool)
	}
	if v.k != vScalar || v.t.Kind != prog.KindBool {
		g.errorf(e.exprPos(), "expected bool, found %s", v)
	}
	return v
}

// diverges reports whether a block ends in a statement that never
// finishes (return, break, continue, panic!).
func diverges(b *blockExpr) bool {
	if b.tail != nil {
		return exprDiverges(b.tail)
	}
	if len(b.stmts) == 0 {
		return false
	}
	if s, ok := b.stmts[len(b.stmts)-1].(*exprStmt); ok {
		return exprDiverges(s.x)
	}
	return false
}

func exprDiverges(e expr) bool {
	switch e := e.(type) {
	case *returnExpr, *breakExpr, *continueExpr:
		return true
	case *macroExpr:
		switch e.name {
		case "panic", "unreachable", "todo", "unimplemented":
			return true
		}
	case *blockExpr:
		return diverges(e)
	case *ifExpr:
		if e.els == nil {
			return false
		}
		return diverges(e.then) && exprDiverges(e.els)
	case *loopExpr:
		return !hasBreak(e.body, e.label, 0)
	}
	return false
}

// hasBreak reports whether a loop body breaks out of the loop (a break
// with no label at depth 0, or with the loop's label).
func hasBreak(e expr, label string, depth int) bool {
	found := false
	walkExpr(e, func(x expr, d int) bool {
		switch x := x.(type) {
		case *breakExpr:
			if x.label == "" && d == depth || x.label != "" && x.label == label {
				found = true
			}
		case *closureExpr:
			return false
		}
		return true
	}, depth)
	return found
}

// unlock releases a Mutex guard.
func (g *gen) unlock(gd *guard, pos source.Pos) {
	o := gd.mutex.obj
	v := g.constant(0, prog.Bool)
	g.emit(prog.Instr{Op: prog.OpStore, B: v.reg, Addr: prog.Addr{Var: o.lock, Index: -1}, Atomic: true, Ord: prog.Release,
		Pos: pos, Text: o.name + " unlock"})
}

// lock takes a Mutex: a compare-exchange spin loop on its lock. A failed
// attempt changes nothing, so the loop's spin check blocks it instead of
// exploring it again.
func (g *gen) lock(pl *place, pos source.Pos) *guard {
	o := pl.obj
	g.c.loopID++
	id := g.c.loopID
	g.emit(prog.Instr{Op: prog.OpLoopEnter, Imm: id, A: g.nregs, Pos: pos})
	head := g.here()
	f := g.constant(0, prog.Bool)
	t := g.constant(1, prog.Bool)
	r := g.reg()
	g.reg()
	g.emit(prog.Instr{Op: prog.OpCAS, A: r, B: f.reg, C: t.reg, Addr: prog.Addr{Var: o.lock, Index: -1}, Atomic: true,
		Ord: prog.Acquire, Ord2: prog.Relaxed, Pos: pos, Text: o.name + ".lock()"})
	out := g.branchTrue(r + 1)
	g.emit(prog.Instr{Op: prog.OpLoopBack, Imm: id, Target: head, Pos: pos})
	exit := g.emit(prog.Instr{Op: prog.OpLoopExit, Imm: id})
	g.patch([]int{out}, exit)
	gd := &guard{mutex: pl, held: true, depth: -1}
	g.temps = append(g.temps, gd)
	return gd
}

// localObject handles let x = AtomicU32::new(0) (an array, a struct, a
// Mutex) inside a thread: a shared object private to the thread, named
// after the variable. It reports whether s was such a let.
func (g *gen) localObject(s *letStmt, top bool) bool {
	v, ok := g.c.constEval(s.init, true)
	if !ok || v.isOrd || (!v.aggregate() && v.wrap == "") || v.isTuple || v.isOpt {
		return false
	}
	if v.sname != "" && !v.isArr {
		if st := g.c.structs[v.sname]; st != nil {
			if _, plain := g.plainStruct(st); plain {
				return false
			}
		}
	}
	if !v.aggregate() && (v.wrap == "Box" || v.wrap == "Arc" || v.wrap == "Rc") {
		g.errorf(s.init.exprPos(), "heap allocation of a plain value (%s::new) is not supported: use the value itself", v.wrap)
	}
	if g.inLoop > 0 {
		g.errorf(s.p, "allocating shared memory inside a loop is not supported; declare %s before the loop (or as a static)", s.pat.name)
	}
	l, ok := g.c.layoutOf(s.typ, v, s.p)
	if !ok {
		panic(genBail{})
	}
	o := g.c.newObject(g.c.freshVarName(s.pat.name), l, v, s.p)
	g.bind(s.pat.name, value{k: vPlace, pl: &place{obj: o, cidx: -1, p: s.p}}, false)
	return true
}

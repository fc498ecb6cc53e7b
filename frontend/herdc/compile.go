package herdc

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"happens/prog"
	"happens/source"
)

// vtype is the type of a value during compilation.
type vtype struct {
	t    prog.Type
	ptr  bool   // an address, encoded by AddrValue
	wide bool   // a 128-bit integer held in 64 bits (no arithmetic allowed)
	elem *vtype // for pointers: the type of what they address, when known
}

var (
	tInt32 = vtype{t: prog.I32}
	tPtr   = vtype{t: prog.Ptr, ptr: true}
)

func (v vtype) String() string {
	switch {
	case v.ptr:
		return "pointer"
	case v.wide && v.t.Signed:
		return "__int128"
	case v.wide:
		return "__uint128_t"
	}
	return v.t.String()
}

func (v vtype) same(o vtype) bool { return v.t == o.t && v.ptr == o.ptr && v.wide == o.wide }

// typeOf converts a C type to a value type.
func typeOf(c *ctype) vtype {
	if c.isPtr() {
		e := typeOf(c.elem)
		return vtype{t: prog.Ptr, ptr: true, elem: &e}
	}
	return vtype{t: prog.IntType(c.bits, c.signed), wide: c.wide}
}

type compiler struct {
	file  string
	src   string
	errs  *source.ErrorList
	p     *prog.Program
	vars  map[string]int
	vt    []vtype
	typed []bool // the variable's type was fixed by a declaration
	loops uint64
}

// shared variable creation.
func (c *compiler) variable(name string, pos source.Pos) int {
	if v, ok := c.vars[name]; ok {
		return v
	}
	v := len(c.p.Vars)
	c.vars[name] = v
	c.p.Vars = append(c.p.Vars, prog.Var{Name: name, Type: prog.I32, First: v, Pos: pos})
	c.p.Locs = append(c.p.Locs, prog.Location{Name: name, Var: v, Type: prog.I32})
	c.vt = append(c.vt, tInt32)
	c.typed = append(c.typed, false)
	return v
}

func (c *compiler) setType(v int, t vtype, atomic bool, pos source.Pos, what string) {
	if !c.typed[v] {
		c.typed[v] = true
		c.vt[v] = t
		c.p.Vars[v].Type = t.t
		c.p.Vars[v].Atomic = atomic
		c.p.Locs[v].Type = t.t
		c.p.Locs[v].Atomic = atomic
		return
	}
	old := c.vt[v]
	if old.ptr != t.ptr || old.wide != t.wide || old.t.Bits != t.t.Bits {
		c.errs.Add(pos, "%s gives location %s type %s, but it was declared %s", what, c.p.Vars[v].Name, t, old)
	}
}

func compile(file, src string, lt *litmus, errs *source.ErrorList) *prog.Program {
	c := &compiler{file: file, src: src, errs: errs, vars: map[string]int{},
		p: &prog.Program{Name: lt.name, Format: "c", Doc: strings.Join(lt.doc, "\n")}}

	// Shared variables: the init block, then the threads' parameters, then
	// the names the condition uses.
	for _, it := range lt.init {
		if it.thread < 0 {
			v := c.variable(it.name, it.pos)
			if it.typ != nil {
				if it.typ.elem == nil && it.typ.bits == 0 {
					continue
				}
				c.setType(v, typeOf(it.typ), it.typ.atomic, it.typ.pos, "the init block")
			}
		}
	}
	for _, th := range lt.threads {
		for _, pr := range th.params {
			v := c.variable(pr.name, pr.pos)
			c.setType(v, typeOf(pr.typ.elem), pr.typ.elem.atomic, pr.pos, fmt.Sprintf("parameter %s of P%d", pr.name, th.index))
		}
	}
	var condLocs []*condLoc
	var walk func(e condExpr)
	walk = func(e condExpr) {
		switch e := e.(type) {
		case *condNot:
			walk(e.x)
		case *condBin:
			walk(e.x)
			walk(e.y)
		case *condAtom:
			condLocs = append(condLocs, e.lhs)
			if e.rhs.loc != nil {
				condLocs = append(condLocs, e.rhs.loc)
			}
			if e.rhs.addr != "" {
				c.variable(e.rhs.addr, e.rhs.pos)
			}
		}
	}
	if lt.cond != nil {
		walk(lt.cond.x)
	}
	observed := append([]*condLoc(nil), condLocs...)
	observed = append(observed, lt.locations...)
	nObserved := len(observed)
	if lt.filter != nil {
		walk(lt.filter)
	}
	for _, l := range condLocs {
		if l.thread < 0 {
			c.variable(l.name, l.pos)
		}
	}
	for _, l := range lt.locations {
		if l.thread < 0 {
			c.variable(l.name, l.pos)
		}
	}
	// Initial values.
	for _, it := range lt.init {
		if it.thread >= 0 || it.val == nil {
			continue
		}
		v := c.vars[it.name]
		if it.val.addr != "" {
			w := c.variable(it.val.addr, it.val.pos)
			if !c.typed[v] {
				c.setType(v, vtype{t: prog.Ptr, ptr: true, elem: &c.vt[w]}, false, it.pos, "the init block")
			}
			if !c.vt[v].ptr {
				c.errs.Add(it.val.pos, "location %s holds an integer: it cannot be initialised with the address of %s", it.name, it.val.addr)
				continue
			}
			c.p.Locs[v].Init = prog.AddrValue(w)
			continue
		}
		val, ok := c.constFor(c.vt[v], it.val.num)
		if !ok {
			c.errs.Add(it.val.pos, "initial value %d does not fit location %s of type %s", it.val.num, it.name, c.vt[v])
			continue
		}
		c.p.Locs[v].Init = val
	}
	if len(c.p.Vars) > maxVars {
		c.errs.Add(lt.namePos, "too many shared locations (%d; at most %d)", len(c.p.Vars), maxVars)
		return nil
	}

	// Threads.
	tcs := make([]*tcomp, len(lt.threads))
	for i, th := range lt.threads {
		tcs[i] = c.thread(th, lt.init)
	}

	// The final condition and the observed values.
	if lt.cond != nil {
		cond := &prog.Condition{Pos: lt.cond.pos, Text: "(" + herdProp(lt.cond.x, 0) + ")"}
		switch lt.cond.kind {
		case "exists", "final":
			cond.Kind = prog.Exists
		case "~exists":
			cond.Kind = prog.NotExists
		case "forall":
			cond.Kind = prog.Forall
		}
		cond.Expr = c.condExpr(lt.cond.x, tcs)
		c.p.Cond = cond
	} else {
		// herd's default condition.
		c.p.Cond = &prog.Condition{Kind: prog.Forall, Expr: &prog.ConstExpr{Val: 1, T: prog.Bool}, Text: "(true)"}
	}
	if lt.filter != nil {
		c.p.Filter = c.condExpr(lt.filter, tcs)
	}
	seen := map[string]bool{}
	for _, l := range observed[:nObserved] {
		o, ok := c.observable(l, tcs)
		if !ok || seen[o.Name] {
			continue
		}
		seen[o.Name] = true
		c.p.Observed = append(c.p.Observed, o)
	}
	// herd lists registers by thread and name, then memory by name.
	sort.SliceStable(c.p.Observed, func(i, j int) bool {
		a, b := c.p.Observed[i], c.p.Observed[j]
		if (a.Thread < 0) != (b.Thread < 0) {
			return a.Thread >= 0
		}
		if a.Thread != b.Thread {
			return a.Thread < b.Thread
		}
		return observableKey(a) < observableKey(b)
	})

	for _, tc := range tcs {
		c.p.Threads = append(c.p.Threads, tc.finish())
	}
	return c.p
}

func observableKey(o prog.Observable) string {
	if o.Thread >= 0 {
		return o.Name[strings.IndexByte(o.Name, ':')+1:]
	}
	return strings.Trim(o.Name, "[]")
}

// maxVars bounds the shared locations, so pointer encodings stay apart.
const maxVars = 1 << 12

// constFor converts a constant to a location type, reporting whether it
// fits.
func (c *compiler) constFor(t vtype, n int64) (uint64, bool) {
	if t.ptr {
		return uint64(n), n == 0
	}
	u := uint64(n)
	if t.wide && !t.t.Signed && n < 0 {
		return 0, false
	}
	if t.t.Signed {
		return t.t.Wrap(u), t.t.Wrap(u) == u
	}
	return t.t.Wrap(u), n >= 0 && t.t.Wrap(u) == u
}

func (c *compiler) observable(l *condLoc, tcs []*tcomp) (prog.Observable, bool) {
	if l.thread >= 0 {
		if l.thread >= len(tcs) {
			return prog.Observable{}, false // reported by condExpr or below
		}
		r := tcs[l.thread].condReg(l.name)
		return prog.Observable{Name: fmt.Sprintf("%d:%s", l.thread, l.name), Thread: l.thread, Reg: r.r, Loc: -1, Type: r.vt.t}, true
	}
	v, ok := c.vars[l.name]
	if !ok {
		return prog.Observable{}, false
	}
	return prog.Observable{Name: "[" + l.name + "]", Thread: -1, Reg: -1, Loc: c.p.Vars[v].First, Type: c.vt[v].t}, true
}

// condExpr compiles a condition or filter.
func (c *compiler) condExpr(e condExpr, tcs []*tcomp) prog.Expr {
	switch e := e.(type) {
	case *condConst:
		if e.val {
			return &prog.ConstExpr{Val: 1, T: prog.Bool}
		}
		return &prog.ConstExpr{Val: 0, T: prog.Bool}
	case *condNot:
		return &prog.UnaryExpr{Op: prog.Not, X: c.condExpr(e.x, tcs), T: prog.Bool}
	case *condBin:
		op := prog.LAnd
		switch e.op {
		case "\\/":
			op = prog.LOr
		case "=>":
			op = prog.Implies
		}
		return &prog.BinaryExpr{Op: op, X: c.condExpr(e.x, tcs), Y: c.condExpr(e.y, tcs), T: prog.Bool}
	case *condAtom:
		lhs, lt := c.condLoc(e.lhs, tcs)
		var rhs prog.Expr
		switch {
		case e.rhs.loc != nil:
			rhs, _ = c.condLoc(e.rhs.loc, tcs)
		case e.rhs.addr != "":
			rhs = &prog.ConstExpr{Val: prog.AddrValue(c.vars[e.rhs.addr]), T: prog.Ptr}
		default:
			// A number: compared with the value as a mathematical integer,
			// so one outside the type's range never matches.
			if _, ok := c.constFor(lt, e.rhs.num); !ok && !lt.ptr {
				return &prog.ConstExpr{Val: b2u(e.ne), T: prog.Bool}
			}
			rhs = &prog.ConstExpr{Val: uint64(e.rhs.num), T: lt.t}
		}
		op := prog.Eq
		if e.ne {
			op = prog.Ne
		}
		return &prog.BinaryExpr{Op: op, X: lhs, Y: rhs, T: lt.t}
	}
	return &prog.ConstExpr{Val: 0, T: prog.Bool}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (c *compiler) condLoc(l *condLoc, tcs []*tcomp) (prog.Expr, vtype) {
	if l.thread >= 0 {
		if l.thread >= len(tcs) {
			c.errs.Add(l.pos, "the condition names thread %d, but the test has %d threads", l.thread, len(tcs))
			return &prog.ConstExpr{T: prog.I32}, tInt32
		}
		r := tcs[l.thread].condReg(l.name)
		return &prog.LocalExpr{Thread: l.thread, Reg: r.r, T: r.vt.t}, r.vt
	}
	v := c.vars[l.name]
	return &prog.MemExpr{Loc: c.p.Vars[v].First, T: c.vt[v].t}, c.vt[v]
}

// Thread compilation.

type register struct {
	r    int
	vt   vtype
	name string
}

type tcomp struct {
	c      *compiler
	decl   *threadDecl
	code   []prog.Instr
	params map[string]int
	regs   map[string]*register
	order  []*register // named registers in order of creation
	nregs  int
	// reserved numbers every named register first, so that the registers
	// allocated before a loop are all that can be live at its head.
	reserved map[string]int
}

func (c *compiler) thread(th *threadDecl, init []*initItem) *tcomp {
	tc := &tcomp{c: c, decl: th, params: map[string]int{}, regs: map[string]*register{}, reserved: map[string]int{}}
	tc.reserve(init, th.body)
	for _, pr := range th.params {
		if _, dup := tc.params[pr.name]; dup {
			c.errs.Add(pr.pos, "duplicate parameter %s", pr.name)
		}
		tc.params[pr.name] = c.vars[pr.name]
	}
	for _, it := range init {
		if it.thread != th.index {
			continue
		}
		vt := tInt32
		if it.typ != nil && (it.typ.isPtr() || it.typ.bits > 0) {
			vt = typeOf(it.typ)
		}
		var val uint64
		if it.val != nil {
			if it.val.addr != "" {
				w, ok := c.vars[it.val.addr]
				if !ok {
					w = c.variable(it.val.addr, it.val.pos)
				}
				e := c.vt[w]
				vt = vtype{t: prog.Ptr, ptr: true, elem: &e}
				val = prog.AddrValue(w)
			} else {
				var ok bool
				val, ok = c.constFor(vt, it.val.num)
				if !ok {
					c.errs.Add(it.val.pos, "initial value %d does not fit register %s of type %s", it.val.num, it.name, vt)
				}
			}
		}
		if _, ok := tc.params[it.name]; ok {
			c.errs.Add(it.pos, "register %d:%s has the name of a parameter", th.index, it.name)
			continue
		}
		r := tc.named(it.name, vt)
		tc.emit(prog.Instr{Op: prog.OpConst, A: r.r, Imm: val, Pos: it.pos})
	}
	for _, s := range th.body {
		tc.stmt(s)
	}
	return tc
}

// reserve numbers the thread's named registers before any temporary.
func (tc *tcomp) reserve(init []*initItem, body []stmt) {
	add := func(name string) {
		if _, ok := tc.reserved[name]; !ok {
			tc.reserved[name] = tc.newReg()
		}
	}
	for _, it := range init {
		if it.thread == tc.decl.index {
			add(it.name)
		}
	}
	var walk func(s stmt)
	walk = func(s stmt) {
		switch s := s.(type) {
		case *blockStmt:
			for _, x := range s.stmts {
				walk(x)
			}
		case *declStmt:
			add(s.name)
		case *assignStmt:
			if id, ok := s.lhs.(*identExpr); ok {
				add(id.name)
			}
		case *ifStmt:
			walk(s.then)
			if s.els_ != nil {
				walk(s.els_)
			}
		case *whileStmt:
			walk(s.body)
		}
	}
	for _, s := range body {
		walk(s)
	}
}

func (tc *tcomp) finish() prog.Thread {
	t := prog.Thread{Name: fmt.Sprintf("P%d", tc.decl.index), Code: tc.code, NumRegs: tc.nregs, Pos: tc.decl.pos}
	for _, r := range tc.order {
		t.Locals = append(t.Locals, prog.Local{Name: r.name, Reg: r.r, Type: r.vt.t})
	}
	return t
}

func (tc *tcomp) newReg() int {
	tc.nregs++
	return tc.nregs - 1
}

func (tc *tcomp) named(name string, vt vtype) *register {
	if r, ok := tc.regs[name]; ok {
		return r
	}
	n, ok := tc.reserved[name]
	if !ok {
		n = tc.newReg()
	}
	r := &register{r: n, vt: vt, name: name}
	tc.regs[name] = r
	tc.order = append(tc.order, r)
	return r
}

// condReg returns the register a condition names, creating a register
// that stays 0 when the thread never writes it.
func (tc *tcomp) condReg(name string) *register {
	return tc.named(name, tInt32)
}

func (tc *tcomp) emit(in prog.Instr) int {
	tc.code = append(tc.code, in)
	return len(tc.code) - 1
}

func (tc *tcomp) errorf(pos source.Pos, format string, args ...any) {
	tc.c.errs.Add(pos, format, args...)
}

func (tc *tcomp) text(e expr) string {
	s := e.sp()
	if s.off < 0 || s.end > len(tc.c.src) || s.off > s.end {
		return ""
	}
	return strings.Join(strings.Fields(tc.c.src[s.off:s.end]), " ")
}

func (tc *tcomp) constReg(v uint64, pos source.Pos) int {
	r := tc.newReg()
	tc.emit(prog.Instr{Op: prog.OpConst, A: r, Imm: v, Pos: pos})
	return r
}

// Statements.

func (tc *tcomp) stmt(s stmt) {
	switch s := s.(type) {
	case *blockStmt:
		for _, x := range s.stmts {
			tc.stmt(x)
		}
	case *declStmt:
		if _, ok := tc.params[s.name]; ok {
			tc.errorf(s.pos, "register %s has the name of a parameter", s.name)
			return
		}
		vt := typeOf(s.typ)
		if s.typ.atomic && !s.typ.isPtr() {
			tc.errorf(s.pos, "atomic registers are not supported (%s %s)", s.typ.name, s.name)
			return
		}
		if s.init == nil {
			if r, ok := tc.regs[s.name]; ok && !r.vt.same(vt) {
				tc.errorf(s.pos, "register %s redeclared with another type", s.name)
			} else if !ok {
				tc.named(s.name, vt)
			}
			return
		}
		x, ok := tc.expr(s.init)
		if !ok {
			return
		}
		if x.vt.ptr && !vt.ptr {
			// herd is untyped: "int a = x;" makes a hold the address of x.
			vt = x.vt
		}
		r, exists := tc.regs[s.name]
		if exists && !r.vt.same(vt) {
			tc.errorf(s.pos, "register %s redeclared with another type", s.name)
			return
		}
		if !exists {
			r = tc.named(s.name, vt)
		}
		tc.assign(r, x, s.pos)
	case *assignStmt:
		switch lhs := s.lhs.(type) {
		case *identExpr:
			if _, ok := tc.params[lhs.name]; ok {
				tc.errorf(lhs.pos, "cannot assign to parameter %s (did you mean *%s = ...?)", lhs.name, lhs.name)
				return
			}
			x, ok := tc.expr(s.rhs)
			if !ok {
				return
			}
			r, exists := tc.regs[lhs.name]
			if !exists {
				r = tc.named(lhs.name, x.vt)
			}
			tc.assign(r, x, s.pos)
		case *unaryExpr:
			if lhs.op != "*" {
				tc.errorf(lhs.pos, "cannot assign to %s", tc.text(lhs))
				return
			}
			a, ok := tc.address(lhs.x)
			if !ok {
				return
			}
			x, ok := tc.expr(s.rhs)
			if !ok {
				return
			}
			tc.store(a, x, false, prog.Relaxed, s.pos, tc.text(lhs)+" = "+tc.text(s.rhs))
		default:
			tc.errorf(s.lhs.sp().pos, "cannot assign to %s", tc.text(s.lhs))
		}
	case *exprStmt:
		if c, ok := s.x.(*callExpr); ok {
			tc.call(c)
			return
		}
		tc.expr(s.x)
	case *ifStmt:
		x, ok := tc.expr(s.cond)
		if !ok {
			return
		}
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: x.r, Pos: s.pos})
		tc.stmt(s.then)
		if s.els_ != nil {
			j := tc.emit(prog.Instr{Op: prog.OpJump, Pos: s.pos})
			tc.code[br].Target = len(tc.code)
			tc.stmt(s.els_)
			tc.code[j].Target = len(tc.code)
		} else {
			tc.code[br].Target = len(tc.code)
		}
	case *whileStmt:
		tc.c.loops++
		id := tc.c.loops
		// Live at the head: the named registers and the temporaries made
		// before the loop (the loop never writes those); temporaries made
		// inside are written before they are read in every iteration.
		tc.emit(prog.Instr{Op: prog.OpLoopEnter, Imm: id, A: tc.nregs, Pos: s.pos})
		head := len(tc.code)
		if s.do {
			tc.stmt(s.body)
		}
		x, ok := tc.expr(s.cond)
		if !ok {
			return
		}
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: x.r, Pos: s.pos})
		if !s.do {
			tc.stmt(s.body)
		}
		tc.emit(prog.Instr{Op: prog.OpLoopBack, Imm: id, Target: head, Pos: s.pos})
		tc.code[br].Target = len(tc.code)
		tc.emit(prog.Instr{Op: prog.OpLoopExit, Imm: id, Pos: s.pos})
	}
}

// assign moves a value into a named register, converting it to the
// register's type.
func (tc *tcomp) assign(r *register, x value, pos source.Pos) {
	if x.vt.ptr && !r.vt.ptr {
		tc.errorf(pos, "register %s holds an integer; cannot assign it an address", r.name)
		return
	}
	if !tc.flowOK(r.vt, x, pos, "register "+r.name) {
		return
	}
	x = tc.convert(x, r.vt, pos)
	tc.emit(prog.Instr{Op: prog.OpMove, A: r.r, B: x.r, Pos: pos})
}

// flowOK checks that a value may flow into a 128-bit unsigned place: we
// hold such values in 64 bits, which is exact only for non-negative ones.
func (tc *tcomp) flowOK(dst vtype, x value, pos source.Pos, what string) bool {
	if !dst.wide || x.vt.ptr || x.isConst && int64(x.c) >= 0 {
		return true
	}
	if dst.t.Signed {
		// Exact unless the value may be 2^63 or more.
		if x.vt.t.Signed || x.vt.t.Bits < 64 {
			return true
		}
		tc.errorf(pos, "a 64-bit unsigned value stored to signed 128-bit %s is not supported", what)
		return false
	}
	if !x.vt.t.Signed {
		return true
	}
	tc.errorf(pos, "a possibly negative value stored to unsigned 128-bit %s is not supported", what)
	return false
}

// Expressions.

type value struct {
	r       int
	vt      vtype
	isConst bool
	c       uint64
	void    bool
}

// convert converts x to type t (C's integer conversions).
func (tc *tcomp) convert(x value, t vtype, pos source.Pos) value {
	if t.ptr || x.vt.ptr || x.vt.t == t.t {
		x.vt = t
		return x
	}
	s, d := x.vt.t, t.t
	noop := d.Bits >= 64 || s.Bits < d.Bits && (!s.Signed || d.Signed) || s.Bits == d.Bits && s.Signed == d.Signed
	if noop {
		x.vt = t
		return x
	}
	if x.isConst {
		v := d.Wrap(x.c)
		return value{r: tc.constReg(v, pos), vt: t, isConst: true, c: v}
	}
	zero := tc.constReg(0, pos)
	r := tc.newReg()
	tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: x.r, C: zero, Bin: prog.Add, T: d, Pos: pos})
	return value{r: r, vt: t}
}

// promote applies C's integer promotions.
func promote(t vtype) vtype {
	if !t.ptr && t.t.Bits < 32 {
		return tInt32
	}
	return t
}

// common is the type of C's usual arithmetic conversions.
func common(a, b vtype) vtype {
	a, b = promote(a), promote(b)
	if a.t.Bits != b.t.Bits {
		if a.t.Bits > b.t.Bits {
			return a
		}
		return b
	}
	if !a.t.Signed {
		return a
	}
	return b
}

func (tc *tcomp) expr(e expr) (value, bool) {
	x, ok := tc.expr0(e)
	if ok && x.void {
		tc.errorf(e.sp().pos, "%s has no value", tc.text(e))
		return value{}, false
	}
	return x, ok
}

func (tc *tcomp) expr0(e expr) (value, bool) {
	switch e := e.(type) {
	case *numExpr:
		vt := tInt32
		switch {
		case e.val > math.MaxInt64:
			vt = vtype{t: prog.U64}
		case e.val > math.MaxInt32:
			vt = vtype{t: prog.I64}
		}
		return value{r: tc.constReg(e.val, e.pos), vt: vt, isConst: true, c: e.val}, true
	case *identExpr:
		if r, ok := tc.regs[e.name]; ok {
			return value{r: r.r, vt: r.vt}, true
		}
		if v, ok := tc.params[e.name]; ok {
			el := tc.c.vt[v]
			a := prog.AddrValue(v)
			return value{r: tc.constReg(a, e.pos), vt: vtype{t: prog.Ptr, ptr: true, elem: &el}, isConst: true, c: a}, true
		}
		if _, ok := orderings[e.name]; ok {
			tc.errorf(e.pos, "memory order %s used as a value", e.name)
			return value{}, false
		}
		if e.name == "NULL" {
			return value{r: tc.constReg(0, e.pos), vt: tPtr, isConst: true}, true
		}
		tc.errorf(e.pos, "undeclared identifier %s", e.name)
		return value{}, false
	case *unaryExpr:
		if e.op == "*" {
			a, ok := tc.address(e.x)
			if !ok {
				return value{}, false
			}
			return tc.load(a, false, prog.Relaxed, e.pos, tc.text(e)), true
		}
		if e.op == "&" {
			tc.errorf(e.pos, "the address-of operator '&' is not supported")
			return value{}, false
		}
		x, ok := tc.expr(e.x)
		if !ok {
			return value{}, false
		}
		if e.op == "!" {
			zero := tc.constReg(0, e.pos)
			r := tc.newReg()
			tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: x.r, C: zero, Bin: prog.Eq, T: x.vt.t, Pos: e.pos})
			return value{r: r, vt: tInt32}, true
		}
		if x.vt.ptr || x.vt.wide {
			tc.errorf(e.pos, "operator '%s' on a %s value is not supported", e.op, x.vt)
			return value{}, false
		}
		t := promote(x.vt)
		x = tc.convert(x, t, e.pos)
		if e.op == "+" {
			return x, true
		}
		op := prog.Neg
		if e.op == "~" {
			op = prog.Not
		}
		r := tc.newReg()
		tc.emit(prog.Instr{Op: prog.OpUnary, A: r, B: x.r, Un: op, T: t.t, Pos: e.pos})
		return value{r: r, vt: t}, true
	case *binaryExpr:
		return tc.binary(e)
	case *condExprC:
		c, ok := tc.expr(e.c)
		if !ok {
			return value{}, false
		}
		r := tc.newReg()
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: c.r, Pos: e.pos})
		a, ok := tc.expr(e.a)
		if !ok {
			return value{}, false
		}
		// Both arms take the (promoted) type of the first.
		if !a.vt.ptr {
			a = tc.convert(a, promote(a.vt), e.pos)
		}
		tc.emit(prog.Instr{Op: prog.OpMove, A: r, B: a.r, Pos: e.pos})
		j := tc.emit(prog.Instr{Op: prog.OpJump, Pos: e.pos})
		tc.code[br].Target = len(tc.code)
		b, ok := tc.expr(e.b)
		if !ok {
			return value{}, false
		}
		t := a.vt
		if a.vt.ptr != b.vt.ptr || a.vt.wide != b.vt.wide || !a.vt.ptr && !common(a.vt, b.vt).same(t) {
			tc.errorf(e.pos, "the arms of '?:' have different types (%s and %s)", a.vt, b.vt)
			return value{}, false
		}
		b = tc.convert(b, t, e.pos)
		tc.emit(prog.Instr{Op: prog.OpMove, A: r, B: b.r, Pos: e.pos})
		tc.code[j].Target = len(tc.code)
		return value{r: r, vt: t}, true
	case *castExpr:
		x, ok := tc.expr(e.x)
		if !ok {
			return value{}, false
		}
		t := typeOf(e.typ)
		if t.ptr != x.vt.ptr && !(t.ptr && x.isConst && x.c == 0) {
			tc.errorf(e.pos, "casts between pointers and integers are not supported")
			return value{}, false
		}
		if t.wide && !tc.flowOK(t, x, e.pos, "cast") {
			return value{}, false
		}
		return tc.convert(x, t, e.pos), true
	case *callExpr:
		return tc.call(e)
	}
	tc.errorf(e.sp().pos, "unsupported expression")
	return value{}, false
}

func (tc *tcomp) binary(e *binaryExpr) (value, bool) {
	if e.op == "&&" || e.op == "||" {
		x, ok := tc.expr(e.x)
		if !ok {
			return value{}, false
		}
		r := tc.newReg()
		zero := tc.constReg(0, e.pos)
		tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: x.r, C: zero, Bin: prog.Ne, T: x.vt.t, Pos: e.pos})
		test := r
		if e.op == "||" {
			test = tc.newReg()
			tc.emit(prog.Instr{Op: prog.OpBinary, A: test, B: x.r, C: zero, Bin: prog.Eq, T: x.vt.t, Pos: e.pos})
		}
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: test, Pos: e.pos})
		y, ok := tc.expr(e.y)
		if !ok {
			return value{}, false
		}
		zero2 := tc.constReg(0, e.pos)
		tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: y.r, C: zero2, Bin: prog.Ne, T: y.vt.t, Pos: e.pos})
		tc.code[br].Target = len(tc.code)
		return value{r: r, vt: tInt32}, true
	}
	x, ok := tc.expr(e.x)
	if !ok {
		return value{}, false
	}
	y, ok := tc.expr(e.y)
	if !ok {
		return value{}, false
	}
	ops := map[string]prog.BinOp{
		"+": prog.Add, "-": prog.Sub, "*": prog.Mul, "/": prog.Div, "%": prog.Rem,
		"&": prog.And, "|": prog.Or, "^": prog.Xor, "<<": prog.Shl, ">>": prog.Shr,
		"==": prog.Eq, "!=": prog.Ne, "<": prog.Lt, "<=": prog.Le, ">": prog.Gt, ">=": prog.Ge,
	}
	op := ops[e.op]
	if x.vt.ptr || y.vt.ptr {
		switch {
		case op == prog.Eq || op == prog.Ne:
			r := tc.newReg()
			tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: x.r, C: y.r, Bin: op, T: prog.U64, Pos: e.pos})
			return value{r: r, vt: tInt32}, true
		case (op == prog.Add || op == prog.Sub) && x.vt.ptr && !y.vt.ptr && !y.vt.wide,
			op == prog.Add && y.vt.ptr && !x.vt.ptr && !x.vt.wide:
			// Address arithmetic: the result addresses a location only
			// when the offset is 0.
			p, n := x, y
			if y.vt.ptr {
				p, n = y, x
			}
			n = tc.convert(n, vtype{t: prog.I64}, e.pos)
			r := tc.newReg()
			tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: p.r, C: n.r, Bin: op, T: prog.U64, Pos: e.pos})
			return value{r: r, vt: p.vt}, true
		}
		tc.errorf(e.pos, "operator '%s' on addresses is not supported", e.op)
		return value{}, false
	}
	if (x.vt.wide || y.vt.wide) && !op.IsComparison() {
		tc.errorf(e.pos, "arithmetic on 128-bit integers is not supported")
		return value{}, false
	}
	var t vtype
	if op == prog.Shl || op == prog.Shr {
		t = promote(x.vt)
		y = tc.convert(y, t, e.pos)
	} else {
		t = common(x.vt, y.vt)
		y = tc.convert(y, t, e.pos)
	}
	x = tc.convert(x, t, e.pos)
	r := tc.newReg()
	tc.emit(prog.Instr{Op: prog.OpBinary, A: r, B: x.r, C: y.r, Bin: op, T: t.t, Pos: e.pos})
	if op.IsComparison() {
		return value{r: r, vt: tInt32}, true
	}
	return value{r: r, vt: t}, true
}

// Memory accesses.

// address is where an access goes: a fixed variable, or a register that
// holds an address.
type address struct {
	static int
	reg    int
	elem   vtype // the type the access works at
}

func (tc *tcomp) address(e expr) (address, bool) {
	if id, ok := e.(*identExpr); ok {
		if v, ok := tc.params[id.name]; ok {
			return address{static: v, elem: tc.c.vt[v]}, true
		}
	}
	x, ok := tc.expr(e)
	if !ok {
		return address{}, false
	}
	if !x.vt.ptr {
		tc.errorf(e.sp().pos, "%s is not a pointer to a shared location", tc.text(e))
		return address{}, false
	}
	if x.isConst {
		if v, ok := tc.c.p.AddrTarget(x.c); ok {
			return address{static: v, elem: tc.c.vt[v]}, true
		}
	}
	el := tInt32
	if x.vt.elem != nil {
		el = *x.vt.elem
	}
	return address{static: -1, reg: x.r, elem: el}, true
}

// access emits f for the variable a addresses: directly, or through a
// dispatch on the address value over the variables of a compatible type.
func (tc *tcomp) access(a address, pos source.Pos, text string, f func(v int)) {
	if a.static >= 0 {
		f(a.static)
		return
	}
	var exits []int
	for v := range tc.c.p.Vars {
		vt := tc.c.vt[v]
		if vt.ptr != a.elem.ptr || vt.wide != a.elem.wide || vt.t.Bits != a.elem.t.Bits {
			continue
		}
		k := tc.constReg(prog.AddrValue(v), pos)
		eq := tc.newReg()
		tc.emit(prog.Instr{Op: prog.OpBinary, A: eq, B: a.reg, C: k, Bin: prog.Eq, T: prog.U64, Pos: pos})
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: eq, Pos: pos})
		f(v)
		exits = append(exits, tc.emit(prog.Instr{Op: prog.OpJump, Pos: pos}))
		tc.code[br].Target = len(tc.code)
	}
	tc.emit(prog.Instr{Op: prog.OpPanic, Pos: pos, Text: text,
		Msg: "invalid memory access: the address does not designate a shared location of type " + a.elem.String()})
	for _, j := range exits {
		tc.code[j].Target = len(tc.code)
	}
}

func addrOf(v int) prog.Addr { return prog.Addr{Var: v, Index: -1} }

func (tc *tcomp) load(a address, atomic bool, ord prog.Ordering, pos source.Pos, text string) value {
	r := tc.newReg()
	tc.access(a, pos, text, func(v int) {
		tc.emit(prog.Instr{Op: prog.OpLoad, A: r, Addr: addrOf(v), Atomic: atomic, Ord: ord, Pos: pos, Text: text})
	})
	return value{r: r, vt: a.elem}
}

func (tc *tcomp) store(a address, x value, atomic bool, ord prog.Ordering, pos source.Pos, text string) bool {
	if x.vt.ptr && !a.elem.ptr {
		tc.errorf(pos, "storing an address to a location that holds integers is not supported")
		return false
	}
	if !tc.flowOK(a.elem, x, pos, "location") {
		return false
	}
	tc.access(a, pos, text, func(v int) {
		tc.emit(prog.Instr{Op: prog.OpStore, B: x.r, Addr: addrOf(v), Atomic: atomic, Ord: ord, Pos: pos, Text: text})
	})
	return true
}

var orderings = map[string]prog.Ordering{
	"memory_order_relaxed": prog.Relaxed,
	"memory_order_consume": prog.Consume,
	"memory_order_acquire": prog.Acquire,
	"memory_order_release": prog.Release,
	"memory_order_acq_rel": prog.AcqRel,
	"memory_order_seq_cst": prog.SeqCst,
}

func (tc *tcomp) ordering(e expr) (prog.Ordering, bool) {
	if id, ok := e.(*identExpr); ok {
		if o, ok := orderings[id.name]; ok {
			return o, true
		}
	}
	tc.errorf(e.sp().pos, "expected a memory order (memory_order_relaxed, ...), found %s", tc.text(e))
	return 0, false
}

var rmwOps = map[string]prog.RMWOp{
	"add": prog.RMWAdd, "sub": prog.RMWSub, "and": prog.RMWAnd, "or": prog.RMWOr, "xor": prog.RMWXor,
}

// call compiles a call of one of C11's atomic functions.
func (tc *tcomp) call(e *callExpr) (value, bool) {
	name := e.name
	text := tc.text(e)
	if len(e.annots) > 0 || strings.HasPrefix(name, "__") {
		tc.errorf(e.pos, "%s is not supported (only C11's atomic_* functions are)", name+annotText(e.annots))
		return value{}, false
	}
	explicit := strings.HasSuffix(name, "_explicit")
	base := strings.TrimSuffix(name, "_explicit")
	want := func(n int) bool {
		if len(e.args) != n {
			tc.errorf(e.pos, "%s takes %d arguments, found %d", name, n, len(e.args))
			return false
		}
		return true
	}
	ord := func(i int) (prog.Ordering, bool) {
		if !explicit {
			return prog.SeqCst, true
		}
		return tc.ordering(e.args[i])
	}
	extra := 0
	if explicit {
		extra = 1
	}
	switch {
	case name == "atomic_thread_fence":
		if !want(1) {
			return value{}, false
		}
		o, ok := tc.ordering(e.args[0])
		if !ok {
			return value{}, false
		}
		tc.emit(prog.Instr{Op: prog.OpFence, Ord: o, Atomic: true, Pos: e.pos, Text: text})
		return value{void: true}, true
	case base == "atomic_load":
		if !want(1 + extra) {
			return value{}, false
		}
		o, ok := ord(1)
		if !ok {
			return value{}, false
		}
		a, ok := tc.address(e.args[0])
		if !ok {
			return value{}, false
		}
		return tc.load(a, true, o, e.pos, text), true
	case base == "atomic_store":
		if !want(2 + extra) {
			return value{}, false
		}
		o, ok := ord(2)
		if !ok || !tc.noConsumeWrite(o, e, 2) {
			return value{}, false
		}
		a, ok := tc.address(e.args[0])
		if !ok {
			return value{}, false
		}
		x, ok := tc.expr(e.args[1])
		if !ok {
			return value{}, false
		}
		if !tc.store(a, x, true, o, e.pos, text) {
			return value{}, false
		}
		return value{void: true}, true
	case base == "atomic_exchange" || strings.HasPrefix(base, "atomic_fetch_"):
		op, ok := prog.RMWSwap, true
		if base != "atomic_exchange" {
			op, ok = rmwOps[strings.TrimPrefix(base, "atomic_fetch_")]
		}
		if !ok {
			break
		}
		if !want(2 + extra) {
			return value{}, false
		}
		o, ok := ord(2)
		if !ok || !tc.noConsumeWrite(o, e, 2) {
			return value{}, false
		}
		a, ok := tc.address(e.args[0])
		if !ok {
			return value{}, false
		}
		x, ok := tc.expr(e.args[1])
		if !ok {
			return value{}, false
		}
		if a.elem.wide || a.elem.ptr && op != prog.RMWSwap {
			tc.errorf(e.pos, "%s on a %s location is not supported", name, a.elem)
			return value{}, false
		}
		if x.vt.ptr && !a.elem.ptr {
			tc.errorf(e.pos, "storing an address to a location that holds integers is not supported")
			return value{}, false
		}
		if !a.elem.ptr {
			x = tc.convert(x, a.elem, e.pos)
		}
		r := tc.newReg()
		tc.access(a, e.pos, text, func(v int) {
			tc.emit(prog.Instr{Op: prog.OpRMW, A: r, B: x.r, RMW: op, Addr: addrOf(v), Atomic: true, Ord: o, Pos: e.pos, Text: text})
		})
		return value{r: r, vt: a.elem}, true
	case base == "atomic_compare_exchange_strong" || base == "atomic_compare_exchange_weak":
		if !want(3 + 2*extra) {
			return value{}, false
		}
		succ, fail := prog.SeqCst, prog.SeqCst
		if explicit {
			var ok1, ok2 bool
			succ, ok1 = tc.ordering(e.args[3])
			fail, ok2 = tc.ordering(e.args[4])
			if !ok1 || !ok2 || !tc.noConsumeWrite(succ, e, 3) {
				return value{}, false
			}
		}
		a, ok := tc.address(e.args[0])
		if !ok {
			return value{}, false
		}
		ea, ok := tc.address(e.args[1])
		if !ok {
			return value{}, false
		}
		x, ok := tc.expr(e.args[2])
		if !ok {
			return value{}, false
		}
		if a.elem.ptr != ea.elem.ptr || a.elem.wide != ea.elem.wide || a.elem.t.Bits != ea.elem.t.Bits {
			tc.errorf(e.args[1].sp().pos, "the expected value %s has type %s, but the location has type %s", tc.text(e.args[1]), ea.elem, a.elem)
			return value{}, false
		}
		if x.vt.ptr && !a.elem.ptr {
			tc.errorf(e.pos, "storing an address to a location that holds integers is not supported")
			return value{}, false
		}
		if !tc.flowOK(a.elem, x, e.pos, "location") {
			return value{}, false
		}
		// herd: the expected value is read from *expected with a plain
		// load; on failure, the value read is written back with a plain
		// store.
		exp := tc.load(ea, false, prog.Relaxed, e.args[1].sp().pos, "*"+tc.text(e.args[1]))
		exp = tc.convert(exp, a.elem, e.pos)
		if !a.elem.ptr {
			x = tc.convert(x, a.elem, e.pos)
		}
		old := tc.newReg()
		okr := tc.newReg()
		weak := base == "atomic_compare_exchange_weak"
		tc.access(a, e.pos, text, func(v int) {
			tc.emit(prog.Instr{Op: prog.OpCAS, A: old, B: exp.r, C: x.r, Addr: addrOf(v), Atomic: true,
				Ord: succ, Ord2: fail, Weak: weak, Pos: e.pos, Text: text})
		})
		br := tc.emit(prog.Instr{Op: prog.OpBranch, A: okr, Pos: e.pos})
		j := tc.emit(prog.Instr{Op: prog.OpJump, Pos: e.pos})
		tc.code[br].Target = len(tc.code)
		oldv := value{r: old, vt: a.elem}
		oldv = tc.convert(oldv, ea.elem, e.pos)
		tc.access(ea, e.pos, text, func(v int) {
			tc.emit(prog.Instr{Op: prog.OpStore, B: oldv.r, Addr: addrOf(v), Atomic: false, Pos: e.pos,
				Text: "*" + tc.text(e.args[1]) + " = (value read by " + text + ")"})
		})
		tc.code[j].Target = len(tc.code)
		return value{r: okr, vt: tInt32}, true
	}
	switch name {
	case "atomic_init", "atomic_signal_fence", "atomic_flag_test_and_set", "atomic_flag_clear",
		"atomic_fetch_nand", "atomic_fetch_max", "atomic_fetch_min":
		tc.errorf(e.pos, "%s is not supported", name)
	default:
		if strings.HasPrefix(name, "atomic_") {
			tc.errorf(e.pos, "unknown atomic function %s", name)
		} else {
			tc.errorf(e.pos, "unsupported function %s (only C11's atomic_* functions are supported)", name)
		}
	}
	return value{}, false
}

// noConsumeWrite rejects memory_order_consume on an access that writes.
// C does not allow it; herd accepts it, but its rc11.cat then leaves the
// write out of the atomic writes that continue a release sequence, which
// the models here do not express.
func (tc *tcomp) noConsumeWrite(o prog.Ordering, e *callExpr, arg int) bool {
	if o != prog.Consume {
		return true
	}
	tc.errorf(e.args[arg].sp().pos, "memory_order_consume on a write (%s) is not supported", e.name)
	return false
}

func annotText(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return "{" + strings.Join(a, ",") + "}"
}

// herdProp prints a proposition as herd prints conditions: memory as [x],
// "not (...)", conjunctions and disjunctions flattened. outer is the
// binary operator around it (0 at the top).
func herdProp(e condExpr, outer int) string {
	switch e := e.(type) {
	case *condConst:
		if e.val {
			return "true"
		}
		return "false"
	case *condNot:
		return "not (" + herdProp(e.x, 0) + ")"
	case *condAtom:
		s := herdLoc(e.lhs) + "="
		switch {
		case e.rhs.loc != nil:
			s += herdLoc(e.rhs.loc)
		case e.rhs.addr != "":
			s += e.rhs.addr
		default:
			s += fmt.Sprint(e.rhs.num)
		}
		if e.ne {
			return "not (" + s + ")"
		}
		return s
	case *condBin:
		op := map[string]int{"/\\": 1, "\\/": 2, "=>": 3}[e.op]
		var s string
		if op == 3 {
			s = herdProp(e.x, op) + " => " + herdProp(e.y, op)
		} else {
			s = herdProp(e.x, op) + " " + e.op + " " + herdProp(e.y, op)
		}
		if outer != 0 && (outer != op || op == 3) {
			return "(" + s + ")"
		}
		return s
	}
	return ""
}

func herdLoc(l *condLoc) string {
	if l.thread >= 0 {
		return fmt.Sprintf("%d:%s", l.thread, l.name)
	}
	return "[" + l.name + "]"
}

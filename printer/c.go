package printer

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"happens/prog"
)

// extraVar is a location the C printer adds: the expected value of a
// compare_exchange, private to one thread.
type extraVar struct {
	name   string
	t      prog.Type
	thread int
}

// cType is the C type holding values of t; bools are ints.
func cType(t prog.Type) prog.Type {
	switch {
	case t.Kind == prog.KindBool:
		return prog.I32
	case t.Flexible:
		return prog.I64
	}
	return t
}

func cTypeName(t prog.Type) string {
	t = cType(t)
	if t.Bits == 32 && t.Signed {
		return "int"
	}
	if t.Signed {
		return fmt.Sprintf("int%d_t", t.Bits)
	}
	return fmt.Sprintf("uint%d_t", t.Bits)
}

func cAtomicTypeName(t prog.Type) string {
	if n := cTypeName(t); n != "int" {
		return "_Atomic " + n
	}
	return "atomic_int"
}

func (pr *printer) cProgram() string {
	p := pr.p
	pr.scanVars()
	for vi := range p.Vars {
		v := &p.Vars[vi]
		if why := pr.badName(v.Name); why != "" {
			pr.errorf(v.Pos, "location name %s %s", v.Name, why)
		}
		if v.Len > 0 {
			pr.errorf(v.Pos, "array %s has no equivalent in herd C (its C dialect has no arrays)", v.Name)
		}
		if v.Type.Kind == prog.KindAddr {
			pr.errorf(v.Pos, "location %s holds addresses: the printer does not write pointers", v.Name)
		}
	}
	if p.Cond != nil {
		pr.checkCondTypes(p.Cond.Expr, pr.condPos())
	}
	if len(pr.errs) > 0 {
		return ""
	}
	// Names the fresh locations must avoid.
	taken := map[string]bool{}
	for _, v := range p.Vars {
		taken[v.Name] = true
	}
	for _, th := range p.Threads {
		for _, l := range th.Locals {
			taken[l.Name] = true
		}
	}
	var extras []extraVar
	var threads []string
	for ti := range p.Threads {
		safe(func() {
			mine := map[string]int{}
			extra := func(t prog.Type) int {
				k := cTypeName(t)
				if i, ok := mine[k]; ok {
					return i
				}
				name := "cas"
				for n := 0; taken[name] || name == "cas"; n++ {
					name = fmt.Sprintf("cas%d", n)
				}
				taken[name] = true
				extras = append(extras, extraVar{name: name, t: cType(t), thread: ti})
				mine[k] = len(p.Vars) + len(extras) - 1
				return mine[k]
			}
			threads = append(threads, pr.cThread(ti, extra, &extras, taken))
		})
	}
	var cond string
	safe(func() { cond = pr.cCond() })
	if len(pr.errs) > 0 {
		return ""
	}
	var b strings.Builder
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = "test"
	}
	fmt.Fprintf(&b, "C %s\n", name)
	if p.Doc != "" {
		for _, d := range strings.Split(p.Doc, "\n") {
			if strings.TrimSpace(d) == "" {
				continue
			}
			// herd's information lines cannot hold a double quote.
			fmt.Fprintf(&b, "\"%s\"\n", strings.ReplaceAll(d, "\"", "'"))
		}
	}
	if p.Expect != nil {
		fmt.Fprintf(&b, "(* expect %s *)\n", strings.ToLower(p.Expect.Verdict))
	}
	b.WriteString("\n{\n")
	for vi := range p.Vars {
		v := &p.Vars[vi]
		l := &p.Locs[v.First]
		tn := cTypeName(v.Type)
		if pr.atomicVar(vi) {
			tn = "_Atomic " + tn
		}
		fmt.Fprintf(&b, "  %s %s = %s;\n", tn, v.Name, cType(v.Type).Format(cType(v.Type).Wrap(l.Init)))
	}
	for _, e := range extras {
		fmt.Fprintf(&b, "  %s %s = 0;\n", cTypeName(e.t), e.name)
	}
	b.WriteString("}\n")
	for _, t := range threads {
		b.WriteString("\n" + t)
	}
	if cond != "" {
		b.WriteString("\n" + cond + "\n")
	}
	return b.String()
}

func (pr *printer) cThread(ti int, extra func(prog.Type) int, extras *[]extraVar, taken map[string]bool) string {
	a := pr.analyse(ti)
	for _, l := range a.th.Locals {
		if why := pr.badName(l.Name); why != "" {
			pr.fail(a.regPos(l.Reg), "register name %s %s", l.Name, why)
		}
		if pr.usesVarNamed(ti, l.Name) {
			pr.fail(a.regPos(l.Reg), "register %s has the name of a location the thread accesses", l.Name)
		}
		if l.Type.Kind == prog.KindAddr {
			pr.fail(a.regPos(l.Reg), "register %s holds addresses: the printer does not write pointers", l.Name)
		}
	}
	b, body := a.build(extra)
	b.place(&body, nil)
	names := b.names(taken)
	w := &cW{pr: pr, b: b, a: a, names: names, extras: extras}
	// Parameters: the locations the thread accesses.
	used := map[int]bool{}
	for v := range pr.used[ti] {
		used[v] = true
	}
	for i, e := range *extras {
		if e.thread == ti {
			used[len(pr.p.Vars)+i] = true
		}
	}
	var vs []int
	for v := range used {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	var params []string
	for _, v := range vs {
		t, atomic := w.varType(v)
		tn := cTypeName(t)
		if atomic {
			tn = cAtomicTypeName(t)
		}
		params = append(params, fmt.Sprintf("%s* %s", tn, w.varName(v)))
	}
	w.line(0, "P%d(%s) {", ti, strings.Join(params, ", "))
	w.stmts(1, body)
	w.line(0, "}")
	return w.sb.String()
}

type cW struct {
	pr     *printer
	b      *builder
	a      *thread
	names  map[int]string
	extras *[]extraVar
	sb     strings.Builder
}

func (w *cW) varName(v int) string {
	if v >= len(w.pr.p.Vars) {
		return (*w.extras)[v-len(w.pr.p.Vars)].name
	}
	return w.pr.p.Vars[v].Name
}

func (w *cW) varType(v int) (prog.Type, bool) {
	if v >= len(w.pr.p.Vars) {
		return (*w.extras)[v-len(w.pr.p.Vars)].t, false
	}
	return cType(w.pr.p.Vars[v].Type), w.pr.atomicVar(v)
}

func (w *cW) line(ind int, format string, args ...any) {
	w.sb.WriteString(strings.Repeat("  ", ind))
	fmt.Fprintf(&w.sb, format, args...)
	w.sb.WriteByte('\n')
}

func (w *cW) stmts(ind int, list []*stmt) {
	for _, s := range list {
		w.stmt(ind, s)
	}
}

func (w *cW) regType(r int) prog.Type { return cType(w.b.varType(r)) }

func (w *cW) stmt(ind int, s *stmt) {
	switch s.k {
	case sDecl:
		w.line(ind, "%s %s;", cTypeName(w.regType(s.reg)), w.names[s.reg])
	case sAssign:
		t := w.regType(s.reg)
		x := w.as(s.x, t, true)
		if s.decl {
			w.line(ind, "%s %s = %s;", cTypeName(t), w.names[s.reg], x)
		} else {
			w.line(ind, "%s = %s;", w.names[s.reg], x)
		}
	case sEval:
		x, _, _ := w.ex(s.x)
		w.line(ind, "%s;", x)
	case sStore:
		v := s.in.Addr.Var
		t, _ := w.varType(v)
		// herd stores the value as it is: convert it first (a literal
		// printed from its value at t has the same bits).
		x := w.as(s.x, t, true)
		if s.in.Atomic {
			w.line(ind, "atomic_store_explicit(%s, %s, %s);", w.varName(v), x, ordC(s.in.Ord))
		} else {
			w.line(ind, "*%s = %s;", w.varName(v), x)
		}
	case sStoreExp:
		t, _ := w.varType(s.exp)
		w.line(ind, "*%s = %s;", w.varName(s.exp), w.as(s.x, t, true))
	case sFence:
		w.line(ind, "atomic_thread_fence(%s);", ordC(s.in.Ord))
	case sIf:
		w.ifStmt(ind, s, false)
	case sLoop:
		w.loop(ind, s)
	default:
		w.a.fail(s.pc, "cannot print this statement in herd C")
	}
}

func (w *cW) cond(e *expr) string {
	s, _, _ := w.ex(e)
	return s
}

func (w *cW) ifStmt(ind int, s *stmt, chained bool) {
	cond, then, els := s.x, s.then, s.els
	if len(then) == 0 && len(els) > 0 {
		cond, then, els = negate(cond), els, nil
	}
	if !chained {
		w.sb.WriteString(strings.Repeat("  ", ind))
	}
	fmt.Fprintf(&w.sb, "if (%s) {\n", w.cond(cond))
	w.stmts(ind+1, then)
	switch {
	case len(els) == 1 && els[0].k == sIf:
		w.sb.WriteString(strings.Repeat("  ", ind) + "} else ")
		w.ifStmt(ind, els[0], true)
		return
	case len(els) > 0:
		w.line(ind, "} else {")
		w.stmts(ind+1, els)
	}
	w.line(ind, "}")
}

// exitTest recognises `if (c) {} else break;` (loop while c) and
// `if (c) break;` (loop while !c).
func exitTest(s *stmt) *expr {
	if s.k != sIf {
		return nil
	}
	switch {
	case len(s.then) == 0 && len(s.els) == 1 && s.els[0].k == sBreak:
		return s.x
	case len(s.els) == 0 && len(s.then) == 1 && s.then[0].k == sBreak:
		return negate(s.x)
	}
	return nil
}

// jumps reports whether a break or continue of this loop occurs in list.
func jumps(list []*stmt) *stmt {
	for _, s := range list {
		switch s.k {
		case sBreak, sContinue:
			return s
		case sIf:
			if j := jumps(s.then); j != nil {
				return j
			}
			if j := jumps(s.els); j != nil {
				return j
			}
		case sBlock:
			if j := jumps(s.body); j != nil {
				return j
			}
		}
	}
	return nil
}

// loop prints a loop as herd's while or do-while: herd C has no break or
// continue, so the loop may leave only at its head or at its end.
func (w *cW) loop(ind int, s *stmt) {
	body := s.body
	// A continue at the end of the body changes nothing.
	for len(body) > 0 && body[len(body)-1].k == sContinue {
		body = body[:len(body)-1]
	}
	bad := func(j *stmt) {
		w.a.fail(j.pc, "a loop that leaves from the middle of its body (break or continue) has no equivalent in herd C")
	}
	if len(body) > 0 {
		if c := exitTest(body[0]); c != nil {
			if j := jumps(body[1:]); j != nil {
				bad(j)
			}
			w.line(ind, "while (%s) {", w.cond(c))
			w.stmts(ind+1, body[1:])
			w.line(ind, "}")
			return
		}
		if c := exitTest(body[len(body)-1]); c != nil {
			rest := body[:len(body)-1]
			if j := jumps(rest); j != nil {
				bad(j)
			}
			w.line(ind, "do {")
			w.stmts(ind+1, rest)
			w.line(ind, "} while (%s);", w.cond(c))
			return
		}
	}
	if j := jumps(body); j != nil {
		bad(j)
	}
	w.line(ind, "while (1) {")
	w.stmts(ind+1, body)
	w.line(ind, "}")
}

// C precedences (higher binds tighter).
const (
	cOr    = 1
	cAnd   = 2
	cBOr   = 3
	cBXor  = 4
	cBAnd  = 5
	cEq    = 6
	cRel   = 7
	cShift = 8
	cAdd   = 9
	cMul   = 10
	cUnary = 11
	cAtom  = 12
)

var cBinPrec = map[prog.BinOp]int{
	prog.LOr: cOr, prog.LAnd: cAnd, prog.Or: cBOr, prog.Xor: cBXor, prog.And: cBAnd,
	prog.Eq: cEq, prog.Ne: cEq, prog.Lt: cRel, prog.Le: cRel, prog.Gt: cRel, prog.Ge: cRel,
	prog.Shl: cShift, prog.Shr: cShift, prog.Add: cAdd, prog.Sub: cAdd, prog.Mul: cMul, prog.Div: cMul, prog.Rem: cMul,
}

// litType is the type herd's C gives a literal with this text.
func litType(s string) prog.Type {
	u, _ := strconv.ParseUint(strings.TrimPrefix(s, "-"), 10, 64)
	switch {
	case u > math.MaxInt64:
		return prog.U64
	case u > math.MaxInt32:
		return prog.I64
	}
	return prog.I32
}

// promote is C's integer promotion.
func promote(t prog.Type) prog.Type {
	if t.Bits < 32 {
		return prog.I32
	}
	return t
}

// common is C's usual arithmetic conversions, as herd's C front end does them.
func common(a, b prog.Type) prog.Type {
	a, b = promote(a), promote(b)
	if a.Bits != b.Bits {
		if a.Bits > b.Bits {
			return a
		}
		return b
	}
	if !a.Signed {
		return a
	}
	return b
}

// lit prints value v of type t: the text and the literal's C type.
func (w *cW) lit(v uint64, t prog.Type) (string, prog.Type, int) {
	t = cType(t)
	v = t.Wrap(v)
	s := t.Format(v)
	p := cAtom
	if strings.HasPrefix(s, "-") {
		p = cUnary
	}
	lt := litType(s)
	if s == "-9223372036854775808" {
		// Its magnitude does not fit any signed type.
		return "(-9223372036854775807 - 1)", prog.I64, cAtom
	}
	return s, lt, p
}

func castTo(s string, p int, t prog.Type) (string, int) {
	return "(" + cTypeName(t) + ")" + paren(s, p, cUnary), cUnary
}

// as prints e as a value of C type want. loose allows a literal of another
// type when the context converts it (assignment, function arguments).
func (w *cW) as(e *expr, want prog.Type, loose bool) string {
	s, _ := w.asPrec(e, want, loose)
	return s
}

func (w *cW) asPrec(e *expr, want prog.Type, loose bool) (string, int) {
	want = cType(want)
	if isLit(e) {
		s, t, p := w.lit(litValue(e), want)
		if t == want || loose {
			return s, p
		}
		return castTo(s, p, want)
	}
	s, t, p := w.ex(e)
	if sameType(t, want) {
		return s, p
	}
	return castTo(s, p, want)
}

// ex prints e: the text, the C type of its value, its precedence.
func (w *cW) ex(e *expr) (string, prog.Type, int) {
	switch e.k {
	case eLit:
		t := prog.I32
		if e.typed {
			t = e.t
		}
		return w.lit(e.val, t)
	case eVar:
		return w.names[e.reg], w.regType(e.reg), cAtom
	case eUn:
		t := cType(e.t)
		if e.un == prog.Not && e.t.Kind == prog.KindBool {
			x, px := w.asPrec(e.x, t, false)
			return "!" + paren(x, px, cUnary), prog.I32, cUnary
		}
		x, px := w.asPrec(e.x, t, false)
		op := "-"
		if e.un == prog.Not {
			op = "~"
		}
		s := op + paren(x, px, cUnary)
		if t.Bits < 32 {
			s, _ = castTo(s, cUnary, t)
		}
		return s, t, cUnary
	case eBin:
		return w.binary(e)
	case eAnd, eOr:
		op, prec := " && ", cAnd
		if e.k == eOr {
			op, prec = " || ", cOr
		}
		x, _, px := w.ex(e.x)
		y, _, py := w.ex(e.y)
		return paren(x, px, prec) + op + paren(y, py, prec+1), prog.I32, prec
	case eConv:
		t := cType(e.t)
		x, xt, px := w.ex(e.x)
		if sameType(xt, t) {
			return x, t, px
		}
		s, sp := castTo(x, px, t)
		return s, t, sp
	case eLoad:
		v := e.in.Addr.Var
		t, _ := w.varType(v)
		if e.in.Atomic {
			return fmt.Sprintf("atomic_load_explicit(%s, %s)", w.varName(v), ordC(e.in.Ord)), t, cAtom
		}
		return "*" + w.varName(v), t, cUnary
	case eLoadExp:
		t, _ := w.varType(e.exp)
		return "*" + w.varName(e.exp), t, cUnary
	case eRMW:
		v := e.in.Addr.Var
		t, _ := w.varType(v)
		f := "atomic_fetch_" + strings.TrimPrefix(e.in.RMW.String(), "fetch_")
		if e.in.RMW == prog.RMWSwap {
			f = "atomic_exchange"
		}
		return fmt.Sprintf("%s_explicit(%s, %s, %s)", f, w.varName(v), w.as(e.x, t, true), ordC(e.in.Ord)), t, cAtom
	case eCAS:
		v := e.in.Addr.Var
		t, _ := w.varType(v)
		f := "atomic_compare_exchange_strong_explicit"
		if e.in.Weak {
			f = "atomic_compare_exchange_weak_explicit"
		}
		return fmt.Sprintf("%s(%s, %s, %s, %s, %s)", f, w.varName(v), w.varName(e.exp), w.as(e.y, t, true),
			ordC(e.in.Ord), ordC(e.in.Ord2)), prog.I32, cAtom
	}
	w.a.fail(e.pc, "cannot print this expression in herd C")
	return "", prog.Type{}, 0
}

// binary prints x op y so that herd's C computes it at the operation's
// type: C computes at the common type of the promoted operands, and a
// result narrower than int is converted back.
func (w *cW) binary(e *expr) (string, prog.Type, int) {
	T := cType(e.t)
	narrow := T.Bits < 32
	shift := e.bin == prog.Shl || e.bin == prog.Shr
	if shift {
		// An amount of the width or more panics; C shifts the promoted
		// int, and converts the amount to the left operand's type first.
		switch {
		case narrow && !isLit(e.y):
			w.a.fail(e.pc, "a shift of a %s value by a computed amount has no exact herd C equivalent (C shifts the promoted int)", e.t)
		case narrow && litValue(e.y) >= uint64(T.Bits):
			w.a.fail(e.pc, "a shift of a %s value by %d (which panics) has no exact herd C equivalent (C shifts the promoted int)", e.t, litValue(e.y))
		case !isLit(e.y) && cType(e.y.typ()).Bits > promote(T).Bits:
			w.a.fail(e.pc, "a shift of a %s value by a %s amount has no exact herd C equivalent (C converts the amount to %s)", e.t, e.y.typ(), e.t)
		}
	}
	type operand struct {
		s   string
		t   prog.Type
		p   int
		lit bool
	}
	render := func(x *expr) operand {
		if isLit(x) {
			s, t, p := w.lit(litValue(x), T)
			return operand{s, t, p, true}
		}
		s, t, p := w.ex(x)
		if !sameType(t, T) {
			s, p = castTo(s, p, T)
			t = T
		}
		return operand{s, t, p, false}
	}
	x, y := render(e.x), render(e.y)
	want := promote(T)
	opType := func() prog.Type {
		if shift {
			return promote(x.t)
		}
		return common(x.t, y.t)
	}
	if !sameType(opType(), want) {
		for _, o := range []*operand{&x, &y} {
			if o.lit && !sameType(o.t, T) {
				o.s, o.p = castTo(o.s, o.p, T)
				o.t = T
			}
		}
	}
	prec := cBinPrec[e.bin]
	xs := paren(x.s, x.p, prec)
	ys := paren(y.s, y.p, prec+1)
	if prec == cEq || prec == cRel {
		xs = paren(x.s, x.p, prec+1)
	}
	s := xs + " " + e.bin.String() + " " + ys
	if e.bin.IsComparison() {
		return s, prog.I32, prec
	}
	if narrow {
		s, p := castTo(s, prec, T)
		return s, T, p
	}
	return s, T, prec
}

// The final condition.

func (pr *printer) cCond() string {
	p := pr.p
	var b strings.Builder
	named := map[string]bool{}
	var locs []string
	addLoc := func(o prog.Observable) {
		if named[obsKey(o)] {
			return
		}
		named[obsKey(o)] = true
		if o.Thread >= 0 {
			locs = append(locs, pr.cLocal(o.Thread, o.Reg))
		} else {
			locs = append(locs, pr.p.Locs[o.Loc].Name)
		}
	}
	var cond string
	if p.Cond == nil {
		// No condition: the outcomes show every exported register.
		for ti, th := range p.Threads {
			for _, l := range th.Locals {
				addLoc(prog.Observable{Thread: ti, Reg: l.Reg})
			}
		}
	} else {
		// Conjuncts v == v only make the outcomes show v: herd says that
		// with locations.
		var conj []prog.Expr
		var flat func(e prog.Expr)
		flat = func(e prog.Expr) {
			if be, ok := e.(*prog.BinaryExpr); ok && be.Op == prog.LAnd {
				flat(be.X)
				flat(be.Y)
				return
			}
			conj = append(conj, e)
		}
		flat(p.Cond.Expr)
		var rest prog.Expr
		var taut []prog.Observable
		for _, c := range conj {
			if o, ok := tautology(c); ok {
				taut = append(taut, o)
				continue
			}
			if rest == nil {
				rest = c
			} else {
				rest = &prog.BinaryExpr{Op: prog.LAnd, X: rest, Y: c, T: prog.Bool}
			}
		}
		if rest != nil {
			condNames(rest, named)
			cond = pr.cProp(rest)
		}
		for _, o := range taut {
			addLoc(o)
		}
		kind := map[prog.CondKind]string{prog.Exists: "exists", prog.Forall: "forall", prog.NotExists: "~exists"}[p.Cond.Kind]
		switch {
		case rest == nil && p.Cond.Kind == prog.Forall:
			cond = ""
		case rest == nil:
			cond = kind + " (true)"
		default:
			cond = kind + " (" + cond + ")"
		}
	}
	for _, o := range p.Observed {
		addLoc(o)
	}
	if len(locs) > 0 {
		fmt.Fprintf(&b, "locations [%s;]\n", strings.Join(locs, "; "))
	}
	if p.Filter != nil {
		fmt.Fprintf(&b, "filter (%s)\n", pr.cProp(p.Filter))
	}
	b.WriteString(cond)
	return strings.TrimRight(b.String(), "\n")
}

// tautology recognises v == v.
func tautology(e prog.Expr) (prog.Observable, bool) {
	be, ok := e.(*prog.BinaryExpr)
	if !ok || be.Op != prog.Eq {
		return prog.Observable{}, false
	}
	switch x := be.X.(type) {
	case *prog.LocalExpr:
		if y, ok := be.Y.(*prog.LocalExpr); ok && *x == *y {
			return prog.Observable{Thread: x.Thread, Reg: x.Reg, Loc: -1}, true
		}
	case *prog.MemExpr:
		if y, ok := be.Y.(*prog.MemExpr); ok && x.Loc == y.Loc {
			return prog.Observable{Thread: -1, Reg: -1, Loc: x.Loc}, true
		}
	}
	return prog.Observable{}, false
}

func (pr *printer) cLocal(ti, reg int) string {
	for _, l := range pr.p.Threads[ti].Locals {
		if l.Reg == reg {
			return fmt.Sprintf("%d:%s", ti, l.Name)
		}
	}
	pr.fail(pr.condPos(), "the condition reads a register of %s that has no name", pr.p.Threads[ti].Name)
	return ""
}

// herd's propositions: \/ loosest, then /\, =>, ~ and atoms.
const (
	hOr   = 1
	hAnd  = 2
	hImp  = 3
	hAtom = 4
)

func (pr *printer) cProp(e prog.Expr) string {
	s, _ := pr.cPropPrec(e)
	return s
}

// fold replaces the parts of a condition that read nothing by their value.
func fold(e prog.Expr) prog.Expr {
	switch x := e.(type) {
	case *prog.UnaryExpr:
		c := *x
		c.X = fold(x.X)
		if k, ok := c.X.(*prog.ConstExpr); ok {
			return &prog.ConstExpr{Val: prog.EvalUnary(c.Op, c.T, k.Val), T: c.T}
		}
		return &c
	case *prog.BinaryExpr:
		c := *x
		c.X, c.Y = fold(x.X), fold(x.Y)
		_, kx := c.X.(*prog.ConstExpr)
		_, ky := c.Y.(*prog.ConstExpr)
		if kx && ky {
			if _, err := prog.EvalBinary(c.Op, c.T, c.X.(*prog.ConstExpr).Val, c.Y.(*prog.ConstExpr).Val); err == nil {
				return &prog.ConstExpr{Val: prog.Eval(&c, nil), T: exprType(&c)}
			}
		}
		return &c
	}
	return e
}

func (pr *printer) cPropPrec(e prog.Expr) (string, int) {
	return pr.cPropPrec1(fold(e))
}

func (pr *printer) cPropPrec1(e prog.Expr) (string, int) {
	bad := func(what string) (string, int) {
		pr.fail(pr.condPos(), "%s in the condition has no equivalent in herd C (its conditions compare registers and locations with = and !=)", what)
		return "", 0
	}
	switch e := e.(type) {
	case *prog.ConstExpr:
		if e.T.Kind == prog.KindBool {
			if e.Val != 0 {
				return "true", hAtom
			}
			return "false", hAtom
		}
		return bad("a number used as a proposition")
	case *prog.LocalExpr, *prog.MemExpr:
		if t := exprType(e); t.Kind == prog.KindBool {
			return "~(" + pr.cAtom(e, &prog.ConstExpr{Val: 0, T: prog.Bool}) + ")", hAtom
		}
		return bad("a value used as a proposition")
	case *prog.UnaryExpr:
		if e.Op != prog.Not || exprType(e.X).Kind != prog.KindBool {
			return bad("operator " + e.Op.String())
		}
		switch x := e.X.(type) {
		case *prog.LocalExpr, *prog.MemExpr:
			return pr.cAtom(x, &prog.ConstExpr{Val: 0, T: prog.Bool}), hAtom
		}
		s, _ := pr.cPropPrec1(e.X)
		return hNot(s), hAtom
	case *prog.BinaryExpr:
		switch e.Op {
		case prog.LAnd, prog.LOr, prog.Implies:
			op, prec := " /\\ ", hAnd
			if e.Op == prog.LOr {
				op, prec = " \\/ ", hOr
			}
			if e.Op == prog.Implies {
				op, prec = " => ", hImp
			}
			x, px := pr.cPropPrec(e.X)
			y, py := pr.cPropPrec(e.Y)
			lmin, rmin := prec, prec
			if e.Op == prog.Implies {
				lmin, rmin = prec+1, prec
			}
			return paren(x, px, lmin) + op + paren(y, py, rmin), prec
		case prog.Eq, prog.Ne:
			if (!isCondValue(e.X) || !isCondValue(e.Y)) && exprType(e.X).Kind == prog.KindBool && exprType(e.Y).Kind == prog.KindBool {
				// Propositions compared: p == q is (p /\ q) \/ (~p /\ ~q).
				p, _ := pr.cPropPrec1(e.X)
				q, _ := pr.cPropPrec1(e.Y)
				np, nq := hNot(p), hNot(q)
				if e.Op == prog.Ne {
					q, nq = nq, q
				}
				return "(" + p + " /\\ " + q + ") \\/ (" + np + " /\\ " + nq + ")", hOr
			}
			if !isCondValue(e.X) || !isCondValue(e.Y) {
				return bad("an expression")
			}
			s := pr.cAtom(e.X, e.Y)
			if e.Op == prog.Ne {
				return hNot(s), hAtom
			}
			return s, hAtom
		}
		return bad("operator " + e.Op.String())
	}
	return bad("this")
}

// hNot negates a proposition, undoing a negation.
func hNot(s string) string {
	if strings.HasPrefix(s, "~(") && strings.HasSuffix(s, ")") {
		depth := 0
		for i, c := range s[1:] {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 && i != len(s)-2 {
					return "~(" + s + ")"
				}
			}
		}
		return s[2 : len(s)-1]
	}
	return "~(" + s + ")"
}

func isCondValue(e prog.Expr) bool {
	switch e.(type) {
	case *prog.ConstExpr, *prog.LocalExpr, *prog.MemExpr:
		return true
	}
	return false
}

func exprType(e prog.Expr) prog.Type {
	switch e := e.(type) {
	case *prog.ConstExpr:
		return e.T
	case *prog.LocalExpr:
		return e.T
	case *prog.MemExpr:
		return e.T
	case *prog.UnaryExpr:
		return e.T
	case *prog.BinaryExpr:
		if e.Op.IsComparison() || e.Op == prog.LAnd || e.Op == prog.LOr || e.Op == prog.Implies {
			return prog.Bool
		}
		return e.T
	}
	return prog.Type{}
}

// cAtom prints x = y, with a location or register on the left.
func (pr *printer) cAtom(x, y prog.Expr) string {
	if _, ok := x.(*prog.ConstExpr); ok {
		x, y = y, x
	}
	side := func(e prog.Expr, left bool) string {
		switch e := e.(type) {
		case *prog.ConstExpr:
			t := cType(e.T)
			return t.Format(t.Wrap(e.Val))
		case *prog.LocalExpr:
			return pr.cLocal(e.Thread, e.Reg)
		case *prog.MemExpr:
			if left {
				return pr.p.Locs[e.Loc].Name
			}
			return "[" + pr.p.Locs[e.Loc].Name + "]"
		}
		return ""
	}
	if _, ok := x.(*prog.ConstExpr); ok {
		// Two constants: decide now.
		if prog.Eval(&prog.BinaryExpr{Op: prog.Eq, X: x, Y: y, T: exprType(x)}, nil) != 0 {
			return "true"
		}
		return "false"
	}
	return side(x, true) + "=" + side(y, false)
}

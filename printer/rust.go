package printer

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"happens/prog"
	"happens/source"
)

// trivialTrue reports whether e is the constant true.
func trivialTrue(e prog.Expr) bool {
	c, ok := e.(*prog.ConstExpr)
	return ok && c.Val != 0
}

// condNames collects the observables an expression names.
func condNames(e prog.Expr, into map[string]bool) {
	switch e := e.(type) {
	case *prog.LocalExpr:
		into[fmt.Sprintf("%d:%d", e.Thread, e.Reg)] = true
	case *prog.MemExpr:
		into[fmt.Sprintf("m%d", e.Loc)] = true
	case *prog.UnaryExpr:
		condNames(e.X, into)
	case *prog.BinaryExpr:
		condNames(e.X, into)
		condNames(e.Y, into)
	}
}

func obsKey(o prog.Observable) string {
	if o.Thread >= 0 {
		return fmt.Sprintf("%d:%d", o.Thread, o.Reg)
	}
	return fmt.Sprintf("m%d", o.Loc)
}

func (pr *printer) checkCondTypes(e prog.Expr, pos source.Pos) {
	switch e := e.(type) {
	case *prog.ConstExpr:
		if e.T.Kind == prog.KindAddr {
			pr.errorf(pos, "the condition compares with an address: pointers have no equivalent in %s", pr.t)
		}
	case *prog.LocalExpr:
		if e.T.Kind == prog.KindAddr {
			pr.errorf(pos, "the condition reads a register holding an address: pointers have no equivalent in %s", pr.t)
		}
	case *prog.MemExpr:
		if e.T.Kind == prog.KindAddr {
			pr.errorf(pos, "the condition reads a location holding an address: pointers have no equivalent in %s", pr.t)
		}
	case *prog.UnaryExpr:
		pr.checkCondTypes(e.X, pos)
	case *prog.BinaryExpr:
		pr.checkCondTypes(e.X, pos)
		pr.checkCondTypes(e.Y, pos)
	}
}

func (pr *printer) condPos() source.Pos {
	if pr.p.Cond != nil && pr.p.Cond.Pos.IsValid() {
		return pr.p.Cond.Pos
	}
	return pr.filePos()
}

func rustType(t prog.Type) string {
	if t.Flexible {
		return "i64"
	}
	return t.String()
}

func rustAtomicType(t prog.Type) string {
	if t.Kind == prog.KindBool {
		return "AtomicBool"
	}
	s := rustType(t)
	return "Atomic" + strings.ToUpper(s[:1]) + s[1:]
}

func (pr *printer) rustProgram() string {
	p := pr.p
	pr.scanVars()
	var b strings.Builder
	for _, d := range strings.Split(p.Doc, "\n") {
		if p.Doc == "" {
			break
		}
		if d == "" {
			b.WriteString("//!\n")
		} else {
			b.WriteString("//! " + d + "\n")
		}
	}
	if p.Name != "" {
		fmt.Fprintf(&b, "// Test %s.\n", p.Name)
	}
	// Names and types of the shared variables.
	for vi := range p.Vars {
		v := &p.Vars[vi]
		for _, part := range strings.Split(v.Name, ".") {
			if why := pr.badName(part); why != "" || strings.Count(v.Name, ".") > 1 {
				if why == "" {
					why = "is not an identifier in the Rust-style language"
				}
				pr.errorf(v.Pos, "location name %s %s", v.Name, why)
				break
			}
		}
		if v.Type.Kind == prog.KindAddr {
			pr.errorf(v.Pos, "location %s holds addresses: pointers have no equivalent in Rust", v.Name)
		}
	}
	if p.Filter != nil {
		pr.errorf(pr.condPos(), "herd's filter clause has no equivalent in the Rust-style language")
	}
	if p.Cond != nil {
		pr.checkCondTypes(p.Cond.Expr, pr.condPos())
	}
	for _, o := range p.Observed {
		if o.Type.Kind == prog.KindAddr {
			pr.errorf(pr.condPos(), "observed value %s holds an address: pointers have no equivalent in Rust", o.Name)
		}
	}
	// herd's default condition with only registers observed prints as no
	// condition, exporting exactly those registers.
	noCond := false
	exported := make([]map[int]bool, len(p.Threads))
	for ti := range p.Threads {
		exported[ti] = map[int]bool{}
		for _, l := range p.Threads[ti].Locals {
			exported[ti][l.Reg] = true
		}
	}
	if p.Cond != nil && p.Cond.Kind == prog.Forall && trivialTrue(p.Cond.Expr) {
		noCond = true
		for _, o := range p.Observed {
			if o.Thread < 0 {
				noCond = false
			}
		}
		if noCond {
			for ti := range exported {
				exported[ti] = map[int]bool{}
			}
			for _, o := range p.Observed {
				exported[o.Thread][o.Reg] = true
			}
		}
	}
	uses := map[string]bool{"Ordering": true}
	var threads []string
	// Without a condition the outcomes show every exported local: the
	// top-level lets must be exactly the exported ones.
	exact := noCond || p.Cond == nil
	for ti := range p.Threads {
		safe(func() { threads = append(threads, pr.rustThread(ti, exported[ti], exact, uses)) })
	}
	if p.Final != nil {
		ex := map[int]bool{}
		for _, l := range p.Final.Locals {
			ex[l.Reg] = true
		}
		// main's top-level lets are what outcomes show.
		safe(func() { threads = append(threads, pr.rustThread(len(p.Threads), ex, true, uses)) })
	}
	var cond string
	safe(func() { cond = pr.rustCond(noCond) })
	if len(pr.errs) > 0 {
		return ""
	}
	// use line, statics.
	for vi := range p.Vars {
		if pr.atomicVar(vi) {
			uses[rustAtomicType(p.Vars[vi].Type)] = true
		}
	}
	var names []string
	for n := range uses {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "use std::sync::atomic::{%s};\n\n", strings.Join(names, ", "))
	for _, st := range pr.structs() {
		if !st.done {
			b.WriteString(pr.rustStruct(st, uses))
			st.done = true
		}
	}
	done := map[string]bool{}
	for vi := range p.Vars {
		if base, _, ok := strings.Cut(p.Vars[vi].Name, "."); ok {
			if !done[base] {
				done[base] = true
				b.WriteString(pr.rustStructStatic(base) + "\n")
			}
			continue
		}
		b.WriteString(pr.rustStatic(vi) + "\n")
	}
	for _, t := range threads {
		b.WriteString("\n" + t)
	}
	if cond != "" {
		b.WriteString("\n" + cond + "\n")
	}
	return b.String()
}

func (pr *printer) rustStatic(vi int) string {
	p := pr.p
	v := &p.Vars[vi]
	atomic := pr.atomicVar(vi)
	val := func(i int) string {
		l := &p.Locs[v.First+i]
		return l.Type.Format(l.Init)
	}
	if v.Len == 0 {
		if atomic {
			t := rustAtomicType(v.Type)
			return fmt.Sprintf("static %s: %s = %s::new(%s);", v.Name, t, t, val(0))
		}
		return fmt.Sprintf("static mut %s: %s = %s;", v.Name, rustType(v.Type), val(0))
	}
	elem := rustType(v.Type)
	if atomic {
		elem = rustAtomicType(v.Type)
	}
	mut := ""
	if !atomic {
		mut = "mut "
	}
	same := true
	for i := 1; i < v.Len; i++ {
		if p.Locs[v.First+i].Init != p.Locs[v.First].Init {
			same = false
		}
	}
	var init string
	wrap := func(s string) string {
		if atomic {
			return fmt.Sprintf("%s::new(%s)", elem, s)
		}
		return s
	}
	if same {
		if atomic {
			init = fmt.Sprintf("[const { %s }; %d]", wrap(val(0)), v.Len)
		} else {
			init = fmt.Sprintf("[%s; %d]", val(0), v.Len)
		}
	} else {
		var vals []string
		for i := 0; i < v.Len; i++ {
			vals = append(vals, wrap(val(i)))
		}
		init = "[" + strings.Join(vals, ", ") + "]"
	}
	return fmt.Sprintf("static %s%s: [%s; %d] = %s;", mut, v.Name, elem, v.Len, init)
}

// Structs of atomics: the front end flattens a struct static into one
// variable per field, named BASE.field; an array of structs has each
// field's variable indexed by element (locations BASE[i].field). The
// printer puts the struct back together, with a type named after the
// static.

type structVar struct {
	base   string
	tname  string
	fields []int // vars, in order
	array  bool  // an array of structs
	len    int
	done   bool
}

func (pr *printer) structs() []*structVar {
	if pr.structCache != nil {
		return pr.structCache
	}
	p := pr.p
	byBase := map[string]*structVar{}
	var out []*structVar
	taken := map[string]bool{}
	for _, v := range p.Vars {
		base, _, _ := strings.Cut(v.Name, ".")
		taken[base] = true
	}
	for vi, v := range p.Vars {
		base, _, ok := strings.Cut(v.Name, ".")
		if !ok {
			continue
		}
		st := byBase[base]
		if st == nil {
			st = &structVar{base: base}
			loc := p.Locs[v.First].Name
			st.array = strings.HasPrefix(loc, base+"[")
			if st.array {
				st.len = v.Len
			}
			byBase[base] = st
			out = append(out, st)
			// The type's name: the static's, in CamelCase.
			n := strings.ToUpper(base[:1]) + strings.ToLower(base[1:])
			if strings.ToUpper(base) != base {
				n = strings.ToUpper(base[:1]) + base[1:]
			}
			n = strings.ReplaceAll(n, "_", "")
			if n == "" || !isIdent(n) {
				n = "S"
			}
			for k := 2; taken[n] || rustKeywords[n] || n == base; k++ {
				n = fmt.Sprintf("%s%d", strings.TrimRight(n, "0123456789"), k)
			}
			taken[n] = true
			st.tname = n
		}
		st.fields = append(st.fields, vi)
	}
	pr.structCache = out
	return out
}

func (pr *printer) structOf(base string) *structVar {
	for _, st := range pr.structs() {
		if st.base == base {
			return st
		}
	}
	return nil
}

func (pr *printer) fieldType(vi int, uses map[string]bool) string {
	v := &pr.p.Vars[vi]
	atomic := pr.atomicVar(vi)
	t := rustType(v.Type)
	if atomic {
		t = rustAtomicType(v.Type)
		if uses != nil {
			uses[t] = true
		}
	}
	return t
}

func (pr *printer) rustStruct(st *structVar, uses map[string]bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "struct %s {\n", st.tname)
	for _, vi := range st.fields {
		v := &pr.p.Vars[vi]
		_, field, _ := strings.Cut(v.Name, ".")
		t := pr.fieldType(vi, uses)
		if !st.array && v.Len > 0 {
			t = fmt.Sprintf("[%s; %d]", t, v.Len)
		}
		fmt.Fprintf(&b, "    %s: %s,\n", field, t)
	}
	b.WriteString("}\n\n")
	return b.String()
}

// rustStructStatic prints the static of a struct (or array of structs).
func (pr *printer) rustStructStatic(base string) string {
	st := pr.structOf(base)
	p := pr.p
	mut := ""
	for _, vi := range st.fields {
		if !pr.atomicVar(vi) {
			mut = "mut "
		}
	}
	val := func(vi, i int) string {
		v := &p.Vars[vi]
		l := &p.Locs[v.First+i]
		s := l.Type.Format(l.Init)
		if pr.atomicVar(vi) {
			return fmt.Sprintf("%s::new(%s)", rustAtomicType(v.Type), s)
		}
		return s
	}
	elem := func(k int) string {
		var parts []string
		for _, vi := range st.fields {
			v := &p.Vars[vi]
			_, field, _ := strings.Cut(v.Name, ".")
			var x string
			switch {
			case st.array:
				x = val(vi, k)
			case v.Len > 0:
				var vals []string
				for i := 0; i < v.Len; i++ {
					vals = append(vals, val(vi, i))
				}
				x = "[" + strings.Join(vals, ", ") + "]"
			default:
				x = val(vi, 0)
			}
			parts = append(parts, field+": "+x)
		}
		return st.tname + " { " + strings.Join(parts, ", ") + " }"
	}
	if !st.array {
		return fmt.Sprintf("static %s%s: %s = %s;", mut, base, st.tname, elem(0))
	}
	var elems []string
	same := true
	for k := 0; k < st.len; k++ {
		elems = append(elems, elem(k))
		if elems[k] != elems[0] {
			same = false
		}
	}
	init := "[" + strings.Join(elems, ", ") + "]"
	if same {
		init = fmt.Sprintf("[const { %s }; %d]", elems[0], st.len)
	}
	return fmt.Sprintf("static %s%s: [%s; %d] = %s;", mut, base, st.tname, st.len, init)
}

// rustThread prints one thread.
func (pr *printer) rustThread(ti int, exported map[int]bool, exact bool, uses map[string]bool) string {
	a := pr.analyse(ti)
	for _, l := range a.th.Locals {
		if why := pr.badName(l.Name); why != "" {
			pr.fail(a.regPos(l.Reg), "register name %s %s", l.Name, why)
		}
		if _, isVar := pr.varByName(l.Name); isVar && pr.usesVarNamed(ti, l.Name) {
			pr.fail(a.regPos(l.Reg), "register %s has the name of a location the thread accesses", l.Name)
		}
		if l.Type.Kind == prog.KindAddr {
			pr.fail(a.regPos(l.Reg), "register %s holds addresses: pointers have no equivalent in Rust", l.Name)
		}
	}
	b, body := a.build(nil)
	final := ti == len(pr.p.Threads)
	results := pr.results()[ti]
	if !final && len(results) > 0 {
		exported = copyMap(exported)
		for _, r := range results {
			exported[r] = true
		}
	}
	// tailRet: the thread's result is the value of the block that hides
	// its temporaries, so that a result register that is not one of the
	// thread's locals is no top-level let (which would make it one).
	tailRet := false
	if exact {
		// Only the observed registers may be top-level lets: the rest
		// goes in a block.
		hidden := false
		for _, l := range a.th.Locals {
			if !exported[l.Reg] {
				hidden = true
			}
		}
		for r := range b.isVar {
			if _, ok := a.local[r]; !ok {
				hidden = true
			}
		}
		var hiddenRet []int
		if !final {
			for _, r := range results {
				if _, ok := localOf(a.th, r); !ok {
					hiddenRet = append(hiddenRet, r)
				}
			}
		}
		if len(hiddenRet) > 0 {
			exported = copyMap(exported)
			for _, r := range hiddenRet {
				delete(exported, r)
			}
			inner := append([]*stmt(nil), body...)
			for _, r := range results {
				inner = append(inner, &stmt{k: sEval, mark: true, x: &expr{k: eVar, reg: r, t: b.varType(r)}, pc: -1})
			}
			body = []*stmt{{k: sBlock, body: inner, pc: -1, ret: results}}
			tailRet = true
		} else if hidden && len(body) > 0 {
			body = []*stmt{{k: sBlock, body: body, pc: -1}}
		}
	}
	b.place(&body, exported)
	taken := map[string]bool{}
	for _, v := range pr.p.Vars {
		taken[v.Name] = true
	}
	if final {
		// The threads' names are their handles there.
		for t := range pr.p.Threads {
			taken[pr.threadName(t)] = true
		}
	}
	names := b.names(taken)
	// The thread's own lets keep their names; the others (temporaries)
	// are numbered in the order they appear in the text, below, so that
	// printing what was parsed from this text names them alike.
	used := map[string]bool{}
	for n := range taken {
		used[n] = true
	}
	for _, l := range a.th.Locals {
		used[l.Name] = true
	}
	for r := range names {
		if _, ok := localOf(a.th, r); !ok {
			names[r] = fmt.Sprintf("\x01%d\x02", r)
		}
	}
	w := &rustW{pr: pr, b: b, a: a, names: names, uses: uses, defs: map[int]int{}}
	countDefs(body, w.defs)
	if final {
		w.line(0, "final {")
	} else {
		w.line(0, "thread %s {", pr.threadName(ti))
	}
	w.stmts(1, body)
	if !final && len(results) > 0 && !tailRet {
		// The thread's value, which the final code joins.
		w.tail(1, results)
	}
	w.line(0, "}")
	return pr.numberTemps(w.sb.String(), a.th.NumRegs, used)
}

// joinType is the type of register r of thread ti as the Final code
// joins it.
func (pr *printer) joinType(ti, r int) prog.Type {
	if f := pr.p.Final; f != nil {
		for _, in := range f.Code {
			if in.Op == prog.OpJoin && int(in.Imm) == ti && in.B == r {
				return in.T
			}
		}
	}
	return prog.Int
}

// numberTemps replaces the placeholders \x01REG\x02 of text by names in
// the order they first appear: t1, t2, ... for temporaries, cas, cas1,
// ... for Result variables (registers from numRegs on), none of them in
// used.
func (pr *printer) numberTemps(text string, numRegs int, used map[string]bool) string {
	names := map[string]string{}
	nt, nc := 0, 0
	fresh := func(cas bool) string {
		for {
			var n string
			if cas {
				n = "cas"
				if nc > 0 {
					n = fmt.Sprintf("cas%d", nc)
				}
				nc++
			} else {
				nt++
				n = fmt.Sprintf("t%d", nt)
			}
			if !used[n] && pr.badName(n) == "" {
				used[n] = true
				return n
			}
		}
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '\x01')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '\x02')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		key := text[i+1 : i+j]
		n, ok := names[key]
		if !ok {
			r, _ := strconv.Atoi(key)
			n = fresh(r >= numRegs)
			names[key] = n
		}
		b.WriteString(text[:i])
		b.WriteString(n)
		text = text[i+j+1:]
	}
}

// tail prints a thread's value: its result variables. One that no
// instruction writes holds 0 (let x = 0 at a thread's top level compiles
// to no instruction): it is declared so here, where the text it would
// have been printed from (let x = 0; x) declares it.
func (w *rustW) tail(ind int, results []int) {
	var parts []string
	for _, r := range results {
		if _, ok := w.names[r]; !ok {
			w.names[r] = fmt.Sprintf("\x01%d\x02", r)
			w.line(ind, "let %s = %s;", w.names[r], zeroText(w.pr.joinType(w.a.ti, r)))
		}
		parts = append(parts, w.names[r])
	}
	if len(parts) == 1 {
		w.line(ind, "%s", parts[0])
	} else {
		w.line(ind, "(%s)", strings.Join(parts, ", "))
	}
}

func copyMap(m map[int]bool) map[int]bool {
	out := map[int]bool{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// regPos is where register r is first written, for errors about it.
func (a *thread) regPos(r int) source.Pos {
	if r < len(a.defs) && len(a.defs[r]) > 0 {
		return a.pos(a.defs[r][0])
	}
	return a.th.Pos
}

func (pr *printer) varByName(name string) (int, bool) {
	for i, v := range pr.p.Vars {
		if v.Name == name {
			return i, true
		}
	}
	return 0, false
}

func (pr *printer) usesVarNamed(ti int, name string) bool {
	v, ok := pr.varByName(name)
	return ok && pr.used[ti][v]
}

type rustW struct {
	labels map[*node]string
	pr     *printer
	b      *builder
	a      *thread
	names  map[int]string
	uses   map[string]bool
	defs   map[int]int
	sb     strings.Builder
}

func (w *rustW) line(ind int, format string, args ...any) {
	w.sb.WriteString(strings.Repeat("    ", ind))
	fmt.Fprintf(&w.sb, format, args...)
	w.sb.WriteByte('\n')
}

func hasPlain(e *expr) bool {
	if e == nil {
		return false
	}
	if e.k == eLoad && !e.in.Atomic {
		return true
	}
	return hasPlain(e.x) || hasPlain(e.y) || hasPlain(e.idx)
}

func unsafeWrap(s string, plain bool) string {
	if plain {
		return "unsafe { " + s + " }"
	}
	return s
}

func (w *rustW) declType(r int) prog.Type {
	return w.b.varType(r)
}

func zeroText(t prog.Type) string {
	if t.Kind == prog.KindBool {
		return "false"
	}
	return "0"
}

func (w *rustW) letHead(r int, mut bool) string {
	t := w.declType(r)
	m := ""
	if mut {
		m = "mut "
	}
	if t.Flexible {
		return "let " + m + w.names[r]
	}
	return fmt.Sprintf("let %s%s: %s", m, w.names[r], rustType(t))
}

func (w *rustW) stmts(ind int, list []*stmt) {
	for _, s := range list {
		w.stmt(ind, s)
	}
}

func (w *rustW) stmt(ind int, s *stmt) {
	switch s.k {
	case sDecl:
		w.line(ind, "%s = %s;", w.letHead(s.reg, w.defs[s.reg] > 0), zeroText(w.declType(s.reg)))
	case sAssign:
		t := w.declType(s.reg)
		x := unsafeWrap(w.as(s.x, t, false), hasPlain(s.x))
		if s.decl {
			head := w.letHead(s.reg, w.defs[s.reg] > 1)
			if !isLit(s.x) {
				if _, xt, _ := w.ex(s.x); sameType(xt, t) && strings.Contains(head, ":") {
					// The value's type says it.
					head = head[:strings.LastIndex(head, ":")]
				}
			}
			w.line(ind, "%s = %s;", head, x)
		} else {
			w.line(ind, "%s = %s;", w.names[s.reg], x)
		}
	case sEval:
		if s.mark {
			return
		}
		x, _, _ := w.ex(s.x)
		x = unsafeWrap(x, hasPlain(s.x))
		if s.x.k == eLoad || s.x.k == eRMW {
			w.line(ind, "%s;", x)
		} else {
			w.line(ind, "let _ = %s;", x)
		}
	case sStore:
		v := &w.pr.p.Vars[s.in.Addr.Var]
		x := w.as(s.x, v.Type, false)
		place := w.place(s.in, s.idx)
		if s.in.Atomic {
			w.line(ind, "%s;", unsafeWrap(fmt.Sprintf("%s.store(%s, %s)", place, x, ordRust(s.in.Ord)), hasPlain(s.x) || hasPlain(s.idx)))
		} else {
			w.line(ind, "unsafe { %s = %s; }", place, x)
		}
	case sFence:
		w.uses["fence"] = true
		w.line(ind, "fence(%s);", ordRust(s.in.Ord))
	case sAssert:
		c := w.as(s.x, prog.Bool, false)
		m := "assert"
		if s.in.Op == prog.OpAssume {
			m = "assume"
		}
		w.line(ind, "%s", unsafeWrap(fmt.Sprintf("%s!(%s);", m, c), hasPlain(s.x)))
	case sPanic:
		w.line(ind, "%s;", panicText(s.in.Msg))
	case sIf:
		w.ifStmt(ind, s, "")
	case sFor:
		w.forStmt(ind, s)
	case sLoop:
		body := s.body
		lbl := w.labelOf(s.label)
		if len(body) > 0 && body[0].k == sIf {
			f := body[0]
			var cond *expr
			switch {
			case len(f.then) == 0 && len(f.els) == 1 && f.els[0].k == sBreak:
				cond = f.x
			case len(f.els) == 0 && len(f.then) == 1 && f.then[0].k == sBreak:
				cond = negate(f.x)
			}
			if cond != nil {
				w.line(ind, "%swhile %s {", lbl, unsafeWrap(w.as(cond, prog.Bool, false), hasPlain(cond)))
				w.stmts(ind+1, body[1:])
				w.line(ind, "}")
				return
			}
		}
		w.line(ind, "%sloop {", lbl)
		w.stmts(ind+1, body)
		w.line(ind, "}")
	case sBreak:
		w.line(ind, "break%s;", w.jumpLabel(s.label))
	case sContinue:
		w.line(ind, "continue%s;", w.jumpLabel(s.label))
	case sBindCAS:
		x, _, _ := w.ex(s.x)
		w.line(ind, "let %s = %s;", w.names[s.reg], unsafeWrap(x, hasPlain(s.x)))
	case sBlock:
		w.line(ind, "%s{", w.labelOf(s.label))
		w.stmts(ind+1, s.body)
		if len(s.ret) > 0 {
			w.tail(ind+1, s.ret)
		}
		w.line(ind, "}")
	default:
		w.a.fail(s.pc, "cannot print this statement in Rust")
	}
}

// labelOf is the label a loop or block is printed with ("'l1: "), or "".
func (w *rustW) labelOf(n *node) string {
	if n == nil || !n.labelled {
		return ""
	}
	return w.label(n) + ": "
}

func (w *rustW) label(n *node) string {
	if w.labels == nil {
		w.labels = map[*node]string{}
	}
	l, ok := w.labels[n]
	if !ok {
		l = fmt.Sprintf("'l%d", len(w.labels)+1)
		w.labels[n] = l
	}
	return l
}

func (w *rustW) jumpLabel(n *node) string {
	if n == nil {
		return ""
	}
	return " " + w.label(n)
}

// forStmt prints a counted loop. Its range is start..limit, start..=limit
// or (limit..=start).rev(), with .step_by(s) unless the step is 1.
// macroRE is a panicking macro as rustlit keeps its text in a panic's
// message: with no argument or one string literal.
var macroRE = regexp.MustCompile(`^(panic|todo|unimplemented|unreachable)!\((?:"(?:[^"\\]|\\.)*")?\)$`)

// panicText prints a panic with message msg. The message of a panicking
// macro holds the macro's text, printed again as it was; any other
// message (a failed unwrap, herd's) is the argument of a panic!, whose
// text is then its message.
func panicText(msg string) string {
	for _, pre := range []string{"panicked: ", "internal error: entered unreachable code: "} {
		if m, ok := strings.CutPrefix(msg, pre); ok && macroRE.MatchString(m) && strings.HasPrefix(m, "unreachable") == (pre != "panicked: ") {
			return m
		}
	}
	return "panic!(" + strconv.Quote(strings.TrimPrefix(msg, "panicked: ")) + ")"
}

func (w *rustW) forStmt(ind int, s *stmt) {
	f := s.fr
	x := "_"
	if n, ok := w.names[s.reg]; ok && w.b.isVar[s.reg] {
		x = n
	}
	// Two literals say the loop's type by a suffix (250u8..=255).
	lits := isLit(s.hdr[0]) && isLit(s.hdr[1])
	lo := w.as(s.hdr[0], f.t, lits && !f.desc)
	hi := w.as(s.hdr[1], f.t, lits && f.desc)
	var r string
	switch {
	case f.desc:
		r = fmt.Sprintf("(%s..=%s).rev()", hi, lo)
	case f.incl:
		r = fmt.Sprintf("%s..=%s", lo, hi)
	default:
		r = fmt.Sprintf("%s..%s", lo, hi)
	}
	if s.hdr[2] != nil {
		if !f.desc {
			r = "(" + r + ")"
		}
		r += fmt.Sprintf(".step_by(%s)", w.as(s.hdr[2], prog.IntType(64, false), false))
	}
	plain := hasPlain(s.hdr[0]) || hasPlain(s.hdr[1]) || hasPlain(s.hdr[2])
	w.line(ind, "%sfor %s in %s {", w.labelOf(s.label), x, unsafeWrap(r, plain))
	w.stmts(ind+1, s.body)
	w.line(ind, "}")
}

func (w *rustW) ifStmt(ind int, s *stmt, prefix string) {
	cond, then, els := s.x, s.then, s.els
	if len(then) == 0 && len(els) > 0 {
		cond, then, els = negate(cond), els, nil
	}
	c := unsafeWrap(w.as(cond, prog.Bool, false), hasPlain(cond))
	if prefix == "" {
		w.sb.WriteString(strings.Repeat("    ", ind))
	}
	fmt.Fprintf(&w.sb, "if %s {\n", c)
	w.stmts(ind+1, then)
	switch {
	case len(els) == 1 && els[0].k == sIf:
		w.sb.WriteString(strings.Repeat("    ", ind) + "} else ")
		w.ifStmt(ind, els[0], "x")
		return
	case len(els) > 0:
		w.line(ind, "} else {")
		w.stmts(ind+1, els)
	}
	w.line(ind, "}")
}

func ordRust(o prog.Ordering) string { return "Ordering::" + o.String() }

// negate is the condition that holds when e is 0.
func negate(e *expr) *expr {
	if e.k == eBin && e.bin.IsComparison() {
		inv := map[prog.BinOp]prog.BinOp{prog.Eq: prog.Ne, prog.Ne: prog.Eq, prog.Lt: prog.Ge, prog.Ge: prog.Lt, prog.Le: prog.Gt, prog.Gt: prog.Le}
		c := *e
		c.bin = inv[e.bin]
		return &c
	}
	if e.typ().Kind == prog.KindBool {
		switch {
		case e.k == eUn && e.un == prog.Not:
			return e.x
		case e.k == eCASOk:
			return &expr{k: eCASErr, x: e.x, t: prog.Bool, pc: e.pc}
		case e.k == eCASErr:
			return &expr{k: eCASOk, x: e.x, t: prog.Bool, pc: e.pc}
		}
		return &expr{k: eUn, un: prog.Not, t: prog.Bool, x: e, pc: e.pc}
	}
	return &expr{k: eBin, bin: prog.Eq, t: e.typ(), x: e, y: &expr{k: eLit}, pc: e.pc}
}

// Rust precedences (higher binds tighter).
const (
	pOr    = 1
	pAnd   = 2
	pCmp   = 3
	pBOr   = 4
	pBXor  = 5
	pBAnd  = 6
	pShift = 7
	pAdd   = 8
	pMul   = 9
	pCast  = 10
	pUnary = 11
	pAtom  = 12
)

var rustBinPrec = map[prog.BinOp]int{
	prog.LOr: pOr, prog.LAnd: pAnd, prog.Eq: pCmp, prog.Ne: pCmp, prog.Lt: pCmp, prog.Le: pCmp, prog.Gt: pCmp, prog.Ge: pCmp,
	prog.Or: pBOr, prog.Xor: pBXor, prog.And: pBAnd, prog.Shl: pShift, prog.Shr: pShift,
	prog.Add: pAdd, prog.Sub: pAdd, prog.Mul: pMul, prog.Div: pMul, prog.Rem: pMul,
}

func paren(s string, prec, min int) string {
	if prec < min {
		return "(" + s + ")"
	}
	return s
}

func sameType(a, b prog.Type) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind != prog.KindInt {
		return true
	}
	return a.Bits == b.Bits && a.Signed == b.Signed && a.Flexible == b.Flexible
}

func isLit(e *expr) bool {
	return e.k == eLit || e.k == eConv && e.x.k == eLit
}

// litValue is the raw value of a literal expression.
func litValue(e *expr) uint64 {
	if e.k == eConv {
		return e.t.Wrap(litValue(e.x))
	}
	return e.val
}

// lit prints a literal at type t.
func (w *rustW) lit(v uint64, t prog.Type, suffix bool) (string, int) {
	if t.Kind == prog.KindBool {
		if v != 0 {
			return "true", pAtom
		}
		return "false", pAtom
	}
	var s string
	if t.Kind == prog.KindInt && t.Bits > 0 && t.Wrap(v) == v {
		s = t.Format(v)
	} else {
		// Not a value of t: the same 64 bits as an unsuffixed literal.
		s, suffix = strconv.FormatInt(int64(v), 10), false
	}
	if suffix && t.Kind == prog.KindInt && t.Bits > 0 && !t.Flexible {
		s += rustType(t)
	}
	if strings.HasPrefix(s, "-") {
		return s, pUnary
	}
	return s, pAtom
}

// as prints e where a value of type want is expected.
func (w *rustW) as(e *expr, want prog.Type, suffix bool) string {
	s, _ := w.asPrec(e, want, suffix)
	return s
}

func (w *rustW) asPrec(e *expr, want prog.Type, suffix bool) (string, int) {
	if isLit(e) {
		return w.lit(litValue(e), want, suffix)
	}
	s, t, prec := w.ex(e)
	switch {
	case want.Kind == prog.KindResult || t.Kind == prog.KindResult || sameType(t, want):
		return s, prec
	case want.Kind == prog.KindBool:
		return paren(s, prec, pCmp+1) + " != 0", pCmp
	case want.Kind == prog.KindInt && t.Kind == prog.KindInt && (t.Flexible || want.Flexible):
		return s, prec
	}
	return paren(s, prec, pUnary) + " as " + rustType(want), pCast
}

func (w *rustW) place(in *prog.Instr, idx *expr) string {
	v := &w.pr.p.Vars[in.Addr.Var]
	if v.Len == 0 {
		return v.Name
	}
	var ix string
	switch {
	case idx == nil:
		ix = fmt.Sprint(in.Addr.Const)
	case isLit(idx):
		ix = fmt.Sprint(litValue(idx))
	default:
		ix, _, _ = w.ex(idx)
	}
	if base, field, ok := strings.Cut(v.Name, "."); ok {
		if st := w.pr.structOf(base); st != nil && st.array {
			return base + "[" + ix + "]." + field
		}
	}
	return v.Name + "[" + ix + "]"
}

// ex prints e: the text, the Rust type of its value, its precedence.
func (w *rustW) ex(e *expr) (string, prog.Type, int) {
	switch e.k {
	case eLit:
		t := e.t
		if !e.typed {
			t = prog.Int
		}
		s, p := w.lit(e.val, t, false)
		return s, t, p
	case eVar:
		if e.reg >= w.a.th.NumRegs {
			return w.names[e.reg], prog.Type{Kind: prog.KindResult}, pAtom
		}
		return w.names[e.reg], w.declType(e.reg), pAtom
	case eUn:
		x, p := w.asPrec(e.x, e.t, true)
		op := "-"
		if e.un == prog.Not {
			op = "!"
		}
		return op + paren(x, p, pUnary), e.t, pUnary
	case eBin:
		prec := rustBinPrec[e.bin]
		both := isLit(e.x) && isLit(e.y)
		x, px := w.asPrec(e.x, e.t, both)
		var y string
		var py int
		if (e.bin == prog.Shl || e.bin == prog.Shr) && !isLit(e.y) && e.y.typ().Kind == prog.KindInt {
			y, _, py = w.ex(e.y)
		} else {
			y, py = w.asPrec(e.y, e.t, false)
		}
		lmin := prec
		if prec == pCmp {
			lmin = pCmp + 1
		}
		if px == pCast || px < lmin {
			x = "(" + x + ")"
		}
		if py == pCast || py < prec+1 {
			y = "(" + y + ")"
		}
		return x + " " + e.bin.String() + " " + y, e.typ(), prec
	case eConv:
		x, t, p := w.ex(e.x)
		if sameType(t, e.t) {
			return x, t, p
		}
		return paren(x, p, pUnary) + " as " + rustType(e.t), e.t, pCast
	case eLoad:
		if e.in.Atomic {
			return fmt.Sprintf("%s.load(%s)", w.place(e.in, e.idx), ordRust(e.in.Ord)), e.t, pAtom
		}
		return w.place(e.in, e.idx), e.t, pAtom
	case eRMW:
		return fmt.Sprintf("%s.%s(%s, %s)", w.place(e.in, e.idx), e.in.RMW, w.as(e.x, e.t, false), ordRust(e.in.Ord)), e.t, pAtom
	case eCAS:
		t := w.b.locType(e.in)
		m := "compare_exchange"
		if e.in.Weak {
			m = "compare_exchange_weak"
		}
		// A failed exchange is a read, to which a release ordering adds
		// nothing (no model gives a read release semantics): herd's
		// release and acq_rel failure orderings, which Rust rejects, are
		// Relaxed and Acquire, as Rust's compare_and_swap derives them.
		fail := e.in.Ord2
		if fail == prog.Release || fail == prog.AcqRel {
			fail = prog.FailureFor(fail)
		}
		return fmt.Sprintf("%s.%s(%s, %s, %s, %s)", w.place(e.in, e.idx), m, w.as(e.x, t, false), w.as(e.y, t, false),
			ordRust(e.in.Ord), ordRust(fail)), e.t, pAtom
	case eCASOk:
		x, _, _ := w.ex(e.x)
		return x + ".is_ok()", prog.Bool, pAtom
	case eAnd, eOr:
		op, prec := " && ", pAnd
		if e.k == eOr {
			op, prec = " || ", pOr
		}
		x, px := w.asPrec(e.x, prog.Bool, false)
		y, py := w.asPrec(e.y, prog.Bool, false)
		return paren(x, px, prec) + op + paren(y, py, prec+1), prog.Bool, prec
	case eCASErr:
		x, _, _ := w.ex(e.x)
		return x + ".is_err()", prog.Bool, pAtom
	case eCASOld:
		x, _, _ := w.ex(e.x)
		return x + ".unwrap_or_else(|v| v)", e.t, pAtom
	case eJoin:
		t := int(e.in.Imm)
		s := w.pr.threadName(t) + ".join().unwrap()"
		if e.in.B >= 0 {
			rs := w.pr.results()[t]
			if len(rs) > 1 {
				for k, r := range rs {
					if r == e.in.B {
						s += fmt.Sprintf(".%d", k)
					}
				}
			}
		}
		return s, e.t, pAtom
	}
	w.a.fail(e.pc, "cannot print this expression in Rust")
	return "", prog.Type{}, 0
}

// The final condition.

func (pr *printer) rustCond(noCond bool) string {
	p := pr.p
	if p.Cond == nil || noCond {
		return ""
	}
	s := pr.rustCondExpr(p.Cond.Expr)
	// Observed values the condition does not name (herd's locations)
	// become conjuncts v == v.
	named := map[string]bool{}
	condNames(p.Cond.Expr, named)
	var extra []string
	for _, o := range p.Observed {
		if named[obsKey(o)] {
			continue
		}
		named[obsKey(o)] = true
		v := pr.rustObs(o)
		extra = append(extra, v+" == "+v)
	}
	if len(extra) > 0 {
		if trivialTrue(p.Cond.Expr) {
			s = strings.Join(extra, " && ")
		} else {
			s = paren(s, pr.rustCondPrec(p.Cond.Expr), pAnd+1) + " && " + strings.Join(extra, " && ")
		}
	}
	kind := map[prog.CondKind]string{prog.Exists: "exists", prog.Forall: "forall", prog.NotExists: "~exists"}[p.Cond.Kind]
	return fmt.Sprintf("%s (%s)", kind, s)
}

func (pr *printer) rustObs(o prog.Observable) string {
	if o.Thread >= 0 {
		return pr.rustLocal(o.Thread, o.Reg)
	}
	return pr.p.Locs[o.Loc].Name
}

func (pr *printer) rustLocal(ti, reg int) string {
	th := pr.threadAt(ti)
	for _, l := range th.Locals {
		if l.Reg == reg {
			return pr.threadName(ti) + "." + l.Name
		}
	}
	pr.fail(pr.condPos(), "the condition reads a register of %s that has no name", th.Name)
	return ""
}

func (pr *printer) rustCondPrec(e prog.Expr) int {
	switch e := e.(type) {
	case *prog.BinaryExpr:
		if e.Op == prog.Implies {
			return pOr
		}
		return rustBinPrec[e.Op]
	case *prog.UnaryExpr:
		return pUnary
	case *prog.ConstExpr:
		if e.T.Kind == prog.KindInt && e.T.Signed && int64(e.Val) < 0 {
			return pUnary
		}
	}
	return pAtom
}

func (pr *printer) rustCondExpr(e prog.Expr) string {
	switch e := e.(type) {
	case *prog.ConstExpr:
		if e.T.Kind == prog.KindBool {
			if e.Val != 0 {
				return "true"
			}
			return "false"
		}
		return e.T.Format(e.Val)
	case *prog.LocalExpr:
		return pr.rustLocal(e.Thread, e.Reg)
	case *prog.MemExpr:
		return pr.p.Locs[e.Loc].Name
	case *prog.UnaryExpr:
		op := "!"
		if e.Op == prog.Neg {
			op = "-"
		}
		return op + paren(pr.rustCondExpr(e.X), pr.rustCondPrec(e.X), pUnary)
	case *prog.BinaryExpr:
		if e.Op == prog.Implies {
			x := "!" + paren(pr.rustCondExpr(e.X), pr.rustCondPrec(e.X), pUnary)
			return x + " || " + paren(pr.rustCondExpr(e.Y), pr.rustCondPrec(e.Y), pOr+1)
		}
		prec := rustBinPrec[e.Op]
		lmin, rmin := prec, prec+1
		if prec == pCmp {
			lmin = pCmp + 1
		}
		x := paren(pr.rustCondExpr(e.X), pr.rustCondPrec(e.X), lmin)
		y := paren(pr.rustCondExpr(e.Y), pr.rustCondPrec(e.Y), rmin)
		return x + " " + e.Op.String() + " " + y
	}
	pr.fail(pr.condPos(), "cannot print this condition")
	return ""
}

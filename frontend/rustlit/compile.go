// Package rustlit reads happens' Rust-style language: Rust syntax for what
// Rust has (statics, atomics, orderings, fences, loops, functions, structs,
// tuples, Options, Mutexes, assertions), in several program forms:
//
//   - litmus form: statics, thread blocks (thread t1 { ... }) and a final
//     exists/forall condition;
//   - book notation: declarations, then `// t_1`, `// t_2` comment lines
//     each starting a thread's statements (at the top level of a file or
//     inside fn main), as the Rust atomics book prints its examples;
//   - whole programs: fn main starting threads with thread::scope or
//     thread::spawn, and loom models and #[test] functions (main.go);
//   - a file of functions alone: each runs in a thread of its own.
//
// It produces the resolved program form of package prog.
package rustlit

import (
	"fmt"
	"sort"
	"strings"

	"happens/prog"
	"happens/source"
)

// Options adjust parsing.
type Options struct {
	// Defines override consts: -D N=5.
	Defines map[string]string
	// Test names the #[test] function to run when the file has several.
	Test string
}

type compiler struct {
	filename    string
	src         []byte
	lineStart   []int
	errs        *source.ErrorList
	p           *prog.Program
	consts      map[string]*constDef
	statics     map[string]*object
	fns         map[string]*fnItem
	structs     map[string]*structItem
	aliases     map[string]string
	defines     map[string]string
	usedDefines map[string]bool
	famConsts   map[string]cval
	loopID      uint64
	// selfType is the impl type of the function being compiled (Self).
	selfType string
	// quiet > 0 suppresses errors (a trial compilation); lenient > 0
	// suppresses those about names that do not resolve (inside an item
	// with syntax errors).
	quiet, lenient int
	seen           map[string]bool
	opts           Options
	// threadPos are the threads' names and positions, for duplicates.
	threadPos map[string]source.Pos
	// results are the threads' values (a closure's, a thread block's
	// tail), in their registers, by thread.
	results map[int]value
	// lockVars are the hidden locks of Mutexes.
	lockVars map[int]bool
	// broken are the threads whose text had syntax errors: what refers to
	// them reports nothing more.
	broken map[string]bool
	// others are the items happens does not model, by name (enum, trait).
	others map[string]string
	// badNames are the statics whose declaration was rejected (reported
	// there): their uses report nothing more.
	badNames map[string]bool
	// snippetNotes say how a header-less snippet was read (snippet.go).
	snippetNotes []string
	// strLines are the lines where a string value was reported.
	strLines map[string]bool
	// nerr counts the errors found, those suppressed in items with syntax
	// errors included: a thread with one has no value to join.
	nerr int
}

func (c *compiler) errorf(pos source.Pos, format string, args ...any) {
	if c.quiet > 0 {
		return
	}
	c.nerr++
	msg := fmt.Sprintf(format, args...)
	if c.lenient > 0 && nameError(msg) {
		// In an item with syntax errors a name may be missing because
		// the statement that declared it did not parse.
		return
	}
	key := pos.String() + "\x00" + msg
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.errs.Add(pos, "%s", msg)
}

// Parse reads a Rust-style program.
func Parse(filename string, src []byte, opts Options) (*prog.Program, error) {
	var errs source.ErrorList
	f := parseFile(filename, src, &errs)
	parseErrs := len(errs)
	c := newCompiler(filename, src, &errs, opts)
	c.p = &prog.Program{Name: testName(filename), Doc: strings.Join(f.doc, "\n"), Format: "rust"}
	c.compile(f, parseErrs > 0)
	if len(c.snippetNotes) > 0 {
		notes := strings.Join(c.snippetNotes, "\n")
		if c.p.Doc != "" {
			c.p.Doc += "\n"
		}
		c.p.Doc += notes
	}
	var names []string
	for n := range opts.Defines {
		if !c.usedDefines[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		errs.Add(source.Pos{File: filename}, "-D %s: the program has no const %s", n, n)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c.p, nil
}

func newCompiler(filename string, src []byte, errs *source.ErrorList, opts Options) *compiler {
	c := &compiler{filename: filename, src: src, errs: errs, consts: map[string]*constDef{},
		statics: map[string]*object{}, fns: map[string]*fnItem{}, structs: map[string]*structItem{},
		aliases: map[string]string{}, defines: opts.Defines, usedDefines: map[string]bool{},
		seen: map[string]bool{}, opts: opts, threadPos: map[string]source.Pos{}, results: map[int]value{}, lockVars: map[int]bool{}, broken: map[string]bool{}, others: map[string]string{}, badNames: map[string]bool{}, strLines: map[string]bool{}}
	c.lineStart = []int{0}
	for i, b := range src {
		if b == '\n' {
			c.lineStart = append(c.lineStart, i+1)
		}
	}
	return c
}

func testName(filename string) string {
	base := filename
	if i := strings.LastIndexAny(base, "/\\"); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

// offset converts a position back to a byte offset.
func (c *compiler) offset(p source.Pos) int {
	if p.Line < 1 || p.Line > len(c.lineStart) {
		return 0
	}
	return c.lineStart[p.Line-1] + p.Col - 1
}

// exprStart is where an expression's text begins: the leftmost token,
// not the operator or bracket its own position names.
func exprStart(e expr) source.Pos {
	switch e := e.(type) {
	case *indexExpr:
		return exprStart(e.x)
	case *methodExpr:
		return exprStart(e.recv)
	case *fieldExpr:
		return exprStart(e.x)
	case *binaryExpr:
		return exprStart(e.x)
	case *castExpr:
		return exprStart(e.x)
	case *callExpr:
		return exprStart(e.fn)
	case *rangeExpr:
		if e.lo != nil {
			return exprStart(e.lo)
		}
	}
	return e.exprPos()
}

func (c *compiler) text(from source.Pos, end int) string {
	a := c.offset(from)
	if a < 0 || end > len(c.src) || a > end {
		return ""
	}
	return strings.Join(strings.Fields(string(c.src[a:end])), " ")
}

// resolvePath drops the crate prefixes (std, core, alloc, loom, crate,
// self, super) and applies use aliases to the first segment.
func (c *compiler) resolvePath(segs []string) []string {
	for len(segs) > 1 {
		switch segs[0] {
		case "std", "core", "alloc", "loom", "crate", "self", "super", "sync":
			segs = segs[1:]
			continue
		}
		break
	}
	if a, ok := c.aliases[segs[0]]; ok && len(segs) > 1 {
		out := append([]string{a}, segs[1:]...)
		return out
	}
	if segs[0] == "Self" && c.selfType != "" && len(segs) > 1 {
		return append([]string{c.selfType}, segs[1:]...)
	}
	return segs
}

// hoisted collects every item of the file, those inside function bodies
// included (Rust allows items in blocks; happens gives them file scope).
type hoisted struct {
	statics []*staticItem
	consts  []*constItem
	fns     []*fnItem
	structs []*structItem
	impls   []*implItem
	uses    []*useItem
	others  []*otherItem
	threads []*threadItem
	top     []stmt // statements at the top level (book notation)
	final   *finalItem
	cond    *condItem
	expect  *expectItem
}

func (c *compiler) hoist(f *file) *hoisted {
	h := &hoisted{}
	var add func(it item, top bool)
	var walkBody func(b *blockExpr)
	add = func(it item, top bool) {
		switch it := it.(type) {
		case *staticItem:
			h.statics = append(h.statics, it)
		case *constItem:
			h.consts = append(h.consts, it)
		case *fnItem:
			h.fns = append(h.fns, it)
			walkBody(it.body)
		case *structItem:
			h.structs = append(h.structs, it)
		case *implItem:
			h.impls = append(h.impls, it)
			for _, fn := range it.fns {
				walkBody(fn.body)
			}
		case *useItem:
			h.uses = append(h.uses, it)
		case *otherItem:
			h.others = append(h.others, it)
		case *threadItem:
			h.threads = append(h.threads, it)
			walkBody(it.body)
		case *condItem:
			if h.cond != nil {
				c.errorf(it.p, "a test has one final condition; another was given at %s", h.cond.p)
			}
			h.cond = it
		case *expectItem:
			h.expect = it
		case *finalItem:
			if h.final != nil {
				c.errorf(it.p, "a program has one final block; another was given at %s", h.final.p)
			}
			h.final = it
			walkBody(it.body)
		case *modItem:
			for _, x := range it.items {
				add(x, top)
			}
		case *topStmt:
			h.top = append(h.top, it.s)
			if is, ok := it.s.(*itemStmt); ok {
				add(is.it, true)
			} else {
				walkStmt(it.s, func(x expr, _ int) bool {
					if b, ok := x.(*blockExpr); ok {
						for _, s := range b.stmts {
							if is, ok := s.(*itemStmt); ok {
								add(is.it, false)
							}
						}
					}
					return true
				})
			}
		}
	}
	walkBody = func(b *blockExpr) {
		if b == nil {
			return
		}
		walkExpr(b, func(x expr, _ int) bool {
			if b, ok := x.(*blockExpr); ok {
				for _, s := range b.stmts {
					if is, ok := s.(*itemStmt); ok {
						add(is.it, false)
					}
				}
			}
			return true
		}, 0)
	}
	for _, it := range f.items {
		add(it, true)
	}
	return h
}

func (c *compiler) compile(f *file, hadSyntaxErrors bool) {
	h := c.hoist(f)
	c.snippetImplicit(f, h, hadSyntaxErrors)
	for _, o := range h.others {
		if o.name != "" && (o.kind == "enum" || o.kind == "trait") {
			c.others[o.name] = o.kind
		}
	}
	for _, u := range h.uses {
		for _, path := range u.paths {
			if len(path) >= 3 && path[len(path)-2] == "as" {
				c.aliases[path[len(path)-1]] = path[len(path)-3]
			}
		}
	}
	for _, st := range h.structs {
		if _, dup := c.structs[st.name]; dup {
			c.errorf(st.p, "struct %s is defined twice", st.name)
			continue
		}
		c.structs[st.name] = st
	}
	for _, ci := range h.consts {
		if ci.name == "_" {
			continue
		}
		if _, dup := c.consts[ci.name]; dup {
			c.errorf(ci.p, "const %s is defined twice", ci.name)
			continue
		}
		c.consts[ci.name] = &constDef{item: ci}
	}
	for _, im := range h.impls {
		if im.trait != "" {
			switch im.trait {
			case "Sync", "Send", "Default", "Debug", "Clone", "Copy", "PartialEq", "Eq":
				// Marker traits and derivable ones: nothing to model.
				if len(im.fns) == 0 {
					continue
				}
			}
			if im.trait != "Default" {
				c.errorf(im.p, "trait impls are not supported (impl %s for %s); write inherent methods (impl %s { ... })", im.trait, im.typ, im.typ)
				continue
			}
		}
		for _, it := range im.items {
			if ci, ok := it.(*constItem); ok {
				key := im.typ + "::" + ci.name
				c.consts[key] = &constDef{item: &constItem{name: key, typ: ci.typ, val: ci.val, p: ci.p}}
			}
		}
		for _, fn := range im.fns {
			key := im.typ + "::" + fn.name
			if _, dup := c.fns[key]; dup {
				c.errorf(fn.p, "%s is defined twice", key)
				continue
			}
			c.fns[key] = fn
		}
	}
	var mains, tests []*fnItem
	for _, fn := range h.fns {
		if hasAttr(fn, "test") {
			tests = append(tests, fn)
			continue
		}
		if fn.name == "main" {
			mains = append(mains, fn)
			continue
		}
		if _, dup := c.fns[fn.name]; dup {
			c.errorf(fn.p, "fn %s is defined twice", fn.name)
			continue
		}
		c.fns[fn.name] = fn
	}
	for _, ci := range h.consts {
		if d := c.consts[ci.name]; d != nil {
			c.constValue(d, false)
		}
	}
	for _, s := range h.statics {
		c.static(s)
	}
	switch {
	case len(h.threads) > 0:
		if len(h.top) > 0 {
			for _, s := range h.top {
				if _, isItem := s.(*itemStmt); !isItem {
					c.errorf(s.stmtPos(), "statements outside a thread: put them in a thread block, or write the program in book notation (// t_1 comments) without thread blocks")
					break
				}
			}
		}
		c.litmusThreads(h)
		if h.final != nil {
			c.finalBlock(h)
		}
	case hasCode(h.top):
		c.book(h.top, nil)
	case len(mains) > 0:
		c.main(mains[0], h)
	case len(tests) > 0:
		c.tests(tests, h)
	case len(h.fns) > 0:
		c.library(h)
	default:
		if len(*c.errs) == 0 && !hadSyntaxErrors {
			c.errorf(source.Pos{File: c.filename, Line: 1, Col: 1}, "the program has no threads (write thread t1 { ... }, start them in fn main, or mark each thread's code with a // t_1 comment)")
		}
	}
	for _, o := range h.others {
		if o.kind == "enum" || o.kind == "trait" || o.kind == "union" {
			c.errorf(o.p, "%s %s: %ss are not supported (use integers, structs and Option)", o.kind, o.name, o.kind)
		}
	}
	if h.final != nil && len(h.threads) == 0 {
		c.errorf(h.final.p, "a final block runs after thread blocks; this program has none")
	}
	if h.cond != nil {
		c.condition(h.cond)
	}
	c.observe()
	if h.expect != nil {
		if h.cond == nil {
			c.errorf(h.expect.p, "expect needs a final condition (exists, forall or ~exists)")
		}
		c.p.Expect = &prog.Expectation{Verdict: h.expect.verdict, Pos: h.expect.p}
	}
}

// nameError reports whether an error message is about a name that does
// not resolve.
func nameError(msg string) bool {
	return strings.HasPrefix(msg, "cannot find") || strings.Contains(msg, "is not a constant") ||
		strings.HasPrefix(msg, "use of undeclared label") || strings.Contains(msg, "has no local") ||
		strings.HasPrefix(msg, "no thread named")
}

func hasAttr(fn *fnItem, name string) bool {
	for _, a := range fn.attrs {
		if a == name {
			return true
		}
	}
	return false
}

func hasCode(stmts []stmt) bool {
	for _, s := range stmts {
		if _, isItem := s.(*itemStmt); !isItem {
			return true
		}
	}
	return false
}

// addThread appends a compiled thread, checking its name.
func (c *compiler) addThread(t prog.Thread) int {
	if p, dup := c.threadPos[t.Name]; dup {
		c.errorf(t.Pos, "thread %s is defined twice (first at %s)", t.Name, p)
	}
	c.threadPos[t.Name] = t.Pos
	c.p.Threads = append(c.p.Threads, t)
	return len(c.p.Threads) - 1
}

func (c *compiler) litmusThreads(h *hoisted) {
	for _, th := range h.threads {
		if th.famVar == "" {
			c.thread(th, th.name, nil)
			continue
		}
		lo, ok1 := c.constEval(th.lo, false)
		hi, ok2 := c.constEval(th.hi, false)
		if !ok1 || !ok2 {
			continue
		}
		if !lo.t.IsInt() || !hi.t.IsInt() || lo.isOrd || hi.isOrd {
			c.errorf(th.p, "thread family bounds must be integers")
			continue
		}
		// The index has the type of the range's bounds (0..N with N: u32
		// gives a u32), as Rust infers it.
		t, ok := prog.Unify(lo.t, hi.t)
		if !ok {
			c.errorf(th.p, "mismatched types %s and %s in the thread family's range", lo.t, hi.t)
			continue
		}
		end := int64(hi.v)
		if th.incl {
			end++
		}
		if end <= int64(lo.v) {
			c.errorf(th.p, "thread family %s has no threads: its range is empty", th.name)
			continue
		}
		if end-int64(lo.v) > 64 {
			c.errorf(th.p, "thread family %s has %d threads; at most 64 are supported", th.name, end-int64(lo.v))
			continue
		}
		for k := int64(lo.v); k < end; k++ {
			c.thread(th, fmt.Sprintf("%s[%d]", th.name, k), map[string]cval{th.famVar: {v: uint64(k), t: t, lit: t.Flexible}})
		}
	}
}

// thread compiles a thread block (one member of a family when fam is
// set).
func (c *compiler) thread(th *threadItem, name string, fam map[string]cval) {
	c.famConsts = fam
	defer func() { c.famConsts = nil }()
	if th.broken {
		c.lenient++
		defer func() { c.lenient-- }()
		c.broken[name] = true
		c.broken[th.name] = true
	}
	g := newGen(c, name)
	for n, v := range fam {
		r := g.constant(v.v, v.t)
		r.lit, r.litv, r.litNeg = v.lit, v.v, v.neg
		g.bind(n, r, false)
	}
	v := g.body(th.body.stmts, th.body.tail, th.body.end)
	t := c.addThread(g.thread(name, th.p))
	c.results[t] = v
}

// finalBlock compiles a final block: code that runs once every thread has
// finished, where a thread's name is its handle (t1.join().unwrap() is
// its value).
func (c *compiler) finalBlock(h *hoisted) {
	fi := h.final
	g := newGen(c, "main")
	g.final = true
	families := map[string][]*handleVal{}
	var order []string
	for i, th := range c.p.Threads {
		hv := &handleVal{thread: i, result: c.results[i], name: th.Name}
		if base, _, ok := strings.Cut(th.Name, "["); ok {
			if _, seen := families[base]; !seen {
				order = append(order, base)
			}
			families[base] = append(families[base], hv)
			continue
		}
		g.bind(th.Name, value{k: vHandle, h: hv}, false)
	}
	for _, base := range order {
		g.bind(base, value{k: vHandles, hs: families[base]}, false)
	}
	g.body(fi.body.stmts, fi.body.tail, fi.body.end)
	t := g.thread("main", fi.p)
	c.p.Final = &t
}

// observe decides what outcomes show. A program with final code shows
// what the condition names, or else (like a program without final code)
// every thread's top-level lets, and besides either main's values (its
// top-level lets after the joins); when nothing of that kind exists,
// outcomes show the final memory.
func (c *compiler) observe() {
	p := c.p
	if p.Final == nil {
		return
	}
	seen := map[string]bool{}
	for _, o := range p.Observed {
		seen[o.Name] = true
	}
	add := func(o prog.Observable) {
		if !seen[o.Name] {
			seen[o.Name] = true
			p.Observed = append(p.Observed, o)
		}
	}
	if p.Cond == nil && len(p.Observed) == 0 {
		for t, th := range p.Threads {
			for _, l := range th.Locals {
				add(prog.Observable{Name: th.Name + "." + l.Name, Thread: t, Reg: l.Reg, Loc: -1, Type: l.Type})
			}
		}
	}
	for _, l := range p.Final.Locals {
		add(prog.Observable{Name: p.Final.Name + "." + l.Name, Thread: len(p.Threads), Reg: l.Reg, Loc: -1, Type: l.Type})
	}
	if p.Cond != nil || len(p.Observed) > 0 {
		return
	}
	for i, l := range p.Locs {
		if len(p.Observed) == 16 {
			break
		}
		p.Observed = append(p.Observed, prog.Observable{Name: l.Name, Thread: -1, Loc: i, Type: l.Type})
	}
}

// body compiles a thread's statements: its top-level lets are exported,
// a return ends the thread, and the value of its tail (or of its returns)
// is the thread's value (what join returns).
func (g *gen) body(stmts []stmt, tail expr, end source.Pos) value {
	f := &fnCtx{name: "thread " + g.name, depth: len(g.scopes), result: unit}
	if g.threadRet != nil && g.threadRet.k != vUnit && g.threadRet.k != vNever {
		// A fn item run as a thread: its declared return type.
		f.ret = g.threadRet
		f.result = g.alloc(g.threadRet)
	}
	g.fns = append(g.fns, f)
	g.stmts(stmts, true)
	v := unit
	if tail != nil {
		g.safe(func() {
			v = g.exprWant(tail, f.ret)
			switch v.k {
			case vUnit, vNever, vPlace, vHandle, vHandles, vClosure, vRange, vGuard:
			default:
				v = g.copyValue(v)
			}
			if f.result.k != vUnit && v.k != vNever {
				g.move(f.result, g.coerce(v, f.result.typ(), tail.exprPos()))
				v = f.result
			}
			g.dropTemps(tail.exprPos())
		})
	}
	g.pop(end)
	g.fns = g.fns[:len(g.fns)-1]
	g.patch(f.returns, g.here())
	if f.result.k != vUnit {
		v = f.result
	}
	if v.k == vNever {
		v = unit
	}
	return v
}

func (g *gen) thread(name string, pos source.Pos) prog.Thread {
	return prog.Thread{Name: name, Code: g.code, NumRegs: g.nregs, Locals: g.locals, Pos: pos}
}

// Book notation: declarations, then `// t_1` comment lines each starting
// a thread.

// setupBinding is a name main's setup (or the declarations before the
// first thread comment) binds for every thread: a shared object or a
// constant.
type setupBinding struct {
	name string
	obj  *object
	cv   *cval
	h    *handleVal
	hs   []*handleVal
	isHs bool
	// joinedVal: h is main's own thread, whose value is main's.
	joinedVal bool
	// mut: a constant bound by let mut, a variable each thread copies.
	mut bool
	// poison: a name whose declaration failed (reported there).
	poison bool
	// cell: obj is a let mut local of main that threads borrow (a plain
	// shared variable the name reads and assigns in place).
	cell bool
	pos  source.Pos
}

func (c *compiler) book(stmts []stmt, setup []setupBinding) {
	type segment struct {
		name  string
		p     source.Pos
		stmts []stmt
	}
	var segs []*segment
	var before []stmt
	for _, s := range stmts {
		if m, ok := s.(*markStmt); ok {
			segs = append(segs, &segment{name: m.name, p: m.p})
			continue
		}
		if len(segs) == 0 {
			before = append(before, s)
			continue
		}
		segs[len(segs)-1].stmts = append(segs[len(segs)-1].stmts, s)
	}
	if len(segs) == 0 {
		// No thread comments: one thread runs the statements.
		c.setupThread("main", before, setup, source.Pos{File: c.filename, Line: 1, Col: 1})
		return
	}
	setup = append(setup, c.setup(before, true)...)
	for _, sg := range segs {
		c.setupThread(sg.name, sg.stmts, setup, sg.p)
	}
}

// setupThread compiles a thread whose code sees the setup's bindings.
func (c *compiler) setupThread(name string, stmts []stmt, setup []setupBinding, pos source.Pos) int {
	g := newGen(c, name)
	g.bindSetup(setup)
	v := g.body(stmts, nil, pos)
	t := c.addThread(g.thread(name, pos))
	c.results[t] = v
	return t
}

func (g *gen) bindSetup(setup []setupBinding) {
	for _, b := range setup {
		switch {
		case b.obj != nil:
			g.bind(b.name, value{k: vPlace, pl: &place{obj: b.obj, cidx: -1, p: b.pos}}, b.cell)
			if b.cell {
				g.lookup(b.name).cell = true
			}
		case b.h != nil:
			g.bind(b.name, value{k: vHandle, h: b.h}, false)
		case b.isHs:
			g.bind(b.name, value{k: vHandles, hs: b.hs}, false)
		case b.poison:
			g.bind(b.name, value{k: vPoison}, true)
		case b.cv != nil:
			v := g.constValue(*b.cv, b.pos, nil)
			if b.mut {
				v = g.copyValue(v)
			}
			g.bind(b.name, v, b.mut)
		}
	}
}

// setup evaluates the declarations that come before the threads: each
// let of an atomic (array, struct, Mutex) allocates a shared object named
// after its variable; a let of a constant value binds the constant. When
// strict, anything else is an error (the statements run in no thread).
func (c *compiler) setup(stmts []stmt, strict bool) []setupBinding {
	var out []setupBinding
	for _, s := range stmts {
		switch s := s.(type) {
		case *itemStmt:
		case *letStmt:
			if b, ok := c.setupLet(s, nil); ok {
				out = append(out, b)
				continue
			}
			if strict {
				c.errorf(s.p, "before the first thread comment, only declarations (statics, consts, and lets of atomics or constants) are allowed")
			}
		default:
			if strict {
				c.errorf(s.stmtPos(), "statements before the first thread comment (// t_1) run in no thread; move them after it")
			}
		}
	}
	return out
}

// setupLet evaluates let NAME = VALUE of main's setup.
func (c *compiler) setupLet(s *letStmt, env map[string]cval) (setupBinding, bool) {
	if s.pat.kind != pBind || s.pat.sub != nil || s.init == nil {
		return setupBinding{}, false
	}
	v, ok := c.constEvalIn(s.init, true, env, 0)
	if !ok {
		return setupBinding{}, false
	}
	name := s.pat.name
	if v.isOrd || (!v.aggregate() && v.wrap == "") {
		if s.typ != nil {
			var err bool
			v, err = c.setupConstType(s, v)
			if err {
				return setupBinding{}, false
			}
		}
		return setupBinding{name: name, cv: &v, pos: s.p, mut: s.pat.mut}, true
	}
	l, ok := c.layoutOf(s.typ, v, s.p)
	if !ok {
		return setupBinding{}, true
	}
	vname := c.freshVarName(name)
	o := c.newObject(vname, l, v, s.p)
	return setupBinding{name: name, obj: o, pos: s.p}, true
}

func (c *compiler) setupConstType(s *letStmt, v cval) (cval, bool) {
	out, ok := c.constType(&constItem{name: s.pat.name, typ: s.typ, val: s.init, p: s.p}, v)
	return out, !ok
}

// A file of functions alone (no threads, no main): each function runs in
// a thread of its own; a single function runs in two threads. An integer
// parameter gets the thread's number (1, 2, ...), a bool true. main joins
// the threads: outcomes show each call's value and the final memory.
func (c *compiler) library(h *hoisted) {
	called := map[string]bool{}
	for _, fn := range h.fns {
		walkExpr(fn.body, func(x expr, _ int) bool {
			if ce, ok := x.(*callExpr); ok {
				if n, ok := pathName(ce.fn); ok {
					called[n[strings.LastIndex(n, ":")+1:]] = true
				}
			}
			return true
		}, 0)
	}
	var roots []*fnItem
	for _, fn := range h.fns {
		if fn.name == "main" || hasAttr(fn, "test") || called[fn.name] || fn.isConst {
			continue
		}
		if c.fns[fn.name] != fn {
			continue
		}
		roots = append(roots, fn)
	}
	if len(roots) == 0 {
		c.errorf(source.Pos{File: c.filename, Line: 1, Col: 1}, "the program has no threads (write thread t1 { ... }, start them in fn main, or mark each thread's code with a // t_1 comment)")
		return
	}
	runs := roots
	if len(roots) == 1 {
		runs = []*fnItem{roots[0], roots[0]}
	}
	for k, fn := range runs {
		name := fn.name
		if len(roots) == 1 {
			name = fmt.Sprintf("%s_%d", fn.name, k+1)
		}
		var args []expr
		ok := true
		for _, p := range fn.params {
			te := p.typ
			if te.kind == tyPath && te.name == "bool" {
				args = append(args, &boolLit{val: true, p: p.p})
				continue
			}
			if te.kind == tyPath && intTypes[te.name].IsInt() {
				args = append(args, &intLit{text: fmt.Sprint(k + 1), p: p.p})
				continue
			}
			c.errorf(p.p, "cannot run %s in a thread: parameter %s has type %s (a file of functions runs each with integer or bool arguments; write threads to call it otherwise)", fn.name, p.name, typeString(te))
			ok = false
		}
		if !ok {
			continue
		}
		call := &callExpr{fn: &identExpr{name: fn.name, p: fn.p}, args: args, p: fn.p}
		g := newGen(c, name)
		v := g.body(nil, call, fn.p)
		t := c.addThread(g.thread(name, fn.p))
		c.results[t] = v
	}
	if len(c.p.Threads) == 0 {
		return
	}
	// main joins them: outcomes show the final memory (and each call's
	// value).
	g := newGen(c, "main")
	g.final = true
	for t, th := range c.p.Threads {
		v := g.join(&handleVal{thread: t, result: c.results[t], name: th.Name}, th.Pos)
		if r := v.elems[0]; r.k == vScalar {
			g.export("ret_"+th.Name, r)
		}
	}
	t := g.thread("main", c.p.Threads[0].Pos)
	c.p.Final = &t
}

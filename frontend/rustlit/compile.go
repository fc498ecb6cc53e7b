// Package rustlit reads happens' Rust-style litmus language: Rust syntax for
// what Rust has (statics, atomics, orderings, fences, loops, helper
// functions, assertions) plus thread blocks and a final exists/forall
// condition. It produces the resolved program form of package prog.
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
}

type compiler struct {
	filename    string
	src         []byte
	lineStart   []int
	errs        *source.ErrorList
	p           *prog.Program
	consts      map[string]*constDef
	statics     map[string]int
	fns         map[string]*fnItem
	defines     map[string]string
	usedDefines map[string]bool
	famConsts   map[string]cval
	loopID      uint64
}

// Parse reads a Rust-style litmus program.
func Parse(filename string, src []byte, opts Options) (*prog.Program, error) {
	var errs source.ErrorList
	f := parseFile(filename, src, &errs)
	c := &compiler{filename: filename, src: src, errs: &errs, consts: map[string]*constDef{},
		statics: map[string]int{}, fns: map[string]*fnItem{}, defines: opts.Defines, usedDefines: map[string]bool{}}
	c.lineStart = []int{0}
	for i, b := range src {
		if b == '\n' {
			c.lineStart = append(c.lineStart, i+1)
		}
	}
	c.p = &prog.Program{Name: testName(filename), Doc: strings.Join(f.doc, "\n"), Format: "rust"}
	c.compile(f)
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

func (c *compiler) compile(f *file) {
	for _, ci := range f.consts {
		if _, dup := c.consts[ci.name]; dup {
			c.errs.Add(ci.p, "const %s is defined twice", ci.name)
			continue
		}
		c.consts[ci.name] = &constDef{item: ci}
	}
	for _, ci := range f.consts {
		c.constValue(c.consts[ci.name], false)
	}
	for _, s := range f.statics {
		c.static(s)
	}
	for _, fn := range f.fns {
		if fn.name == "main" {
			c.errs.Add(fn.p, "fn main is not run; put each thread's code in a thread block (thread t1 { ... })")
			continue
		}
		if _, dup := c.fns[fn.name]; dup {
			c.errs.Add(fn.p, "fn %s is defined twice", fn.name)
			continue
		}
		c.fns[fn.name] = fn
	}
	if len(f.threads) == 0 && len(*c.errs) == 0 {
		c.errs.Add(source.Pos{File: c.filename, Line: 1, Col: 1}, "the program has no threads (write thread t1 { ... })")
	}
	names := map[string]source.Pos{}
	for _, th := range f.threads {
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
			c.errs.Add(th.p, "thread family bounds must be integers")
			continue
		}
		end := int64(hi.v)
		if th.incl {
			end++
		}
		if end <= int64(lo.v) {
			c.errs.Add(th.p, "thread family %s has no threads: its range is empty", th.name)
			continue
		}
		if end-int64(lo.v) > 64 {
			c.errs.Add(th.p, "thread family %s has %d threads; at most 64 are supported", th.name, end-int64(lo.v))
			continue
		}
		for k := int64(lo.v); k < end; k++ {
			c.thread(th, fmt.Sprintf("%s[%d]", th.name, k), map[string]cval{th.famVar: {v: uint64(k), t: prog.IntType(64, false)}})
		}
	}
	for _, th := range c.p.Threads {
		if p, dup := names[th.Name]; dup {
			c.errs.Add(th.Pos, "thread %s is defined twice (first at %s)", th.Name, p)
		}
		names[th.Name] = th.Pos
	}
	if f.cond != nil {
		c.condition(f.cond)
	}
	if f.expect != nil {
		if f.cond == nil {
			c.errs.Add(f.expect.p, "expect needs a final condition (exists, forall or ~exists)")
		}
		c.p.Expect = &prog.Expectation{Verdict: f.expect.verdict, Pos: f.expect.p}
	}
}

// atomicTypes maps Rust's atomic types to their value types.
func atomicType(name string) (prog.Type, bool) {
	if name == "AtomicBool" {
		return prog.Bool, true
	}
	if strings.HasPrefix(name, "Atomic") {
		t, ok := intTypes[strings.ToLower(name[len("Atomic"):])]
		return t, ok
	}
	return prog.Type{}, false
}

func (c *compiler) valueType(te *typeExpr) (t prog.Type, atomic, ok bool) {
	if t, ok := atomicType(te.name); ok {
		return t, true, true
	}
	if te.name == "bool" {
		return prog.Bool, false, true
	}
	if t, ok := intTypes[te.name]; ok {
		return t, false, true
	}
	return prog.Type{}, false, false
}

func (c *compiler) static(s *staticItem) {
	if _, dup := c.statics[s.name]; dup {
		c.errs.Add(s.p, "static %s is defined twice", s.name)
		return
	}
	if _, dup := c.consts[s.name]; dup {
		c.errs.Add(s.p, "%s is both a const and a static", s.name)
		return
	}
	v := prog.Var{Name: s.name, Pos: s.p, First: len(c.p.Locs)}
	elemType := s.typ
	if s.typ.elem != nil {
		n, ok := c.constEval(s.typ.len, false)
		if !ok {
			return
		}
		if !n.t.IsInt() || n.isOrd || n.v == 0 || n.v > 4096 {
			c.errs.Add(s.typ.p, "array length must be an integer from 1 to 4096")
			return
		}
		v.Len = int(n.v)
		elemType = s.typ.elem
	}
	t, atomic, ok := c.valueType(elemType)
	if !ok {
		c.errs.Add(elemType.p, "unsupported type %s (use an Atomic type, bool or an integer type)", elemType.name)
		return
	}
	if atomic && s.mut {
		c.errs.Add(s.p, "static mut %s: an atomic static need not be mut", s.name)
	}
	if !atomic && !s.mut {
		c.errs.Add(s.p, "static %s of type %s is immutable; use a const, or static mut for a plain shared variable", s.name, elemType.name)
	}
	v.Type, v.Atomic = t, atomic
	inits := c.initValues(s, v.Len, t)
	c.statics[s.name] = len(c.p.Vars)
	c.p.Vars = append(c.p.Vars, v)
	n := v.Len
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		name := s.name
		if v.Len > 0 {
			name = fmt.Sprintf("%s[%d]", s.name, i)
		}
		var init uint64
		if i < len(inits) {
			init = inits[i]
		}
		c.p.Locs = append(c.p.Locs, prog.Location{Name: name, Var: len(c.p.Vars) - 1, Type: t, Atomic: atomic, Init: init})
	}
}

func (c *compiler) initValues(s *staticItem, n int, t prog.Type) []uint64 {
	one := func(e expr) uint64 {
		v, ok := c.constEval(e, false)
		if !ok {
			return 0
		}
		if v.isOrd {
			c.errs.Add(e.exprPos(), "an ordering is not a value")
			return 0
		}
		if _, ok := prog.Unify(v.t, t); !ok {
			c.errs.Add(e.exprPos(), "mismatched types: expected %s, found %s", t, v.t)
			return 0
		}
		return t.Wrap(v.v)
	}
	if n == 0 {
		return []uint64{one(s.init)}
	}
	a, ok := s.init.(*arrayLit)
	if !ok {
		c.errs.Add(s.init.exprPos(), "expected an array initialiser [v; %d] or [v1, v2, ...]", n)
		return nil
	}
	if a.repeat != nil {
		cnt, ok := c.constEval(a.count, false)
		if ok && int(cnt.v) != n {
			c.errs.Add(a.count.exprPos(), "array initialiser has %d elements, the type says %d", cnt.v, n)
		}
		v := one(a.repeat)
		out := make([]uint64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	if len(a.elems) != n {
		c.errs.Add(a.p, "array initialiser has %d elements, the type says %d", len(a.elems), n)
	}
	var out []uint64
	for _, e := range a.elems {
		out = append(out, one(e))
	}
	return out
}

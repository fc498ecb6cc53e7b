package rustlit

import (
	"fmt"
	"strings"
	"testing"

	"happens/source"
)

// sx writes a syntax tree as an S-expression, for the parser's tests.
func sx(x any) string {
	switch x := x.(type) {
	case nil:
		return "nil"
	case *identExpr:
		return x.name
	case *pathExpr:
		return strings.Join(x.segs, "::")
	case *intLit:
		return x.text
	case *boolLit:
		return fmt.Sprint(x.val)
	case *strLit:
		return fmt.Sprintf("%q", x.val)
	case *unaryExpr:
		return "(" + x.op + " " + sx(x.x) + ")"
	case *binaryExpr:
		return "(" + x.op + " " + sx(x.x) + " " + sx(x.y) + ")"
	case *callExpr:
		return "(call " + sx(x.fn) + list(x.args) + ")"
	case *methodExpr:
		return "(." + x.name + " " + sx(x.recv) + list(x.args) + ")"
	case *indexExpr:
		return "(index " + sx(x.x) + " " + sx(x.idx) + ")"
	case *fieldExpr:
		return "(field " + sx(x.x) + " " + x.name + ")"
	case *castExpr:
		return "(as " + sx(x.x) + " " + typeString(x.typ) + ")"
	case *macroExpr:
		s := "(" + x.name + "!" + list(x.args)
		if x.pat != nil {
			s += " " + sx(x.pat)
		}
		return s + ")"
	case *arrayLit:
		if x.repeat != nil {
			return "[" + sx(x.repeat) + "; " + sx(x.count) + "]"
		}
		return "[" + strings.TrimPrefix(list(x.elems), " ") + "]"
	case *tupleExpr:
		return "(tuple" + list(x.elems) + ")"
	case *rangeExpr:
		op := ".."
		if x.incl {
			op = "..="
		}
		return "(" + op + " " + sx(x.lo) + " " + sx(x.hi) + ")"
	case *structLit:
		s := "(struct " + x.name
		for _, f := range x.fields {
			s += " " + f.name + ":" + sx(f.x)
		}
		return s + ")"
	case *blockExpr:
		s := "{"
		if x.label != "" {
			s = "'" + x.label + ":{"
		}
		if x.konst {
			s = "const{"
		}
		for _, st := range x.stmts {
			s += " " + sx(st) + ";"
		}
		if x.tail != nil {
			s += " " + sx(x.tail)
		}
		return s + " }"
	case *ifExpr:
		s := "(if "
		if x.pat != nil {
			s += "let " + sx(x.pat) + " = "
		}
		s += sx(x.cond) + " " + sx(x.then)
		if x.els != nil {
			s += " else " + sx(x.els)
		}
		return s + ")"
	case *whileExpr:
		s := "(while "
		if x.pat != nil {
			s += "let " + sx(x.pat) + " = "
		}
		return s + sx(x.cond) + " " + sx(x.body) + ")"
	case *loopExpr:
		l := ""
		if x.label != "" {
			l = "'" + x.label + " "
		}
		return "(loop " + l + sx(x.body) + ")"
	case *forExpr:
		l := ""
		if x.label != "" {
			l = "'" + x.label + " "
		}
		return "(for " + l + sx(x.pat) + " " + sx(x.iter) + " " + sx(x.body) + ")"
	case *matchExpr:
		s := "(match " + sx(x.x)
		for _, a := range x.arms {
			s += " [" + sx(a.pat)
			if a.guard != nil {
				s += " if " + sx(a.guard)
			}
			s += " => " + sx(a.body) + "]"
		}
		return s + ")"
	case *breakExpr:
		s := "(break"
		if x.label != "" {
			s += " '" + x.label
		}
		if x.x != nil {
			s += " " + sx(x.x)
		}
		return s + ")"
	case *continueExpr:
		if x.label != "" {
			return "(continue '" + x.label + ")"
		}
		return "(continue)"
	case *returnExpr:
		return "(return " + sx(x.x) + ")"
	case *closureExpr:
		s := "(closure"
		if x.move {
			s += " move"
		}
		for _, p := range x.params {
			s += " " + sx(p)
		}
		return s + " " + sx(x.body) + ")"
	case *pattern:
		switch x.kind {
		case pWild:
			return "_"
		case pRest:
			return ".."
		case pBind:
			s := x.name
			if x.mut {
				s = "mut " + s
			}
			if x.sub != nil {
				s += " @ " + sx(x.sub)
			}
			return s
		case pLit:
			return sx(x.lit)
		case pRange:
			op := ".."
			if x.incl {
				op = "..="
			}
			return "(" + op + " " + sx(x.lo) + " " + sx(x.hi) + ")"
		case pOr:
			var parts []string
			for _, e := range x.elems {
				parts = append(parts, sx(e))
			}
			return "(| " + strings.Join(parts, " ") + ")"
		case pTuple:
			var parts []string
			for _, e := range x.elems {
				parts = append(parts, sx(e))
			}
			return "(tuple " + strings.Join(parts, " ") + ")"
		case pVariant:
			var parts []string
			for _, e := range x.elems {
				parts = append(parts, sx(e))
			}
			return "(" + x.name + " " + strings.Join(parts, " ") + ")"
		case pRef:
			return "(& " + sx(x.sub) + ")"
		case pStruct:
			s := "(" + x.name + " {"
			for i, f := range x.fields {
				s += " " + f + ":" + sx(x.elems[i])
			}
			return s + " })"
		}
	case *letStmt:
		s := "let " + sx(x.pat)
		if x.typ != nil {
			s += ": " + typeString(x.typ)
		}
		if x.init != nil {
			s += " = " + sx(x.init)
		}
		if x.els != nil {
			s += " else " + sx(x.els)
		}
		return s
	case *assignStmt:
		return sx(x.target) + " " + x.op + " " + sx(x.val)
	case *exprStmt:
		return sx(x.x)
	case *markStmt:
		return "// " + x.name
	case *itemStmt:
		return sx(x.it)
	case *staticItem:
		return "static " + x.name + ": " + typeString(x.typ) + " = " + sx(x.init)
	case *constItem:
		return "const " + x.name + ": " + typeString(x.typ) + " = " + sx(x.val)
	case *fnItem:
		return "fn " + x.name + " " + sx(x.body)
	case *useItem:
		var parts []string
		for _, p := range x.paths {
			parts = append(parts, strings.Join(p, "::"))
		}
		return "use " + strings.Join(parts, ", ")
	case *structItem:
		return "struct " + x.name
	case *implItem:
		return "impl " + x.typ
	case *threadItem:
		return "thread " + x.name + " " + sx(x.body)
	case *finalItem:
		return "final " + sx(x.body)
	case *topStmt:
		return sx(x.s)
	case *otherItem:
		return x.kind + " " + x.name
	case *modItem:
		s := "mod {"
		for _, it := range x.items {
			s += " " + sx(it) + ";"
		}
		return s + " }"
	}
	return fmt.Sprintf("?%T", x)
}

func list(xs []expr) string {
	s := ""
	for _, x := range xs {
		s += " " + sx(x)
	}
	return s
}

func parseItems(t *testing.T, src string) ([]item, source.ErrorList) {
	t.Helper()
	var errs source.ErrorList
	f := parseFile("t.rs", []byte(src), &errs)
	return f.items, errs
}

// TestParse checks the trees of the syntax Rust programs use, as Rust
// reads it (expected trees written from the Rust reference's grammar).
func TestParse(t *testing.T) {
	cases := []struct{ src, want string }{
		// Tuples, tuple patterns and fields.
		{`fn f() { let (a, mut b) = (x.load(R), 2); b = a.0; }`,
			`fn f { let (tuple a mut b) = (tuple (.load x R) 2); b = (field a 0); }`},
		// A one-element tuple and parentheses.
		{`fn f() { let t = (1,); let p = (1); }`, `fn f { let t = (tuple 1); let p = 1; }`},
		// match: or, ranges, guard, binding @, block arms, an assignment arm.
		{`fn f() { match n { 0 | 3 => 1, 4..=5 => { 2 } k @ 6..=9 if k > 7 => 3, Err(x) => old = x, _ => 4 } }`,
			`fn f { (match n [(| 0 3) => 1] [(..= 4 5) => { 2 }] [k @ (..= 6 9) if (> k 7) => 3] [(Err x) => { old = x; }] [_ => 4]) }`},
		// A block arm ends its arm even before a tuple pattern.
		{`fn f() { match p { (0, _) => { 0 } (_, 20) | (_, 30) => 1, _ => 2 } }`,
			`fn f { (match p [(tuple 0 _) => { 0 }] [(| (tuple _ 20) (tuple _ 30)) => 1] [_ => 2]) }`},
		// if let, while let, let else.
		{`fn f() { if let Some(v) = o { v } else { 0 }; while let Some(x) = it { } let Some(y) = o else { return; }; }`,
			`fn f { (if let (Some v) = o { v } else { 0 }); (while let (Some x) = it { }); let (Some y) = o else { (return nil); }; }`},
		// Labels, break with a value, labelled blocks.
		{`fn f() { 'outer: for i in 0..3 { continue 'outer; } let v = loop { break 5; }; let w = 'b: { break 'b 1; }; }`,
			`fn f { (for 'outer i (.. 0 3) { (continue 'outer); }); let v = (loop { (break 5); }); let w = 'b:{ (break 'b 1); }; }`},
		// Ranges with rev and step_by; a range is the loosest operator.
		{`fn f() { for i in (0..n + 1).rev().step_by(2) {} for j in 1..=N {} }`,
			`fn f { (for i (.step_by (.rev (.. 0 (+ n 1))) 2) { }); (for j (..= 1 N) { }) }`},
		// No struct literal in an if condition; one elsewhere.
		{`fn f() { if x == N { } let p = Point { x: 1, y }; }`,
			`fn f { (if (== x N) { }); let p = (struct Point x:1 y:y); }`},
		// Closures: move, params, assignment bodies.
		{`fn f() { let c = move || x.load(R); let d = |a: u32, (b, _)| a + b; }`,
			`fn f { let c = (closure move (.load x R)); let d = (closure a (tuple b _) (+ a b)); }`},
		// Turbofish, >> closing two generic lists, generic types.
		{`fn f() { let v: Vec<Vec<u32>> = (0..2).map(|i| i).collect::<Vec<_>>(); }`,
			`fn f { let v: Vec<Vec<u32>> = (.collect (.map (.. 0 2) (closure i i))); }`},
		// const blocks in array repeats, arrays of constructors.
		{`static A: [AtomicU32; N] = [const { AtomicU32::new(0) }; N];`,
			`static A: [AtomicU32; N] = [const{ (call AtomicU32::new 0) }; N]`},
		// Macros: matches! with a pattern and guard, assert_eq! messages.
		{`fn f() { assert!(matches!(r, Ok(_) | Err(0))); assert_eq!(a, b, "a {} b", 1); println!("{x:?}"); }`,
			`fn f { (assert! (matches! r (| (Ok _) (Err 0)))); (assert_eq! a b); (println!); }`},
		// use trees with groups, globs, self, as.
		{`use std::sync::{atomic::{self, AtomicU32, Ordering::*}, Arc as Shared};`,
			`use std::sync::atomic::self, std::sync::atomic::AtomicU32, std::sync::atomic::Ordering::*, std::sync::Arc::as::Shared`},
		// Attributes anywhere, an inline module, struct and impl items.
		{`#![allow(unused)] #[cfg(test)] mod tests { #[derive(Debug)] struct S { a: u32 } impl S { fn get(&self) -> u32 { self.a } } }`,
			`mod { struct S; impl S; }`},
		// Casts bind tighter than arithmetic; unary minus on literals.
		{`fn f() { let x = a as u64 + -1 * b as u64; }`,
			`fn f { let x = (+ (as a u64) (* (- 1) (as b u64))); }`},
		// The litmus form: thread blocks and a final block.
		{`thread t { X.store(1, R); 7 } final { let r = t.join().unwrap(); }`,
			`thread t { (.store X 1 R); 7 }; final { let r = (.unwrap (.join t)); }`},
	}
	for _, c := range cases {
		items, errs := parseItems(t, c.src)
		if len(errs) > 0 {
			t.Errorf("%s: %v", c.src, errs)
			continue
		}
		var parts []string
		for _, it := range items {
			parts = append(parts, sx(it))
		}
		if got := strings.Join(parts, "; "); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.src, got, c.want)
		}
	}
}

// TestThreadMarks checks the `// t_1` comments of book notation: a mark
// alone on its line starts a thread; after code on a line whose brace is
// still open (a snippet printed on one line), the mark ends where the
// thread's code starts; other comments stay comments.
func TestThreadMarks(t *testing.T) {
	cases := []struct{ src, want string }{
		{"// t_1\nX.store(1, R);\n// Thread 2\nlet a = X.load(R);\n",
			"// t_1; (.store X 1 R); // t2; let a = (.load X R)"},
		{"fn main() { static X: A = A::new(0); // t_1 X.store(1, R); // t_2 let v = X.load(R); }",
			"fn main { static X: A = (call A::new 0); // t_1; (.store X 1 R); // t_2; let v = (.load X R); }"},
		// Prose after a mark on a line of its own code is a comment.
		{"fn main() {\nX.store(1, R); // t_1 stores first\n}", "fn main { (.store X 1 R); }"},
		{"fn main() {\n// t1: the writer\nX.store(1, R);\n}", "fn main { (.store X 1 R); }"},
		{"fn main() {\n// t1:\nX.store(1, R);\n}", "fn main { // t1; (.store X 1 R); }"},
	}
	for _, c := range cases {
		items, errs := parseItems(t, c.src)
		if len(errs) > 0 {
			t.Errorf("%q: %v", c.src, errs)
			continue
		}
		var parts []string
		for _, it := range items {
			parts = append(parts, sx(it))
		}
		if got := strings.Join(parts, "; "); got != c.want {
			t.Errorf("%q\n got: %s\nwant: %s", c.src, got, c.want)
		}
	}
}

// TestRecovery checks that the parser reports each syntax error once and
// keeps the items around it.
func TestRecovery(t *testing.T) {
	src := `fn a() { let = 1; let b = 2; }
fn b( { }
thread t { match x { 0 => { let q = ; } _ => {} } let after = 1; }
static S: u32 = 0;`
	items, errs := parseItems(t, src)
	var names []string
	for _, it := range items {
		switch it := it.(type) {
		case *fnItem:
			names = append(names, "fn "+it.name+fmt.Sprint(it.broken))
		case *threadItem:
			names = append(names, "thread "+it.name+fmt.Sprint(it.broken)+" "+fmt.Sprint(len(it.body.stmts)))
		case *staticItem:
			names = append(names, "static "+it.name)
		}
	}
	if got, want := strings.Join(names, ", "), "fn atrue, fn btrue, thread ttrue 2, static S"; got != want {
		t.Errorf("items %s, want %s", got, want)
	}
	if len(errs) != 3 {
		t.Errorf("%d errors, want 3 (one per syntax error): %v", len(errs), errs)
	}
}

// TestSeveralTests checks that a file of several #[test] functions lists
// them and compiles the one asked for.
func TestSeveralTests(t *testing.T) {
	src := []byte(`use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;
#[test]
fn first() {
    let x = AtomicU32::new(0);
    thread::scope(|s| { s.spawn(|| x.store(1, Relaxed)); });
    let a = x.load(Relaxed);
}
#[test]
#[should_panic]
fn second() {
    let y = AtomicU32::new(3);
    thread::scope(|s| { s.spawn(|| y.store(4, Relaxed)); });
    assert_eq!(y.load(Relaxed), 3);
}
`)
	if got := strings.Join(TestNames("t.rs", src), " "); got != "first second" {
		t.Fatalf("tests %q, want first second", got)
	}
	for _, c := range []struct{ name, local, expect string }{{"", "a", ""}, {"first", "a", ""}, {"second", "", "Panics"}} {
		p, err := Parse("t.rs", src, Options{Test: c.name})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := c.name
		if want == "" {
			want = "first"
		}
		if p.Name != want {
			t.Errorf("test %q compiled %s", c.name, p.Name)
		}
		if c.local != "" {
			if _, ok := p.Final.LocalByName(c.local); !ok {
				t.Errorf("%s: main has no local %s", want, c.local)
			}
		}
		got := ""
		if p.Expect != nil {
			got = p.Expect.Verdict
		}
		if got != c.expect {
			t.Errorf("%s: expectation %q, want %q", want, got, c.expect)
		}
	}
	if _, err := Parse("t.rs", src, Options{Test: "third"}); err == nil || !strings.Contains(err.Error(), "no #[test] fn named third") {
		t.Errorf("an unknown test: %v", err)
	}
}

// A snippet with no declarations: its undeclared atomics and parameters
// are declared implicitly, -D sets a parameter, and the output says so.
func TestSnippetImplicit(t *testing.T) {
	src := "let x = X.load(Ordering::Acquire);\nX.store(val | x, Ordering::Release); # earlier store\nlet y = Y.load(Ordering::Acquire);   # load\n"
	p, err := Parse("s.rs", []byte(src), Options{Defines: map[string]string{"val": "6"}})
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, l := range p.Locs {
		locs = append(locs, l.Name)
	}
	if strings.Join(locs, ",") != "X,Y" {
		t.Errorf("locations %v, want X,Y", locs)
	}
	for _, w := range []string{"atomics (AtomicU32, starting at 0): X, Y", "val = 6 (set with -D val=V)", "`# text` after code read as a comment"} {
		if !strings.Contains(p.Doc, w) {
			t.Errorf("doc %q lacks %q", p.Doc, w)
		}
	}
	// A file that declares something declares everything: X missing is
	// an error, and so is a # comment.
	src2 := "static Y: AtomicU32 = AtomicU32::new(0);\nthread t { let x = X.load(Ordering::Acquire); # c\n}\n"
	_, err = Parse("s.rs", []byte(src2), Options{})
	list, _ := err.(source.ErrorList)
	var msgs []string
	for _, e := range list {
		msgs = append(msgs, e.Msg)
	}
	all := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(all, "cannot find value X") || !strings.Contains(all, "# does not start a comment") {
		t.Errorf("got %q, want errors for X and the # comment", all)
	}
}

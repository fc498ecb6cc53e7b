package printer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"happens/frontend"
	"happens/model"
	"happens/prog"
	"happens/result"
	"happens/source"
)

func parse(t *testing.T, name, src string) *prog.Program {
	t.Helper()
	p, err := frontend.Parse(name, []byte(src), frontend.Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return p
}

func print(t *testing.T, p *prog.Program, f printFunc) string {
	t.Helper()
	var b strings.Builder
	if err := f(&b, p); err != nil {
		t.Fatalf("print: %v", err)
	}
	return b.String()
}

func golden(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimLeft(want, "\n")
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// checkTrip checks that p keeps its results through first and second.
func checkTrip(t *testing.T, p *prog.Program, m *model.Model, first, second printFunc) {
	t.Helper()
	if r := roundTrip(p.Name, p, m, first, second, ".litmus", ".litmus"); r.bad != "" || r.rejected != nil {
		t.Errorf("round trip: %s %v", r.bad, r.rejected)
	}
}

const herdMP = `C MP+rel+acq
"Message passing with release/acquire"
{ x = 0; }

P0 (atomic_int* x, int* d) {
  *d = 1;
  atomic_store_explicit(x, 1, memory_order_release);
}

P1 (atomic_int* x, int* d) {
  int r0 = atomic_load_explicit(x, memory_order_acquire);
  int r1 = -1;
  if (r0 == 1) {
    r1 = *d;
  }
}

exists (1:r0=1 /\ 1:r1=0)
`

func TestGoldenHerdToRust(t *testing.T) {
	p := parse(t, "mp.litmus", herdMP)
	golden(t, print(t, p, toRust), `
//! Message passing with release/acquire
// Test MP+rel+acq.
use std::sync::atomic::{AtomicI32, Ordering};

static x: AtomicI32 = AtomicI32::new(0);
static mut d: i32 = 0;

thread P0 {
    unsafe { d = 1; }
    x.store(1, Ordering::Release);
}

thread P1 {
    let r0 = x.load(Ordering::Acquire);
    let mut r1: i32 = -1;
    if r0 == 1 {
        r1 = unsafe { d };
    }
}

exists (P1.r0 == 1 && P1.r1 == 0)
`)
	checkTrip(t, p, model.RC11, toRust, toC)
	// And back: herd's own shape again.
	q := parse(t, "MP+rel+acq.litmus", print(t, p, toRust))
	golden(t, print(t, q, toC), `
C MP+rel+acq
"Message passing with release/acquire"

{
  _Atomic int x = 0;
  int d = 0;
}

P0(atomic_int* x, int* d) {
  *d = 1;
  atomic_store_explicit(x, 1, memory_order_release);
}

P1(atomic_int* x, int* d) {
  int r0 = atomic_load_explicit(x, memory_order_acquire);
  int r1 = -1;
  if (r0 == 1) {
    r1 = *d;
  }
}

exists (1:r0=1 /\ 1:r1=0)
`)
}

const rustSpin = `//! A reader spins on a flag, then takes a token with compare_exchange.
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

static READY: AtomicBool = AtomicBool::new(false);
static TOKEN: AtomicU32 = AtomicU32::new(0);

thread writer {
    TOKEN.store(7, Ordering::Relaxed);
    READY.store(true, Ordering::Release);
}

thread reader {
    while !READY.load(Ordering::Acquire) {}
    let took = TOKEN.compare_exchange(7, 0, Ordering::AcqRel, Ordering::Relaxed).is_ok();
    let mut n: u32 = 0;
    if took {
        n = 2 * TOKEN.load(Ordering::Relaxed) + 1;
    }
}

forall (reader.took == true && reader.n == 1)
expect always
`

func TestGoldenRustToC(t *testing.T) {
	p := parse(t, "spin.litmus", rustSpin)
	golden(t, print(t, p, toC), `
C spin
"A reader spins on a flag, then takes a token with compare_exchange."
(* expect always *)

{
  _Atomic int READY = 0;
  _Atomic uint32_t TOKEN = 0;
  uint32_t cas0 = 0;
}

P0(atomic_int* READY, _Atomic uint32_t* TOKEN) {
  atomic_store_explicit(TOKEN, 7, memory_order_relaxed);
  atomic_store_explicit(READY, 1, memory_order_release);
}

P1(atomic_int* READY, _Atomic uint32_t* TOKEN, uint32_t* cas0) {
  while (!atomic_load_explicit(READY, memory_order_acquire)) {
  }
  *cas0 = 7;
  int took = atomic_compare_exchange_strong_explicit(TOKEN, cas0, 0, memory_order_acq_rel, memory_order_relaxed);
  uint32_t n;
  if (took) {
    n = 2 * atomic_load_explicit(TOKEN, memory_order_relaxed) + 1;
  }
}

forall (1:took=1 /\ 1:n=1)
`)
	checkTrip(t, p, model.C20, toC, toRust)
}

// herd's default condition with only registers observed is Rust's missing
// condition: the Rust program exports exactly the observed registers.
func TestGoldenNoCondition(t *testing.T) {
	p := parse(t, "add2.litmus", `C ADD2
{}
P0 (atomic_int* x) {
  int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);
  int t = r0 + 1;
}
P1 (atomic_int* x) {
  int r0 = atomic_fetch_add(x, 2);
}
locations [0:r0; 1:r0;]
`)
	rust := print(t, p, toRust)
	golden(t, rust, `
// Test ADD2.
use std::sync::atomic::{AtomicI32, Ordering};

static x: AtomicI32 = AtomicI32::new(0);

thread P0 {
    let mut r0: i32 = 0;
    {
        r0 = x.fetch_add(1, Ordering::Relaxed);
        let t = r0 + 1;
    }
}

thread P1 {
    let r0 = x.fetch_add(2, Ordering::SeqCst);
}
`)
	checkTrip(t, p, model.RC11, toRust, toC)
	q := parse(t, "ADD2.litmus", rust)
	c := print(t, q, toC)
	if !strings.Contains(c, "locations [0:r0; 1:r0;]") || strings.Contains(c, "forall") || strings.Contains(c, "exists") {
		t.Errorf("back in C, want the locations clause and no condition:\n%s", c)
	}
	// A location among the observed values needs a condition in Rust:
	// v == v conjuncts, which print back as a locations clause.
	p = parse(t, "addx.litmus", strings.Replace(herdMP, "exists (1:r0=1 /\\ 1:r1=0)", "locations [1:r1; x;]\nexists (1:r0=1)", 1))
	rust = print(t, p, toRust)
	if !strings.Contains(rust, "exists (P1.r0 == 1 && P1.r1 == P1.r1 && x == x)") {
		t.Errorf("want the observed values as conjuncts:\n%s", rust)
	}
	c = print(t, parse(t, "addx.litmus", rust), toC)
	if !strings.Contains(c, "locations [1:r1; x;]\nexists (1:r0=1)") {
		t.Errorf("want the locations clause back:\n%s", c)
	}
	checkTrip(t, p, model.RC11, toRust, toC)
}

// TestRejections checks that what the target cannot say is a positioned
// error naming the construct.
func TestRejections(t *testing.T) {
	tests := []struct {
		name, src string
		to        printFunc
		pos, msg  string
	}{
		{"consume", `C consume
{}
P0 (atomic_int* x) {
  int r0 = atomic_load_explicit(x, memory_order_consume);
}
exists (0:r0=0)
`, toRust, "4:12", "no consume ordering"},
		{"mixed", `C mixed
{}
P0 (atomic_int* x) {
  atomic_store(x, 1);
}
P1 (atomic_int* x) {
  int r0 = *x;
}
exists (1:r0=0)
`, toRust, "7:12", "plain (non-atomic) access to x, which is also accessed atomically (at mixed:4:3)"},
		{"keyword", `C keyword
{}
P0 (atomic_int* x) {
  int loop = atomic_load(x);
}
exists (0:loop=0)
`, toRust, "4:7", "register name loop is a reserved word"},
		{"fence", `C fence
{}
P0 (atomic_int* x) {
  atomic_thread_fence(memory_order_relaxed);
}
`, toRust, "4:3", "relaxed fence"},
		{"array", `use std::sync::atomic::{AtomicU32, Ordering};
static A: [AtomicU32; 2] = [0; 2];
thread t { A[1].store(1, Ordering::Relaxed); }
exists (A[1] == 1)
`, toC, "2:1", "array A has no equivalent in herd C"},
		{"assert", `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t {
    assert!(X.load(Ordering::Relaxed) == 0);
}
`, toC, "4:5", "assert! has no equivalent"},
		{"nand", `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t {
    X.fetch_nand(1, Ordering::Relaxed);
}
`, toC, "4:5", "fetch_nand has no equivalent"},
		{"break", `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t {
    loop {
        X.store(1, Ordering::Relaxed);
        if X.load(Ordering::Relaxed) == 1 { break; }
        X.store(2, Ordering::Relaxed);
    }
}
`, toC, "6:", "leaves from the middle of its body"},
		{"cas loop", `use std::sync::atomic::{AtomicBool, Ordering};
static L: AtomicBool = AtomicBool::new(false);
thread t {
    while L.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {}
}
`, toC, "4:11", "compare_exchange inside a loop"},
		{"condition", `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t { let a = X.load(Ordering::Relaxed); }
exists (t.a < 2)
`, toC, "4:1", "operator < in the condition has no equivalent in herd C"},
		{"keyword C", `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t { let int = X.load(Ordering::Relaxed); }
exists (t.int == 0)
`, toC, "3:", "register name int is a reserved word in herd C"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.name, tc.src)
			var b strings.Builder
			err := tc.to(&b, p)
			var list source.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("want a positioned error, got %v", err)
			}
			e := list[0]
			if got := fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Col); !strings.HasPrefix(got, tc.pos) || e.Pos.File != tc.name {
				t.Errorf("error at %v, want %s:%s", e.Pos, tc.name, tc.pos)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("error %q, want it to say %q", e.Msg, tc.msg)
			}
		})
	}
}

// TestRustFeatures round-trips constructs of the Rust-style language that
// the testdata have little of, through C and back.
func TestRustFeatures(t *testing.T) {
	srcs := []string{
		// Narrow and signed types, casts, shifts by constants, bools.
		`use std::sync::atomic::{AtomicU8, AtomicI16, AtomicBool, Ordering};
static A: AtomicU8 = AtomicU8::new(250);
static B: AtomicI16 = AtomicI16::new(-3);
static F: AtomicBool = AtomicBool::new(false);
thread t1 {
    let a = A.fetch_add(10, Ordering::Relaxed);
    let b = B.load(Ordering::Relaxed);
    let c = (a as i16) * b - 7;
    let d = (a << 2) ^ 255u8;
    let e = !F.load(Ordering::Relaxed) && c < 0;
    B.store(c >> 1, Ordering::Relaxed);
}
thread t2 {
    F.swap(true, Ordering::AcqRel);
    A.fetch_or(1, Ordering::Release);
}
exists (t1.a == 250 && t1.c == -757 && t1.e == true && A == 5)
`,
		// Nested if/else, do-while shape, fences, a failed-CAS value.
		`use std::sync::atomic::{fence, AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
thread t1 {
    X.store(1, Ordering::Relaxed);
    fence(Ordering::SeqCst);
    let r = match Y.compare_exchange(1, 2, Ordering::AcqRel, Ordering::Acquire) {
        Ok(v) => v + 10,
        Err(v) => v,
    };
}
thread t2 {
    let mut n = 0;
    loop {
        n += 1;
        if Y.load(Ordering::Relaxed) == 0 { break; }
    }
    Y.store(1, Ordering::Release);
    fence(Ordering::SeqCst);
    let a = X.load(Ordering::Relaxed);
    let b = if a == 0 { 1 } else if n > 1 { 2 } else { 3 };
}
exists (t1.r == 0 && t2.a == 0)
`,
		// Plain accesses and a race.
		`use std::sync::atomic::{AtomicU32, Ordering};
static mut D: u64 = 0;
static F: AtomicU32 = AtomicU32::new(0);
thread t1 {
    unsafe { D = 18446744073709551615; }
    F.store(1, Ordering::Relaxed);
}
thread t2 {
    let f = F.load(Ordering::Relaxed);
    let d = unsafe { D };
}
exists (t2.f == 1 && t2.d == 0)
`,
	}
	for i, src := range srcs {
		p := parse(t, fmt.Sprintf("feature%d.litmus", i), src)
		checkTrip(t, p, model.C20, toC, toRust)
		checkTrip(t, p, model.C20, toRust, toC)
	}
}

// TestHerdLoops round-trips herd C loops: spin loops that block, counters
// that reach the unroll bound, registers written in the body, and loops
// whose condition is a whole expression. The counts of blocked and
// bounded executions must survive (variables stay live at the loop head
// exactly when they were).
func TestHerdLoops(t *testing.T) {
	srcs := []string{`C spin
{}
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y, 1, memory_order_relaxed);
  atomic_store_explicit(x, 1, memory_order_release);
}
P1 (atomic_int* x, atomic_int* y) {
  int r0;
  do {
    r0 = atomic_load_explicit(x, memory_order_acquire);
  } while (r0 == 0);
  int r1 = atomic_load_explicit(y, memory_order_relaxed);
}
exists (1:r1=0)
`, `C counter
{}
P0 (atomic_int* x) {
  int n = 0;
  while (atomic_load_explicit(x, memory_order_relaxed) != 2 && n < 3) {
    n = n + 1;
  }
}
P1 (atomic_int* x) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_store_explicit(x, 2, memory_order_relaxed);
}
exists (0:n=3)
`, `C unbounded
{}
P0 (atomic_int* x) {
  int n = 0;
  while (atomic_load_explicit(x, memory_order_relaxed) == 0) {
    n = n + 1;
  }
}
P1 (atomic_int* x) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
}
exists (0:n=0)
`, `C nested
{}
P0 (atomic_int* x, atomic_int* y) {
  int a = 0;
  int b = 0;
  while (a < 2) {
    if (atomic_load_explicit(x, memory_order_acquire) == 1) {
      a = a + 1;
    } else {
      b = atomic_fetch_add_explicit(y, 1, memory_order_relaxed);
      a = a + 2;
    }
  }
}
P1 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_release);
  int c = atomic_load_explicit(y, memory_order_relaxed);
}
exists (0:b=0 /\ 1:c=1)
`}
	for i, src := range srcs {
		p := parse(t, fmt.Sprintf("loop%d.litmus", i), src)
		checkTrip(t, p, model.RC11, toRust, toC)
		checkTrip(t, p, model.C20, toRust, toC)
	}
}

// TestHerdExpressions round-trips herd C's expression forms: ?:, !, ~,
// casts, unsigned, long and char arithmetic, || and comparisons used as
// ints.
func TestHerdExpressions(t *testing.T) {
	p := parse(t, "exprs.litmus", `C exprs
{ unsigned int u = 4000000000; long w = -5; char c = 100; }
P0 (atomic_int* x, unsigned int* u, long* w, char* c) {
  int a = atomic_load_explicit(x, memory_order_acquire);
  int b = a ? 7 : -7;
  int d = !a + (a == 1) * 3;
  unsigned int e = *u + (unsigned int) a;
  long f = *w * 2 - ~a;
  char g = (char)(*c + 100);
  int h;
  if (a > 0 || *w < 0) h = -a; else h = 1;
  int k = a && (*c > 0 || d == 3);
  *c = g;
  *u = e / 3;
}
P1 (atomic_int* x) {
  atomic_store_explicit(x, 1, memory_order_release);
}
exists (0:b=7 /\ 0:d=3 /\ 0:f=-9 /\ 0:g=-56 /\ 0:h=-1 /\ 0:k=1 /\ u=1431655767 /\ c=-56)
`)
	checkTrip(t, p, model.RC11, toRust, toC)
	rust := print(t, p, toRust)
	for _, want := range []string{"if unsafe { a > 0 || w < 0 } {", "let f = unsafe { w * 2 - (!a as i64) };"} {
		if !strings.Contains(rust, want) {
			t.Errorf("want %q in:\n%s", want, rust)
		}
	}
}

// TestFinalThreadLocals: a whole program with code after the joins keeps
// its threads' lets, under the user's names, in the outcomes (as a
// program without such code shows them, then main's values) and in what
// fmt --to rust prints; a thread's value that is no let of the thread
// stays out of the outcomes after the round trip.
func TestFinalThreadLocals(t *testing.T) {
	src := `use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
fn main() {
    let (r1, r2) = thread::scope(|s| {
        let h1 = s.spawn(|| { X.store(1, Relaxed); let a = Y.load(Relaxed); a + 10 });
        let h2 = s.spawn(|| { Y.store(1, Relaxed); let b = X.load(Relaxed); b * 2 });
        (h1.join().unwrap(), h2.join().unwrap())
    });
    let x = X.load(Relaxed);
    assert!(r1 >= 10 && x == 1);
}
`
	p := parse(t, "final-locals.rs", src)
	var names []string
	for _, o := range result.Observables(p) {
		names = append(names, o.Name)
	}
	// The user's lets: a in the first thread, b in the second, then
	// main's r1, r2 and x.
	want := "h1.a h2.b main.r1 main.r2 main.x"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("outcomes show %q, want %q", got, want)
	}
	text := print(t, p, toRust)
	for _, w := range []string{"a = Y.load(", "b = X.load(", "let mut a", "let mut b"} {
		if !strings.Contains(text, w) {
			t.Errorf("printed text lacks %q:\n%s", w, text)
		}
	}
	q := parse(t, "final-locals.litmus", text)
	names = nil
	for _, o := range result.Observables(q) {
		names = append(names, o.Name)
	}
	if got := strings.Join(names, " "); got != want {
		t.Errorf("after fmt the outcomes show %q, want %q:\n%s", got, want, text)
	}
	checkTrip(t, p, model.C20, toRust, toRust)
}

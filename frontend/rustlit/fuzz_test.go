package rustlit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"happens/explore"
	"happens/model"
)

var fuzzSeeds = []string{
	`static X: AtomicU32 = AtomicU32::new(0);
thread t1 { X.store(1, Ordering::Relaxed); let a = X.load(Ordering::Acquire); }
exists (t1.a == 1)`,
	`static LOCKED: AtomicBool = AtomicBool::new(false);
static mut COUNTER: usize = 0;
fn spinlock(inc: usize) {
    while LOCKED.compare_and_swap(false, true, Ordering::Acquire) {}
    unsafe { COUNTER += inc };
    LOCKED.store(false, Ordering::Release);
}
thread a { spinlock(1); }
thread b { spinlock(1); }
forall (COUNTER == 2)`,
	`const N: usize = 2;
static A: [AtomicU32; 2] = [0; 2];
thread w[i in 0..N] { let r = A[i].compare_exchange(0, 1, SeqCst, Relaxed); match r { Ok(v) => { assert_eq!(v, 0); } Err(_) => {} } }
~exists (A[0] == 2)`,
	`static X: AtomicI8 = AtomicI8::new(-1);
thread t { let mut i = 0; loop { if X.load(Relaxed) == 0 { break; } i += 1; if i > 3 { break; } } for k in 0..=2 { X.fetch_add(k as i8, Relaxed); } }`,
	`thread t { let a = 1 / 0; }`,
	`static X: AtomicU32 = AtomicU32::new(0); thread t { X.store(1, Acquire) } exists (`,
	// Tuples, matches, labels, Option, ranges, structs, Mutex.
	`use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::*};
struct Node { v: AtomicU32, next: AtomicUsize }
impl Node { const fn new() -> Self { Node { v: AtomicU32::new(0), next: AtomicUsize::new(usize::MAX) } } }
static NODES: [Node; 2] = [const { Node::new() }; 2];
fn f(p: (u32, u32)) -> Option<u32> { for i in (0..p.0).rev().step_by(2) { if i == p.1 { return Some(i); } } None }
thread t {
    let (a, b) = (NODES[1].v.load(Relaxed), 2u32);
    let k = match a { 0 | 3 => 1, 1..=2 => 2, n if n > 9 => 3, _ => 4 };
    let v = 'o: loop { for j in 0..3 { if j == b { break 'o j; } continue 'o; } };
    let Some(w) = f((a, k)) else { return; };
    if let Some(z) = a.checked_add(w) { NODES[0].next.store(z as usize, Release); }
    assert_eq!((a, b), (0, 2));
}`,
	`use std::sync::{Arc, Mutex};
use std::thread;
fn main() {
    let m = Arc::new(Mutex::new(0u32));
    let hs: Vec<_> = (0..2u32).map(|i| { let m = m.clone(); thread::spawn(move || { *m.lock().unwrap() += i; i }) }).collect();
    let mut s = 0;
    for h in hs { s += h.join().unwrap(); }
    assert_eq!(*m.lock().unwrap(), s);
}`,
	"\uFEFF#![allow(unused)] fn main() { use std::sync::atomic::{self, AtomicU32}; static X: AtomicU32 = AtomicU32::new(0); // t_1 X.store(1, atomic::Ordering::Release); // t_2 let value = X.load(atomic::Ordering::Relaxed); }",
	`static X: AtomicU32 = AtomicU32::new(0);
thread a { X.fetch_add(1, Relaxed) }
thread b { X.fetch_add(1, Relaxed); }
final { let r = a.join().unwrap(); b.join().unwrap(); assert!(X.load(Relaxed) == 2); }`,
	// A snippet as an article prints it: undeclared atomics and
	// parameters, # comments.
	"let x = X.load(Ordering::Acquire);\nX.store(val | x, Ordering::Release); # store\nlet y = Y.load(Ordering::Acquire);   # load\n",
	// Cells (let mut locals threads borrow), setup computation, fn items
	// as threads.
	`use std::sync::atomic::{AtomicU32, Ordering::*};
fn w() -> u32 { let a = X.load(Relaxed); a }
static X: AtomicU32 = AtomicU32::new(0);
fn main() {
    let mut k = 1; k += 2;
    let mut f = 0; let (mut p, mut q) = (0u8, 1);
    std::thread::scope(|s| {
        s.spawn(|| { f = X.load(Acquire) + k; p += 1; });
        s.spawn(w);
        s.spawn(move || { q = 5; X.store(q, Release); });
    });
    let seen = (f, p, q);
    assert!(seen.0 >= 3);
}`,
}

// FuzzParse checks that no input makes the parser panic or hang, that
// every error is positioned, and that accepted programs explore without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, g := range []string{"../../testdata/*.litmus", "../../testdata/errors/*.litmus", "../../examples/*.rs"} {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil && !strings.HasPrefix(strings.TrimSpace(string(src)), "C ") {
				f.Add(string(src))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.litmus", []byte(src), Options{})
		if err != nil {
			if list, ok := err.(interface{ Error() string }); !ok || list.Error() == "" {
				t.Fatalf("unpositioned error %v", err)
			}
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		explore.Explore(ctx, p, explore.Options{Model: model.C20, MaxExecutions: 200, Unroll: 3}, nil)
	})
}

func TestSeedsParse(t *testing.T) {
	for i, s := range append(fuzzSeeds[:4:4], fuzzSeeds[6:]...) {
		if _, err := Parse("seed.litmus", []byte(s), Options{}); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

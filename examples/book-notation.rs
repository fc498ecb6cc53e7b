#![allow(unused)]
fn main() {
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
static DATA: AtomicU32 = AtomicU32::new(0);
static READY: AtomicBool = AtomicBool::new(false);

// t_1
DATA.store(42, Ordering::Relaxed);
READY.store(true, Ordering::Release);

// t_2
let ready = READY.load(Ordering::Acquire);
let data = DATA.load(Ordering::Relaxed);
}

// Book notation, as the Rust atomics book prints its examples: the
// declarations, then a // t_1, // t_2 comment before each thread's
// statements (mdBook wraps them in fn main, which rustc compiles as one
// sequential program; happens reads the comments as threads).
// Run it: happens run examples/book-notation.rs --show witness
// Expected: by hand, message passing: t_2 reads ready = false (data 0 or
// 42) or true (then data must be 42): 3 executions in every model; change
// Acquire to Relaxed to allow ready = true with data = 0 (4 under c20).
// want sc: - executions=3 outcomes=3
// want rc11: - executions=3 outcomes=3
// want c20: - executions=3 outcomes=3

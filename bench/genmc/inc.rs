//! inc: a non-atomic increment of a shared atomic. Thread i reads X
//! (Relaxed) and writes back what it read plus 2^i (Release): a load and a
//! store, not a read-modify-write, so updates can be lost.
//!
//! From GenMC's tests/correct/synthetic/inc (inc.c, variants/inc0.c). The
//! thread index comes in through a pointer in C; the closure captures it.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 4;

static X: AtomicU32 = AtomicU32::new(0);

fn worker(i: u32) {
    let bit = 1 << i;
    let r = X.load(Relaxed);
    X.store(r + bit, Release);
}

fn main() {
    thread::scope(|s| {
        for i in 0..N {
            s.spawn(move || worker(i));
        }
    });
}

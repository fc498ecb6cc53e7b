//! casrot (CAS rotation): thread i, for i in 1..=N, tries once to advance
//! X from i - 1 to i with a Relaxed strong compare-exchange. X starts at
//! 0, so thread 1 always succeeds and each later one succeeds only if it
//! comes right after its predecessor did.
//!
//! From GenMC's tests/correct/synthetic/casrot (casrot.c,
//! variants/casrot0.c); the index is captured instead of read through a
//! pointer. bench/casrot.litmus is the same test in the litmus form.
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

const N: u32 = 9;

static X: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        for i in 1..=N {
            s.spawn(move || {
                let _ = X.compare_exchange(i - 1, i, Relaxed, Relaxed);
            });
        }
    });
}

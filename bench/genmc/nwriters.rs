//! nwriters ("N writers, a reader"): N + 1 threads store their index
//! 0..=N to X (Release) and one thread reads X once (Acquire). Every order
//! of the stores, times every store (or the initial value) for the read:
//! (N + 1)! * (N + 2) executions.
//!
//! From GenMC's tests/correct/synthetic/N-writers (N_writers_a_reader.c,
//! variants/N_writers_a_reader0.c); the writers' indices are captured
//! instead of read through a pointer.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 4;

static X: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        s.spawn(|| X.load(Acquire));
        for i in 0..=N {
            s.spawn(move || X.store(i, Release));
        }
    });
}

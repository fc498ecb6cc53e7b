//! readers: one thread stores 42 to X (Release), N threads read X once
//! (Acquire): each read sees 0 or 42, 2^N executions.
//!
//! From GenMC's tests/correct/synthetic/readers (readers.c,
//! variants/readers0.c). In C each reader also loads its index from an
//! array main initialised before starting it; that read has one possible
//! source and leaves the count unchanged, and a Rust closure simply
//! captures the index, so it is not there.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 13;

static X: AtomicU32 = AtomicU32::new(0);

fn main() {
    let mut handles = Vec::new();
    handles.push(thread::spawn(|| {
        X.store(42, Release);
    }));
    for _ in 0..N {
        handles.push(thread::spawn(|| {
            X.load(Acquire);
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}

//! casw: N threads race to move X from 0 to 1 with a Relaxed strong
//! compare-exchange, whatever its outcome each then publishes its own
//! value (index + 3) with a Release store.
//!
//! From GenMC's tests/correct/synthetic/casw (casw.c, variants/casw0.c).
//! The C threads receive their index through a pointer into an array
//! filled by main; here the closure captures it.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 5;

static X: AtomicU32 = AtomicU32::new(0);

fn worker(i: u32) {
    let _ = X.compare_exchange(0, 1, Relaxed, Relaxed);
    X.store(i + 3, Release);
}

fn main() {
    thread::scope(|s| {
        for i in 0..N {
            s.spawn(move || worker(i));
        }
    });
}

//! fib_bench: X and Y start at 1; one thread NUM times sets X to X + Y,
//! another NUM times sets Y to X + Y (each an Acquire load of both and a
//! Release store, not an atomic update); a third checks that neither has
//! gone past 144 (with NUM = 5 neither can, so the assertion never fails).
//!
//! From GenMC's tests/correct/synthetic/fib_bench (fib_bench.c,
//! variants/fib_bench0.c). The check reads Y only when X passed, as the
//! C || does.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const NUM: u32 = 5;

static X: AtomicU32 = AtomicU32::new(1);
static Y: AtomicU32 = AtomicU32::new(1);

fn main() {
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..NUM {
                let x = X.load(Acquire);
                let y = Y.load(Acquire);
                X.store(x + y, Release);
            }
        });
        s.spawn(|| {
            for _ in 0..NUM {
                let x = X.load(Acquire);
                let y = Y.load(Acquire);
                Y.store(x + y, Release);
            }
        });
        s.spawn(|| {
            assert!(X.load(Acquire) <= 144 && Y.load(Acquire) <= 144);
        });
    });
}

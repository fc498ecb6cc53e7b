//! cinc: three counters X, Y, Z, each bumped once by every one of N
//! threads (Relaxed fetch_add, in that order): (N!)^3 executions.
//!
//! From GenMC's tests/correct/synthetic/cinc (cinc.c, variants/cinc0.c).
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

const N: u32 = 4;

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
static Z: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                X.fetch_add(1, Relaxed);
                Y.fetch_add(1, Relaxed);
                Z.fetch_add(1, Relaxed);
            });
        }
    });
}

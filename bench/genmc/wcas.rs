//! wcas: one thread stores 2 to X (Release); N others try to replace a 2
//! by a 3 with a Relaxed strong compare-exchange. At most one of them can
//! succeed (it must read the store of 2, and two read-modify-writes never
//! read the same write); the failed ones read 0 or 3.
//!
//! From GenMC's tests/correct/synthetic/wcas (wcas.c, variants/wcas0.c).
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 9;

static X: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        s.spawn(|| X.store(2, Release));
        for _ in 0..N {
            s.spawn(|| {
                let _ = X.compare_exchange(2, 3, Relaxed, Relaxed);
            });
        }
    });
}

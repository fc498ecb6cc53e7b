//! ainc: N threads each add 1 to one counter with a Relaxed fetch_add.
//! The fetch_adds are totally ordered on the counter, so there is one
//! execution per order: N!.
//!
//! From GenMC's tests/correct/synthetic/ainc (ainc.c, variants/ainc0.c).
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

const N: u32 = 7;

static X: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                X.fetch_add(1, Relaxed);
            });
        }
    });
}

//! binc: like ainc, but each of the N threads bumps two counters, X then Y,
//! with Relaxed fetch_adds: (N!)^2 executions, one per pair of orders.
//!
//! From GenMC's tests/correct/synthetic/binc (binc.c, variants/binc0.c).
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

const N: u32 = 4;

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                X.fetch_add(1, Relaxed);
                Y.fetch_add(1, Relaxed);
            });
        }
    });
}

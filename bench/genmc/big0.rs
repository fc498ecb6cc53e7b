//! big0: two writer threads each alternate Release stores of 1, 2, 3 to two
//! locations (X/Y and Z/W); one reader reads X, Y, Z, W, X, Y, Z, another
//! reads X, Y, Z, all with Acquire loads. No parameter.
//!
//! From GenMC's tests/correct/synthetic/big0 (big0.c, variants/big00.c).
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
static Z: AtomicU32 = AtomicU32::new(0);
static W: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        s.spawn(|| {
            X.load(Acquire);
            Y.load(Acquire);
            Z.load(Acquire);
            W.load(Acquire);
            X.load(Acquire);
            Y.load(Acquire);
            Z.load(Acquire);
        });
        s.spawn(|| {
            X.load(Acquire);
            Y.load(Acquire);
            Z.load(Acquire);
        });
        s.spawn(|| {
            for v in 1..=3 {
                X.store(v, Release);
                Y.store(v, Release);
            }
        });
        s.spawn(|| {
            for v in 1..=3 {
                Z.store(v, Release);
                W.store(v, Release);
            }
        });
    });
}

//! coa ("CoA"): two threads each write X and then read Y (resp. Z) and X
//! back; N - 1 more threads write their index to Y and then to Z. All
//! stores are Release and all loads Acquire, so coherence and
//! happens-before through Y and Z decide which X values can be read.
//!
//! From GenMC's tests/correct/synthetic/CoA (coa.c, variants/coa0.c). The
//! C program passes each writer its index through an array; the closure
//! captures it. The loads' values are unused, as in C.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: u32 = 5;

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
static Z: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|s| {
        s.spawn(|| {
            X.store(1, Release);
            Y.load(Acquire);
            X.load(Acquire);
        });
        s.spawn(|| {
            X.store(2, Release);
            Z.load(Acquire);
            X.load(Acquire);
        });
        for i in 0..N - 1 {
            s.spawn(move || {
                Y.store(i, Release);
                Z.store(i, Release);
            });
        }
    });
}

//! lastzero: writer j (1..=N) copies A[j - 1] + 1 into A[j]; a reader
//! scans A from the top down and stops at the first 0 it sees (A[0] is
//! never written, so it always stops). Acquire loads, Release stores.
//!
//! From GenMC's tests/correct/synthetic/lastzero (lastzero.c,
//! variants/lastzero0.c). The C reader counts down in a while loop; a for
//! loop over the same indices with a break reads the same cells, and needs
//! no --unroll. Writers get their index by capture.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: usize = 10;

static A: [AtomicU32; N + 1] = [const { AtomicU32::new(0) }; N + 1];

fn reader() {
    for i in (0..=N).rev() {
        if A[i].load(Acquire) == 0 {
            break;
        }
    }
}

fn writer(j: usize) {
    let prev = A[j - 1].load(Acquire);
    A[j].store(prev + 1, Release);
}

fn main() {
    thread::scope(|s| {
        s.spawn(reader);
        for j in 1..=N {
            s.spawn(move || writer(j));
        }
    });
}

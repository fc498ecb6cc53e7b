//! eratosthenes: two threads run the same sieve over a shared array of N
//! flags (0 = unknown, 1 = prime, 2 = composite): for each i still 0, mark
//! it 1 and mark its multiples (the numbers it stands for are i + 2) 2.
//! Acquire loads, Release stores.
//!
//! From GenMC's tests/correct/synthetic/eratosthenes (eratosthenes.c,
//! variants/eratosthenes0.c). The C while loops become for loops over the
//! same indices.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

const N: usize = 5;

static NATURALS: [AtomicU32; N] = [const { AtomicU32::new(0) }; N];

fn sieve() {
    for i in 0..N {
        if NATURALS[i].load(Acquire) == 0 {
            NATURALS[i].store(1, Release);
            for j in (2 * i + 2..N).step_by(i + 2) {
                NATURALS[j].store(2, Release);
            }
        }
    }
}

fn main() {
    thread::scope(|s| {
        s.spawn(sieve);
        s.spawn(sieve);
    });
}

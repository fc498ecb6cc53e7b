//! indexer: N threads insert MAX keys each into an open-addressing hash
//! table of SIZE atomic slots; key w = 11 * round + thread goes to slot
//! 7 * w mod SIZE, and on a collision (a Relaxed compare_exchange of 0 by
//! w fails) to the next slot, and so on. Keys of threads t and t + 11
//! coincide, so only those collide.
//!
//! From GenMC's tests/correct/synthetic/indexer (indexer.c,
//! variants/indexer0.c). The C version asserts that the slot index is not
//! negative; with unsigned arithmetic it cannot be, so there is no
//! assertion here.
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

const N: u32 = 15;
const SIZE: u32 = 128;
const MAX: u32 = 4;

static TABLE: [AtomicU32; SIZE as usize] = [const { AtomicU32::new(0) }; SIZE as usize];

fn insert(tid: u32) {
    for round in 0..MAX {
        let w = round * 11 + tid;
        let mut h = (w * 7) % SIZE;
        while TABLE[h as usize]
            .compare_exchange(0, w, Relaxed, Relaxed)
            .is_err()
        {
            h = (h + 1) % SIZE;
        }
    }
}

fn main() {
    thread::scope(|s| {
        for tid in 0..N {
            s.spawn(move || insert(tid));
        }
    });
}

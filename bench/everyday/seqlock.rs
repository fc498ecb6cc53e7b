//! seqlock: a sequence lock with one writer and one reader. The writer
//! makes SEQ odd (Relaxed store + Release fence), writes the two data
//! words D1 and D2 (Relaxed atomics, as Rust requires for racy data),
//! then makes SEQ even again with a Release store. The reader loads SEQ
//! (Acquire), retries while it is odd, reads D1 and D2 (Relaxed), issues
//! an Acquire fence, re-reads SEQ (Relaxed) and retries if it changed
//! (Boehm's "Can seqlocks get along with programming language memory
//! models?" recipe).
//!
//! Assertions: the pair the reader accepts is consistent: d1 == d2 (both
//! 0 from before the write, or both 1 from after it).
//!
//! Hand reasoning: if the reader accepts s1 == s2 == 2, its Acquire load
//! of SEQ read the writer's Release store of 2, so both data stores
//! happen-before the data loads: (1, 1). If it accepts s1 == s2 == 0 and
//! had read a 1 from D1 or D2, that data store is sequenced after the
//! writer's Release fence, and the load is sequenced before the reader's
//! Acquire fence, so the fences synchronise and the writer's store of 1 to
//! SEQ happens-before the second SEQ load, which then cannot read 0
//! (write-read coherence): contradiction, so it read (0, 0). Expected to
//! hold under c20 and under ARMv8 (release fence = DMB ISH, acquire fence
//! = DMB ISHLD, Acquire load = LDAR, Release store = STLR).
use std::sync::atomic::{fence, AtomicU32, Ordering::*};
use std::thread;

static SEQ: AtomicU32 = AtomicU32::new(0);
static D1: AtomicU32 = AtomicU32::new(0);
static D2: AtomicU32 = AtomicU32::new(0);

fn write(v: u32) {
    // single writer: no CAS needed to make SEQ odd
    let s = SEQ.load(Relaxed);
    SEQ.store(s + 1, Relaxed);
    fence(Release);
    D1.store(v, Relaxed);
    D2.store(v, Relaxed);
    SEQ.store(s + 2, Release);
}

fn read() -> (u32, u32) {
    loop {
        let s1 = SEQ.load(Acquire);
        if s1 & 1 == 1 {
            continue;
        }
        let a = D1.load(Relaxed);
        let b = D2.load(Relaxed);
        fence(Acquire);
        let s2 = SEQ.load(Relaxed);
        if s1 == s2 {
            break (a, b);
        }
    }
}

fn main() {
    let writer = thread::spawn(|| {
        write(1);
    });
    let reader = thread::spawn(|| read());
    writer.join().unwrap();
    let (d1, d2) = reader.join().unwrap();
    assert_eq!(d1, d2);
}

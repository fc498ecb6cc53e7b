//! dekker-fences: Dekker's mutual-exclusion algorithm with Relaxed flag
//! and turn accesses made correct by SeqCst fences (the store-buffering
//! shape: raise my flag, SeqCst fence, read the other's flag). A thread
//! that sees the other's flag up and whose turn it is not lowers its flag,
//! waits for the turn, raises the flag again and re-fences. An Acquire
//! fence after the entry loop and Release stores in unlock carry the data
//! from one critical section to the next. Two threads enter once each and
//! increment a plain counter.
//!
//! Assertions: COUNTER == 2 after the joins; implicitly, no data race on
//! the plain COUNTER and no thread waits forever.
//!
//! Hand reasoning: suppose A enters after its last fence F_A by reading a
//! false from FLAG[B]. If that false is B's unlock store (Release), A's
//! Acquire fence synchronises with it: B's section happens-before A's. Any
//! other false (initial, or B's back-off store) is coherence-before B's
//! last raise W_B, so by the fence rule ([atomics.order] p4.4: F_A hb that
//! read, W_B hb F_B) F_A precedes F_B in S. B's final read of FLAG[A]
//! then cannot read a value coherence-before A's last raise W_A (that
//! would put F_B before F_A), so it reads true (B does not enter) or A's
//! later Release unlock (then A's section happens-before B's). So the
//! sections never overlap and are hb-ordered. Expected to hold under c20,
//! and under ARMv8 (SeqCst fence = DMB ISH, which orders the flag store
//! before the flag load).
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering::*};
use std::thread;

static FLAG: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];
static TURN: AtomicUsize = AtomicUsize::new(0);
static mut COUNTER: u32 = 0;

fn lock(me: usize) {
    let other = 1 - me;
    FLAG[me].store(true, Relaxed);
    fence(SeqCst);
    while FLAG[other].load(Relaxed) {
        if TURN.load(Relaxed) != me {
            FLAG[me].store(false, Relaxed);
            while TURN.load(Relaxed) != me {
                std::hint::spin_loop();
            }
            FLAG[me].store(true, Relaxed);
            fence(SeqCst);
        }
    }
    fence(Acquire);
}

fn unlock(me: usize) {
    TURN.store(1 - me, Release);
    FLAG[me].store(false, Release);
}

fn main() {
    let t0 = thread::spawn(|| {
        lock(0);
        unsafe { COUNTER += 1; }
        unlock(0);
    });
    let t1 = thread::spawn(|| {
        lock(1);
        unsafe { COUNTER += 1; }
        unlock(1);
    });
    t0.join().unwrap();
    t1.join().unwrap();
    assert_eq!(unsafe { COUNTER }, 2);
}

//! peterson-seqcst: Peterson's lock for two threads with every flag and
//! turn access SeqCst, written in the litmus form (thread blocks). Each
//! thread raises its flag, gives the turn away, waits while the other's
//! flag is up and the turn is the other's, increments a plain counter,
//! and lowers its flag.
//!
//! Assertions: COUNTER == 2 at the end (forall); implicitly, no data race
//! on the plain COUNTER and no thread waits forever.
//!
//! Hand reasoning: all flag/turn accesses are in the single total order S.
//! If both were in the section, each read the other's flag (its raise
//! precedes its turn store in S) and the turn; the thread whose TURN store
//! is later in S reads TURN == other (its own store, or a later one: there
//! is none) and the other's flag true, so it still waits: contradiction.
//! A waiter leaves either by reading the other's SeqCst (so Release)
//! lowering of its flag with a SeqCst (so Acquire) load, which orders the
//! sections by happens-before, or by reading the other's later TURN store,
//! in which case the other is the one still waiting. Expected to hold
//! under c20, and under ARMv8 (STLR followed by LDAR is ordered: the
//! mapping is RCsc).
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

static FLAG0: AtomicBool = AtomicBool::new(false);
static FLAG1: AtomicBool = AtomicBool::new(false);
static TURN: AtomicUsize = AtomicUsize::new(0);
static mut COUNTER: u32 = 0;

thread t0 {
    FLAG0.store(true, SeqCst);
    TURN.store(1, SeqCst);
    while FLAG1.load(SeqCst) && TURN.load(SeqCst) == 1 {}
    unsafe { COUNTER += 1; }
    FLAG0.store(false, SeqCst);
}

thread t1 {
    FLAG1.store(true, SeqCst);
    TURN.store(0, SeqCst);
    while FLAG0.load(SeqCst) && TURN.load(SeqCst) == 0 {}
    unsafe { COUNTER += 1; }
    FLAG1.store(false, SeqCst);
}

forall (COUNTER == 2)

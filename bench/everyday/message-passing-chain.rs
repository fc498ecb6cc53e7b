//! message-passing-chain: a flag relayed through three threads. t1 writes
//! a plain DATA and raises F1 (Release); t2 waits for F1 (Acquire) and
//! raises F2 (Release); t3 waits for F2 (Acquire) and reads DATA.
//!
//! Assertions: t3 reads DATA == 42; implicitly, no data race on DATA.
//!
//! Hand reasoning: happens-before is transitive: DATA write sb F1 store,
//! which synchronises with t2's Acquire load, sb F2 store, which
//! synchronises with t3's Acquire load, sb the DATA read. So the write
//! happens-before the read and is the only write: 42, no race. Expected to
//! hold under c20 and under ARMv8 (LDAR/STLR; the ARMv8 model is
//! multicopy-atomic, and ob is transitive through t2).
use std::sync::atomic::{AtomicBool, Ordering::*};

static F1: AtomicBool = AtomicBool::new(false);
static F2: AtomicBool = AtomicBool::new(false);
static mut DATA: u32 = 0;

thread t1 {
    unsafe { DATA = 42; }
    F1.store(true, Release);
}

thread t2 {
    while !F1.load(Acquire) {}
    F2.store(true, Release);
}

thread t3 {
    while !F2.load(Acquire) {}
    let d = unsafe { DATA };
    assert_eq!(d, 42);
}

forall (t3.d == 42)

//! double-checked-init: once-initialisation with double-checked locking.
//! The fast path reads the INIT flag with Acquire; if it is not set, the
//! slow path takes a Mutex, re-checks the flag (Relaxed: the mutex orders
//! it), writes the plain DATA field, and sets INIT with Release. Two
//! threads call get() and use the value.
//!
//! Assertions: both threads see DATA == 42; the initialiser ran exactly
//! once (the count kept under the mutex is 1); implicitly, no data race
//! on the plain DATA.
//!
//! Hand reasoning: a fast-path reader that sees INIT == true read the
//! Release store that follows the DATA write, so DATA = 42 happens-before
//! its read. A slow-path thread holds the mutex; if the other thread
//! initialised, it did so inside the mutex, whose release/acquire orders
//! that write (and the INIT store) before this thread's re-check, which
//! therefore reads true (coherence) and skips the write. Expected to hold
//! under c20 and under ARMv8.
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::sync::Mutex;
use std::thread;

static INIT: AtomicBool = AtomicBool::new(false);
static LOCK: Mutex<u32> = Mutex::new(0);
static mut DATA: u32 = 0;

fn get() -> u32 {
    if !INIT.load(Acquire) {
        let mut inits = LOCK.lock().unwrap();
        if !INIT.load(Relaxed) {
            unsafe { DATA = 42; }
            *inits += 1;
            INIT.store(true, Release);
        }
    }
    unsafe { DATA }
}

fn main() {
    let t1 = thread::spawn(|| get());
    let t2 = thread::spawn(|| get());
    let a = t1.join().unwrap();
    let b = t2.join().unwrap();
    assert_eq!(a, 42);
    assert_eq!(b, 42);
    assert_eq!(*LOCK.lock().unwrap(), 1);
}

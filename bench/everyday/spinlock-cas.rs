//! spinlock-cas: a test-and-set spinlock built on compare_exchange. Lock
//! is a compare_exchange(false, true, Acquire, Relaxed) spin, unlock a
//! Release store of false. Two threads each take the lock once and
//! increment a plain (non-atomic) counter inside the critical section.
//!
//! Assertions: after both threads are joined the counter is 2 (no lost
//! update); implicitly, the plain accesses to COUNTER must not race.
//!
//! Hand reasoning: the thread that takes the lock second reads, with its
//! Acquire CAS, the Release store of false written by the first thread's
//! unlock (the only false value after the first thread's CAS), so the first
//! critical section happens-before the second: no race, COUNTER == 2.
//! Expected to hold under c20, and under ARMv8 (CAS-acquire compiles to an
//! acquire exclusive/LSE CAS, the unlock to STLR; the same argument holds).
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::thread;

static LOCKED: AtomicBool = AtomicBool::new(false);
static mut COUNTER: u32 = 0;

fn lock() {
    while LOCKED
        .compare_exchange(false, true, Acquire, Relaxed)
        .is_err()
    {
        std::hint::spin_loop();
    }
}

fn unlock() {
    LOCKED.store(false, Release);
}

fn main() {
    let t1 = thread::spawn(|| {
        lock();
        unsafe { COUNTER += 1; }
        unlock();
    });
    let t2 = thread::spawn(|| {
        lock();
        unsafe { COUNTER += 1; }
        unlock();
    });
    t1.join().unwrap();
    t2.join().unwrap();
    assert_eq!(unsafe { COUNTER }, 2);
}

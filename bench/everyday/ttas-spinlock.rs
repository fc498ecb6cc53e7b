//! ttas-spinlock: a test-and-test-and-set spinlock. A waiter first spins
//! on a Relaxed load until the lock looks free, and only then tries the
//! compare_exchange(false, true, Acquire, Relaxed); unlock is a Release
//! store of false. Two threads each take the lock once and increment a
//! plain counter inside the critical section.
//!
//! Assertions: COUNTER == 2 after the joins; implicitly, no data race on
//! the plain COUNTER.
//!
//! Hand reasoning: the Relaxed "test" loads only decide when to try; the
//! synchronisation comes from the successful Acquire CAS, which (for the
//! second locker) must read the first locker's Release unlock store, so
//! the critical sections are ordered by happens-before. Expected to hold
//! under c20 and under ARMv8.
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::thread;

static LOCKED: AtomicBool = AtomicBool::new(false);
static mut COUNTER: u32 = 0;

fn lock() {
    loop {
        while LOCKED.load(Relaxed) {
            std::hint::spin_loop();
        }
        if LOCKED
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_ok()
        {
            break;
        }
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

//! ticket-lock: a FIFO ticket lock. A thread takes a ticket with
//! NEXT.fetch_add(1, Relaxed), spins until SERVING.load(Acquire) equals
//! its ticket, and unlocks with SERVING.store(ticket + 1, Release). Two
//! threads each take the lock once and increment a plain counter.
//!
//! Assertions: the two tickets are 0 and 1 (in some order), COUNTER == 2
//! and SERVING == 2 at the end; implicitly, no data race on COUNTER.
//!
//! Hand reasoning: fetch_add is atomic, so the tickets are distinct (0
//! and 1). The holder of ticket 1 can leave its spin only by reading 1
//! from SERVING, which only the holder of ticket 0 writes, with Release,
//! after its critical section; the Acquire load synchronises with it, so
//! the critical sections are ordered by happens-before. Expected to hold
//! under c20 and under ARMv8.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

static NEXT: AtomicU32 = AtomicU32::new(0);
static SERVING: AtomicU32 = AtomicU32::new(0);
static mut COUNTER: u32 = 0;

fn lock() -> u32 {
    let ticket = NEXT.fetch_add(1, Relaxed);
    while SERVING.load(Acquire) != ticket {
        std::hint::spin_loop();
    }
    ticket
}

fn unlock(ticket: u32) {
    SERVING.store(ticket + 1, Release);
}

fn main() {
    let t1 = thread::spawn(|| {
        let t = lock();
        unsafe { COUNTER += 1; }
        unlock(t);
        t
    });
    let t2 = thread::spawn(|| {
        let t = lock();
        unsafe { COUNTER += 1; }
        unlock(t);
        t
    });
    let a = t1.join().unwrap();
    let b = t2.join().unwrap();
    assert_eq!(a + b, 1);
    assert_eq!(unsafe { COUNTER }, 2);
    assert_eq!(SERVING.load(Relaxed), 2);
}

//! barrier-2: a one-shot barrier for two threads: each thread increments
//! COUNT with fetch_add(1, AcqRel) and spins until COUNT.load(Acquire)
//! reaches 2. Before the barrier each thread writes its own plain slot;
//! after it, each reads the other's slot.
//!
//! Assertions: each thread reads the other's value (1 and 2), never the
//! initial 0; implicitly, no data race on the plain slots.
//!
//! Hand reasoning: the two fetch_adds are ordered in coherence; the
//! second one reads the first (Acquire on a Release RMW: the first thread
//! happens-before the second after it). The first thread leaves its spin
//! by reading 2, written by the second thread's Release RMW, with Acquire:
//! the second thread's slot write happens-before the first thread's read.
//! So both slot writes happen-before both reads. Expected to hold under
//! c20 and under ARMv8.
use std::sync::atomic::{AtomicU32, Ordering::*};
use std::thread;

static COUNT: AtomicU32 = AtomicU32::new(0);
static mut SLOT: [u32; 2] = [0; 2];

fn barrier() {
    COUNT.fetch_add(1, AcqRel);
    while COUNT.load(Acquire) < 2 {
        std::hint::spin_loop();
    }
}

fn main() {
    let t0 = thread::spawn(|| {
        unsafe { SLOT[0] = 1; }
        barrier();
        unsafe { SLOT[1] }
    });
    let t1 = thread::spawn(|| {
        unsafe { SLOT[1] = 2; }
        barrier();
        unsafe { SLOT[0] }
    });
    let a = t0.join().unwrap();
    let b = t1.join().unwrap();
    assert_eq!(a, 2);
    assert_eq!(b, 1);
}

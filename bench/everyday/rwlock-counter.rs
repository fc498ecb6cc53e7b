//! rwlock-counter: a reader-writer spinlock from a reader count and a
//! writer flag. A reader increments READERS (SeqCst fetch_add), then
//! checks WRITER (SeqCst load); if a writer is in, it backs off
//! (fetch_sub) and waits for WRITER to clear before retrying. Unlock is
//! fetch_sub(1, Release). The writer takes WRITER with a SeqCst
//! compare_exchange, then waits for READERS == 0 (SeqCst load); unlock is
//! a Release store of false. One writer increments two plain counters A
//! and B; one reader reads both.
//!
//! Assertions: the reader sees a == b (0 and 0, or 1 and 1); A == B == 1
//! at the end; implicitly, no data race on A and B.
//!
//! Hand reasoning: the entry is store buffering (reader: RMW READERS then
//! load WRITER; writer: RMW WRITER then load READERS); all four are
//! SeqCst, so both cannot read the value from before the other's update
//! (that would be a cycle in S). Whichever enters second read the other's
//! Release unlock (READERS back to 0 by the reader's fetch_sub, or WRITER
//! false) with a SeqCst, hence Acquire, access, so the sections are
//! ordered by happens-before. (The reader's back-off fetch_sub also
//! writes 0, but the writer reading that value means the reader's retry
//! increment is after it in coherence, so the SB argument applies to the
//! retry.) Expected to hold under c20 and under ARMv8.
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::*};
use std::thread;

static READERS: AtomicU32 = AtomicU32::new(0);
static WRITER: AtomicBool = AtomicBool::new(false);
static mut A: u32 = 0;
static mut B: u32 = 0;

fn read_lock() {
    loop {
        READERS.fetch_add(1, SeqCst);
        if !WRITER.load(SeqCst) {
            break;
        }
        READERS.fetch_sub(1, Relaxed);
        while WRITER.load(Relaxed) {
            std::hint::spin_loop();
        }
    }
}

fn read_unlock() {
    READERS.fetch_sub(1, Release);
}

fn write_lock() {
    while WRITER
        .compare_exchange(false, true, SeqCst, Relaxed)
        .is_err()
    {
        std::hint::spin_loop();
    }
    while READERS.load(SeqCst) != 0 {
        std::hint::spin_loop();
    }
}

fn write_unlock() {
    WRITER.store(false, Release);
}

fn main() {
    let w = thread::spawn(|| {
        write_lock();
        unsafe {
            A += 1;
            B += 1;
        }
        write_unlock();
    });
    let r = thread::spawn(|| {
        read_lock();
        let seen = unsafe { (A, B) };
        read_unlock();
        seen
    });
    w.join().unwrap();
    let (a, b) = r.join().unwrap();
    assert_eq!(a, b);
    assert_eq!(unsafe { (A, B) }, (1, 1));
}

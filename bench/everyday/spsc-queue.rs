//! spsc-queue: Lamport's single-producer single-consumer ring buffer of
//! capacity 2. The producer writes a slot (Relaxed) and publishes it with
//! a Release store of tail; the consumer reads tail with Acquire, reads
//! the slot, and frees it with a Release store of head (read by the
//! producer with Acquire). The producer pushes 10 then 20; the consumer
//! pops twice, spinning while the queue is empty.
//!
//! Assertions: the consumer gets exactly (10, 20): FIFO order and the
//! values written, never a slot's initial 0.
//!
//! Hand reasoning: the consumer's pop of index i succeeds only after its
//! Acquire load of tail reads a value > i, written by the producer's
//! Release store after the slot write, so the slot write happens-before
//! the slot read, and no later write to that slot exists (capacity 2, two
//! items, the producer never wraps). Slots are read in index order.
//! Expected to hold under c20 and under ARMv8.
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::*};
use std::thread;

const CAP: usize = 2;

struct Queue {
    head: AtomicUsize,
    tail: AtomicUsize,
    slots: [AtomicU32; CAP],
}

impl Queue {
    fn push(&self, v: u32) -> bool {
        let t = self.tail.load(Relaxed);
        let h = self.head.load(Acquire);
        if t - h == CAP {
            return false;
        }
        self.slots[t % CAP].store(v, Relaxed);
        self.tail.store(t + 1, Release);
        true
    }

    fn pop(&self) -> Option<u32> {
        let h = self.head.load(Relaxed);
        let t = self.tail.load(Acquire);
        if h == t {
            return None;
        }
        let v = self.slots[h % CAP].load(Relaxed);
        self.head.store(h + 1, Release);
        Some(v)
    }
}

static Q: Queue = Queue {
    head: AtomicUsize::new(0),
    tail: AtomicUsize::new(0),
    slots: [const { AtomicU32::new(0) }; CAP],
};

fn pop_wait() -> u32 {
    loop {
        if let Some(v) = Q.pop() {
            break v;
        }
    }
}

fn main() {
    let producer = thread::spawn(|| {
        let a = Q.push(10);
        let b = Q.push(20);
        (a, b)
    });
    let consumer = thread::spawn(|| {
        let x = pop_wait();
        let y = pop_wait();
        (x, y)
    });
    let (ok1, ok2) = producer.join().unwrap();
    let (x, y) = consumer.join().unwrap();
    assert!(ok1 && ok2);
    assert_eq!((x, y), (10, 20));
}

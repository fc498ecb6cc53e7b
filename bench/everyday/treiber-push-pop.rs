//! treiber-push-pop: a tiny Treiber stack over a fixed array of nodes,
//! with indices for pointers (NIL = usize::MAX). Nodes 0 and 1 each carry
//! a plain payload. Two threads each push one node (write payload and
//! next, then compare_exchange HEAD with Release); a third thread pops
//! twice (Acquire load of HEAD, read next, compare_exchange HEAD with
//! Acquire) and reads the payload of what it popped. Nodes are never
//! reused, so there is no ABA.
//!
//! Assertions: every popped node's payload is the one its pusher wrote
//! (100 + index); two successful pops return different nodes (the
//! first pop may find the stack still empty and return None); the nodes
//! popped plus the nodes left on the stack are exactly the two pushed;
//! implicitly, no data race on the plain payloads.
//!
//! Hand reasoning: a popper reaching node n read HEAD == n (Acquire) from
//! the pusher's Release CAS of n, or from a later CAS on HEAD; all writes
//! to HEAD are RMWs, so they continue the release sequence headed by the
//! push of n, and the pop synchronises with that push: payload and next
//! writes happen-before the reads. A pop's CAS succeeds only if HEAD is
//! still the node whose next it read; with one popper and no reuse that
//! next is current. Expected to hold under c20 and under ARMv8.
use std::sync::atomic::{AtomicUsize, Ordering::*};
use std::thread;

const NIL: usize = usize::MAX;

struct Node {
    next: AtomicUsize,
}

static NODES: [Node; 2] = [const { Node { next: AtomicUsize::new(NIL) } }; 2];
static HEAD: AtomicUsize = AtomicUsize::new(NIL);
static mut PAYLOAD: [u32; 2] = [0; 2];

fn push(n: usize) {
    unsafe { PAYLOAD[n] = 100 + n as u32; }
    let mut h = HEAD.load(Relaxed);
    loop {
        NODES[n].next.store(h, Relaxed);
        match HEAD.compare_exchange(h, n, Release, Relaxed) {
            Ok(_) => break,
            Err(cur) => h = cur,
        }
    }
}

fn pop() -> Option<usize> {
    let mut h = HEAD.load(Acquire);
    loop {
        if h == NIL {
            return None;
        }
        let next = NODES[h].next.load(Relaxed);
        match HEAD.compare_exchange(h, next, Acquire, Acquire) {
            Ok(_) => return Some(h),
            Err(cur) => h = cur,
        }
    }
}

fn main() {
    let p0 = thread::spawn(|| push(0));
    let p1 = thread::spawn(|| push(1));
    let c = thread::spawn(|| {
        let mut got = (NIL, NIL);
        let mut pay = (0, 0);
        if let Some(n) = pop() {
            got.0 = n;
            pay.0 = unsafe { PAYLOAD[n] };
        }
        if let Some(n) = pop() {
            got.1 = n;
            pay.1 = unsafe { PAYLOAD[n] };
        }
        (got, pay)
    });
    p0.join().unwrap();
    p1.join().unwrap();
    let ((a, b), (pa, pb)) = c.join().unwrap();
    if a != NIL {
        assert_eq!(pa, 100 + a as u32);
    }
    if b != NIL {
        assert_eq!(pb, 100 + b as u32);
        // the first pop may have found the stack empty (a == NIL)
        assert_ne!(a, b);
    }
    // what is left on the stack, walked after the joins
    let mut left = 0;
    let mut h = HEAD.load(Relaxed);
    if h != NIL {
        left += 1;
        h = NODES[h].next.load(Relaxed);
        if h != NIL {
            left += 1;
        }
    }
    let popped = (a != NIL) as u32 + (b != NIL) as u32;
    assert_eq!(popped + left, 2);
}

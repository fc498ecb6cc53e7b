// A whole program whose main computes after the join: one thread, so one
// outcome, derived by hand. The thread reads X = 5 (old = 5), leaves
// X = 8 and returns 10; main joins it (v = 10), stores 11, reads it back
// (w = 33), counts n up by 10 while n < 33 (n = 40) and asserts it
// (which holds); the last assertion fails in every iteration (v is 10).
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

static X: AtomicU32 = AtomicU32::new(5);

fn main() {
    let h = thread::spawn(|| {
        let old = X.fetch_add(3, Relaxed);
        old * 2
    });
    let v = h.join().unwrap();
    X.store(v + 1, Relaxed);
    let w = X.load(Relaxed) * 3;
    let mut n = 0;
    while n < w {
        n += 10;
    }
    assert_eq!(n, 40);
    assert!(v == 11, "v is {}", v);
}

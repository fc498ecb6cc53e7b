// Store buffering as a whole program, Relaxed: main joins both threads'
// loads (a, b) and adds the final X and Y (both 1 after the joins), so
// sum = a + b + 2, and its assertion sum >= 3 fails exactly when both
// loads read 0, the weak outcome c20 allows.
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);

fn main() {
    let (a, b) = thread::scope(|s| {
        let h1 = s.spawn(|| {
            X.store(1, Relaxed);
            Y.load(Relaxed)
        });
        let h2 = s.spawn(|| {
            Y.store(1, Relaxed);
            X.load(Relaxed)
        });
        (h1.join().unwrap(), h2.join().unwrap())
    });
    let sum = a + b + X.load(Relaxed) + Y.load(Relaxed);
    assert!(sum >= 3);
}

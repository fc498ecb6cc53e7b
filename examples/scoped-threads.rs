//! Scoped threads (std::thread::scope) borrowing main's atomics: the
//! store-buffering test as a Rust program. Each thread stores to one flag
//! and reads the other; main collects what they read.
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::thread;

fn main() {
    let x = AtomicBool::new(false);
    let y = AtomicBool::new(false);
    let (a, b) = thread::scope(|s| {
        let t1 = s.spawn(|| {
            x.store(true, Relaxed);
            y.load(Relaxed)
        });
        let t2 = s.spawn(|| {
            y.store(true, Relaxed);
            x.load(Relaxed)
        });
        (t1.join().unwrap(), t2.join().unwrap())
    });
    println!("a = {a}, b = {b}");
}

// Run it: happens run examples/scoped-threads.rs
// With Relaxed (as here), Release/Acquire or a mix, both threads can read
// false (main.a=false main.b=false); make all four accesses SeqCst and
// that outcome disappears, as --model sc shows for any orderings.
// Expected: by hand, store buffering: 4 executions (each load reads the
// initial false or the other's true), 4 outcomes; sc: 3.
// want sc: - executions=3 outcomes=3
// want rc11: - executions=4 outcomes=4
// want c20: - executions=4 outcomes=4

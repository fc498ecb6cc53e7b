//! thread::spawn with Arc: a counter shared through Arc::clone, a Mutex
//! beside it, a Vec of handles joined in a loop, and checks after the
//! joins that run in every execution.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let hits = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(0));
    let mut handles = Vec::new();
    for i in 0..2 {
        let hits = Arc::clone(&hits);
        let log = Arc::clone(&log);
        handles.push(thread::spawn(move || {
            let before = hits.fetch_add(1, Ordering::Relaxed);
            let mut g = log.lock().unwrap();
            *g += i + 1;
            before
        }));
    }
    let mut firsts = 0;
    for h in handles {
        if h.join().unwrap() == 0 {
            firsts += 1;
        }
    }
    assert_eq!(firsts, 1);
    assert_eq!(hits.load(Ordering::Relaxed), 2);
    assert_eq!(*log.lock().unwrap(), 3);
}

// Run it: happens run examples/spawn-arc.rs
// Exactly one thread sees the counter at 0 (the fetch_adds are ordered),
// and the Mutex makes the two updates of log add up: no assertion fails,
// no data race. Replace the fetch_add by a load and a store to see a lost
// update.
// Expected: by hand: 2 orders of the fetch_adds times 2 orders of the
// critical sections = 4 executions; a locker that finds the lock taken
// spins without changing anything (blocked), once per order of the
// critical sections: 2 x 2 = 4 blocked, in every model.
// want sc: - executions=4 blocked=4 noassert norace
// want rc11: - executions=4 blocked=4 noassert norace
// want c20: - executions=4 blocked=4 noassert norace

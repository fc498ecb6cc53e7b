use loom::sync::Arc;
use loom::sync::atomic::AtomicUsize;
use loom::sync::atomic::Ordering::{Acquire, Release, Relaxed};
use loom::thread;

#[test]
#[should_panic]
fn buggy_concurrent_inc() {
    loom::model(|| {
        let num = Arc::new(AtomicUsize::new(0));

        let ths: Vec<_> = (0..2)
            .map(|_| {
                let num = num.clone();
                thread::spawn(move || {
                    let curr = num.load(Acquire);
                    num.store(curr + 1, Release);
                })
            })
            .collect();

        for th in ths {
            th.join().unwrap();
        }

        assert_eq!(2, num.load(Relaxed));
    });
}

// loom's README example, unchanged: a loom test (#[test], loom::model,
// loom's Arc, atomics and threads, which mean the same as std's).
// Run it: happens run examples/loom-test.rs --show witness
// The #[should_panic] test is right to expect a panic: both threads can
// load 0 and store 1, and main's assert_eq!(2, ...) fails; --show witness
// draws that execution. A fetch_add(1, ...) in each thread fixes it.
// Expected: by hand: 4 executions, the assertion fails in 2 (num ends at
// 1), in every model.
// want sc: - executions=4 assert
// want rc11: - executions=4 assert
// want c20: - executions=4 assert

#[test]
fn fixed_concurrent_inc() {
    loom::model(|| {
        let num = Arc::new(AtomicUsize::new(0));
        let ths: Vec<_> = (0..2)
            .map(|_| {
                let num = num.clone();
                thread::spawn(move || {
                    num.fetch_add(1, Release);
                })
            })
            .collect();
        for th in ths {
            th.join().unwrap();
        }
        assert_eq!(2, num.load(Relaxed));
    });
}

package rustlit

import (
	"context"
	"testing"

	"happens/explore"
	"happens/model"
)

var fuzzSeeds = []string{
	`static X: AtomicU32 = AtomicU32::new(0);
thread t1 { X.store(1, Ordering::Relaxed); let a = X.load(Ordering::Acquire); }
exists (t1.a == 1)`,
	`static LOCKED: AtomicBool = AtomicBool::new(false);
static mut COUNTER: usize = 0;
fn spinlock(inc: usize) {
    while LOCKED.compare_and_swap(false, true, Ordering::Acquire) {}
    unsafe { COUNTER += inc };
    LOCKED.store(false, Ordering::Release);
}
thread a { spinlock(1); }
thread b { spinlock(1); }
forall (COUNTER == 2)`,
	`const N: usize = 2;
static A: [AtomicU32; 2] = [0; 2];
thread w[i in 0..N] { let r = A[i].compare_exchange(0, 1, SeqCst, Relaxed); match r { Ok(v) => { assert_eq!(v, 0); } Err(_) => {} } }
~exists (A[0] == 2)`,
	`static X: AtomicI8 = AtomicI8::new(-1);
thread t { let mut i = 0; loop { if X.load(Relaxed) == 0 { break; } i += 1; if i > 3 { break; } } for k in 0..=2 { X.fetch_add(k as i8, Relaxed); } }`,
	`thread t { let a = 1 / 0; }`,
	`static X: AtomicU32 = AtomicU32::new(0); thread t { X.store(1, Acquire) } exists (`,
}

// FuzzParse checks that no input makes the parser panic or hang, that
// every error is positioned, and that accepted programs explore without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.litmus", []byte(src), Options{})
		if err != nil {
			if list, ok := err.(interface{ Error() string }); !ok || list.Error() == "" {
				t.Fatalf("unpositioned error %v", err)
			}
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		explore.Explore(ctx, p, explore.Options{Model: model.C20, MaxExecutions: 200, Unroll: 3}, nil)
	})
}

func TestSeedsParse(t *testing.T) {
	for i, s := range fuzzSeeds[:4] {
		if _, err := Parse("seed.litmus", []byte(s), Options{}); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

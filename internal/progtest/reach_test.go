package progtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"happens/frontend/rustlit"
)

const reachHeader = "use std::sync::atomic::{AtomicU32, AtomicBool, Ordering};\n"

// The reference on small programs whose state spaces are worked out by
// hand: outcomes (every local, then every location), failures (thread,
// line, message fragment) and the threads that never finish in a
// terminal component.
func TestSCReachByHand(t *testing.T) {
	cases := []struct {
		name     string
		src      string
		outcomes []string
		failures []string // "thread:line:fragment"
		hangs    []string // threads that never finish, over every hang
	}{
		{
			// Opposite lock orders: both orders of the two critical
			// sections finish with C=2 and both locks free; t1 holding A
			// and t2 holding B deadlock.
			name: "deadlock",
			src: `static A: AtomicU32 = AtomicU32::new(0);
static B: AtomicU32 = AtomicU32::new(0);
static C: AtomicU32 = AtomicU32::new(0);
thread t1 {
    while A.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {}
    while B.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {}
    C.fetch_add(1, Ordering::Relaxed);
    B.store(0, Ordering::Release);
    A.store(0, Ordering::Release);
}
thread t2 {
    while B.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {}
    while A.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {}
    C.fetch_add(1, Ordering::Relaxed);
    A.store(0, Ordering::Release);
    B.store(0, Ordering::Release);
}`,
			outcomes: []string{"A=0 B=0 C=2"},
			hangs:    []string{"t1", "t2"},
		},
		{
			// A lost wake-up: the waiter leaves only if it reads F
			// between the two stores; after both it spins forever.
			name: "lost wake-up",
			src: `static F: AtomicBool = AtomicBool::new(false);
thread setter {
    F.store(true, Ordering::Release);
    F.store(false, Ordering::Release);
}
thread waiter {
    while !F.load(Ordering::Acquire) {}
}`,
			outcomes: []string{"F=0"},
			hangs:    []string{"waiter"},
		},
		{
			// t1 waits for t2, which waits for t3's store: every state
			// can still finish, so nothing hangs (a spinning t2 is not
			// a reason for t1 to spin forever).
			name: "chain of waits",
			src: `static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
thread t1 {
    while X.load(Ordering::SeqCst) == 0 {}
}
thread t2 {
    while Y.load(Ordering::SeqCst) == 0 {}
    X.store(1, Ordering::SeqCst);
}
thread t3 {
    Y.store(1, Ordering::SeqCst);
}`,
			outcomes: []string{"X=1 Y=1"},
		},
		{
			// A weak compare-exchange lock taken by one thread: a
			// spurious failure goes round the loop, but the exchange can
			// always succeed, so nothing hangs.
			name: "weak lock alone",
			src: `static L: AtomicU32 = AtomicU32::new(0);
thread t {
    while L.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {}
}`,
			outcomes: []string{"L=1"},
		},
		{
			// A single weak exchange on a matching value: success, or a
			// spurious failure that leaves X alone.
			name: "spurious failure",
			src: `static X: AtomicU32 = AtomicU32::new(0);
thread t {
    let ok = X.compare_exchange_weak(0, 1, Ordering::SeqCst, Ordering::Relaxed).is_ok();
}`,
			outcomes: []string{"t.ok=0 X=0", "t.ok=1 X=1"},
		},
		{
			// t1 fails when it reads X before t3's store, and t2 then
			// waits for ever for F: a failure, not a hang. Reading 1, t1
			// sets F and everything finishes.
			name: "failure while another spins",
			src: `static X: AtomicU32 = AtomicU32::new(0);
static F: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let a = X.load(Ordering::Relaxed);
    assert!(a == 1);
    F.store(1, Ordering::Relaxed);
}
thread t2 {
    while F.load(Ordering::Relaxed) == 0 {}
}
thread t3 {
    X.store(1, Ordering::Relaxed);
}`,
			outcomes: []string{"t1.a=1 X=1 F=1"},
			failures: []string{"t1:5:assertion failed"},
		},
		{
			// A failed assume blocks the thread: neither an outcome nor a
			// hang.
			name: "assume",
			src: `static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let a = X.load(Ordering::Relaxed);
    assume!(a == 1);
}
thread t2 {
    X.store(1, Ordering::Relaxed);
}`,
			outcomes: []string{"t1.a=1 X=1"},
		},
		{
			// A loop over a local that never changes spins without any
			// access: a hang when t1 read 0.
			name: "local loop",
			src: `static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let a = X.load(Ordering::Relaxed);
    while a == 0 {}
}
thread t2 {
    X.store(1, Ordering::Relaxed);
}`,
			outcomes: []string{"t1.a=1 X=1"},
			hangs:    []string{"t1"},
		},
		{
			// Two fetch_adds in a counted loop: the second always reads
			// 1; the reader sees 0, 1 or 2.
			name: "counted loop",
			src: `static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let mut a = 0;
    for i in 0..2 {
        a = X.fetch_add(1, Ordering::Relaxed);
    }
}
thread t2 {
    let b = X.load(Ordering::Relaxed);
}`,
			outcomes: []string{"t1.a=1 t2.b=0 X=2", "t1.a=1 t2.b=1 X=2", "t1.a=1 t2.b=2 X=2"},
		},
		{
			// Two std-docs increments with weak exchanges: both always
			// finish (a spurious failure or a lost race retries), each
			// returning the value it replaced: 0 and 1 in either order.
			name: "weak retry loops",
			src: `static X: AtomicU32 = AtomicU32::new(0);
fn inc() -> u32 {
    let mut old = X.load(Ordering::Relaxed);
    loop {
        match X.compare_exchange_weak(old, old + 1, Ordering::SeqCst, Ordering::Relaxed) {
            Ok(_) => { break; }
            Err(x) => { old = x; }
        }
    }
    old
}
thread t1 { let a = inc(); }
thread t2 { let b = inc(); }`,
			outcomes: []string{"t1.a=0 t2.b=1 X=2", "t1.a=1 t2.b=0 X=2"},
		},
		{
			// Nobody sets the flag: no outcome, one hang.
			name: "never set",
			src: `static F: AtomicU32 = AtomicU32::new(0);
thread t {
    while F.load(Ordering::Relaxed) == 0 {}
}`,
			hangs: []string{"t"},
		},
		{
			// Division by the value read: a panic when it is 0.
			name: "panic",
			src: `static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let a = X.load(Ordering::Relaxed);
    let b = 6 / a;
}
thread t2 {
    X.store(2, Ordering::Relaxed);
}`,
			outcomes: []string{"t1.a=0 t1.b=0 X=2", "t1.a=2 t1.b=3 X=2"},
			failures: []string{"t1:4:divide by zero"},
		},
	}
	for _, c := range cases {
		p, err := rustlit.Parse(c.name, []byte(reachHeader+c.src), rustlit.Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ObserveAll(p)
		r, err := SCReach(p, ReachOptions{})
		if err != nil || r.Inconclusive != "" {
			t.Fatalf("%s: %v %s", c.name, err, r.Inconclusive)
		}
		if got := r.Outcomes(p.Observed); strings.Join(got, "|") != strings.Join(c.outcomes, "|") {
			t.Errorf("%s: outcomes\n  %s\nwant\n  %s", c.name, strings.Join(got, "\n  "), strings.Join(c.outcomes, "\n  "))
		}
		var fails []string
		for _, f := range r.Failures {
			fails = append(fails, fmt.Sprintf("%s:%d:%s", p.Threads[f.Thread].Name, p.Threads[f.Thread].Code[f.PC].Pos.Line-1, f.Msg))
		}
		ok := len(fails) == len(c.failures)
		for i := 0; ok && i < len(fails); i++ {
			k := strings.LastIndex(c.failures[i], ":")
			ok = strings.HasPrefix(fails[i], c.failures[i][:k+1]) && strings.Contains(fails[i], c.failures[i][k+1:])
		}
		if !ok {
			t.Errorf("%s: failures %q, want %q", c.name, fails, c.failures)
		}
		var hangs []string
		for _, h := range r.Hangs {
			for _, th := range h.Threads {
				hangs = append(hangs, p.Threads[th].Name)
			}
		}
		if got := SortedSet(hangs); strings.Join(got, ",") != strings.Join(c.hangs, ",") {
			t.Errorf("%s: hanging threads %v, want %v", c.name, got, c.hangs)
			for _, h := range r.Hangs {
				t.Logf("  %s (via %s)", h.State, h.Trace)
			}
		}
	}
}

// A bound that cuts the search makes the answer inconclusive.
func TestSCReachBound(t *testing.T) {
	src := reachHeader + `static X: AtomicU32 = AtomicU32::new(0);
thread t {
    loop { X.fetch_add(1, Ordering::Relaxed); }
}`
	p, err := rustlit.Parse("unbounded", []byte(src), rustlit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := SCReach(p, ReachOptions{MaxStates: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if r.Inconclusive == "" || r.States < 1000 {
		t.Errorf("an unbounded counter: inconclusive %q after %d states", r.Inconclusive, r.States)
	}
}

// Every generated program compiles, and programs with each kind of
// statement are generated.
func TestRandomFlowCompiles(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	seen := map[FKind]int{}
	var walk func([]FStmt)
	walk = func(ss []FStmt) {
		for i := range ss {
			seen[ss[i].Kind]++
			walk(ss[i].Body)
			walk(ss[i].Else)
		}
	}
	for i := 0; i < n; i++ {
		s := RandomFlow(rand.New(rand.NewPCG(3, uint64(i))))
		for _, th := range s.Threads {
			walk(th)
		}
		if _, err := s.Build(); err != nil {
			t.Fatalf("program %d: %v\n%s", i, err, s.Source())
		}
	}
	for k := FLoad; k <= FAssume; k++ {
		if seen[k] == 0 {
			t.Errorf("no statement of kind %d in %d programs", k, n)
		}
	}
}

// The shrinker keeps what the predicate needs and drops the rest.
func TestShrinkFlow(t *testing.T) {
	hasWeakLock := func(s *FlowSpec) bool {
		var found bool
		var walk func([]FStmt)
		walk = func(ss []FStmt) {
			for i := range ss {
				x := &ss[i]
				if (x.Kind == FLock || x.Kind == FCrit) && x.Sub == LockCASWeak {
					found = true
				}
				walk(x.Body)
				walk(x.Else)
			}
		}
		for _, th := range s.Threads {
			walk(th)
		}
		return found
	}
	for i := 0; i < 200; i++ {
		s := RandomFlow(rand.New(rand.NewPCG(4, uint64(i))))
		if !hasWeakLock(s) {
			continue
		}
		small := ShrinkFlow(s, func(c *FlowSpec) bool {
			_, err := c.Build()
			return err == nil && hasWeakLock(c)
		})
		if len(small.Threads) != 1 || len(small.Threads[0]) != 1 || small.Threads[0][0].Kind != FLock {
			t.Errorf("program %d shrunk to\n%s", i, small.Source())
		}
		if _, err := small.Build(); err != nil {
			t.Errorf("program %d shrunk to a program that does not compile: %v", i, err)
		}
		return
	}
	t.Fatal("no program with a weak lock")
}

// On straight-line programs SCBranchExecutions is Interleavings.
func TestSCBranchExecutionsStraightLine(t *testing.T) {
	for i := 0; i < 300; i++ {
		s := Random(rand.New(rand.NewPCG(5, uint64(i))))
		p := s.Build()
		if Estimate(p) > 1e4 {
			continue // keep it quick
		}
		il, err := Interleavings(p)
		if err != nil {
			t.Fatal(err)
		}
		be, err := SCBranchExecutions(p, 0)
		if err != nil || be.Inconclusive != "" {
			t.Fatalf("program %d: %v %s", i, err, be.Inconclusive)
		}
		if strings.Join(il, "|") != strings.Join(be.Complete, "|") || len(be.Blocked) > 0 {
			t.Errorf("program %d: %d interleaved executions, %d (and %d blocked) with branches\n%s", i, len(il), len(be.Complete), len(be.Blocked), s)
		}
	}
}

// Tidying keeps the program's meaning: the same outcomes up to names.
func TestTidyKeepsMeaning(t *testing.T) {
	for i := 0; i < 100; i++ {
		s := RandomFlow(rand.New(rand.NewPCG(6, uint64(i))))
		a, err := s.Build()
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.tidy().Build()
		if err != nil {
			t.Fatalf("program %d tidied does not compile: %v\n%s", i, err, s.tidy().Source())
		}
		ra, _ := SCReach(a, ReachOptions{MaxStates: 20000})
		rb, _ := SCReach(b, ReachOptions{MaxStates: 20000})
		if ra.Inconclusive != "" || rb.Inconclusive != "" {
			continue
		}
		if len(ra.Finals) != len(rb.Finals) || len(ra.Failures) != len(rb.Failures) || len(ra.Hangs) != len(rb.Hangs) || ra.States != rb.States {
			t.Errorf("program %d: %d/%d finals, %d/%d failures, %d/%d hangs, %d/%d states before/after tidying\n%s\n%s", i,
				len(ra.Finals), len(rb.Finals), len(ra.Failures), len(rb.Failures), len(ra.Hangs), len(rb.Hangs), ra.States, rb.States, s.Source(), s.tidy().Source())
		}
	}
}

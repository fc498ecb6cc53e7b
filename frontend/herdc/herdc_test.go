package herdc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"happens/prog"
	"happens/source"
)

func mustParse(t *testing.T, src string) *prog.Program {
	t.Helper()
	p, err := Parse("t.litmus", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", source.Format(err, []byte(src)))
	}
	return p
}

func run(t *testing.T, src string) (*prog.Program, *ourResult) {
	t.Helper()
	p := mustParse(t, src)
	r := runTest(context.Background(), p)
	if r.stats.Stopped {
		t.Fatal("exploration stopped")
	}
	return p, r
}

// Results under RC11, derived by hand.
func TestSemantics(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		states   []string
		verdict  string
		pos, neg int
		undef    bool
		blocked  bool // some executions are blocked (spin loops)
	}{
		{
			name: "SB+fencescs",
			src: `C SB+fencescs
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r0 = atomic_load_explicit(y,memory_order_relaxed);
}
P1(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y,1,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r0 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (0:r0=0 /\ 1:r0=0)`,
			states:  []string{"0:r0=0; 1:r0=1", "0:r0=1; 1:r0=0", "0:r0=1; 1:r0=1"},
			verdict: "Never", pos: 0, neg: 3,
		},
		{
			name: "MP+fencerel+fenceacq",
			src: `C MP+fences
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(y,1,memory_order_relaxed);
}
P1(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y,memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (1:r0=1 /\ 1:r1=0)`,
			states:  []string{"1:r0=0; 1:r1=0", "1:r0=0; 1:r1=1", "1:r0=1; 1:r1=1"},
			verdict: "Never", pos: 0, neg: 3,
		},
		{
			// rc11.cat: a consume read takes no part in synchronisation,
			// not even with a later acquire fence.
			name: "MP+rel+con-fenceacq",
			src: `C MP+con
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_store_explicit(y,1,memory_order_release);
}
P1(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y,memory_order_consume);
  atomic_thread_fence(memory_order_acquire);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (1:r0=1 /\ 1:r1=0)`,
			states:  []string{"1:r0=0; 1:r1=0", "1:r0=0; 1:r1=1", "1:r0=1; 1:r1=0", "1:r0=1; 1:r1=1"},
			verdict: "Sometimes", pos: 1, neg: 3,
		},
		{
			name: "IRIW+fencescs",
			src: `C IRIW+fencescs
{}
P0(atomic_int* x) { atomic_store_explicit(x,1,memory_order_relaxed); }
P1(atomic_int* y) { atomic_store_explicit(y,1,memory_order_relaxed); }
P2(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(x,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r1 = atomic_load_explicit(y,memory_order_relaxed);
}
P3(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (2:r0=1 /\ 2:r1=0 /\ 3:r0=1 /\ 3:r1=0)`,
			verdict: "Never", pos: 0, neg: 15,
		},
		{
			name: "2+2W+fencescs",
			src: `C 2+2W+fencescs
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,2,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  atomic_store_explicit(y,1,memory_order_relaxed);
}
P1(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y,2,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  atomic_store_explicit(x,1,memory_order_relaxed);
}
exists (x=2 /\ y=2)`,
			states:  []string{"[x]=1; [y]=1", "[x]=1; [y]=2", "[x]=2; [y]=1"},
			verdict: "Never", pos: 0, neg: 3,
		},
		{
			// RC11 (like C11) continues a release sequence with later
			// stores of the same thread.
			name: "MP+rel-rlx-rs",
			src: `C MP+rs
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_store_explicit(y,1,memory_order_release);
  atomic_store_explicit(y,2,memory_order_relaxed);
}
P1(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y,memory_order_acquire);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (1:r0=2 /\ 1:r1=0)`,
			states:  []string{"1:r0=0; 1:r1=0", "1:r0=0; 1:r1=1", "1:r0=1; 1:r1=1", "1:r0=2; 1:r1=1"},
			verdict: "Never", pos: 0, neg: 4,
		},
		{
			// psc: Ry -rb-> Wy -sb-> F1 -sb-> Rx -rb-> Wx -sb-> Ry.
			name: "SB+sc+fencesc",
			src: `C SB+mixed
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store(x,1);
  int r0 = atomic_load(y);
}
P1(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y,1,memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r0 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (0:r0=0 /\ 1:r0=0)`,
			verdict: "Never", pos: 0, neg: 3,
		},
		{
			name: "MP+fencerel+rmw+fenceacq",
			src: `C MP+rmw
{}
P0(atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(y,1,memory_order_relaxed);
}
P1(atomic_int* y) { atomic_fetch_add_explicit(y,1,memory_order_relaxed); }
P2(atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y,memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}
exists (2:r0=2 /\ 2:r1=0)`,
			verdict: "Never", pos: 0, neg: 9,
		},
		{
			name: "plain race",
			src: `C race
{ x = 1; }
P0(int* x) { *x = 2; }
P1(int* x) { int r0 = *x; }
exists (1:r0=1)`,
			states:  []string{"1:r0=1", "1:r0=2"},
			verdict: "Sometimes", pos: 1, neg: 1, undef: true,
		},
		{
			name: "spin loop",
			src: `C MP+spin
{}
P0(int* x, atomic_int* y) {
  *x = 1;
  atomic_store_explicit(y,1,memory_order_release);
}
P1(int* x, atomic_int* y) {
  while (atomic_load_explicit(y,memory_order_acquire) == 0) {}
  int r1 = *x;
}
exists (1:r1=0)`,
			states:  []string{"1:r1=1"},
			verdict: "Never", pos: 0, neg: 1, blocked: true,
		},
		{
			name: "do-while loop with a counter",
			src: `C counter
{}
P0(atomic_int* x) {
  int i = 0;
  do {
    atomic_fetch_add_explicit(x, 1, memory_order_relaxed);
    i = i + 1;
  } while (i < 3);
}
locations [x;]`,
			states:  []string{"[x]=3"},
			verdict: "Always", pos: 1, neg: 0,
		},
		{
			name: "weak CAS fails spuriously",
			src: `C casweak
{}
P0(atomic_int* x, int* e) {
  int r = atomic_compare_exchange_weak(x, e, 1);
}
locations [0:r; x; e;]`,
			states:  []string{"0:r=0; [e]=0; [x]=0", "0:r=1; [e]=0; [x]=1"},
			verdict: "Always", pos: 2, neg: 0,
		},
		{
			name: "failed CAS writes back",
			src: `C casfail
{ x = 5; }
P0(atomic_int* x, int* e) {
  int r = atomic_compare_exchange_strong_explicit(x, e, 1, memory_order_relaxed, memory_order_relaxed);
}
exists (0:r=0 /\ e=5 /\ x=5)`,
			states:  []string{"0:r=0; [e]=5; [x]=5"},
			verdict: "Always", pos: 1, neg: 0,
		},
		{
			name: "filter",
			src: `C filter
{}
P0(atomic_int* x) { atomic_store(x, 1); }
P1(atomic_int* x) { int r0 = atomic_load(x); }
filter (1:r0=1)
exists (1:r0=1)`,
			states:  []string{"1:r0=1"},
			verdict: "Always", pos: 1, neg: 0,
		},
		{
			// herd: => binds tighter than /\ : "a /\ b => c" is
			// "a /\ (b => c)".
			name: "implication precedence",
			src: `C imp
{}
P0(atomic_int* x) { int r0 = 1; int r1 = 0; }
exists (0:r0=0 /\ 0:r1=1 => 0:r1=2)`,
			states:  []string{"0:r0=1; 0:r1=0"},
			verdict: "Never", pos: 0, neg: 1,
		},
		{
			name: "expressions",
			src: `C expr
{ x = -3; }
P0(atomic_int* x) {
  int a = atomic_load(x);
  int b = a < 0 ? -a : a;
  int c = (b << 2) | 1;
  int d = !a + (a && 0) + (0 || a);
  int e = 7 / 2 + 7 % 2 - ~0;
  unsigned int u = a;
  int f = u > 5;
  if (a == -3 && f) { atomic_store(x, 10); } else { atomic_store(x, 20); }
}
locations [0:b; 0:c; 0:d; 0:e; 0:f; x;]`,
			states:  []string{"0:b=3; 0:c=13; 0:d=1; 0:e=5; 0:f=1; [x]=10"},
			verdict: "Always", pos: 1, neg: 0,
		},
		{
			name: "unwritten register in the condition",
			src: `C zero
{}
P0(atomic_int* x) { atomic_store(x, 1); }
exists (0:r9=0 /\ x=1)`,
			states:  []string{"0:r9=0; [x]=1"},
			verdict: "Always", pos: 1, neg: 0,
		},
		{
			name: "register init and final",
			src: `C reginit
{ 0:r1 = 4; x = 2; }
P0(atomic_int* x) { int r2 = atomic_load(x) + r1; }
final (0:r2 = 6)`,
			states:  []string{"0:r2=6"},
			verdict: "Always", pos: 1, neg: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, r := run(t, tc.src)
			if tc.states != nil {
				want := map[string]bool{}
				for _, s := range tc.states {
					want[normState(s)] = true
				}
				if !sameSet(want, r.states) {
					t.Errorf("states: want %s, got %s", setText(want), setText(r.states))
				}
			}
			if r.verdict != tc.verdict || r.pos != tc.pos || r.neg != tc.neg {
				t.Errorf("observation: want %s %d %d, got %s %d %d", tc.verdict, tc.pos, tc.neg, r.verdict, r.pos, r.neg)
			}
			if r.undef != tc.undef {
				t.Errorf("undef: want %v, got %v", tc.undef, r.undef)
			}
			if (r.stats.Blocked > 0) != tc.blocked || r.stats.Bounded > 0 || r.failures > 0 {
				t.Errorf("blocked %d, bounded %d, failures %d", r.stats.Blocked, r.stats.Bounded, r.failures)
			}
		})
	}
}

func TestProgramShape(t *testing.T) {
	p := mustParse(t, `C MP+test
"A description"
Prefetch=0:x=F
(* a comment *)
{ int y = 0; atomic_int x = 2; }

P0 (atomic_int* y, int* x) {
  *x = 1;
  atomic_store_explicit(y, 1, memory_order_release);
}

P1 (atomic_int* y, int* x) {
  int r0 = atomic_load_explicit(y, memory_order_consume);
  int r1 = *x;
}
locations [x;]
~exists (1:r0=1 /\ 1:r1=0)
`)
	if p.Name != "MP+test" || p.Format != "c" {
		t.Errorf("name %q format %q", p.Name, p.Format)
	}
	if p.Doc != "A description\nPrefetch=0:x=F" {
		t.Errorf("doc %q", p.Doc)
	}
	if len(p.Vars) != 2 || p.Vars[0].Name != "y" || p.Vars[1].Name != "x" || p.Locs[1].Init != 2 || !p.Locs[1].Atomic || p.Locs[0].Atomic {
		t.Errorf("vars %+v locs %+v", p.Vars, p.Locs)
	}
	var names []string
	for _, o := range p.Observed {
		names = append(names, o.Name)
	}
	if strings.Join(names, " ") != "1:r0 1:r1 [x]" {
		t.Errorf("observed %v", names)
	}
	if p.Cond.Kind != prog.NotExists || p.Cond.Text != "(1:r0=1 /\\ 1:r1=0)" {
		t.Errorf("cond %+v", p.Cond)
	}
	var accesses []string
	for _, in := range p.Threads[1].Code {
		if in.Op.IsMemory() {
			accesses = append(accesses, in.Op.String()+" "+in.Ord.String()+" "+map[bool]string{true: "atomic", false: "plain"}[in.Atomic]+" "+in.Text)
		}
	}
	want := "load Consume atomic atomic_load_explicit(y, memory_order_consume)|load Relaxed plain *x"
	if strings.Join(accesses, "|") != want {
		t.Errorf("accesses\n%s\nwant\n%s", strings.Join(accesses, "|"), want)
	}
}

func TestPointers(t *testing.T) {
	p, r := run(t, `C ptr
{ y = 7; p = y; }
P0(int* x, _Atomic(int*)* p) {
  *x = 3;
  atomic_store_explicit(p, x, memory_order_release);
}
P1(_Atomic(int*)* p) {
  int* q = atomic_load_explicit(p, memory_order_acquire);
  int v = *q;
}
exists (1:q=x /\ 1:v=3)`)
	want := map[string]bool{normState("1:q=y; 1:v=7"): true, normState("1:q=x; 1:v=3"): true}
	if !sameSet(want, r.states) || r.verdict != "Sometimes" || r.undef {
		t.Errorf("got %s %s %d %d undef=%v", setText(r.states), r.verdict, r.pos, r.neg, r.undef)
	}
	if p.FormatValue(prog.Ptr, prog.AddrValue(0)) != p.Vars[0].Name {
		t.Errorf("FormatValue")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line:col: substring"
	}{
		{"empty", ``, []string{"1:1: empty test"}},
		{"arch", "X86 SB\n{}\n", []string{"1:1: not a C litmus test"}},
		{"no init", "C T\nP0(int* x) {}\n", []string{"2:1: missing init block"}},
		{"add_unless", `C T
{}
P0(atomic_int* x) {
  int r0 = __atomic_add_unless{mb}(x, 1, 0);
}
exists (0:r0=0)`, []string{"4:12: __atomic_add_unless{mb} is not supported"}},
		{"two errors", `C T
{}
P0(atomic_int* x) {
  int r0 = foo(x);
}
P1(atomic_int* x) {
  int r1 = atomic_load(z);
}
exists (0:r0=0)`, []string{"4:12: unsupported function foo", "7:24: undeclared identifier z"}},
		{"syntax errors everywhere", `C T
{ x = ; }
P0(atomic_int* x) {
  int r0 = ;
  atomic_store(x, 1);
  r0 = = 2;
}
exists (0:r0=)`, []string{"2:7: expected a number", "4:12: expected an expression", "6:8: expected an expression", "8:14: expected a number"}},
		{"order", `C T
{}
P1(atomic_int* x) { }
exists (x=0)`, []string{"3:1: thread P1 out of order"}},
		{"for", `C T
{}
P0(atomic_int* x) { for (;;) {} }
exists (x=0)`, []string{"3:21: 'for' statements are not supported"}},
		{"int128 arithmetic", `C T
{}
P0(__int128* x) { __int128 r = *x; __int128 s = r + 1; }
exists (0:s=0)`, []string{"3:51: arithmetic on 128-bit integers is not supported"}},
		{"bad order", `C T
{}
P0(atomic_int* x) { atomic_store_explicit(x, 1, memory_order_bogus); }
exists (x=0)`, []string{"3:49: expected a memory order"}},
		{"not pointer", `C T
{}
P0(atomic_int* x) { int r = 1; atomic_store(r, 1); }
exists (x=0)`, []string{"3:45: r is not a pointer"}},
		{"thread in condition", `C T
{}
P0(atomic_int* x) { }
exists (3:r0=0)`, []string{"4:9: the condition names thread 3"}},
		{"trailing junk", `C T
{}
P0(atomic_int* x) { }
exists (x=0) garbage`, []string{"4:14: expected 'locations'"}},
		{"unterminated", "C T\n{}\nP0(atomic_int* x) { /* \n", []string{"3:21: unterminated comment"}},
		{"consume store", `C T
{}
P0(atomic_int* x) { atomic_store_explicit(x, 1, memory_order_consume); }
exists (x=0)`, []string{"3:49: memory_order_consume on a write"}},
		{"with", "C T\n{}\nP0(atomic_int* x) { }\nexists (x=0) with tso: exists\n", []string{"4:14: herd's 'with' clause"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.litmus", []byte(tc.src))
			var list source.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("want a source.ErrorList, got %v", err)
			}
			for _, w := range tc.want {
				found := false
				for _, e := range list {
					if strings.Contains(e.Error(), "t.litmus:"+w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing error %q in\n%s", w, source.Format(err, []byte(tc.src)))
				}
			}
		})
	}
}

func TestPointerRMW(t *testing.T) {
	_, r := run(t, `C ptrrmw
{ p = x; }
P0(atomic_int* x, atomic_int* y, _Atomic(atomic_int*)* p, int* e) {
  atomic_int* q = atomic_load(p);
  int a = atomic_fetch_add(q, 2);
  int b = atomic_compare_exchange_strong(q, e, 5);
  *(q + 0) = 7;
}
P1(atomic_int* y, _Atomic(atomic_int*)* p) { atomic_store(p, y); }
locations [0:a; 0:b; x; y; e;]`)
	want := map[string]bool{
		normState("0:a=0; 0:b=0; [x]=7; [y]=0; [e]=2"): true,
		normState("0:a=0; 0:b=0; [x]=0; [y]=7; [e]=2"): true,
	}
	if !sameSet(want, r.states) || r.undef || r.failures > 0 {
		t.Errorf("got %s undef=%v failures=%d", setText(r.states), r.undef, r.failures)
	}
}

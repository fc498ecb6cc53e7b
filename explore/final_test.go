package explore_test

import (
	"context"
	"testing"

	"happens/explore"
	"happens/frontend"
	"happens/model"
	"happens/prog"
	"happens/result"
)

// withFinal parses src and gives it Final code that joins thread 0 (taking
// its local r into r0), loads X into r1, asserts r1 == want and
// stores 7 to X: a hand-built stand-in for main's code after the joins.
func withFinal(t *testing.T, src string, want uint64) *prog.Program {
	t.Helper()
	p, err := frontend.Parse("final.litmus", []byte(src), frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := p.Threads[0].LocalByName("r")
	if !ok {
		t.Fatal("thread 0 has no local r")
	}
	reg := r.Reg
	x := p.Vars[0].First
	code := []prog.Instr{
		{Op: prog.OpJoin, Imm: 0, A: 0, B: reg},
		{Op: prog.OpLoad, A: 1, Addr: prog.Addr{Var: 0, Index: -1}, Atomic: true, Ord: prog.Relaxed},
		{Op: prog.OpConst, A: 2, Imm: want},
		{Op: prog.OpBinary, A: 3, B: 1, C: 2, Bin: prog.Eq, T: p.Locs[x].Type},
		{Op: prog.OpAssert, A: 3, Msg: "assertion failed: x == want"},
		{Op: prog.OpConst, A: 4, Imm: 7},
		{Op: prog.OpStore, B: 4, Addr: prog.Addr{Var: 0, Index: -1}, Atomic: true, Ord: prog.Relaxed},
	}
	p.Final = &prog.Thread{Name: "main", Code: code, NumRegs: 5,
		Locals: []prog.Local{{Name: "got", Reg: 0, Type: p.Locs[x].Type}, {Name: "x", Reg: 1, Type: p.Locs[x].Type}}}
	return p
}

// Two threads each add 1 to X: main, after joining, reads 2 in every
// execution (join's happens-before makes the last value the one it reads;
// by hand), and its store of 7 is what the outcome shows for X.
func TestFinalAfterJoins(t *testing.T) {
	src := `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread a { let r = X.fetch_add(1, Ordering::Relaxed); }
thread b { X.fetch_add(1, Ordering::Relaxed); }
`
	for _, want := range []uint64{2, 1} {
		p := withFinal(t, src, want)
		m, _ := model.ByName("c20")
		c := result.NewCollector(p, m, result.ShowNone)
		st := explore.Explore(context.Background(), p, explore.Options{Model: m}, c.Visit)
		r := c.Finish(st, explore.DefaultUnroll)
		// 2 executions: the two orders of the fetch_adds.
		if st.Complete != 2 {
			t.Fatalf("want %d: %d complete executions, want 2", want, st.Complete)
		}
		// Outcomes show a.r, main.got (= a.r), main.x (= 2).
		if len(r.Outcomes) != 2 {
			t.Fatalf("want %d: outcomes %d, want 2", want, len(r.Outcomes))
		}
		for _, o := range r.Outcomes {
			if len(o.Values) != 3 || o.Values[0] != o.Values[1] || o.Values[2] != 2 {
				t.Errorf("want %d: outcome %v, want a.r == main.got and main.x == 2", want, o.Values)
			}
		}
		failed := len(r.Failures) > 0
		if failed != (want != 2) {
			t.Errorf("want %d: failures %v", want, r.Failures)
		}
		if failed && (r.Failures[0].Thread != "main" || r.Failures[0].Count != 2) {
			t.Errorf("failure %+v, want main in 2 executions", *r.Failures[0])
		}
	}
}

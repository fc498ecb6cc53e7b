package herdc

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/model"
	"happens/prog"
)

var fuzzSeeds = []string{
	`C MP+poreleaseacquire
"PodWWRlxRel RfeRelAcq PodRRAcqRlx Fre"
Prefetch=0:x=F,0:y=W,1:y=F,1:x=T
{}

P0 (atomic_int* y,atomic_int* x) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  atomic_store_explicit(y,1,memory_order_release);
}

P1 (atomic_int* y,atomic_int* x) {
  int r0 = atomic_load_explicit(y,memory_order_acquire);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}

exists
(1:r0=1 /\ 1:r1=0)`,
	`C mpacq_relacq_relacq_relseq_cst

{_Atomic int x0 = 0;
_Atomic int y0 = 0;}

P0 (atomic_int* y,atomic_int* x, atomic_int* y0) {
  atomic_store_explicit(x,1,memory_order_relaxed);
  int r0 = atomic_compare_exchange_strong_explicit(y,y0,1,memory_order_acq_rel, memory_order_acq_rel);
}

P1 (atomic_int* y,atomic_int* x, atomic_int* x0) {
  int r0 = atomic_compare_exchange_strong_explicit(y,x0,2,memory_order_acq_rel, memory_order_seq_cst);
  int r1 = atomic_load_explicit(x,memory_order_relaxed);
}

exists
(y=2 /\ 0:r0=0 /\ 1:r0=1 /\ 1:r1=0)`,
	`C if

{}

P0 (atomic_int* x) {
   int a;
   if(atomic_load(x) == 1) {
                     a = 1;
   }else{
        a = 2;
   }
}

P1 (atomic_int* x) {
   atomic_store(x, 1);
}

exists
(0:a=1)`,
	`C MP_relcon_addr+REAL

{ y = -1 ; p = y; }

P0 (_Atomic (int *) *p, int* x) {
  *x = 1;
  atomic_store_explicit(p,x,memory_order_release);
}

P1 (_Atomic (int *) *p) {
  int *r0 = atomic_load_explicit(p,memory_order_consume);
  int r1 = *r0 ;
}

~exists (1:r0=x /\ 1:r1=0)`,
	`C C13
(* Forbidden by rc11 *)
{
x = 0;
y = 0;
}

P0(atomic_int *x, atomic_int *y) {
  int r1 = atomic_load_explicit(y, memory_order_relaxed);
  atomic_store_explicit(x, r1, memory_order_relaxed);
  int r2 = (r1^r1)+r1;
}

P1(atomic_int *x, atomic_int *y) {
  int r4 = atomic_load_explicit(x, memory_order_relaxed);
  atomic_store_explicit(y, r4, memory_order_relaxed);
}

locations [0:r2; 1:r4;]
exists 0:r1 != 0`,
	`C loop
{ 0:r1 = 2; }
P0 (atomic_int* x, __int128* w) {
  do { r1 = r1 - 1; } while (r1 > 0 && atomic_load(x) < 3);
  while (atomic_fetch_add_explicit(x, 1, memory_order_relaxed) < 2) { int t = (r1 ? 1 : 2); }
  __int128 v = *w;
}
P1 (atomic_int* x) { atomic_thread_fence(memory_order_seq_cst); *x = 1; }
filter (x = 1 \/ ~(0:r1 = 0))
forall (0:r1=0 => [x]=3) ;`,
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		done := make(chan struct{})
		var p *prog.Program
		var err error
		go func() {
			defer close(done)
			p, err = Parse("fuzz.litmus", []byte(src))
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse hangs")
		}
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("Parse panicked: %v", err)
			}
			if err.Error() == "no errors" {
				t.Fatalf("empty error list")
			}
			return
		}
		if msg := validate(p); msg != "" {
			t.Fatalf("malformed program: %s", msg)
		}
	})
}

// FuzzExplore also explores what parses, briefly, to look for crashes in
// the stages after the front end. It is not part of the project's CI fuzz
// run (which runs FuzzParse only).
func FuzzExplore(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.litmus", []byte(src))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		runTestOpts(ctx, p, explore.Options{Model: model.RC11, MaxExecutions: 100, Unroll: 3})
	})
}

// validate checks the invariants later stages rely on.
func validate(p *prog.Program) string {
	for i, v := range p.Vars {
		if v.First != i || p.Locs[i].Var != i || v.Len != 0 {
			return fmt.Sprintf("var %d", i)
		}
	}
	if len(p.Vars) != len(p.Locs) {
		return "vars/locs"
	}
	for ti, th := range p.Threads {
		reg := func(r int) bool { return r >= 0 && r < th.NumRegs }
		for pc, in := range th.Code {
			bad := func(what string) string { return fmt.Sprintf("thread %d pc %d (%s): bad %s", ti, pc, in.Op, what) }
			switch in.Op {
			case prog.OpConst:
				if !reg(in.A) {
					return bad("A")
				}
			case prog.OpMove, prog.OpUnary:
				if !reg(in.A) || !reg(in.B) {
					return bad("regs")
				}
			case prog.OpBinary:
				if !reg(in.A) || !reg(in.B) || !reg(in.C) {
					return bad("regs")
				}
			case prog.OpBranch:
				if !reg(in.A) {
					return bad("A")
				}
			case prog.OpLoad:
				if !reg(in.A) {
					return bad("A")
				}
			case prog.OpStore:
				if !reg(in.B) {
					return bad("B")
				}
			case prog.OpRMW:
				if !reg(in.A) || !reg(in.B) {
					return bad("regs")
				}
			case prog.OpCAS:
				if !reg(in.A) || !reg(in.A+1) || !reg(in.B) || !reg(in.C) {
					return bad("regs")
				}
			case prog.OpLoopEnter:
				if in.A < 0 || in.A > th.NumRegs {
					return bad("live count")
				}
			}
			switch in.Op {
			case prog.OpJump, prog.OpBranch, prog.OpLoopBack:
				if in.Target < 0 || in.Target > len(th.Code) {
					return bad("target")
				}
			case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS:
				if in.Addr.Var < 0 || in.Addr.Var >= len(p.Vars) || in.Addr.Index != -1 {
					return bad("address")
				}
			}
		}
		for _, l := range th.Locals {
			if !reg(l.Reg) {
				return fmt.Sprintf("thread %d local %s", ti, l.Name)
			}
		}
	}
	for _, o := range p.Observed {
		if o.Thread >= 0 {
			if o.Thread >= len(p.Threads) || o.Reg < 0 || o.Reg >= p.Threads[o.Thread].NumRegs {
				return "observable " + o.Name
			}
		} else if o.Loc < 0 || o.Loc >= len(p.Locs) {
			return "observable " + o.Name
		}
	}
	var check func(e prog.Expr) string
	check = func(e prog.Expr) string {
		switch e := e.(type) {
		case *prog.LocalExpr:
			if e.Thread < 0 || e.Thread >= len(p.Threads) || e.Reg < 0 || e.Reg >= p.Threads[e.Thread].NumRegs {
				return "condition register"
			}
		case *prog.MemExpr:
			if e.Loc < 0 || e.Loc >= len(p.Locs) {
				return "condition location"
			}
		case *prog.UnaryExpr:
			return check(e.X)
		case *prog.BinaryExpr:
			if m := check(e.X); m != "" {
				return m
			}
			return check(e.Y)
		case *prog.ConstExpr:
		default:
			return "condition node"
		}
		return ""
	}
	if p.Cond == nil {
		return "no condition"
	}
	if m := check(p.Cond.Expr); m != "" {
		return m
	}
	if p.Filter != nil {
		return check(p.Filter)
	}
	return ""
}

func TestFuzzSeedsParse(t *testing.T) {
	for i, s := range fuzzSeeds {
		if _, err := Parse("seed.litmus", []byte(s)); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

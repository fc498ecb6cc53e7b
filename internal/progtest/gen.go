// Package progtest builds small random programs and explores them in slow,
// obviously correct ways, as references for the explorer. Two families:
//
// Straight-line programs (no branches, no loops; Random, Spec): a
// brute-force enumerator over every reads-from and modification-order
// candidate filtered by a model (BruteForce, the way herd7 counts), and,
// for sequential consistency, every interleaving of the threads run
// against a plain memory (Interleavings). Both compare whole executions.
//
// Programs with control flow (RandomFlow, FlowSpec): branches on values
// read, counted loops, spin loops on flags, spinlocks (strong and weak
// compare-exchange, test-and-test-and-set, swap; deadlock-prone orders and
// forgotten unlocks), compare-exchange retry loops, work-claiming loops,
// set-and-reset flags (lost wake-ups), assertions and assumptions, written
// as Rust-style source and compiled by the front end. Their reference is
// SCReach, an explicit-state search over the interleavings under
// sequential consistency, with its own evaluator (loops are plain jumps)
// and visited states recognised by hash. It compares what a user sees:
// the outcomes, the failures reachable, and liveness, a terminal strongly
// connected component of the state graph in which the program never
// finishes (a deadlock, a lost wake-up). A state bound makes it
// inconclusive rather than wrong. For programs with branches and counted
// loops but no spin or retry loop (RandomBranching), SCBranchExecutions
// gives the exact set of sc executions, as Interleavings does for
// straight-line code.
//
// Shrink and ShrinkFlow reduce a failing program of either family.
//
// RandomARM (arm.go) draws straight-line programs aimed at ARMv8's
// orderings (load-buffering rings with data and address dependencies,
// stores read back, release stores followed by another store to the same
// location, read-modify-writes and fences), written as Rust-style source;
// ShrinkARM reduces them. Their reference is value speculation
// (explore.Speculate), for exploration by revisits under armv8.
package progtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"happens/prog"
)

// OpKind is the kind of one generated instruction.
type OpKind uint8

const (
	Load     OpKind = iota // r = X.load(Ord)
	Store                  // X.store(Val, Ord)
	FetchAdd               // r = X.fetch_add(Val, Ord)
	Swap                   // r = X.swap(Val, Ord)
	CAS                    // (r, ok) = X.compare_exchange[_weak](Exp, Val, Ord, Ord2)
	Fence                  // fence(Ord)
	NALoad                 // r = na (plain read of the non-atomic location)
	NAStore                // na = Val (plain write)
)

// Op is one generated instruction.
type Op struct {
	Kind OpKind
	Loc  int    // atomic location index (ignored for fences and NA ops)
	Val  uint64 // stored value, RMW operand, CAS new value
	Exp  uint64 // CAS expected value
	Ord  prog.Ordering
	Ord2 prog.Ordering // CAS failure ordering
	Weak bool          // compare_exchange_weak
}

// Spec is a generated program before it is built: NumLocs atomic
// locations X0.. (plus one non-atomic location "na" when an NA op uses it),
// and the threads' instructions.
type Spec struct {
	NumLocs int
	Threads [][]Op
}

var locNames = []string{"X", "Y", "Z", "W", "V"}

func locName(i int) string {
	if i < len(locNames) {
		return locNames[i]
	}
	return fmt.Sprintf("L%d", i)
}

// Random returns a random program spec: 2–4 threads, 2–3 atomic locations,
// 1–4 instructions per thread. Roughly one program in three also uses a
// non-atomic location.
func Random(r *rand.Rand) *Spec {
	s := &Spec{NumLocs: 2 + r.IntN(2)}
	useNA := r.IntN(3) == 0
	nt := 2 + r.IntN(3)
	for range nt {
		n := 1 + r.IntN(4)
		var th []Op
		for range n {
			th = append(th, randomOp(r, s.NumLocs, useNA))
		}
		s.Threads = append(s.Threads, th)
	}
	return s
}

var (
	loadOrds  = []prog.Ordering{prog.Relaxed, prog.Acquire, prog.SeqCst}
	storeOrds = []prog.Ordering{prog.Relaxed, prog.Release, prog.SeqCst}
	rmwOrds   = []prog.Ordering{prog.Relaxed, prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
	failOrds  = []prog.Ordering{prog.Relaxed, prog.Acquire, prog.SeqCst}
	fenceOrds = []prog.Ordering{prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
)

func pick(r *rand.Rand, os []prog.Ordering) prog.Ordering { return os[r.IntN(len(os))] }

func randomOp(r *rand.Rand, nlocs int, useNA bool) Op {
	op := Op{Loc: r.IntN(nlocs)}
	x := r.IntN(100)
	if useNA && x < 12 {
		if x < 6 {
			op.Kind = NALoad
		} else {
			op.Kind, op.Val = NAStore, 1+uint64(r.IntN(3))
		}
		op.Loc = 0
		return op
	}
	x = r.IntN(100)
	switch {
	case x < 28:
		op.Kind, op.Ord = Load, pick(r, loadOrds)
	case x < 54:
		op.Kind, op.Ord, op.Val = Store, pick(r, storeOrds), 1+uint64(r.IntN(3))
	case x < 64:
		op.Kind, op.Ord, op.Val = FetchAdd, pick(r, rmwOrds), 1+uint64(r.IntN(2))
	case x < 73:
		op.Kind, op.Ord, op.Val = Swap, pick(r, rmwOrds), 1+uint64(r.IntN(3))
	case x < 90:
		op.Kind, op.Ord, op.Ord2 = CAS, pick(r, rmwOrds), pick(r, failOrds)
		op.Exp, op.Val = uint64(r.IntN(3)), 1+uint64(r.IntN(3))
		op.Weak = r.IntN(3) == 0
	default:
		op.Kind, op.Ord, op.Loc = Fence, pick(r, fenceOrds), 0
	}
	return op
}

// String prints an op as a line of Rust-like code.
func (o Op) String() string {
	x := locName(o.Loc)
	switch o.Kind {
	case Load:
		return fmt.Sprintf("%s.load(%v)", x, o.Ord)
	case Store:
		return fmt.Sprintf("%s.store(%d, %v)", x, o.Val, o.Ord)
	case FetchAdd:
		return fmt.Sprintf("%s.fetch_add(%d, %v)", x, o.Val, o.Ord)
	case Swap:
		return fmt.Sprintf("%s.swap(%d, %v)", x, o.Val, o.Ord)
	case CAS:
		w := ""
		if o.Weak {
			w = "_weak"
		}
		return fmt.Sprintf("%s.compare_exchange%s(%d, %d, %v, %v)", x, w, o.Exp, o.Val, o.Ord, o.Ord2)
	case Fence:
		return fmt.Sprintf("fence(%v)", o.Ord)
	case NALoad:
		return "na (plain load)"
	case NAStore:
		return fmt.Sprintf("na = %d (plain store)", o.Val)
	}
	return "?"
}

// String prints the spec as one block per thread.
func (s *Spec) String() string {
	var b strings.Builder
	for t, th := range s.Threads {
		fmt.Fprintf(&b, "T%d:\n", t)
		for _, o := range th {
			fmt.Fprintf(&b, "  %s\n", o)
		}
	}
	return b.String()
}

// Clone returns a deep copy of s.
func (s *Spec) Clone() *Spec {
	c := &Spec{NumLocs: s.NumLocs}
	for _, th := range s.Threads {
		c.Threads = append(c.Threads, append([]Op(nil), th...))
	}
	return c
}

func (s *Spec) usesLoc(l int) bool {
	for _, th := range s.Threads {
		for _, o := range th {
			if o.Loc == l && o.Kind != Fence && o.Kind != NALoad && o.Kind != NAStore {
				return true
			}
		}
	}
	return false
}

func (s *Spec) usesNA() bool {
	for _, th := range s.Threads {
		for _, o := range th {
			if o.Kind == NALoad || o.Kind == NAStore {
				return true
			}
		}
	}
	return false
}

// Build turns the spec into a resolved program: u32 locations initialised
// to 0, registers exported as the threads' locals.
func (s *Spec) Build() *prog.Program {
	p := &prog.Program{Name: "random", Format: "rust"}
	for i := 0; i < s.NumLocs; i++ {
		p.Vars = append(p.Vars, prog.Var{Name: locName(i), Type: prog.U32, Atomic: true, First: i})
		p.Locs = append(p.Locs, prog.Location{Name: locName(i), Var: i, Type: prog.U32, Atomic: true})
	}
	naVar := -1
	if s.usesNA() {
		naVar = len(p.Vars)
		p.Vars = append(p.Vars, prog.Var{Name: "na", Type: prog.U32, First: len(p.Locs)})
		p.Locs = append(p.Locs, prog.Location{Name: "na", Var: naVar, Type: prog.U32})
	}
	for t, ops := range s.Threads {
		th := prog.Thread{Name: fmt.Sprintf("t%d", t)}
		reg := func() int { th.NumRegs++; return th.NumRegs - 1 }
		export := func(name string, r int, typ prog.Type) {
			th.Locals = append(th.Locals, prog.Local{Name: name, Reg: r, Type: typ})
		}
		konst := func(v uint64) int {
			r := reg()
			th.Code = append(th.Code, prog.Instr{Op: prog.OpConst, A: r, Imm: v, T: prog.U32})
			return r
		}
		for i, o := range ops {
			addr := prog.Addr{Var: o.Loc, Index: -1}
			if o.Kind == NALoad || o.Kind == NAStore {
				addr.Var = naVar
			}
			text := o.String()
			name := fmt.Sprintf("r%d", i)
			switch o.Kind {
			case Load, NALoad:
				a := reg()
				th.Code = append(th.Code, prog.Instr{Op: prog.OpLoad, A: a, Addr: addr, T: prog.U32,
					Atomic: o.Kind == Load, Ord: o.Ord, Text: text})
				export(name, a, prog.U32)
			case Store, NAStore:
				v := konst(o.Val)
				th.Code = append(th.Code, prog.Instr{Op: prog.OpStore, B: v, Addr: addr, T: prog.U32,
					Atomic: o.Kind == Store, Ord: o.Ord, Text: text})
			case FetchAdd, Swap:
				v := konst(o.Val)
				a := reg()
				rmw := prog.RMWAdd
				if o.Kind == Swap {
					rmw = prog.RMWSwap
				}
				th.Code = append(th.Code, prog.Instr{Op: prog.OpRMW, A: a, B: v, RMW: rmw, Addr: addr, T: prog.U32,
					Atomic: true, Ord: o.Ord, Text: text})
				export(name, a, prog.U32)
			case CAS:
				e := konst(o.Exp)
				n := konst(o.Val)
				a := reg()
				ok := reg()
				th.Code = append(th.Code, prog.Instr{Op: prog.OpCAS, A: a, B: e, C: n, Addr: addr, T: prog.U32,
					Atomic: true, Ord: o.Ord, Ord2: o.Ord2, Weak: o.Weak, Text: text})
				export(name, a, prog.U32)
				export("ok"+name[1:], ok, prog.Bool)
			case Fence:
				th.Code = append(th.Code, prog.Instr{Op: prog.OpFence, Ord: o.Ord, Atomic: true, Text: text})
			}
		}
		p.Threads = append(p.Threads, th)
	}
	return p
}

// Shrink greedily simplifies s while fails keeps reporting true: it drops
// threads and instructions, weakens orderings to Relaxed and makes weak
// compare-exchanges strong, taking the first simplification that still fails
// and starting over, until none does. s itself must fail.
func Shrink(s *Spec, fails func(*Spec) bool) *Spec {
	cur := s.Clone()
	for {
		next := (*Spec)(nil)
		for _, c := range simplifications(cur) {
			if fails(c) {
				next = c
				break
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
}

// simplifications lists the specs one step simpler than s.
func simplifications(s *Spec) []*Spec {
	var out []*Spec
	if s.NumLocs > 1 && !s.usesLoc(s.NumLocs-1) {
		c := s.Clone()
		c.NumLocs--
		out = append(out, c)
	}
	for t := range s.Threads {
		if len(s.Threads) > 1 {
			c := s.Clone()
			c.Threads = append(c.Threads[:t], c.Threads[t+1:]...)
			out = append(out, c)
		}
	}
	for t := range s.Threads {
		if len(s.Threads[t]) < 2 {
			continue // dropping its only op is dropping the thread
		}
		for i := range s.Threads[t] {
			c := s.Clone()
			c.Threads[t] = append(c.Threads[t][:i], c.Threads[t][i+1:]...)
			out = append(out, c)
		}
	}
	for t := range s.Threads {
		for i, o := range s.Threads[t] {
			var ws []Op
			if o.Kind != Fence && o.Ord != prog.Relaxed {
				w := o
				w.Ord = prog.Relaxed
				ws = append(ws, w)
			}
			if o.Kind == Fence && (o.Ord == prog.AcqRel || o.Ord == prog.SeqCst) {
				for _, ord := range []prog.Ordering{prog.Acquire, prog.Release, prog.AcqRel} {
					if ord != o.Ord {
						w := o
						w.Ord = ord
						ws = append(ws, w)
					}
				}
			}
			if o.Kind == CAS && o.Ord2 != prog.Relaxed {
				w := o
				w.Ord2 = prog.Relaxed
				ws = append(ws, w)
			}
			if o.Kind == CAS && o.Weak {
				w := o
				w.Weak = false
				ws = append(ws, w)
			}
			for _, w := range ws {
				c := s.Clone()
				c.Threads[t][i] = w
				out = append(out, c)
			}
		}
	}
	return out
}

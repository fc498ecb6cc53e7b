package progtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"happens/frontend/rustlit"
	"happens/prog"
)

// This file generates straight-line programs aimed at the orderings of
// ARMv8 that are easy to get wrong in an explorer that allows load
// buffering (cycles in po ∪ rf): loads whose values feed stores (data
// dependencies), loads and stores whose address depends on an earlier
// load (through a two-element atomic array), a thread reading back its
// own store (rfi, which ARMv8 does not order by), release and SeqCst
// stores followed by another store to the same location (po;[L];coi),
// read-modify-writes, compare-exchanges and fences, and now and then a
// store under a branch on a value read (a control dependency). Most
// programs are load-buffering rings: each thread starts by reading the
// location the previous thread writes last, so that values can flow
// round the threads against program order where ARMv8 allows it.

// AKind is the kind of one access of an ARM-shaped program.
type AKind uint8

const (
	ALoad     AKind = iota // let rI = X.load(Ord);
	AStore                 // X.store(value, Ord);
	AFetchAdd              // let rI = X.fetch_add(value, Ord);
	ASwap                  // let rI = X.swap(value, Ord);
	ACAS                   // let rI = match X.compare_exchange[_weak](exp, value, Ord, Ord2) { Ok(v) => v, Err(v) => v + 10 };
	AFence                 // fence(Ord);
)

// AOp is one statement of an ARM-shaped program. References to earlier
// statements (Addr, Data, ExpData, Ctrl) are indices into the thread's
// statements, whose results are the locals r0, r1, ... (rI is the result
// of statement I); -1 means none.
type AOp struct {
	Kind    AKind
	Arr     bool // the access is to the array A (else to scalar location Loc)
	Loc     int  // scalar location, or A's element when Arr and Addr < 0
	Addr    int  // Arr: the element is A[(rAddr & 1) as usize]
	Val     uint64
	Data    int // the stored value (RMW operand, CAS new value) is rData + Val
	Exp     uint64
	ExpData int // CAS: the expected value is rExpData (Exp ignored)
	Ord     prog.Ordering
	Ord2    prog.Ordering // CAS failure ordering
	Weak    bool          // compare_exchange_weak
	Ctrl    int           // stores only: if rCtrl == CtrlVal { the store }
	CtrlVal uint64
}

// ARMSpec is a generated ARM-shaped program: NumLocs atomic u32 scalar
// locations (named by FlowLocName: X, Y, Z, L), the atomic array A of two
// u32 when a statement uses it, all initially 0, and the threads'
// statements.
type ARMSpec struct {
	NumLocs int
	Threads [][]AOp
}

func (o *AOp) hasResult() bool {
	return o.Kind == ALoad || o.Kind == AFetchAdd || o.Kind == ASwap || o.Kind == ACAS
}

// armGen holds the choices of one generated program.
type armGen struct {
	r     *rand.Rand
	nlocs int
	ops   []AOp
}

// armLoc is a location of a generated program: a scalar, or an element of A.
type armLoc struct {
	arr bool
	i   int
}

var (
	armLoadOrds  = []prog.Ordering{prog.Relaxed, prog.Relaxed, prog.Relaxed, prog.Acquire, prog.Acquire, prog.SeqCst}
	armStoreOrds = []prog.Ordering{prog.Relaxed, prog.Relaxed, prog.Release, prog.Release, prog.SeqCst}
	armRelOrds   = []prog.Ordering{prog.Release, prog.Release, prog.SeqCst}
	armFenceOrds = []prog.Ordering{prog.Acquire, prog.Release, prog.SeqCst, prog.SeqCst, prog.AcqRel}
)

// RandomARM returns a random straight-line program aimed at ARMv8's
// subtle orderings: 2–3 threads, 2–4 scalar locations and a two-element
// atomic array, 2–5 accesses per thread (fences not counted), small
// values. Two programs in three are load-buffering rings.
func RandomARM(r *rand.Rand) *ARMSpec {
	g := &armGen{r: r, nlocs: 2 + r.IntN(3)}
	s := &ARMSpec{NumLocs: g.nlocs}
	nt := 2 + r.IntN(2)
	ring := r.IntN(3) > 0
	// The ring's locations: distinct scalars where there are enough,
	// sometimes an element of A.
	var ringLocs []armLoc
	perm := r.Perm(g.nlocs)
	for t := range nt {
		ringLocs = append(ringLocs, armLoc{i: perm[t%g.nlocs]})
	}
	if r.IntN(4) == 0 {
		ringLocs[r.IntN(nt)] = armLoc{arr: true, i: r.IntN(2)}
	}
	for t := range nt {
		g.ops = nil
		budget := 2 + r.IntN(4)
		if nt == 3 && budget > 4 {
			budget = 4
		}
		if ring {
			g.load(ringLocs[t])
			budget -= 2 // the first load and the last store
		}
		for budget > 0 {
			budget -= g.motif(budget)
		}
		if ring {
			o := g.op(AStore, ringLocs[(t+1)%nt], pick(r, armStoreOrds))
			o.Val = 1 + uint64(r.IntN(2))
			if r.IntN(3) > 0 {
				o.Data, o.Val = g.reg(), uint64(r.IntN(2))
			}
			if r.IntN(12) == 0 {
				o.Ctrl, o.CtrlVal = g.reg(), uint64(r.IntN(3))
			}
			g.add(o)
		}
		s.Threads = append(s.Threads, g.ops)
	}
	return s
}

func (g *armGen) loc() armLoc {
	if g.r.IntN(5) == 0 {
		return armLoc{arr: true, i: g.r.IntN(2)}
	}
	return armLoc{i: g.r.IntN(g.nlocs)}
}

// reg picks an earlier statement with a result, the latest more often
// (-1: none yet).
func (g *armGen) reg() int {
	var rs []int
	for i := range g.ops {
		if g.ops[i].hasResult() {
			rs = append(rs, i)
		}
	}
	if len(rs) == 0 {
		return -1
	}
	if g.r.IntN(2) == 0 {
		return rs[len(rs)-1]
	}
	return rs[g.r.IntN(len(rs))]
}

// add appends a statement whose references are given explicitly (-1:
// none); it returns the statement's index.
func (g *armGen) add(o AOp) int {
	g.ops = append(g.ops, o)
	return len(g.ops) - 1
}

func (g *armGen) op(k AKind, l armLoc, ord prog.Ordering) AOp {
	return AOp{Kind: k, Arr: l.arr, Loc: l.i, Addr: -1, Data: -1, ExpData: -1, Ctrl: -1, Ord: ord}
}

func (g *armGen) load(l armLoc) int { return g.add(g.op(ALoad, l, pick(g.r, armLoadOrds))) }

// store appends a store of a small constant or, half the time when there
// is one, of a value read earlier (plus 0 or 1).
func (g *armGen) store(l armLoc, ord prog.Ordering) int {
	o := g.op(AStore, l, ord)
	o.Val = 1 + uint64(g.r.IntN(2))
	if d := g.reg(); d >= 0 && g.r.IntN(2) == 0 {
		o.Data, o.Val = d, uint64(g.r.IntN(2))
	}
	return g.add(o)
}

// addrLoc is A[(rD & 1) as usize] for an earlier result rD, reading one
// first when there is none.
func (g *armGen) addrLoc() (AOp, int) {
	d := g.reg()
	used := 0
	if d < 0 {
		d = g.load(g.loc())
		used = 1
	}
	o := g.op(ALoad, armLoc{arr: true}, prog.Relaxed)
	o.Addr = d
	return o, used
}

// motif appends a few statements of one of the shapes the generator
// favours, using at most budget accesses (at least one); it returns the
// accesses used.
func (g *armGen) motif(budget int) int {
	r := g.r
	x := r.IntN(100)
	switch {
	case x < 18 && budget >= 2: // data dependency: a load feeding a store
		a := g.load(g.loc())
		o := g.op(AStore, g.loc(), pick(r, armStoreOrds))
		o.Data, o.Val = a, uint64(r.IntN(2))
		g.add(o)
		return 2
	case x < 32: // a load or store whose address depends on a load
		o, used := g.addrLoc()
		if used+1 > budget {
			return used
		}
		if r.IntN(2) == 0 {
			o.Kind, o.Ord = AStore, pick(r, armStoreOrds)
			o.Val = 1 + uint64(r.IntN(2))
			if d := g.reg(); d >= 0 && r.IntN(3) == 0 {
				o.Data, o.Val = d, 0
			}
		} else {
			o.Ord = pick(r, armLoadOrds)
		}
		g.add(o)
		return used + 1
	case x < 46 && budget >= 2: // a store read back, then maybe passed on
		l := g.loc()
		ord := pick(r, armStoreOrds)
		if r.IntN(2) == 0 {
			ord = pick(r, armRelOrds)
		}
		if r.IntN(4) == 0 { // the store is a read-modify-write
			o := g.op(AFetchAdd, l, ord)
			if r.IntN(2) == 0 {
				o.Kind = ASwap
			}
			if ord == prog.Release && r.IntN(2) == 0 {
				o.Ord = prog.AcqRel
			}
			o.Val = 1 + uint64(r.IntN(2))
			g.add(o)
		} else {
			g.store(l, ord)
		}
		rd := g.load(l)
		if budget >= 3 && r.IntN(2) == 0 {
			o := g.op(AStore, g.loc(), pick(r, armStoreOrds))
			o.Data, o.Val = rd, uint64(r.IntN(2))
			g.add(o)
			return 3
		}
		return 2
	case x < 56 && budget >= 2: // a release store, then another store to the same location
		l := g.loc()
		g.store(l, pick(r, armRelOrds))
		o := g.op(AStore, l, prog.Relaxed)
		if r.IntN(4) == 0 {
			o.Ord = pick(r, armStoreOrds)
		}
		o.Val = 1 + uint64(r.IntN(3))
		g.add(o)
		return 2
	case x < 70: // a read-modify-write, its address sometimes dependent
		l, addr, used := g.loc(), -1, 0
		if r.IntN(5) == 0 {
			a, u := g.addrLoc()
			if u+1 > budget {
				return u
			}
			l, addr, used = armLoc{arr: true}, a.Addr, u
		}
		o := g.op(AFetchAdd, l, pick(r, rmwOrds))
		o.Val = 1 + uint64(r.IntN(2))
		switch y := r.IntN(10); {
		case y < 3:
			o.Kind = ASwap
		case y < 7:
			o.Kind, o.Ord2 = ACAS, pick(r, failOrds)
			o.Exp, o.Val = uint64(r.IntN(3)), 1+uint64(r.IntN(3))
			o.Weak = r.IntN(4) == 0
			if d := g.reg(); d >= 0 && r.IntN(3) == 0 {
				o.ExpData = d
			}
		}
		if d := g.reg(); d >= 0 && r.IntN(6) == 0 {
			o.Data, o.Val = d, 0 // data into a read-modify-write
		}
		o.Addr = addr
		g.add(o)
		return used + 1
	case x < 80: // a fence, between two accesses
		g.load(g.loc())
		g.add(AOp{Kind: AFence, Addr: -1, Data: -1, ExpData: -1, Ctrl: -1, Ord: pick(r, armFenceOrds)})
		return 1
	case x < 86 && g.reg() >= 0: // a store under a branch (control dependency)
		o := g.op(AStore, g.loc(), pick(r, armStoreOrds))
		o.Val = 1 + uint64(r.IntN(2))
		o.Ctrl, o.CtrlVal = g.reg(), uint64(r.IntN(3))
		g.add(o)
		return 1
	case x < 93:
		g.load(g.loc())
		return 1
	}
	g.store(g.loc(), pick(r, armStoreOrds))
	return 1
}

// Source prints the program in the Rust-style language.
func (s *ARMSpec) Source() string {
	var b strings.Builder
	b.WriteString("use std::sync::atomic::{AtomicU32, Ordering, fence};\n")
	for i := range s.NumLocs {
		fmt.Fprintf(&b, "static %s: AtomicU32 = AtomicU32::new(0);\n", FlowLocName(i))
	}
	if s.usesArray() {
		b.WriteString("static A: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];\n")
	}
	for t, th := range s.Threads {
		fmt.Fprintf(&b, "thread t%d {\n", t)
		for i := range th {
			b.WriteString("    ")
			b.WriteString(th[i].source(i))
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func (s *ARMSpec) String() string { return s.Source() }

// source prints statement i.
func (o *AOp) source(i int) string {
	x := FlowLocName(o.Loc)
	switch {
	case o.Arr && o.Addr >= 0:
		x = fmt.Sprintf("A[(r%d & 1) as usize]", o.Addr)
	case o.Arr:
		x = fmt.Sprintf("A[%d]", o.Loc)
	}
	val := func() string {
		switch {
		case o.Data < 0:
			return fmt.Sprint(o.Val)
		case o.Val == 0:
			return fmt.Sprintf("r%d", o.Data)
		}
		return fmt.Sprintf("r%d + %d", o.Data, o.Val)
	}
	var st string
	switch o.Kind {
	case ALoad:
		st = fmt.Sprintf("let r%d = %s.load(%s);", i, x, ord(o.Ord))
	case AStore:
		st = fmt.Sprintf("%s.store(%s, %s);", x, val(), ord(o.Ord))
	case AFetchAdd:
		st = fmt.Sprintf("let r%d = %s.fetch_add(%s, %s);", i, x, val(), ord(o.Ord))
	case ASwap:
		st = fmt.Sprintf("let r%d = %s.swap(%s, %s);", i, x, val(), ord(o.Ord))
	case ACAS:
		cas := "compare_exchange"
		if o.Weak {
			cas = "compare_exchange_weak"
		}
		exp := fmt.Sprint(o.Exp)
		if o.ExpData >= 0 {
			exp = fmt.Sprintf("r%d", o.ExpData)
		}
		st = fmt.Sprintf("let r%d = match %s.%s(%s, %s, %s, %s) { Ok(v) => v, Err(v) => v + 10 };",
			i, x, cas, exp, val(), ord(o.Ord), ord(o.Ord2))
	case AFence:
		st = fmt.Sprintf("fence(%s);", ord(o.Ord))
	}
	if o.Ctrl >= 0 {
		st = fmt.Sprintf("if r%d == %d { %s }", o.Ctrl, o.CtrlVal, st)
	}
	return st
}

// Build compiles the program with the front end.
func (s *ARMSpec) Build() (*prog.Program, error) {
	return rustlit.Parse("random.litmus", []byte(s.Source()), rustlit.Options{})
}

// Clone returns a deep copy of s.
func (s *ARMSpec) Clone() *ARMSpec {
	c := &ARMSpec{NumLocs: s.NumLocs}
	for _, th := range s.Threads {
		c.Threads = append(c.Threads, append([]AOp(nil), th...))
	}
	return c
}

func (s *ARMSpec) usesArray() bool {
	for _, th := range s.Threads {
		for _, o := range th {
			if o.Arr && o.Kind != AFence {
				return true
			}
		}
	}
	return false
}

func (s *ARMSpec) usesLoc(l int) bool {
	for _, th := range s.Threads {
		for _, o := range th {
			if !o.Arr && o.Kind != AFence && o.Loc == l {
				return true
			}
		}
	}
	return false
}

// ShrinkARM greedily simplifies s while fails keeps reporting true: it
// drops threads and statements (what referred to a dropped result uses a
// constant instead), drops dependencies and branches, makes orderings
// Relaxed (fences Acquire or Release), read-modify-writes loads, weak
// compare-exchanges strong and constants 0 or 1, and finally drops
// unused locations, taking the first simplification that still fails,
// until none does. s itself must fail.
func ShrinkARM(s *ARMSpec, fails func(*ARMSpec) bool) *ARMSpec {
	cur := s.Clone()
	for {
		next := (*ARMSpec)(nil)
		for _, c := range armSimplifications(cur) {
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

// dropOp removes statement i of thread t: references to it become none
// (a constant value, element 0, no branch), later ones are renumbered.
func (s *ARMSpec) dropOp(t, i int) {
	th := append(s.Threads[t][:i:i], s.Threads[t][i+1:]...)
	ref := func(x int) int {
		switch {
		case x == i:
			return -1
		case x > i:
			return x - 1
		}
		return x
	}
	for j := range th {
		o := &th[j]
		if o.Addr == i {
			o.Loc = 0
		}
		if o.Data == i && o.Val == 0 {
			o.Val = 1
		}
		o.Addr, o.Data, o.ExpData, o.Ctrl = ref(o.Addr), ref(o.Data), ref(o.ExpData), ref(o.Ctrl)
	}
	s.Threads[t] = th
}

// armSimplifications lists the programs one step simpler than s, the
// biggest steps first.
func armSimplifications(s *ARMSpec) []*ARMSpec {
	var out []*ARMSpec
	if len(s.Threads) > 1 {
		for t := range s.Threads {
			c := s.Clone()
			c.Threads = append(c.Threads[:t], c.Threads[t+1:]...)
			out = append(out, c)
		}
	}
	for t := range s.Threads {
		if len(s.Threads[t]) < 2 {
			continue
		}
		for i := range s.Threads[t] {
			c := s.Clone()
			c.dropOp(t, i)
			out = append(out, c)
		}
	}
	for t := range s.Threads {
		for i, o := range s.Threads[t] {
			var ws []AOp
			with := func(f func(w *AOp)) {
				w := o
				f(&w)
				ws = append(ws, w)
			}
			if o.Ctrl >= 0 {
				with(func(w *AOp) { w.Ctrl = -1 })
			}
			if o.Data >= 0 {
				with(func(w *AOp) { w.Data, w.Val = -1, max(w.Val, 1) })
			}
			if o.ExpData >= 0 {
				with(func(w *AOp) { w.ExpData, w.Exp = -1, 0 })
			}
			if o.Addr >= 0 {
				with(func(w *AOp) { w.Addr, w.Loc = -1, 0 })
				with(func(w *AOp) { w.Addr, w.Loc = -1, 1 })
			}
			if o.Kind == AFetchAdd || o.Kind == ASwap || o.Kind == ACAS {
				with(func(w *AOp) { w.Kind, w.Ord = ALoad, prog.Relaxed })
			}
			if o.Kind == AFence {
				for _, f := range []prog.Ordering{prog.Acquire, prog.Release, prog.AcqRel} {
					if o.Ord != f && (o.Ord == prog.SeqCst || o.Ord == prog.AcqRel) {
						with(func(w *AOp) { w.Ord = f })
					}
				}
			} else if o.Ord != prog.Relaxed {
				with(func(w *AOp) { w.Ord = prog.Relaxed })
			}
			if o.Kind == ACAS && o.Ord2 != prog.Relaxed {
				with(func(w *AOp) { w.Ord2 = prog.Relaxed })
			}
			if o.Weak {
				with(func(w *AOp) { w.Weak = false })
			}
			for _, v := range []uint64{0, 1} {
				if o.Val > v && (o.Data >= 0 || o.Kind == ACAS || v > 0) {
					with(func(w *AOp) { w.Val = v })
				}
				if o.Kind == ACAS && o.ExpData < 0 && o.Exp > v {
					with(func(w *AOp) { w.Exp = v })
				}
			}
			for _, w := range ws {
				c := s.Clone()
				c.Threads[t][i] = w
				out = append(out, c)
			}
		}
	}
	// Unused scalar locations: the later ones move down.
	for l := range s.NumLocs {
		if s.NumLocs > 1 && !s.usesLoc(l) {
			c := s.Clone()
			for _, th := range c.Threads {
				for j := range th {
					if !th[j].Arr && th[j].Kind != AFence && th[j].Loc > l {
						th[j].Loc--
					}
				}
			}
			c.NumLocs--
			out = append(out, c)
			break
		}
	}
	return out
}

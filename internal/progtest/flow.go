package progtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"happens/frontend/rustlit"
	"happens/prog"
)

// This file generates random programs with control flow, written as
// Rust-style source and compiled by the front end: branches on values
// read, counted loops, spin loops on flags, spinlocks (strong and weak
// compare_exchange, test-and-test-and-set, swap), compare_exchange retry
// loops in the standard library documentation's style, work-claiming
// loops, assertions and assumptions. Programs stay small so that both the
// explorer and the state-space reference (SCReach) are fast.

// FKind is the kind of a statement of a flow program.
type FKind uint8

const (
	FLoad    FKind = iota // aD = X.load(Ord);
	FStore                // X.store(Val, Ord);
	FRMW                  // aD = X.RMW(Val, Ord);
	FCAS                  // match X.compare_exchange[_weak](Exp, Val, Ord, Ord2) { Ok(v) => aD = v, Err(v) => aD = v + 10 }
	FFence                // fence(Ord);
	FNALoad               // unsafe { aD = D; }
	FNAStore              // unsafe { D = Val; }
	FIf                   // if aS Cmp Val { Body } else { Else }
	FFor                  // for iN in 0..Val { Body }
	FLoop                 // loop { Body; if aS Cmp Val { break; } }
	FBreakIf              // if aS Cmp Val { break; } (inside a loop)
	FSpin                 // while X.load(Ord) Cmp Val { [std::hint::spin_loop();] }
	FAwait                // loop { aD = X.load(Ord); if aD Cmp Val { break; } }
	FLock                 // acquire the spinlock X (Sub: the kind of lock)
	FUnlock               // X.store(0, Ord);
	FCrit                 // FLock; Body; FUnlock (Weak: the unlock is forgotten)
	FCASLoop              // aD = X.load(Ord2); loop { match X.compare_exchange[_weak](aD, aD + Val, ..) { Ok(_) => break, Err(x) => aD = x } }
	FClaim                // loop { aD = X.fetch_add(1, Ord); if aD >= Val { break; } Body }
	FAssert               // assert!(aS Cmp Val [|| aS2 Cmp2 Val2]);
	FAssume               // assume!(aS Cmp Val);
)

// Spinlock kinds (FStmt.Sub of FLock and FCrit).
const (
	LockCAS     = iota // while X.compare_exchange(0, 1, ..).is_err() {}
	LockCASWeak        // the same with compare_exchange_weak
	LockTTAS           // loop { while X.load(Relaxed) != 0 {} if X.compare_exchange_weak(0, 1, ..).is_ok() { break; } }
	LockSwap           // while X.swap(1, Acquire) != 0 {}
	numLockKinds
)

// FStmt is one statement of a flow program.
type FStmt struct {
	Kind      FKind
	Loc       int
	Dst       int // local written (aDst)
	Src, Src2 int // locals compared (Src2 < 0: no second comparison)
	Val, Exp  uint64
	Val2      uint64
	Cmp, Cmp2 string
	Ord, Ord2 prog.Ordering
	Weak      bool
	RMW       prog.RMWOp
	Sub       int
	Body      []FStmt
	Else      []FStmt
}

// FlowSpec is a generated program with control flow: atomic u32
// locations (named by FlowLocName) with initial values, and the threads'
// statements. Threads' locals a0, a1, ... are declared at the top of each
// thread, so they are all exported.
type FlowSpec struct {
	Init    []uint64
	Threads [][]FStmt
}

var flowLocNames = []string{"X", "Y", "Z", "L", "M"}

// FlowLocName names location i.
func FlowLocName(i int) string {
	if i < len(flowLocNames) {
		return flowLocNames[i]
	}
	return fmt.Sprintf("V%d", i)
}

// flowGen holds the choices of one generated program.
type flowGen struct {
	r      *rand.Rand
	nlocs  int
	locks  []int // lock locations (may be empty)
	data   []int // other locations
	w      map[FKind]int
	budget int // accesses left for the current thread
	locals int // locals allocated in the current thread
	loopID int
}

// Profiles of statement weights: each program draws one, so that some
// programs are mostly locks, some mostly flags, some mostly counters.
var flowProfiles = []map[FKind]int{
	{ // mixed
		FLoad: 10, FStore: 10, FRMW: 5, FCAS: 5, FFence: 2, FIf: 6, FFor: 3, FLoop: 1, FSpin: 5, FAwait: 3,
		FLock: 1, FUnlock: 1, FCrit: 3, FCASLoop: 3, FClaim: 2, FAssert: 4, FAssume: 1, FNALoad: 2, FNAStore: 2,
	},
	{ // locks
		FLoad: 3, FStore: 3, FRMW: 2, FCrit: 12, FLock: 2, FUnlock: 2, FIf: 3, FAssert: 3, FNALoad: 4, FNAStore: 4, FSpin: 2,
	},
	{ // flags: spin waits, set and reset
		FLoad: 6, FStore: 12, FSpin: 10, FAwait: 5, FIf: 5, FAssert: 5, FNALoad: 3, FNAStore: 3, FFence: 1, FRMW: 2,
	},
	{ // counters: retry loops, claims, waits for a count
		FLoad: 4, FStore: 2, FRMW: 6, FCAS: 5, FCASLoop: 10, FClaim: 6, FSpin: 4, FAwait: 4, FIf: 3, FAssert: 5, FFor: 3,
	},
}

// RandomFlow returns a random program with control flow: 2–3 threads
// (sometimes 4), 1–3 data locations and, in some programs, 1–2 lock
// locations, a few statements per thread nested at most two deep.
func RandomFlow(r *rand.Rand) *FlowSpec {
	return randomFlow(r, flowProfiles[r.IntN(len(flowProfiles))], true)
}

// branchProfile has branches, counted loops (plain jumps once compiled),
// assertions and assumptions, but no loop that could spin or retry.
var branchProfile = map[FKind]int{
	FLoad: 10, FStore: 10, FRMW: 5, FCAS: 6, FFence: 2, FIf: 8, FFor: 3, FAssert: 4, FAssume: 2, FNALoad: 2, FNAStore: 2,
}

// RandomBranching returns a random program with branches, counted loops
// and assertions but no spin or retry loop, for SCBranchExecutions.
func RandomBranching(r *rand.Rand) *FlowSpec {
	return randomFlow(r, branchProfile, false)
}

func randomFlow(r *rand.Rand, w map[FKind]int, scenarios bool) *FlowSpec {
	g := &flowGen{r: r, w: w}
	ndata := 1 + r.IntN(3)
	nlocks := 0
	if g.w[FCrit] > 0 && r.IntN(3) > 0 || r.IntN(4) == 0 {
		nlocks = 1 + r.IntN(2)
	}
	s := &FlowSpec{}
	for i := range ndata {
		g.data = append(g.data, i)
		init := uint64(0)
		if r.IntN(6) == 0 {
			init = uint64(1 + r.IntN(2))
		}
		s.Init = append(s.Init, init)
	}
	for i := range nlocks {
		g.locks = append(g.locks, 3+i)
	}
	// Lock locations are L and M (indices 3, 4): pad with unused data
	// locations so names stay stable.
	if nlocks > 0 {
		for len(s.Init) < 3+nlocks {
			s.Init = append(s.Init, 0)
		}
	}
	g.nlocs = len(s.Init)
	nt := 2 + r.IntN(2)
	if r.IntN(6) == 0 {
		nt = 4
	}
	scenario := scenarios && nt < 4 && r.IntN(2) == 0
	for range nt {
		g.budget = 3 + r.IntN(5)
		if nt == 4 || scenario {
			g.budget = 1 + r.IntN(4)
		}
		g.locals = 0
		var th []FStmt
		for n := 1 + r.IntN(3); n > 0 && g.budget > 0; n-- {
			th = append(th, g.stmts(0, false)...)
		}
		s.Threads = append(s.Threads, th)
	}
	if scenario {
		g.scenario(s)
	}
	return s
}

// insert puts statements into thread t at a random top-level position
// (first: at its start, last: at its end).
func (g *flowGen) insert(s *FlowSpec, t int, ss []FStmt, where string) {
	th := s.Threads[t]
	i := g.r.IntN(len(th) + 1)
	switch where {
	case "first":
		i = 0
	case "last":
		i = len(th)
	}
	out := append([]FStmt(nil), th[:i]...)
	out = append(out, ss...)
	s.Threads[t] = append(out, th[i:]...)
}

// ensureLocks makes sure the lock locations L and M exist.
func (g *flowGen) ensureLocks(s *FlowSpec) {
	for len(s.Init) < 5 {
		s.Init = append(s.Init, 0)
	}
}

// lockKind is a spinlock kind, swap locks (which wait with writes) rarely.
func (g *flowGen) lockKind() int {
	if g.r.IntN(6) == 0 {
		return LockSwap
	}
	return g.r.IntN(LockSwap)
}

// scenario adds one of the patterns that make control flow matter to a
// random program: nested locks in random orders (deadlocks), a flag set
// (and perhaps reset: a lost wake-up) with data handed over and checked,
// workers counting and signalling a waiter that checks the count, or a
// lock handed between threads without being released.
func (g *flowGen) scenario(s *FlowSpec) {
	r := g.r
	nt := len(s.Threads)
	threads := r.Perm(nt)
	switch r.IntN(4) {
	case 0: // nested critical sections over L and M in random orders
		g.ensureLocks(s)
		for _, t := range threads[:2+r.IntN(nt-1)/2] {
			a, b := 3, 4
			if r.IntN(2) == 0 {
				a, b = b, a
			}
			var body []FStmt
			switch r.IntN(3) {
			case 0:
				body = []FStmt{{Kind: FNALoad, Dst: numLocals(s.Threads[t]), Src2: -1}, {Kind: FNAStore, Val: uint64(1 + t), Src2: -1}}
			case 1:
				body = []FStmt{{Kind: FRMW, Loc: 0, RMW: prog.RMWAdd, Val: 1, Dst: numLocals(s.Threads[t]), Src2: -1}}
			}
			inner := FStmt{Kind: FCrit, Loc: b, Sub: g.lockKind(), Ord: prog.Acquire, Ord2: prog.Relaxed, Val2: uint64(prog.Release), Body: body, Src2: -1}
			outer := FStmt{Kind: FCrit, Loc: a, Sub: g.lockKind(), Ord: prog.Acquire, Ord2: prog.Relaxed, Val2: uint64(prog.Release), Src2: -1,
				Body: []FStmt{inner}}
			if r.IntN(4) == 0 {
				// Not nested: one after the other.
				outer.Body = body
				g.insert(s, t, []FStmt{outer, inner}, "")
				continue
			}
			g.insert(s, t, []FStmt{outer}, "")
		}
	case 1: // a flag set, perhaps reset, and a waiter that checks data
		f, x := g.dataLoc(), g.dataLoc()
		setter, waiter := threads[0], threads[1]
		v := uint64(1 + r.IntN(2))
		set := []FStmt{
			{Kind: FStore, Loc: x, Val: v, Ord: pick(r, storeOrds), Src2: -1},
			{Kind: FStore, Loc: f, Val: 1, Ord: pick(r, storeOrds), Src2: -1},
		}
		if r.IntN(2) == 0 {
			set = append(set, FStmt{Kind: FStore, Loc: f, Val: 0, Ord: pick(r, storeOrds), Src2: -1})
		}
		g.insert(s, setter, set, "")
		a := numLocals(s.Threads[waiter])
		wait := FStmt{Kind: FSpin, Loc: f, Cmp: "==", Val: 0, Ord: pick(r, loadOrds), Src2: -1}
		if r.IntN(2) == 0 {
			wait = FStmt{Kind: FAwait, Loc: f, Cmp: "!=", Val: 0, Ord: pick(r, loadOrds), Dst: a, Src2: -1}
			a++
		}
		g.insert(s, waiter, []FStmt{wait,
			{Kind: FLoad, Loc: x, Ord: pick(r, loadOrds), Dst: a, Src2: -1},
			{Kind: FAssert, Src: a, Cmp: "==", Val: v, Src2: -1}}, "")
	case 2: // workers count, then signal; a waiter checks the count
		c, d := g.dataLoc(), g.dataLoc()
		n := 1 + r.IntN(nt-1)
		for _, t := range threads[:n] {
			a := numLocals(s.Threads[t])
			var work FStmt
			switch r.IntN(3) {
			case 0:
				work = FStmt{Kind: FCASLoop, Loc: c, Val: 1, Ord: pick(r, rmwOrds), Ord2: pick(r, failOrds), Weak: r.IntN(2) == 0, Dst: a, Src2: -1}
			case 1:
				work = FStmt{Kind: FClaim, Loc: c, Val: uint64(1 + r.IntN(2)), Ord: pick(r, rmwOrds), Dst: a, Src2: -1}
			default:
				work = FStmt{Kind: FRMW, Loc: c, RMW: prog.RMWAdd, Val: 1, Ord: pick(r, rmwOrds), Dst: a, Src2: -1}
			}
			g.insert(s, t, []FStmt{work, {Kind: FRMW, Loc: d, RMW: prog.RMWAdd, Val: 1, Ord: pick(r, rmwOrds), Dst: a + 1, Src2: -1}}, "")
		}
		w := threads[nt-1]
		a := numLocals(s.Threads[w])
		g.insert(s, w, []FStmt{
			{Kind: FSpin, Loc: d, Cmp: "!=", Val: uint64(n), Ord: pick(r, loadOrds), Src2: -1},
			{Kind: FLoad, Loc: c, Ord: pick(r, loadOrds), Dst: a, Src2: -1},
			{Kind: FAssert, Src: a, Cmp: "==", Val: uint64(n), Src2: -1}}, "last")
	case 3: // a lock taken by one thread and released by another, or never
		g.ensureLocks(s)
		l := 3 + r.IntN(2)
		g.insert(s, threads[0], []FStmt{{Kind: FLock, Loc: l, Sub: g.lockKind(), Ord: prog.Acquire, Ord2: prog.Relaxed, Src2: -1}}, "")
		if r.IntN(3) > 0 {
			g.insert(s, threads[1], []FStmt{{Kind: FUnlock, Loc: l, Ord: prog.Release, Src2: -1}}, "")
		}
		g.insert(s, threads[1], []FStmt{{Kind: FLock, Loc: l, Sub: g.lockKind(), Ord: prog.Acquire, Ord2: prog.Relaxed, Src2: -1}}, "")
	}
}

func (g *flowGen) pickKind(depth int, inLoop bool) FKind {
	total := 0
	ok := func(k FKind) bool {
		switch k {
		case FIf, FFor, FLoop, FCrit, FClaim:
			return depth < 2 && g.budget >= 2
		case FBreakIf:
			return inLoop
		case FAssert, FAssume:
			return g.locals > 0
		case FCASLoop, FLock:
			return g.budget >= 2
		}
		return true
	}
	kinds := []FKind{}
	for k := FLoad; k <= FAssume; k++ {
		wt := g.w[k]
		if k == FBreakIf && inLoop {
			wt = 4
		}
		if wt > 0 && ok(k) {
			total += wt
			kinds = append(kinds, k)
		}
	}
	x := g.r.IntN(total)
	for _, k := range kinds {
		wt := g.w[k]
		if k == FBreakIf && inLoop {
			wt = 4
		}
		if x < wt {
			return k
		}
		x -= wt
	}
	return FLoad
}

func (g *flowGen) dataLoc() int { return g.data[g.r.IntN(len(g.data))] }

func (g *flowGen) lockLoc() int {
	if len(g.locks) == 0 {
		return g.dataLoc()
	}
	return g.locks[g.r.IntN(len(g.locks))]
}

// anyLoc is usually a data location, sometimes a lock.
func (g *flowGen) anyLoc() int {
	if len(g.locks) > 0 && g.r.IntN(5) == 0 {
		return g.lockLoc()
	}
	return g.dataLoc()
}

func (g *flowGen) newLocal() int {
	g.locals++
	return g.locals - 1
}

// oldLocal picks a local assigned earlier (the most recent ones more often).
func (g *flowGen) oldLocal() int {
	if g.r.IntN(2) == 0 {
		return g.locals - 1
	}
	return g.r.IntN(g.locals)
}

func (g *flowGen) val() uint64 { return uint64(g.r.IntN(3)) }

func (g *flowGen) cmp() string {
	if g.r.IntN(2) == 0 {
		return "=="
	}
	return "!="
}

func (g *flowGen) block(depth int, inLoop bool, max int) []FStmt {
	var out []FStmt
	for n := 1 + g.r.IntN(max); n > 0 && g.budget > 0; n-- {
		out = append(out, g.stmts(depth, inLoop)...)
	}
	return out
}

// stmts is one random statement, preceded by a load when it tests a
// value and the thread has read none yet.
func (g *flowGen) stmts(depth int, inLoop bool) []FStmt {
	k := g.pickKind(depth, inLoop)
	var pre []FStmt
	switch k {
	case FIf, FLoop, FBreakIf:
		if g.locals == 0 || g.r.IntN(3) == 0 {
			g.budget--
			pre = append(pre, FStmt{Kind: FLoad, Loc: g.anyLoc(), Ord: pick(g.r, loadOrds), Dst: g.newLocal(), Src2: -1})
		}
	}
	return append(pre, g.stmt(k, depth, inLoop))
}

func (g *flowGen) stmt(k FKind, depth int, inLoop bool) FStmt {
	r := g.r
	s := FStmt{Kind: k, Src2: -1}
	switch k {
	case FLoad:
		g.budget--
		s.Loc, s.Ord, s.Dst = g.anyLoc(), pick(r, loadOrds), g.newLocal()
	case FStore:
		g.budget--
		s.Loc, s.Ord, s.Val = g.anyLoc(), pick(r, storeOrds), g.val()
		if r.IntN(2) == 0 {
			s.Val = 1
		}
	case FRMW:
		g.budget--
		s.Loc, s.Ord, s.Dst = g.dataLoc(), pick(r, rmwOrds), g.newLocal()
		s.RMW = []prog.RMWOp{prog.RMWAdd, prog.RMWAdd, prog.RMWSub, prog.RMWSwap, prog.RMWSwap, prog.RMWOr, prog.RMWMax}[r.IntN(7)]
		s.Val = 1 + uint64(r.IntN(2))
		if s.RMW == prog.RMWSwap {
			s.Val = g.val()
		}
	case FCAS:
		g.budget--
		s.Loc, s.Ord, s.Ord2, s.Dst = g.anyLoc(), pick(r, rmwOrds), pick(r, failOrds), g.newLocal()
		s.Exp, s.Val, s.Weak = g.val(), g.val(), r.IntN(2) == 0
	case FFence:
		s.Ord = pick(r, fenceOrds)
	case FNALoad:
		g.budget--
		s.Dst = g.newLocal()
	case FNAStore:
		g.budget--
		s.Val = 1 + uint64(r.IntN(2))
	case FIf:
		s.Src, s.Cmp, s.Val = g.condLocal(), g.cmp(), g.val()
		s.Body = g.block(depth+1, inLoop, 2)
		if r.IntN(2) == 0 && g.budget > 0 {
			s.Else = g.block(depth+1, inLoop, 2)
		}
	case FFor:
		s.Val = 1 + uint64(r.IntN(2))
		s.Sub = g.loopID
		g.loopID++
		s.Body = g.block(depth+1, true, 2)
	case FLoop:
		s.Body = g.block(depth+1, true, 2)
		s.Src, s.Cmp, s.Val = g.condLocal(), g.cmp(), g.val()
	case FBreakIf:
		s.Src, s.Cmp, s.Val = g.condLocal(), g.cmp(), g.val()
	case FSpin:
		g.budget--
		s.Loc, s.Ord = g.anyLoc(), pick(r, loadOrds)
		s.Cmp, s.Val = "==", 0
		if r.IntN(3) == 0 {
			s.Cmp, s.Val = "!=", 1+uint64(r.IntN(2))
		}
		s.Sub = r.IntN(2) // 1: spin_loop() in the body
	case FAwait:
		g.budget--
		s.Loc, s.Ord, s.Dst = g.anyLoc(), pick(r, loadOrds), g.newLocal()
		s.Cmp, s.Val = "!=", 0
		if r.IntN(3) == 0 {
			s.Cmp, s.Val = "==", 1+uint64(r.IntN(2))
		}
	case FLock, FCrit:
		g.budget -= 2
		s.Loc, s.Sub = g.lockLoc(), r.IntN(numLockKinds)
		if s.Sub == LockSwap && r.IntN(2) == 0 {
			s.Sub = r.IntN(LockSwap) // swap locks wait with writes: rarer
		}
		s.Ord, s.Ord2 = []prog.Ordering{prog.Acquire, prog.AcqRel, prog.SeqCst}[r.IntN(3)], pick(r, failOrds)
		if k == FCrit {
			s.Body = g.block(depth+1, inLoop, 2)
			s.Weak = r.IntN(10) == 0 // forget to unlock
			s.Val2 = uint64(pick(r, storeOrds))
		}
	case FUnlock:
		g.budget--
		s.Loc, s.Ord = g.lockLoc(), pick(r, storeOrds)
	case FCASLoop:
		g.budget -= 2
		s.Loc, s.Ord, s.Ord2, s.Dst = g.dataLoc(), pick(r, rmwOrds), pick(r, failOrds), g.newLocal()
		s.Val, s.Weak = 1+uint64(r.IntN(2)), r.IntN(3) > 0
	case FClaim:
		g.budget -= 2
		s.Loc, s.Ord, s.Dst = g.dataLoc(), pick(r, rmwOrds), g.newLocal()
		s.Val = 1 + uint64(r.IntN(2))
		if g.budget > 0 && r.IntN(2) == 0 {
			s.Body = g.block(depth+1, true, 1)
		}
	case FAssert:
		s.Src, s.Cmp, s.Val = g.oldLocal(), g.cmp(), g.val()
		if r.IntN(3) == 0 {
			s.Src2, s.Cmp2, s.Val2 = g.oldLocal(), g.cmp(), g.val()
		}
	case FAssume:
		s.Src, s.Cmp, s.Val = g.oldLocal(), g.cmp(), g.val()
	}
	return s
}

// condLocal is a local for a condition: usually the last one read (stmts
// reads one first when there is none).
func (g *flowGen) condLocal() int {
	if g.locals == 0 {
		return g.newLocal()
	}
	if g.r.IntN(3) > 0 {
		return g.locals - 1
	}
	return g.oldLocal()
}

// NumLocals counts the locals a thread uses.
func numLocals(ss []FStmt) int {
	n := 0
	var walk func([]FStmt)
	walk = func(ss []FStmt) {
		for i := range ss {
			s := &ss[i]
			switch s.Kind {
			case FLoad, FRMW, FCAS, FNALoad, FAwait, FCASLoop, FClaim:
				n = max(n, s.Dst+1)
			case FIf, FLoop, FBreakIf, FAssert, FAssume:
				n = max(n, s.Src+1, s.Src2+1)
			}
			walk(s.Body)
			walk(s.Else)
		}
	}
	walk(ss)
	return n
}

func usesNA(ss []FStmt) bool {
	for i := range ss {
		if ss[i].Kind == FNALoad || ss[i].Kind == FNAStore || usesNA(ss[i].Body) || usesNA(ss[i].Else) {
			return true
		}
	}
	return false
}

// Source prints the program in the Rust-style language.
func (s *FlowSpec) Source() string {
	var b strings.Builder
	b.WriteString("use std::sync::atomic::{AtomicU32, Ordering};\n")
	for i, v := range s.Init {
		fmt.Fprintf(&b, "static %s: AtomicU32 = AtomicU32::new(%d);\n", FlowLocName(i), v)
	}
	na := false
	for _, th := range s.Threads {
		na = na || usesNA(th)
	}
	if na {
		b.WriteString("static mut D: u32 = 0;\n")
	}
	for t, th := range s.Threads {
		fmt.Fprintf(&b, "thread t%d {\n", t)
		for i := range numLocals(th) {
			fmt.Fprintf(&b, "    let mut a%d: u32 = 0;\n", i)
		}
		writeStmts(&b, th, 1)
		b.WriteString("}\n")
	}
	return b.String()
}

func (s *FlowSpec) String() string { return s.Source() }

func ord(o prog.Ordering) string { return "Ordering::" + o.String() }

func writeStmts(b *strings.Builder, ss []FStmt, depth int) {
	for i := range ss {
		writeStmt(b, &ss[i], depth)
	}
}

func writeStmt(b *strings.Builder, s *FStmt, depth int) {
	in := strings.Repeat("    ", depth)
	line := func(format string, args ...any) {
		b.WriteString(in)
		fmt.Fprintf(b, format, args...)
		b.WriteByte('\n')
	}
	x := FlowLocName(s.Loc)
	cas := "compare_exchange"
	if s.Weak {
		cas = "compare_exchange_weak"
	}
	cond := func() string {
		c := fmt.Sprintf("a%d %s %d", s.Src, s.Cmp, s.Val)
		if s.Src2 >= 0 {
			c += fmt.Sprintf(" || a%d %s %d", s.Src2, s.Cmp2, s.Val2)
		}
		return c
	}
	switch s.Kind {
	case FLoad:
		line("a%d = %s.load(%s);", s.Dst, x, ord(s.Ord))
	case FStore:
		line("%s.store(%d, %s);", x, s.Val, ord(s.Ord))
	case FRMW:
		line("a%d = %s.%v(%d, %s);", s.Dst, x, s.RMW, s.Val, ord(s.Ord))
	case FCAS:
		line("match %s.%s(%d, %d, %s, %s) {", x, cas, s.Exp, s.Val, ord(s.Ord), ord(s.Ord2))
		line("    Ok(v) => { a%d = v; }", s.Dst)
		line("    Err(v) => { a%d = v + 10; }", s.Dst)
		line("}")
	case FFence:
		line("fence(%s);", ord(s.Ord))
	case FNALoad:
		line("unsafe { a%d = D; }", s.Dst)
	case FNAStore:
		line("unsafe { D = %d; }", s.Val)
	case FIf:
		line("if %s {", cond())
		writeStmts(b, s.Body, depth+1)
		if len(s.Else) > 0 {
			line("} else {")
			writeStmts(b, s.Else, depth+1)
		}
		line("}")
	case FFor:
		line("for i%d in 0..%d {", s.Sub, s.Val)
		writeStmts(b, s.Body, depth+1)
		line("}")
	case FLoop:
		line("loop {")
		writeStmts(b, s.Body, depth+1)
		line("    if %s {", cond())
		line("        break;")
		line("    }")
		line("}")
	case FBreakIf:
		line("if %s {", cond())
		line("    break;")
		line("}")
	case FSpin:
		if s.Sub == 1 {
			line("while %s.load(%s) %s %d {", x, ord(s.Ord), s.Cmp, s.Val)
			line("    std::hint::spin_loop();")
			line("}")
		} else {
			line("while %s.load(%s) %s %d {}", x, ord(s.Ord), s.Cmp, s.Val)
		}
	case FAwait:
		line("loop {")
		line("    a%d = %s.load(%s);", s.Dst, x, ord(s.Ord))
		line("    if a%d %s %d {", s.Dst, s.Cmp, s.Val)
		line("        break;")
		line("    }")
		line("}")
	case FLock, FCrit:
		switch s.Sub {
		case LockCAS, LockCASWeak:
			c := "compare_exchange"
			if s.Sub == LockCASWeak {
				c = "compare_exchange_weak"
			}
			line("while %s.%s(0, 1, %s, %s).is_err() {}", x, c, ord(s.Ord), ord(s.Ord2))
		case LockTTAS:
			line("loop {")
			line("    while %s.load(Ordering::Relaxed) != 0 {}", x)
			line("    if %s.compare_exchange_weak(0, 1, %s, %s).is_ok() {", x, ord(s.Ord), ord(s.Ord2))
			line("        break;")
			line("    }")
			line("}")
		case LockSwap:
			line("while %s.swap(1, %s) != 0 {}", x, ord(s.Ord))
		}
		if s.Kind == FCrit {
			writeStmts(b, s.Body, depth)
			if !s.Weak {
				line("%s.store(0, %s);", x, ord(prog.Ordering(s.Val2)))
			}
		}
	case FUnlock:
		line("%s.store(0, %s);", x, ord(s.Ord))
	case FCASLoop:
		line("a%d = %s.load(%s);", s.Dst, x, ord(s.Ord2))
		line("loop {")
		line("    match %s.%s(a%d, a%d + %d, %s, %s) {", x, cas, s.Dst, s.Dst, s.Val, ord(s.Ord), ord(s.Ord2))
		line("        Ok(_) => { break; }")
		line("        Err(x) => { a%d = x; }", s.Dst)
		line("    }")
		line("}")
	case FClaim:
		line("loop {")
		line("    a%d = %s.fetch_add(1, %s);", s.Dst, x, ord(s.Ord))
		line("    if a%d >= %d {", s.Dst, s.Val)
		line("        break;")
		line("    }")
		writeStmts(b, s.Body, depth+1)
		line("}")
	case FAssert:
		line("assert!(%s);", cond())
	case FAssume:
		line("assume!(%s);", cond())
	}
}

// Build compiles the program with the front end.
func (s *FlowSpec) Build() (*prog.Program, error) {
	return rustlit.Parse("random.litmus", []byte(s.Source()), rustlit.Options{})
}

// Clone returns a deep copy of s.
func (s *FlowSpec) Clone() *FlowSpec {
	c := &FlowSpec{Init: append([]uint64(nil), s.Init...)}
	for _, th := range s.Threads {
		c.Threads = append(c.Threads, cloneStmts(th))
	}
	return c
}

func cloneStmts(ss []FStmt) []FStmt {
	if ss == nil {
		return nil
	}
	out := make([]FStmt, len(ss))
	for i, s := range ss {
		s.Body = cloneStmts(s.Body)
		s.Else = cloneStmts(s.Else)
		out[i] = s
	}
	return out
}

// ShrinkFlow greedily simplifies s while fails keeps reporting true: it
// drops threads and statements, replaces compound statements by their
// bodies, drops else branches and second conditions, makes orderings
// Relaxed (or the weakest valid), makes weak compare-exchanges strong,
// turns locks into plain compare-exchange locks and constants into 0 or 1,
// taking the first simplification that still fails, until none does. s
// itself must fail.
func ShrinkFlow(s *FlowSpec, fails func(*FlowSpec) bool) *FlowSpec {
	cur := s.Clone()
	for {
		next := (*FlowSpec)(nil)
		for _, c := range flowSimplifications(cur) {
			if fails(c) {
				next = c
				break
			}
		}
		if next == nil {
			if tidy := cur.tidy(); fails(tidy) {
				return tidy
			}
			return cur
		}
		cur = next
	}
}

// tidy drops the locations nothing uses and numbers each thread's locals
// densely in order of first use, for printing.
func (s *FlowSpec) tidy() *FlowSpec {
	c := s.Clone()
	var locs []uint64
	locMap := map[int]int{}
	for l, v := range s.Init {
		if s.usesLoc(l) {
			locMap[l] = len(locs)
			locs = append(locs, v)
		}
	}
	if len(locs) == 0 {
		locs, locMap[0] = s.Init[:1], 0
	}
	c.Init = locs
	for t := range c.Threads {
		localMap := map[int]int{}
		local := func(i int) int {
			if i < 0 {
				return i
			}
			if j, ok := localMap[i]; ok {
				return j
			}
			localMap[i] = len(localMap)
			return localMap[i]
		}
		var walk func([]FStmt)
		walk = func(ss []FStmt) {
			for i := range ss {
				x := &ss[i]
				x.Loc = locMap[x.Loc]
				switch x.Kind {
				case FLoad, FRMW, FCAS, FNALoad, FAwait, FCASLoop, FClaim:
					x.Dst = local(x.Dst)
				case FIf, FLoop, FBreakIf, FAssert, FAssume:
					x.Src, x.Src2 = local(x.Src), local(x.Src2)
				}
				walk(x.Body)
				walk(x.Else)
			}
		}
		walk(c.Threads[t])
	}
	return c
}

// flowSimplifications lists the programs one step simpler than s, the
// biggest steps first.
func flowSimplifications(s *FlowSpec) []*FlowSpec {
	var out []*FlowSpec
	for t := range s.Threads {
		if len(s.Threads) > 1 {
			c := s.Clone()
			c.Threads = append(c.Threads[:t], c.Threads[t+1:]...)
			out = append(out, c)
		}
	}
	// Statement-level edits, as functions of a statement list that return
	// the variants of that list.
	for t := range s.Threads {
		for _, v := range stmtsVariants(s.Threads[t]) {
			c := s.Clone()
			c.Threads[t] = v
			out = append(out, c)
		}
	}
	for i, v := range s.Init {
		if v != 0 {
			c := s.Clone()
			c.Init[i] = 0
			out = append(out, c)
		}
	}
	// Drop the last location when nothing uses it.
	if n := len(s.Init); n > 1 && !s.usesLoc(n-1) {
		c := s.Clone()
		c.Init = c.Init[:n-1]
		out = append(out, c)
	}
	return out
}

func (s *FlowSpec) usesLoc(l int) bool {
	var walk func([]FStmt) bool
	walk = func(ss []FStmt) bool {
		for i := range ss {
			x := &ss[i]
			switch x.Kind {
			case FLoad, FStore, FRMW, FCAS, FSpin, FAwait, FLock, FUnlock, FCrit, FCASLoop, FClaim:
				if x.Loc == l {
					return true
				}
			}
			if walk(x.Body) || walk(x.Else) {
				return true
			}
		}
		return false
	}
	for _, th := range s.Threads {
		if walk(th) {
			return true
		}
	}
	return false
}

// stmtsVariants lists the simplifications of a statement list: a
// statement dropped, replaced by its parts, or simplified in place
// (recursively).
func stmtsVariants(ss []FStmt) [][]FStmt {
	var out [][]FStmt
	splice := func(i int, repl []FStmt) []FStmt {
		c := cloneStmts(ss)
		res := append([]FStmt(nil), c[:i]...)
		res = append(res, cloneStmts(repl)...)
		return append(res, c[i+1:]...)
	}
	for i := range ss {
		out = append(out, splice(i, nil))
	}
	for i := range ss {
		s := &ss[i]
		switch s.Kind {
		case FIf:
			out = append(out, splice(i, s.Body))
			if len(s.Else) > 0 {
				out = append(out, splice(i, s.Else))
			}
		case FFor, FLoop:
			out = append(out, splice(i, s.Body))
		case FCrit:
			lock := *s
			lock.Kind, lock.Body = FLock, nil
			parts := append([]FStmt{lock}, s.Body...)
			if !s.Weak {
				parts = append(parts, FStmt{Kind: FUnlock, Loc: s.Loc, Ord: prog.Ordering(s.Val2), Src2: -1})
			}
			out = append(out, splice(i, parts))
		case FClaim:
			if len(s.Body) > 0 {
				out = append(out, splice(i, s.Body))
			}
		}
	}
	for i := range ss {
		for _, v := range stmtVariants(&ss[i]) {
			out = append(out, splice(i, []FStmt{v}))
		}
	}
	return out
}

// stmtVariants lists one statement's in-place simplifications.
func stmtVariants(s *FStmt) []FStmt {
	var out []FStmt
	with := func(f func(c *FStmt)) {
		c := *s
		c.Body, c.Else = cloneStmts(s.Body), cloneStmts(s.Else)
		f(&c)
		out = append(out, c)
	}
	if len(s.Else) > 0 {
		with(func(c *FStmt) { c.Else = nil })
	}
	for _, v := range stmtsVariants(s.Body) {
		with(func(c *FStmt) { c.Body = v })
	}
	for _, v := range stmtsVariants(s.Else) {
		if len(v) == 0 {
			continue // dropping the last else statement: covered above
		}
		with(func(c *FStmt) { c.Else = v })
	}
	if s.Src2 >= 0 {
		with(func(c *FStmt) { c.Src2 = -1 })
	}
	if s.Weak {
		with(func(c *FStmt) { c.Weak = false })
	}
	if (s.Kind == FLock || s.Kind == FCrit) && s.Sub != LockCAS {
		with(func(c *FStmt) { c.Sub = LockCAS })
	}
	weakest := prog.Relaxed
	switch s.Kind {
	case FFence:
		weakest = prog.Acquire
	case FLock, FCrit:
		weakest = prog.Acquire
	}
	if s.Ord != weakest && s.Kind != FIf && s.Kind != FFor && s.Kind != FLoop && s.Kind != FAssert && s.Kind != FAssume && s.Kind != FBreakIf {
		with(func(c *FStmt) { c.Ord = weakest })
	}
	if s.Ord2 != prog.Relaxed && (s.Kind == FCAS || s.Kind == FCASLoop || s.Kind == FLock || s.Kind == FCrit) {
		with(func(c *FStmt) { c.Ord2 = prog.Relaxed })
	}
	if s.Kind == FCrit && s.Val2 != uint64(prog.Relaxed) {
		with(func(c *FStmt) { c.Val2 = uint64(prog.Relaxed) })
	}
	for _, v := range []uint64{0, 1} {
		if s.Val > v && s.Kind != FLock && s.Kind != FCrit && (s.Kind != FFor || v > 0) {
			with(func(c *FStmt) { c.Val = v })
		}
		if s.Exp > v {
			with(func(c *FStmt) { c.Exp = v })
		}
	}
	return out
}

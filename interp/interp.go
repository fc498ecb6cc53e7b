// Package interp runs one thread's code from the resolved program form and
// turns it into memory accesses, one at a time. It knows nothing about
// memory models: the explorer decides what each load returns.
//
// A thread's state is its program counter, its registers and its open loops,
// all plain values, so the explorer can copy it to branch and restore it to
// backtrack.
package interp

import (
	"fmt"

	"happens/prog"
)

// Stop says why Run returned.
type Stop uint8

const (
	// Access: the thread wants a memory access; see State.Req.
	Access Stop = iota
	// Done: the thread ran to its end.
	Done
	// Blocked: an assume failed; the execution is discarded.
	Blocked
	// Failed: an assertion failed or the thread panicked; see State.Failure.
	Failed
	// Bounded: a loop exceeded the unroll bound; see State.Loop.
	Bounded
	// Spinning: a loop iteration only read and changed nothing, so on these
	// values it would spin forever (GenMC's spin-assume). State.Loop is
	// the loop and State.SpinReads what its last iteration read: whether
	// the thread really hangs depends on whether those are still the
	// values memory ends with (see Stuck).
	Spinning
)

func (s Stop) String() string {
	return [...]string{"access", "done", "blocked", "failed", "bounded", "spinning"}[s]
}

// ReadRec is one value a thread read, kept for the spin check.
type ReadRec struct {
	Loc int
	Val uint64
	// Spurious marks a compare_exchange_weak that failed although the
	// value matched: a loop that spins on it is not stuck, since under
	// fair scheduling the exchange eventually succeeds.
	Spurious bool
}

// Request is a memory access the thread asks for.
type Request struct {
	Instr *prog.Instr
	Loc   int    // location (unused for fences)
	Val   uint64 // value to store, or RMW operand
	Exp   uint64 // CAS expected value
	New   uint64 // CAS new value
	// Dependencies on the thread's earlier accesses, as bit masks over
	// their indices (bit k: the k-th access of the thread, k < 64): the
	// address, the value written, and the branches taken before it.
	Addr, Data, Ctrl uint64
}

// MaxDeps is the number of accesses per thread whose dependencies are
// tracked; hardware models that respect dependencies refuse longer threads.
const MaxDeps = 64

type frame struct {
	id     uint64
	live   int
	iter   int
	writes int
	reads  int // len(State.reads) when the current iteration began
	acc    int // State.Accesses when the current iteration began
	// spurious: a compare_exchange_weak failed spuriously in the current
	// iteration.
	spurious bool
	regs     []uint64
}

// Span is a range [From, To) of a thread's accesses (its event indices).
type Span struct{ From, To int }

// State is one thread's execution state.
type State struct {
	P      *prog.Program
	T      *prog.Thread
	PC     int
	Regs   []uint64
	loops  []frame
	writes int // events with a side effect so far (stores, RMWs, fences)
	// taint[r] is the set of the thread's reads register r's value depends
	// on; ctrl the reads that branches taken so far depend on.
	taint    []uint64
	ctrl     uint64
	Accesses int // accesses completed so far
	Req      Request
	Failure  string // for Failed: the message
	FailPos  *prog.Instr
	// Loop is the back edge of the loop that stopped the thread, for
	// Bounded and Spinning.
	Loop *prog.Instr
	// SpinReads are the reads of the last iteration, for Spinning.
	SpinReads []ReadRec
	// Raw turns off the loop machinery: no spin detection, no unroll
	// bound, no wasted iterations; loops just jump. For reference
	// interpreters that explore the state space themselves.
	Raw bool
	// Wasted lists the loop iterations in which a compare_exchange_weak
	// failed spuriously and which ended in the state they began with:
	// they changed nothing but their own writes, and the loop starts
	// again. Unless another thread observes those writes, the execution
	// duplicates the one without them (see explore).
	Wasted []Span
	// reads logs what the current iterations of the open loops read
	// (each frame knows where its iteration starts); it is empty outside
	// loops.
	reads []ReadRec
}

// New returns the initial state of thread t.
func New(p *prog.Program, t int) *State {
	th := &p.Threads[t]
	return &State{P: p, T: th, Regs: make([]uint64, th.NumRegs), taint: make([]uint64, th.NumRegs)}
}

// CopyFrom makes s an independent copy of o, reusing s's storage.
func (s *State) CopyFrom(o *State) {
	// Every slice of a State is its own (never shared with another
	// State), so s's buffers can be reused.
	regs := append(s.Regs[:0], o.Regs...)
	taint := append(s.taint[:0], o.taint...)
	reads := append(s.reads[:0], o.reads...)
	wasted := append(s.Wasted[:0], o.Wasted...)
	spin := append(s.SpinReads[:0], o.SpinReads...)
	old := s.loops[:cap(s.loops)]
	loops := s.loops[:0]
	for i, f := range o.loops {
		var buf []uint64
		if i < len(old) {
			buf = old[i].regs[:0] // read before the append below overwrites old[i]
		}
		f.regs = append(buf, f.regs...)
		loops = append(loops, f)
	}
	*s = *o
	s.Regs = regs
	s.taint = taint
	s.reads = reads
	s.Wasted = wasted
	s.loops = loops
	s.SpinReads = spin
}

// Clone returns an independent copy of s.
func (s *State) Clone() *State {
	c := &State{}
	c.CopyFrom(s)
	return c
}

// Run executes until the next memory access or the end of the thread.
// unroll bounds the iterations of every loop that is not a pure spin.
func (s *State) Run(unroll int) Stop {
	code := s.T.Code
	for s.PC < len(code) {
		in := &code[s.PC]
		switch in.Op {
		case prog.OpConst:
			s.Regs[in.A] = in.Imm
			s.taint[in.A] = 0
		case prog.OpMove:
			s.Regs[in.A] = s.Regs[in.B]
			s.taint[in.A] = s.taint[in.B]
		case prog.OpUnary:
			s.Regs[in.A] = prog.EvalUnary(in.Un, in.T, s.Regs[in.B])
			s.taint[in.A] = s.taint[in.B]
		case prog.OpBinary:
			switch in.Bin {
			case prog.Div, prog.Rem, prog.Shl, prog.Shr:
				// It panics on some right operands: what follows is
				// there only if it did not, a branch on that operand.
				s.ctrl |= s.taint[in.C]
			}
			v, err := prog.EvalBinary(in.Bin, in.T, s.Regs[in.B], s.Regs[in.C])
			if err != nil {
				return s.fail(in, "panicked: "+err.Error())
			}
			s.Regs[in.A] = v
			s.taint[in.A] = s.taint[in.B] | s.taint[in.C]
		case prog.OpJump:
			s.PC = in.Target
			continue
		case prog.OpBranch:
			s.ctrl |= s.taint[in.A]
			if s.Regs[in.A] == 0 {
				s.PC = in.Target
				continue
			}
		case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS, prog.OpFence:
			s.Req = Request{Instr: in, Ctrl: s.ctrl}
			if in.Op != prog.OpFence {
				idx := uint64(0)
				if in.Addr.Index >= 0 {
					idx = s.Regs[in.Addr.Index]
					s.Req.Addr = s.taint[in.Addr.Index]
					// The bounds check is a branch on the index.
					s.ctrl |= s.taint[in.Addr.Index]
				}
				loc, ok := s.P.LocAddr(in.Addr, idx)
				if !ok {
					v := &s.P.Vars[in.Addr.Var]
					return s.fail(in, fmt.Sprintf("panicked: index out of bounds: the len is %d but the index is %d", v.Len, idx))
				}
				s.Req.Loc = loc
			}
			switch in.Op {
			case prog.OpStore, prog.OpRMW:
				s.Req.Val = s.Regs[in.B]
				s.Req.Data = s.taint[in.B]
			case prog.OpCAS:
				s.Req.Exp = s.Regs[in.B]
				s.Req.New = s.Regs[in.C]
				s.Req.Data = s.taint[in.B] | s.taint[in.C]
			}
			return Access
		case prog.OpJoin:
			s.Req = Request{Instr: in}
			return Access
		case prog.OpAssert:
			// A branch: what follows happens only if it held.
			s.ctrl |= s.taint[in.A]
			if s.Regs[in.A] == 0 {
				return s.fail(in, in.Msg)
			}
		case prog.OpAssume:
			s.ctrl |= s.taint[in.A]
			if s.Regs[in.A] == 0 {
				return Blocked
			}
		case prog.OpPanic:
			return s.fail(in, in.Msg)
		case prog.OpLoopEnter, prog.OpLoopExit:
			if s.Raw {
				break
			}
			s.popLoops(in.Imm, true)
			if in.Op == prog.OpLoopExit {
				break
			}
			s.loops = append(s.loops, frame{id: in.Imm, live: in.A, writes: s.writes, reads: len(s.reads), acc: s.Accesses,
				regs: append([]uint64(nil), s.Regs[:in.A]...)})
		case prog.OpLoopBack:
			if s.Raw {
				s.PC = in.Target
				continue
			}
			s.popLoops(in.Imm, false)
			if n := len(s.loops); n > 0 && s.loops[n-1].id == in.Imm {
				f := &s.loops[n-1]
				same := equal(f.regs, s.Regs[:f.live])
				if same && f.writes == s.writes {
					s.Loop = in
					s.SpinReads = append(s.SpinReads[:0], s.reads[f.reads:]...)
					return Spinning
				}
				if same && f.spurious {
					s.Wasted = append(s.Wasted, Span{f.acc, s.Accesses})
				}
				f.acc, f.spurious = s.Accesses, false
				f.iter++
				if f.iter >= unroll {
					s.Loop = in
					return Bounded
				}
				f.writes = s.writes
				copy(f.regs, s.Regs[:f.live])
				s.reads = s.reads[:f.reads] // the next iteration starts afresh
			}
			s.PC = in.Target
			continue
		}
		s.PC++
	}
	return Done
}

// popLoops drops frames above the loop id (left open by a return from an
// inlined function), and the loop's own frame when self is set.
func (s *State) popLoops(id uint64, self bool) {
	for i := len(s.loops) - 1; i >= 0; i-- {
		if s.loops[i].id == id {
			if self {
				s.loops = s.loops[:i]
			} else {
				s.loops = s.loops[:i+1]
			}
			if len(s.loops) == 0 {
				s.reads = s.reads[:0]
			}
			return
		}
	}
}

func equal(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *State) fail(in *prog.Instr, msg string) Stop {
	s.Failure = msg
	s.FailPos = in
	return Failed
}

// Complete finishes the pending access. read is the value a load, RMW or
// CAS read; ok says whether a CAS succeeded; wrote says whether the access
// had a side effect (a store, a successful RMW, a fence).
func (s *State) Complete(read uint64, ok bool) {
	in := s.Req.Instr
	var bit uint64
	if s.Accesses < MaxDeps {
		bit = 1 << uint(s.Accesses)
	}
	switch in.Op {
	case prog.OpJoin:
		if in.B >= 0 {
			s.Regs[in.A] = read
			s.taint[in.A] = 0
		}
		s.PC++
		return
	case prog.OpLoad, prog.OpRMW:
		s.Regs[in.A] = read
		s.taint[in.A] = bit
	case prog.OpCAS:
		// Whether it succeeded compares what it read with the expected
		// value: compiled code compares the two registers (cmp after
		// casal, or between ldaxr and stlxr), so a branch on it depends
		// on both.
		exp := s.taint[in.B]
		s.Regs[in.A] = read
		s.Regs[in.A+1] = b2u(ok)
		s.taint[in.A], s.taint[in.A+1] = bit, bit|exp
	}
	if n := len(s.loops); n > 0 && in.Op != prog.OpStore && in.Op != prog.OpFence {
		spurious := in.Op == prog.OpCAS && !ok && read == s.Req.Exp
		s.reads = append(s.reads, ReadRec{Loc: s.Req.Loc, Val: read, Spurious: spurious})
		if spurious {
			s.loops[n-1].spurious = true
		}
	}
	s.Accesses++
	switch in.Op {
	case prog.OpStore, prog.OpFence:
		s.writes++
	case prog.OpRMW:
		// One that wrote back the value it read (a swap of true over
		// true, a fetch_or of bits already set) changed no value: like a
		// read, it leaves a loop iteration a spin (see Run). Whoever
		// reads its write reads the value they could read from the
		// write it read, so the iteration can be left out.
		if prog.ApplyRMW(in.RMW, s.P.Locs[s.Req.Loc].Type, read, s.Req.Val) != read {
			s.writes++
		}
	case prog.OpCAS:
		if ok {
			s.writes++
		}
	}
	s.PC++
}

// NewFinal returns the initial state of p's Final code.
func NewFinal(p *prog.Program) *State {
	return &State{P: p, T: p.Final, Regs: make([]uint64, p.Final.NumRegs), taint: make([]uint64, p.Final.NumRegs)}
}

// RunFinal runs p's Final code once every thread has finished: mem holds
// the final value of every location and is updated by the code's writes;
// result gives a finished thread's register for a join. It returns the
// state and why it stopped (Done, Failed, Blocked, Bounded or Spinning; a
// spin there is forever, since nothing else writes any more).
func RunFinal(p *prog.Program, mem []uint64, result func(thread, reg int) uint64, unroll int) (*State, Stop) {
	s := NewFinal(p)
	for {
		stop := s.Run(unroll)
		if stop != Access {
			return s, stop
		}
		in := s.Req.Instr
		loc := s.Req.Loc
		var typ prog.Type
		if in.Op != prog.OpFence && in.Op != prog.OpJoin {
			typ = p.Locs[loc].Type
		}
		switch in.Op {
		case prog.OpJoin:
			var v uint64
			if in.B >= 0 {
				v = result(int(in.Imm), in.B)
			}
			s.Complete(v, false)
		case prog.OpLoad:
			s.Complete(mem[loc], false)
		case prog.OpStore:
			mem[loc] = typ.Wrap(s.Req.Val)
			s.Complete(0, false)
		case prog.OpRMW:
			old := mem[loc]
			mem[loc] = prog.ApplyRMW(in.RMW, typ, old, s.Req.Val)
			s.Complete(old, true)
		case prog.OpCAS:
			old := mem[loc]
			ok := old == s.Req.Exp
			if ok {
				mem[loc] = typ.Wrap(s.Req.New)
			}
			s.Complete(old, ok)
		case prog.OpFence:
			s.Complete(0, false)
		}
	}
}

// SpinSpurious reports whether a Spinning thread's last iteration had a
// compare_exchange_weak that failed spuriously.
func (s *State) SpinSpurious() bool {
	for _, r := range s.SpinReads {
		if r.Spurious {
			return true
		}
	}
	return false
}

// Stuck reports whether a Spinning thread would spin forever when memory
// ends with the values final gives: its last iteration read nothing but
// those values (so every later iteration reads them again) and no
// compare_exchange_weak in it failed spuriously. A thread that spun on a
// value a later write replaced is not stuck: under fair scheduling it
// reads the new value and moves on (that run is explored on its own).
func (s *State) Stuck(final func(loc int) uint64) bool {
	for _, r := range s.SpinReads {
		if r.Spurious || final(r.Loc) != r.Val {
			return false
		}
	}
	return true
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

package progtest

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"happens/prog"
)

// This file is a reference for programs with control flow under
// sequential consistency: an explicit-state search over every
// interleaving of the threads' memory accesses against a plain memory.
// Threads run on their own small evaluator (not package interp), with
// loops as plain jumps: no spin detection, no unroll bound. Visited states
// are recognised by hash, so a spin loop is a cycle in the state graph,
// and liveness is a property of that graph: a reachable terminal strongly
// connected component (no edge leaves it) in which the program never
// finishes.

// ReachOptions bound the search.
type ReachOptions struct {
	// MaxStates stops the search (inconclusive) after this many distinct
	// states; 0: 200,000.
	MaxStates int
	// MaxLocalSteps bounds the register instructions a thread runs between
	// two memory accesses (a loop that never touches memory); 0: 10,000.
	MaxLocalSteps int
	// StrongCAS: compare_exchange_weak never fails spuriously (as x86's
	// lock cmpxchg).
	StrongCAS bool
}

// Thread statuses in a reference state.
const (
	thRunning = iota // at a memory instruction
	thDone           // ran to its end
	thFailed         // an assertion failed or it panicked; pc is the instruction
	thBlocked        // an assume failed; pc is the instruction
	thLooping        // in a loop that never touches memory again: it steps to the same state
)

// ReachFailure is an assertion failure or panic the reference reached.
type ReachFailure struct {
	Thread int
	PC     int
	Msg    string
}

// ReachHang is a terminal strongly connected component of the state graph
// in which the program never finishes and nothing failed: under any
// scheduling, fair or not, the threads in Threads never get past their
// current loops (a deadlock, a lost wake-up, a flag never set).
type ReachHang struct {
	Threads []int  // the threads that never finish there
	State   string // one state of the component, described
	Trace   string // a shortest path of accesses from the start to it
	Size    int    // states in the component
	// Mems are the distinct memories of the component's states (at most
	// 16 of them).
	Mems [][]uint64
}

// Reach is what the reference found.
type Reach struct {
	// Inconclusive says why the search was cut ("" when it was not); the
	// rest is then incomplete and must not be compared.
	Inconclusive string
	States       int
	Edges        int
	// Finals are the terminal states in which every thread finished or
	// failed (no assume failed), as the explorer counts complete
	// executions: each as its registers per thread and its memory. When
	// the search was cut, those it reached.
	Finals []ReachFinal
	// Failures are the distinct failures reachable (reached, when the
	// search was cut), sorted.
	Failures []ReachFailure
	// Hangs lists the terminal components in which the program never
	// finishes, no thread having failed or been blocked by an assume
	// (none when the search was cut).
	Hangs []ReachHang

	r *reacher // for traces
}

// ReachFinal is a final state.
type ReachFinal struct {
	Regs   [][]uint64
	Mem    []uint64
	Failed []bool // per thread
	id     int32
}

// Trace is a shortest path of accesses from the start to final state i.
func (r *Reach) Trace(i int) string { return r.r.trace(r.Finals[i].id) }

// Values projects a final state onto observables, as a comparable text.
func (f *ReachFinal) Values(obs []prog.Observable) string {
	var b strings.Builder
	for i, o := range obs {
		if i > 0 {
			b.WriteByte(' ')
		}
		var v uint64
		if o.Thread >= 0 {
			v = f.Regs[o.Thread][o.Reg]
		} else {
			v = f.Mem[o.Loc]
		}
		fmt.Fprintf(&b, "%s=%d", o.Name, v)
	}
	return b.String()
}

// Outcomes is the sorted set of the final states' values over obs.
func (r *Reach) Outcomes(obs []prog.Observable) []string {
	var out []string
	for i := range r.Finals {
		out = append(out, r.Finals[i].Values(obs))
	}
	return SortedSet(out)
}

// rstate is a decoded reference state.
type rstate struct {
	status []int
	pc     []int
	regs   [][]uint64
	mem    []uint64
}

// clone copies s in two allocations.
func (s *rstate) clone() *rstate {
	n := len(s.status)
	ints := make([]int, 2*n)
	size := len(s.mem)
	for _, r := range s.regs {
		size += len(r)
	}
	vals := make([]uint64, 0, size)
	c := &rstate{status: ints[:n:n], pc: ints[n:], regs: make([][]uint64, n)}
	copy(c.status, s.status)
	copy(c.pc, s.pc)
	for t, r := range s.regs {
		vals = append(vals, r...)
		c.regs[t] = vals[len(vals)-len(r) : len(vals) : len(vals)]
	}
	vals = append(vals, s.mem...)
	c.mem = vals[len(vals)-len(s.mem):]
	return c
}

func (s *rstate) key(b []byte) []byte {
	for t := range s.status {
		b = binary.AppendUvarint(b, uint64(s.status[t]))
		b = binary.AppendUvarint(b, uint64(s.pc[t]))
		for _, r := range s.regs[t] {
			b = binary.AppendUvarint(b, r)
		}
	}
	for _, m := range s.mem {
		b = binary.AppendUvarint(b, m)
	}
	return b
}

type reacher struct {
	p    *prog.Program
	opts ReachOptions
	ids  map[string]int32
	st   []*rstate
	succ [][]int32
	// parent and how each state was first reached, for traces.
	parent []int32
	via    []string
	fails  map[ReachFailure]bool
	cut    string
}

// SCReach explores every interleaving of p's threads under sequential
// consistency (each access atomic, one value per location; a
// compare_exchange_weak whose value matches may also fail spuriously) and
// reports the final states, the reachable failures and the hangs. p may
// have branches and loops; it may not have Final code or joins.
func SCReach(p *prog.Program, opts ReachOptions) (*Reach, error) {
	if opts.MaxStates <= 0 {
		opts.MaxStates = 200000
	}
	if opts.MaxLocalSteps <= 0 {
		opts.MaxLocalSteps = 10000
	}
	if p.Final != nil {
		return nil, fmt.Errorf("programs with Final code are not supported")
	}
	for t := range p.Threads {
		for pc, in := range p.Threads[t].Code {
			if in.Op == prog.OpJoin {
				return nil, fmt.Errorf("thread %d pc %d: join", t, pc)
			}
		}
	}
	r := &reacher{p: p, opts: opts, ids: map[string]int32{}, fails: map[ReachFailure]bool{}}
	n := len(p.Threads)
	s0 := &rstate{status: make([]int, n), pc: make([]int, n), regs: make([][]uint64, n), mem: make([]uint64, len(p.Locs))}
	for l := range p.Locs {
		s0.mem[l] = p.Locs[l].Init
	}
	for t := range p.Threads {
		s0.regs[t] = make([]uint64, p.Threads[t].NumRegs)
		r.runLocal(s0, t)
	}
	r.intern(s0, -1, "")
	var buf []byte
	for i := 0; i < len(r.st) && r.cut == ""; i++ {
		s := r.st[i]
		var out []int32
		for t := range p.Threads {
			if s.status[t] == thLooping {
				out = append(out, int32(i))
			}
			if s.status[t] != thRunning {
				continue
			}
			for _, c := range r.steps(s, t) {
				buf = c.s.key(buf[:0])
				id, ok := r.ids[string(buf)]
				if !ok {
					id = r.intern(c.s, int32(i), c.what())
				}
				out = append(out, id)
			}
		}
		r.succ[i] = out
	}
	res := &Reach{Inconclusive: r.cut, States: len(r.st), r: r}
	for f := range r.fails {
		res.Failures = append(res.Failures, f)
	}
	sort.Slice(res.Failures, func(i, j int) bool {
		a, b := res.Failures[i], res.Failures[j]
		if a.Thread != b.Thread {
			return a.Thread < b.Thread
		}
		if a.PC != b.PC {
			return a.PC < b.PC
		}
		return a.Msg < b.Msg
	})
	// Final states have no successors whether or not the search was cut:
	// those found are real even when it was.
	for i, s := range r.st {
		res.Edges += len(r.succ[i])
		fin := true
		for t := range s.status {
			if s.status[t] != thDone && s.status[t] != thFailed {
				fin = false
			}
		}
		if fin {
			f := ReachFinal{Regs: s.regs, Mem: s.mem, Failed: make([]bool, n), id: int32(i)}
			for t := range s.status {
				f.Failed[t] = s.status[t] == thFailed
			}
			res.Finals = append(res.Finals, f)
		}
	}
	if r.cut == "" {
		res.Hangs = r.hangs()
	}
	return res, nil
}

func (r *reacher) intern(s *rstate, parent int32, via string) int32 {
	id := int32(len(r.st))
	r.ids[string(s.key(nil))] = id
	r.st = append(r.st, s)
	r.succ = append(r.succ, nil)
	r.parent = append(r.parent, parent)
	r.via = append(r.via, via)
	for t := range s.status {
		if s.status[t] == thFailed {
			in := &r.p.Threads[t].Code[s.pc[t]]
			r.fails[ReachFailure{Thread: t, PC: s.pc[t], Msg: failMsg(r.p, s, t, in)}] = true
		}
	}
	if len(r.st) >= r.opts.MaxStates && r.cut == "" {
		r.cut = fmt.Sprintf("more than %d states", r.opts.MaxStates)
	}
	return id
}

// failMsg is the message of thread t's failure at instruction in. The
// message of an arithmetic panic is recomputed from the registers, which
// are as they were when it failed.
func failMsg(p *prog.Program, s *rstate, t int, in *prog.Instr) string {
	switch in.Op {
	case prog.OpAssert, prog.OpPanic:
		return in.Msg
	case prog.OpBinary:
		_, err := prog.EvalBinary(in.Bin, in.T, s.regs[t][in.B], s.regs[t][in.C])
		if err != nil {
			return "panicked: " + err.Error()
		}
	case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS:
		if in.Addr.Index >= 0 {
			return fmt.Sprintf("panicked: index out of bounds: the len is %d but the index is %d",
				p.Vars[in.Addr.Var].Len, s.regs[t][in.Addr.Index])
		}
	}
	return "failed at " + in.Op.String()
}

type rchoice struct {
	s    *rstate
	what func() string // described only when the state is new
}

// steps lists the states that thread t's next access can lead to.
func (r *reacher) steps(s *rstate, t int) []rchoice {
	p := r.p
	in := &p.Threads[t].Code[s.pc[t]]
	loc := r.loc(s, t, in)
	typ := p.Locs[loc].Type
	name := p.Locs[loc].Name
	var out []rchoice
	next := func(what func() string, f func(c *rstate)) {
		c := s.clone()
		f(c)
		c.pc[t]++
		r.runLocal(c, t)
		out = append(out, rchoice{c, func() string { return p.Threads[t].Name + ": " + what() }})
	}
	say := func(format string, args ...any) func() string {
		return func() string { return fmt.Sprintf(format, args...) }
	}
	old := s.mem[loc]
	switch in.Op {
	case prog.OpLoad:
		next(say("%s reads %d", name, old), func(c *rstate) { c.regs[t][in.A] = old })
	case prog.OpStore:
		v := typ.Wrap(s.regs[t][in.B])
		next(say("%s := %d", name, v), func(c *rstate) { c.mem[loc] = v })
	case prog.OpRMW:
		v := prog.ApplyRMW(in.RMW, typ, old, s.regs[t][in.B])
		next(say("%s %d -> %d", name, old, v), func(c *rstate) {
			c.mem[loc] = v
			c.regs[t][in.A] = old
		})
	case prog.OpCAS:
		if old == s.regs[t][in.B] {
			v := typ.Wrap(s.regs[t][in.C])
			next(say("%s cas %d -> %d", name, old, v), func(c *rstate) {
				c.mem[loc] = v
				c.regs[t][in.A], c.regs[t][in.A+1] = old, 1
			})
			if in.Weak && !r.opts.StrongCAS {
				next(say("%s cas reads %d, fails spuriously", name, old), func(c *rstate) {
					c.regs[t][in.A], c.regs[t][in.A+1] = old, 0
				})
			}
		} else {
			next(say("%s cas reads %d, fails", name, old), func(c *rstate) {
				c.regs[t][in.A], c.regs[t][in.A+1] = old, 0
			})
		}
	default:
		panic(fmt.Sprintf("progtest: thread %d stopped at %v", t, in.Op))
	}
	return out
}

// loc is the location of a memory instruction; runLocal has checked the
// address.
func (r *reacher) loc(s *rstate, t int, in *prog.Instr) int {
	var idx uint64
	if in.Addr.Index >= 0 {
		idx = s.regs[t][in.Addr.Index]
	}
	l, _ := r.p.LocAddr(in.Addr, idx)
	return l
}

// runLocal runs thread t from its pc to its next load, store, RMW or
// compare-exchange (fences have no effect under sequential consistency),
// its end, a failure or a failed assume.
func (r *reacher) runLocal(s *rstate, t int) {
	var cut string
	s.pc[t], s.status[t], cut = runThread(r.p, t, s.pc[t], s.regs[t], r.opts.MaxLocalSteps, false)
	if cut != "" && r.cut == "" {
		r.cut = cut
	}
}

// runThread runs thread t's register code from pc (with loops as plain
// jumps) until a memory access (a fence too, when fences is set) or the
// thread's end, a failure (pc is then the failing instruction), a failed
// assume, or a loop that comes back to a state it was in without touching
// memory (thLooping). It returns the pc and the status; cut is set when
// it gave up after maxSteps instructions.
func runThread(p *prog.Program, t, pc int, regs []uint64, maxSteps int, fences bool) (int, int, string) {
	code := p.Threads[t].Code
	// seen holds the (pc, registers) at backward jumps: meeting one again
	// means the thread loops without accessing memory, forever.
	var seen map[string]bool
	var kb []byte
	back := func(target int) bool {
		if target > pc {
			return false
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		kb = binary.AppendUvarint(kb[:0], uint64(pc))
		for _, v := range regs {
			kb = binary.AppendUvarint(kb, v)
		}
		if seen[string(kb)] {
			return true
		}
		seen[string(kb)] = true
		return false
	}
	for steps := 0; ; steps++ {
		if steps > maxSteps {
			return pc, thBlocked, fmt.Sprintf("thread %d ran %d instructions without an access", t, steps)
		}
		if pc >= len(code) {
			return pc, thDone, ""
		}
		in := &code[pc]
		switch in.Op {
		case prog.OpConst:
			regs[in.A] = in.Imm
		case prog.OpMove:
			regs[in.A] = regs[in.B]
		case prog.OpUnary:
			regs[in.A] = prog.EvalUnary(in.Un, in.T, regs[in.B])
		case prog.OpBinary:
			v, err := prog.EvalBinary(in.Bin, in.T, regs[in.B], regs[in.C])
			if err != nil {
				return pc, thFailed, ""
			}
			regs[in.A] = v
		case prog.OpJump, prog.OpLoopBack:
			if back(in.Target) {
				return pc, thLooping, ""
			}
			pc = in.Target
			continue
		case prog.OpBranch:
			if regs[in.A] == 0 {
				if back(in.Target) {
					return pc, thLooping, ""
				}
				pc = in.Target
				continue
			}
		case prog.OpAssert:
			if regs[in.A] == 0 {
				return pc, thFailed, ""
			}
		case prog.OpAssume:
			if regs[in.A] == 0 {
				return pc, thBlocked, ""
			}
		case prog.OpPanic:
			return pc, thFailed, ""
		case prog.OpLoopEnter, prog.OpLoopExit:
		case prog.OpFence:
			if fences {
				return pc, thRunning, ""
			}
		case prog.OpLoad, prog.OpStore, prog.OpRMW, prog.OpCAS:
			var idx uint64
			if in.Addr.Index >= 0 {
				idx = regs[in.Addr.Index]
			}
			if _, ok := p.LocAddr(in.Addr, idx); !ok {
				// An out-of-bounds index: a panic.
				return pc, thFailed, ""
			}
			return pc, thRunning, ""
		default:
			panic(fmt.Sprintf("progtest: unsupported instruction %v", in.Op))
		}
		pc++
	}
}

// trace is the path of accesses by which state id was first reached.
func (r *reacher) trace(id int32) string {
	var steps []string
	for ; id > 0; id = r.parent[id] {
		steps = append(steps, r.via[id])
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		b.WriteString(steps[i])
		if i > 0 {
			b.WriteString("; ")
		}
	}
	return b.String()
}

// describe prints a state: each thread's status and position, the memory.
func (r *reacher) describe(s *rstate) string {
	var b strings.Builder
	for t := range s.status {
		name := r.p.Threads[t].Name
		switch s.status[t] {
		case thDone:
			fmt.Fprintf(&b, "%s done; ", name)
		default:
			what := [...]string{"at", "done", "failed at", "blocked at", "loops without accesses at"}[s.status[t]]
			in := &r.p.Threads[t].Code[s.pc[t]]
			fmt.Fprintf(&b, "%s %s pc %d (%s, line %d); ", name, what, s.pc[t], FormatInstr(r.p, in), in.Pos.Line)
		}
	}
	for l, v := range s.mem {
		fmt.Fprintf(&b, "%s=%d ", r.p.Locs[l].Name, v)
	}
	return strings.TrimSpace(b.String())
}

// hangs finds the terminal strongly connected components (Tarjan's
// algorithm, iteratively) in which some thread is still running and none
// failed or was blocked by an assume.
func (r *reacher) hangs() []ReachHang {
	n := len(r.st)
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp := make([]int32, n)
	for i := range index {
		index[i] = -1
		comp[i] = -1
	}
	var stack []int32
	var next int32
	var ncomp int32
	var comps [][]int32
	type frame struct {
		v int32
		e int
	}
	for root := 0; root < n; root++ {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{int32(root), 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, int32(root))
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < len(r.succ[v]) {
				w := r.succ[v][f.e]
				f.e++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			if low[v] == index[v] {
				var members []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					members = append(members, w)
					if w == v {
						break
					}
				}
				comps = append(comps, members)
				ncomp++
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
		}
	}
	var out []ReachHang
	for c, members := range comps {
		terminal := true
		for _, v := range members {
			for _, w := range r.succ[v] {
				if comp[w] != int32(c) {
					terminal = false
				}
			}
		}
		if !terminal {
			continue
		}
		// Statuses other than running never change, so every state of the
		// component agrees on them; look at the first (the one reached
		// first, for the shortest trace).
		first := members[0]
		for _, v := range members {
			if v < first {
				first = v
			}
		}
		s := r.st[first]
		ok := true
		var running []int
		for t, st := range s.status {
			switch st {
			case thFailed, thBlocked:
				ok = false
			case thRunning, thLooping:
				running = append(running, t)
			}
		}
		if !ok || len(running) == 0 {
			continue
		}
		h := ReachHang{Threads: running, State: r.describe(s), Trace: r.trace(first), Size: len(members)}
		seen := map[string]bool{}
		for _, v := range members {
			if k := fmt.Sprint(r.st[v].mem); !seen[k] && len(h.Mems) < 16 {
				seen[k] = true
				h.Mems = append(h.Mems, r.st[v].mem)
			}
		}
		out = append(out, h)
	}
	return out
}

// ObserveAll makes p's outcomes show every thread's exported locals and
// every location (for the explorer's result.Collector as for Reach), in
// that order.
func ObserveAll(p *prog.Program) {
	p.Observed = nil
	for t, th := range p.Threads {
		for _, l := range th.Locals {
			p.Observed = append(p.Observed, prog.Observable{Name: th.Name + "." + l.Name, Thread: t, Reg: l.Reg, Loc: -1, Type: l.Type})
		}
	}
	for l, loc := range p.Locs {
		p.Observed = append(p.Observed, prog.Observable{Name: loc.Name, Thread: -1, Loc: l, Type: loc.Type})
	}
}

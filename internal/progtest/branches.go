package progtest

import (
	"fmt"
	"sort"

	"happens/graph"
	"happens/prog"
)

// BranchExecutions is the exact set of sequentially consistent executions
// of a program with branches but no spin or retry loops (counted `for`
// loops, which compile to plain jumps, are fine): every interleaving of
// the threads' accesses against a plain memory, each thread run by
// runThread, the executions recorded as canonical texts (comparable with
// Canon of a graph).
type BranchExecutions struct {
	// Complete are the executions in which every thread ran to its end or
	// failed; Blocked those in which an assume failed in some thread
	// (the others having run as far as they could).
	Complete, Blocked []string
	// Inconclusive says why the search gave up ("" when it did not).
	Inconclusive string
}

// SCBranchExecutions explores p as Interleavings does, with control flow.
// A partial execution determines the threads' states (each thread's
// registers are a function of the values it read), so each is expanded
// once. Programs with loop markers (`loop`, `while`) are refused: the
// explorer stops such loops when they spin, so its executions are not all
// the interleavings' (use SCReach for those).
func SCBranchExecutions(p *prog.Program, maxStates int) (*BranchExecutions, error) {
	if p.Final != nil {
		return nil, fmt.Errorf("programs with Final code are not supported")
	}
	for t := range p.Threads {
		for pc, in := range p.Threads[t].Code {
			switch in.Op {
			case prog.OpLoopEnter, prog.OpLoopBack, prog.OpLoopExit, prog.OpJoin:
				return nil, fmt.Errorf("thread %d pc %d: %v", t, pc, in.Op)
			}
			if in.Op.IsMemory() && in.Op != prog.OpFence && in.Addr.Index >= 0 {
				return nil, fmt.Errorf("thread %d pc %d: indexed address", t, pc)
			}
		}
	}
	if maxStates <= 0 {
		maxStates = 200000
	}
	n := len(p.Threads)
	type bstate struct {
		istate
		status []int
	}
	s0 := &bstate{istate: istate{pc: make([]int, n), regs: make([][]uint64, n), mem: make([]uint64, len(p.Locs)),
		last: make([]Ref, len(p.Locs)), x: CExec{Threads: make([][]CEvent, n), MO: make([][]Ref, len(p.Locs))}},
		status: make([]int, n)}
	for l := range p.Locs {
		s0.mem[l] = p.Locs[l].Init
		s0.last[l] = Ref{-1, l}
	}
	out := &BranchExecutions{}
	run := func(s *bstate, t int) {
		var cut string
		s.pc[t], s.status[t], cut = runThread(p, t, s.pc[t], s.regs[t], 10000, true)
		if s.status[t] == thLooping && cut == "" {
			cut = fmt.Sprintf("thread %d loops without accesses", t)
		}
		if cut != "" && out.Inconclusive == "" {
			out.Inconclusive = cut
		}
	}
	for t := range p.Threads {
		s0.regs[t] = make([]uint64, p.Threads[t].NumRegs)
		run(s0, t)
	}
	seen := map[string]bool{}
	complete, blocked := map[string]bool{}, map[string]bool{}
	var rec func(s *bstate)
	rec = func(s *bstate) {
		key := s.x.String()
		if seen[key] || out.Inconclusive != "" {
			return
		}
		seen[key] = true
		if len(seen) > maxStates {
			out.Inconclusive = fmt.Sprintf("more than %d partial executions", maxStates)
			return
		}
		any, isBlocked := false, false
		for t := range p.Threads {
			if s.status[t] == thBlocked {
				isBlocked = true
			}
			if s.status[t] != thRunning {
				continue
			}
			any = true
			in := &p.Threads[t].Code[s.pc[t]]
			loc := accessLoc(p, in)
			var read uint64
			var src Ref
			if loc >= 0 {
				read, src = s.mem[loc], s.last[loc]
			}
			for _, spurious := range []bool{false, true} {
				c := &bstate{istate: *s.clone(), status: append([]int(nil), s.status...)}
				ev, ok := perform(p, in, c.regs[t], read, spurious)
				if !ok {
					continue
				}
				me := Ref{t, len(c.x.Threads[t])}
				ce := CEvent{Kind: ev.Kind, Loc: ev.Loc, Ord: ev.Ord, Atomic: ev.Atomic, Spurious: ev.Spurious}
				if ev.Kind == graph.Read || ev.Kind == graph.RMW {
					ce.RVal, ce.RF = ev.RVal, src
				}
				if ev.Kind == graph.Write || ev.Kind == graph.RMW {
					ce.WVal = ev.WVal
					c.mem[loc] = ev.WVal
					c.last[loc] = me
					c.x.MO[loc] = append(c.x.MO[loc], me)
				}
				c.x.Threads[t] = append(c.x.Threads[t], ce)
				c.pc[t]++
				run(c, t)
				rec(c)
			}
		}
		if !any {
			if isBlocked {
				blocked[key] = true
			} else {
				complete[key] = true
			}
		}
	}
	rec(s0)
	for k := range complete {
		out.Complete = append(out.Complete, k)
	}
	for k := range blocked {
		out.Blocked = append(out.Blocked, k)
	}
	sort.Strings(out.Complete)
	sort.Strings(out.Blocked)
	return out, nil
}

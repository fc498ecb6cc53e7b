package mesi

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"time"

	"happens/explore"
	"happens/interp"
	"happens/prog"
	"happens/result"
)

// DefaultMaxStates bounds an exploration when Options.MaxStates is 0.
const DefaultMaxStates = 2_000_000

// Options choose the machine and bound the search.
type Options struct {
	Mode Mode
	// Unroll bounds the iterations of each loop; 0 means
	// explore.DefaultUnroll.
	Unroll int
	// MaxStates stops the search after this many distinct machine states;
	// 0 means DefaultMaxStates. A stopped search says so (Stats.Stopped,
	// and Result.Complete is false).
	MaxStates int
	// Progress, when set, is called about every second.
	Progress func(Stats)
}

// Stats counts what a search did.
type Stats struct {
	States      int // distinct machine states reached
	Transitions int // steps taken (including those reaching a known state)
	Final       int // distinct final states: complete, blocked or bounded
	Complete    int // final states where every thread finished
	Blocked     int // final states discarded: an assume failed, or a core spins on a value since replaced
	Bounded     int // final states where a loop reached the unroll bound
	Stuck       int // final states where a core spins forever on the values memory keeps
	Stopped     bool
	Elapsed     time.Duration
}

func (o *Options) norm() {
	if o.Unroll <= 0 {
		o.Unroll = explore.DefaultUnroll
	}
	if o.MaxStates <= 0 {
		o.MaxStates = DefaultMaxStates
	}
}

type hkey [2]uint64

type searcher struct {
	ctx   context.Context
	s     *sim
	opts  Options
	seeds [2]maphash.Seed
	seen  map[hkey]struct{}
	stats Stats
	start time.Time
	last  time.Time
	steps []step
}

func newSearcher(ctx context.Context, p *prog.Program, opts Options) *searcher {
	opts.norm()
	now := time.Now()
	return &searcher{ctx: ctx, s: newSim(p, opts.Mode, opts.Unroll), opts: opts,
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		seen:  map[hkey]struct{}{}, start: now, last: now}
}

func (r *searcher) hash(m *machine) hkey {
	b := r.s.key(m)
	return hkey{maphash.Bytes(r.seeds[0], b), maphash.Bytes(r.seeds[1], b)}
}

// visit records m; it reports false when m was seen before.
func (r *searcher) visit(m *machine) bool {
	k := r.hash(m)
	if _, ok := r.seen[k]; ok {
		return false
	}
	r.seen[k] = struct{}{}
	r.stats.States++
	return true
}

// halted reports whether the search must stop (cancelled, or the state
// bound reached), and drives the progress callback.
func (r *searcher) halted() bool {
	if r.stats.Stopped {
		return true
	}
	if r.stats.States >= r.opts.MaxStates {
		r.stats.Stopped = true
		return true
	}
	if r.stats.Transitions&1023 == 0 {
		if r.ctx.Err() != nil {
			r.stats.Stopped = true
			return true
		}
		if r.opts.Progress != nil {
			if now := time.Now(); now.Sub(r.last) >= time.Second {
				r.last = now
				st := r.stats
				st.Elapsed = now.Sub(r.start)
				r.opts.Progress(st)
			}
		}
	}
	return false
}

// final classifies a final state, runs the program's Final code on it,
// and counts it.
func (r *searcher) final(m *machine) *explore.Execution {
	th := make([]*interp.State, len(m.cores))
	stops := make([]interp.Stop, len(m.cores))
	for i := range m.cores {
		th[i], stops[i] = m.cores[i].th, m.cores[i].stop
	}
	mem := finalState{r.s, m}.Mem
	st, hangs := explore.Classify(th, stops, mem)
	x := &explore.Execution{Threads: th, Status: st, Failures: explore.Failures(th, stops), Hangs: hangs}
	explore.RunFinal(r.s.p, x, mem, r.s.unroll)
	r.stats.Final++
	switch x.Status {
	case explore.Complete:
		r.stats.Complete++
	case explore.Blocked:
		r.stats.Blocked++
	case explore.Bounded:
		r.stats.Bounded++
	case explore.Stuck:
		r.stats.Stuck++
	}
	return x
}

// finalState gives the condition the final values: a thread's registers,
// and a location's value in the cache that owns it, else in memory.
type finalState struct {
	s *sim
	m *machine
}

func (f finalState) Local(t, reg int) uint64 { return f.m.cores[t].th.Regs[reg] }

// Mem is location x's value when every core has stopped.
func (f finalState) Mem(x int) uint64 {
	for c := range f.m.cores {
		if l := f.s.line(f.m, c, x); l.st == M || l.st == E {
			return l.val
		}
	}
	return f.m.mem[x]
}

// endState is what the condition reads at the end: the machine's final
// state, after the program's Final code if it ran.
type endState struct {
	x  *explore.Execution
	fs finalState
}

func (e endState) Local(t, reg int) uint64 { return e.x.Local(t, reg) }
func (e endState) Mem(loc int) uint64 {
	if e.x.Mem != nil {
		return e.x.Mem[loc]
	}
	return e.fs.Mem(loc)
}

// Run explores every reachable final state of p on the machine and
// summarises them as a Result: one Outcome per distinct observed values,
// with Count the number of distinct final machine states showing it;
// Positive and Negative count final states that satisfy the condition or
// not, so the verdict is Always, Sometimes or Never as the condition holds
// in all, some or none of them. Result.Stats counts final states
// (Complete, Blocked, Bounded) and says whether the state bound or ctx cut
// the search (Stopped).
func Run(ctx context.Context, p *prog.Program, opts Options) (*result.Result, Stats) {
	r := newSearcher(ctx, p, opts)
	opts = r.opts
	col := result.NewMachineCollector(p, opts.Mode.String(), true, result.ShowNone)
	init := r.s.initial()
	r.visit(init)
	stack := []*machine{init}
	for len(stack) > 0 && !r.stats.Stopped {
		m := stack[len(stack)-1]
		stack[len(stack)-1] = nil
		stack = stack[:len(stack)-1]
		r.steps = r.s.steps(m, r.steps)
		if len(r.steps) == 0 {
			x := r.final(m)
			for _, f := range x.Failures {
				col.Failure(f, nil)
			}
			for _, h := range x.Hangs {
				col.Hang(h, nil)
			}
			if x.Status == explore.Complete {
				col.Outcome(endState{x, finalState{r.s, m}}, nil)
			}
			continue
		}
		steps := append([]step(nil), r.steps...)
		for _, st := range steps {
			if r.halted() {
				break
			}
			r.stats.Transitions++
			n := m.clone()
			r.s.apply(n, st)
			if r.visit(n) {
				stack = append(stack, n)
			}
		}
	}
	r.stats.Elapsed = time.Since(r.start)
	cut := explore.NotCut
	if r.stats.Stopped {
		cut = explore.CutStates
		if r.ctx.Err() != nil {
			cut = explore.CutOf(r.ctx)
		}
	}
	res := col.Finish(explore.Stats{Complete: r.stats.Complete, Blocked: r.stats.Blocked, Bounded: r.stats.Bounded,
		Stuck: r.stats.Stuck, Stopped: r.stats.Stopped, Cut: cut, Elapsed: r.stats.Elapsed}, opts.Unroll)
	return res, r.stats
}

// Trace is one run of the machine, step by step.
type Trace struct {
	Program *prog.Program
	Mode    Mode
	Outcome string // the outcome asked for, as text
	// Found says a final state satisfying the outcome is reachable; Rows
	// then lead to it, a shortest such run. Rows[0] is the initial state.
	Found bool
	Rows  []Row
	// Final are the observed values of the last state, as "name=value".
	Final []string
	Stats Stats
}

// Row is the machine after one step.
type Row struct {
	Step   int
	Core   string // the core that acted, or the message's receiver
	Action string
	Cores  []CoreView
	Memory string
	Flight string // messages in flight
}

// CoreView is one core's caches and buffers, as text.
type CoreView struct {
	Name        string
	Cache       string // "X:M=1 Y:I"
	StoreBuffer string // oldest first; "wmb" is a write-barrier mark
	Mailbox     string // queued invalidations, oldest first
}

// FindTrace searches breadth first for a shortest run of p on the machine
// that ends in a complete final state where outcome holds.
func FindTrace(ctx context.Context, p *prog.Program, outcome prog.Expr, text string, opts Options) *Trace {
	r := newSearcher(ctx, p, opts)
	opts = r.opts
	tr := &Trace{Program: p, Mode: opts.Mode, Outcome: text}
	type node struct {
		parent int32
		st     step
	}
	init := r.s.initial()
	r.visit(init)
	nodes := []node{{parent: -1}}
	type item struct {
		m  *machine
		id int32
	}
	queue := []item{{init, 0}}
	found := int32(-1)
	for head := 0; head < len(queue) && !r.stats.Stopped; head++ {
		it := queue[head]
		queue[head] = item{}
		m := it.m
		r.steps = r.s.steps(m, r.steps)
		if len(r.steps) == 0 {
			x := r.final(m)
			if x.Status != explore.Complete {
				continue
			}
			fs := endState{x, finalState{r.s, m}}
			if p.Filter != nil && prog.Eval(p.Filter, fs) == 0 {
				continue
			}
			if prog.Eval(outcome, fs) != 0 {
				found = it.id
				break
			}
			continue
		}
		steps := append([]step(nil), r.steps...)
		for _, st := range steps {
			if r.halted() {
				break
			}
			r.stats.Transitions++
			n := m.clone()
			r.s.apply(n, st)
			if r.visit(n) {
				nodes = append(nodes, node{parent: it.id, st: st})
				queue = append(queue, item{n, int32(len(nodes) - 1)})
			}
		}
	}
	r.stats.Elapsed = time.Since(r.start)
	tr.Stats = r.stats
	if found < 0 {
		return tr
	}
	tr.Found = true
	var path []step
	for id := found; id > 0; id = nodes[id].parent {
		path = append(path, nodes[id].st)
	}
	// Replay the path from the initial state, describing each step.
	s := newSim(p, opts.Mode, opts.Unroll)
	s.desc = true
	m := s.initial()
	tr.Rows = append(tr.Rows, s.view(m, 0, "", "initial state"))
	for i := len(path) - 1; i >= 0; i-- {
		st := path[i]
		who := ""
		switch {
		case st.kind == stepDeliver:
			who = s.coreName(int(m.msgs[st.index].to))
		default:
			who = s.coreName(int(st.core))
		}
		d := s.apply(m, st)
		tr.Rows = append(tr.Rows, s.view(m, len(tr.Rows), who, d))
	}
	fs := finalState{s, m}
	for _, o := range result.Observables(p) {
		var v uint64
		if o.Thread >= 0 {
			v = fs.Local(o.Thread, o.Reg)
		} else {
			v = fs.Mem(o.Loc)
		}
		tr.Final = append(tr.Final, o.Name+"="+p.FormatValue(o.Type, v))
	}
	if len(tr.Final) == 0 {
		for t, th := range p.Threads {
			for _, l := range th.Locals {
				tr.Final = append(tr.Final, th.Name+"."+l.Name+"="+p.FormatValue(l.Type, fs.Local(t, l.Reg)))
			}
		}
	}
	return tr
}

// view renders the machine for a trace row.
func (s *sim) view(m *machine, n int, who, action string) Row {
	row := Row{Step: n, Core: who, Action: action}
	for c := range m.cores {
		co := &m.cores[c]
		var cache, sb, mb []string
		for x := 0; x < s.nloc; x++ {
			l := s.line(m, c, x)
			if l.st == I {
				cache = append(cache, s.locName(x)+":I")
			} else {
				cache = append(cache, fmt.Sprintf("%s:%s=%s", s.locName(x), l.st, s.fmtVal(x, l.val)))
			}
		}
		for _, e := range co.sb {
			if e.loc == mark {
				sb = append(sb, "wmb")
			} else {
				sb = append(sb, s.assign(int(e.loc), e.val))
			}
		}
		for _, x := range co.mbox {
			mb = append(mb, "inv "+s.locName(int(x)))
		}
		row.Cores = append(row.Cores, CoreView{Name: s.coreName(c), Cache: strings.Join(cache, " "),
			StoreBuffer: dash(strings.Join(sb, " ")), Mailbox: dash(strings.Join(mb, " "))})
	}
	var mem, fl []string
	for x := 0; x < s.nloc; x++ {
		mem = append(mem, s.assign(x, m.mem[x]))
	}
	for _, g := range m.msgs {
		t := msgNames[g.kind] + " " + s.locName(int(g.loc))
		if g.kind != invAck {
			t += "=" + s.fmtVal(int(g.loc), g.val)
		}
		fl = append(fl, fmt.Sprintf("%s %s→%s", t, s.coreName(int(g.from)), s.coreName(int(g.to))))
	}
	row.Memory = strings.Join(mem, " ")
	row.Flight = dash(strings.Join(fl, ", "))
	return row
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package mesi

import (
	"fmt"
	"strings"

	"happens/hw"
	"happens/interp"
	"happens/prog"
)

type stepKind uint8

const (
	stepExec    stepKind = iota // the core executes its current instruction
	stepDrain                   // the core writes store buffer entry Index to its cache
	stepMailbox                 // the core applies its oldest queued invalidation
	stepDeliver                 // message Index is delivered
)

// step is one transition of the machine. It is deterministic: applying the
// same step to the same state gives the same state.
type step struct {
	kind  stepKind
	core  int8
	index int32
}

// steps lists the transitions enabled in m.
func (s *sim) steps(m *machine, out []step) []step {
	out = out[:0]
	for c := range m.cores {
		co := &m.cores[c]
		if co.stop == interp.Access && !co.wait && s.canExec(m, c) {
			out = append(out, step{kind: stepExec, core: int8(c)})
		}
		for i := range co.sb {
			if s.drainable(co.sb, i) && s.canDrain(m, c, int(co.sb[i].loc)) {
				out = append(out, step{kind: stepDrain, core: int8(c), index: int32(i)})
				if s.mode == Strong {
					break
				}
			}
		}
		if len(co.mbox) > 0 {
			out = append(out, step{kind: stepMailbox, core: int8(c)})
		}
	}
	for i := range m.msgs {
		if i > 0 && m.msgs[i] == m.msgs[i-1] {
			continue // the same message twice: delivering either is the same step
		}
		out = append(out, step{kind: stepDeliver, core: -1, index: int32(i)})
	}
	return out
}

func (s *sim) canDrain(m *machine, c, x int) bool {
	switch s.line(m, c, x).st {
	case M, E:
		return true
	}
	return !m.busy(x)
}

func (s *sim) canExec(m *machine, c int) bool {
	co := &m.cores[c]
	in := s.current(m, c)
	x := co.th.Req.Loc
	switch in.Kind {
	case hw.Load:
		if s.mode == Weak && acquiring(co.th.Req.Instr) && releasePending(co.sb) {
			// As ARMv8's stlr;ldar: an Acquire load does not pass an
			// earlier Release store still in the store buffer.
			return false
		}
		if forward(co.sb, x) >= 0 || s.line(m, c, x).st != I {
			return true
		}
		return !m.busy(x)
	case hw.RMW:
		if len(co.sb) > 0 {
			return false // the store buffer drains first
		}
		if st := s.line(m, c, x).st; st == M || st == E {
			return true
		}
		return !m.busy(x)
	case hw.Barrier:
		if in.Strength == hw.Full {
			return len(co.sb) == 0
		}
	}
	return true
}

// forward returns the index of the newest store buffer entry for x, or -1.
func forward(sb []sbEntry, x int) int {
	for i := len(sb) - 1; i >= 0; i-- {
		if int(sb[i].loc) == x {
			return i
		}
	}
	return -1
}

// apply performs st on m and, when s.desc is set, describes it.
func (s *sim) apply(m *machine, st step) string {
	var d strings.Builder
	switch st.kind {
	case stepExec:
		s.exec(m, int(st.core), &d)
	case stepDrain:
		s.drain(m, int(st.core), int(st.index), &d)
	case stepMailbox:
		c := int(st.core)
		co := &m.cores[c]
		x := int(co.mbox[0])
		co.mbox = co.mbox[1:]
		s.line(m, c, x).st = I
		s.line(m, c, x).val = 0
		if s.desc {
			fmt.Fprintf(&d, "mailbox: applies invalidate %s (S → I)", s.locName(x))
		}
	case stepDeliver:
		s.deliver(m, int(st.index), &d)
	}
	return d.String()
}

func (s *sim) exec(m *machine, c int, d *strings.Builder) {
	co := &m.cores[c]
	req := co.th.Req
	in := s.current(m, c)
	x := req.Loc
	if s.desc {
		fmt.Fprintf(d, "%s [%s]: ", req.Instr.Text, in.Text)
	}
	switch in.Kind {
	case hw.Load:
		if s.mode == Weak && req.Addr != 0 && len(co.mbox) > 0 {
			// A load whose address depends on an earlier read sees no
			// older value than that read did: ARM respects address
			// dependencies, so the pending invalidations are applied first
			// (Alpha would not).
			s.applyMailbox(m, c, d)
		}
		if i := forward(co.sb, x); i >= 0 {
			co.val = co.sb[i].val
			if s.desc {
				fmt.Fprintf(d, "reads %s from its store buffer (forwarding)", s.assign(x, co.val))
			}
			s.finishInst(m, c)
			return
		}
		l := s.line(m, c, x)
		if l.st != I {
			co.val = l.val
			if s.desc {
				fmt.Fprintf(d, "reads %s from its cache (%s)", s.assign(x, co.val), l.st)
				if inMailbox(co.mbox, x) {
					d.WriteString(", stale: an invalidation waits in its mailbox")
				}
			}
			s.finishInst(m, c)
			return
		}
		if s.desc {
			d.WriteString("cache miss; ")
		}
		co.wait = true
		s.request(m, c, x, forLoad, d)
	case hw.Store:
		v := s.p.Locs[x].Type.Wrap(req.Val)
		co.sb = append(co.sb, sbEntry{loc: int32(x), val: v, rel: req.Instr.Atomic && req.Instr.Ord.IsRelease()})
		if s.desc {
			fmt.Fprintf(d, "%s into its store buffer", s.assign(x, v))
		}
		s.finishInst(m, c)
	case hw.RMW:
		if st := s.line(m, c, x).st; st == M || st == E {
			s.rmw(m, c, x, d)
			s.finishInst(m, c)
			return
		}
		if s.desc {
			d.WriteString("needs the line in M; ")
		}
		co.wait = true
		s.request(m, c, x, forRMW, d)
	case hw.Barrier:
		switch in.Strength {
		case hw.Full:
			if s.desc {
				d.WriteString("store buffer empty")
				if s.mode == Weak {
					d.WriteString("; ")
				}
			}
			if s.mode == Weak {
				s.applyMailbox(m, c, d)
			}
		case hw.ReadB:
			s.applyMailbox(m, c, d)
		case hw.WriteB:
			if n := len(co.sb); n > 0 && co.sb[n-1].loc != mark {
				co.sb = append(co.sb, sbEntry{loc: mark})
				if s.desc {
					d.WriteString("marks its store buffer: later stores wait for the earlier ones")
				}
			} else if s.desc {
				d.WriteString("store buffer needs no mark")
			}
		}
		s.finishInst(m, c)
	default:
		s.finishInst(m, c)
	}
}

func inMailbox(mb []int32, x int) bool {
	for _, y := range mb {
		if int(y) == x {
			return true
		}
	}
	return false
}

func (s *sim) applyMailbox(m *machine, c int, d *strings.Builder) {
	co := &m.cores[c]
	if s.desc {
		if len(co.mbox) == 0 {
			d.WriteString("mailbox empty")
		} else {
			d.WriteString("applies its mailbox:")
			for _, x := range co.mbox {
				fmt.Fprintf(d, " invalidate %s", s.locName(int(x)))
			}
		}
	}
	for _, x := range co.mbox {
		l := s.line(m, c, int(x))
		l.st, l.val = I, 0
	}
	co.mbox = co.mbox[:0]
}

// rmw reads and writes line x, which c holds in M or E.
func (s *sim) rmw(m *machine, c, x int, d *strings.Builder) {
	co := &m.cores[c]
	l := s.line(m, c, x)
	l.st = M
	req := co.th.Req
	in := req.Instr
	t := s.p.Locs[x].Type
	old := l.val
	co.val, co.ok = old, true
	switch in.Op {
	case prog.OpRMW:
		l.val = prog.ApplyRMW(in.RMW, t, old, req.Val)
	case prog.OpCAS:
		if old == req.Exp {
			l.val = t.Wrap(req.New)
		} else {
			co.ok = false
		}
	case prog.OpStore:
		l.val = t.Wrap(req.Val)
	}
	if s.desc {
		fmt.Fprintf(d, "%s %s → %s in its cache (M)", s.locName(x), s.fmtVal(x, old), s.fmtVal(x, l.val))
	}
}

func (s *sim) drain(m *machine, c, i int, d *strings.Builder) {
	co := &m.cores[c]
	e := co.sb[i]
	x := int(e.loc)
	l := s.line(m, c, x)
	if s.desc && i > 0 {
		fmt.Fprintf(d, "(overtaking %d older store%s, no write barrier between) ", i, plural(i))
	}
	if l.st == M || l.st == E {
		l.st, l.val = M, e.val
		co.sb = normSB(append(co.sb[:i], co.sb[i+1:]...))
		if s.desc {
			fmt.Fprintf(d, "store buffer: writes %s to its cache (M)", s.assign(x, e.val))
		}
		return
	}
	if s.desc {
		fmt.Fprintf(d, "store buffer: %s needs the line in M; ", s.assign(x, e.val))
	}
	s.request(m, c, x, forStore, d)
}

// request puts core c's request for line x on the bus; every other cache
// snoops it in this step.
func (s *sim) request(m *machine, c, x int, why purpose, d *strings.Builder) {
	co := &m.cores[c]
	own := s.line(m, c, x)
	if s.mode == Weak && inMailbox(co.mbox, x) {
		// McKenney: a queued invalidation is a promise to apply it before
		// sending any message about the line.
		for i, y := range co.mbox {
			if int(y) == x {
				co.mbox = append(co.mbox[:i], co.mbox[i+1:]...)
				break
			}
		}
		own.st, own.val = I, 0
		if s.desc {
			fmt.Fprintf(d, "first applies its queued invalidate %s (S → I); ", s.locName(x))
		}
	}
	kind := reqRead
	if why != forLoad {
		kind = reqReadInv
		if own.st == S {
			kind = reqInv
		}
	}
	m.tx[x] = txn{active: true, core: int8(c), kind: kind, purpose: why}
	if s.desc {
		fmt.Fprintf(d, "%s %s on the bus", reqNames[kind], s.locName(x))
	}
	owner, shared := -1, false
	var notes []string
	for j := range m.cores {
		if j == c {
			continue
		}
		l := s.line(m, j, x)
		if l.st == I {
			continue
		}
		note := func(f string, a ...any) {
			if s.desc {
				notes = append(notes, s.coreName(j)+" "+fmt.Sprintf(f, a...))
			}
		}
		if kind == reqRead {
			shared = true
			switch l.st {
			case M:
				owner = j
				m.send(msg{kind: readResp, from: int8(j), to: int8(c), loc: int32(x), val: l.val, st: S})
				m.send(msg{kind: writeback, from: int8(j), to: memory, loc: int32(x), val: l.val})
				l.st = S
				note("supplies it and writes it back (M → S)")
			case E:
				l.st = S
				note("E → S")
			}
			continue
		}
		switch l.st {
		case M:
			owner = j
			m.send(msg{kind: readResp, from: int8(j), to: int8(c), loc: int32(x), val: l.val, st: M})
			l.st, l.val = I, 0
			note("supplies it (M → I)")
		case E, S:
			m.send(msg{kind: invAck, from: int8(j), to: int8(c), loc: int32(x)})
			if s.mode == Strong {
				note("%s → I, acks", l.st)
				l.st, l.val = I, 0
			} else {
				// The copy stays readable, stale, until the core applies
				// the queued invalidation; an E copy is no longer owned.
				jc := &m.cores[j]
				if !inMailbox(jc.mbox, x) {
					jc.mbox = append(jc.mbox, int32(x))
				}
				if l.st == E {
					note("queues the invalidate in its mailbox (E → S until applied), acks")
				} else {
					note("queues the invalidate in its mailbox, acks")
				}
				l.st = S
			}
		}
	}
	if kind != reqInv && owner < 0 {
		st := M
		if kind == reqRead {
			st = E
			if shared {
				st = S
			}
		}
		m.send(msg{kind: readResp, from: memory, to: int8(c), loc: int32(x), val: m.mem[x], st: st})
		if s.desc {
			notes = append(notes, "memory supplies it")
		}
	}
	if s.desc && len(notes) > 0 {
		fmt.Fprintf(d, "; %s", strings.Join(notes, "; "))
	}
	if !s.awaiting(m, c, x) {
		if s.desc {
			d.WriteString("; no other cache has it")
		}
		s.complete(m, c, x, d)
	}
}

// awaiting reports whether a response to c about x is still in flight.
func (s *sim) awaiting(m *machine, c, x int) bool {
	for _, g := range m.msgs {
		if int(g.loc) == x && int(g.to) == c {
			return true
		}
	}
	return false
}

func (s *sim) deliver(m *machine, i int, d *strings.Builder) {
	g := m.msgs[i]
	m.msgs = append(m.msgs[:i], m.msgs[i+1:]...)
	x := int(g.loc)
	if s.desc {
		fmt.Fprintf(d, "%s %s", msgNames[g.kind], s.locName(x))
		if g.kind != invAck {
			fmt.Fprintf(d, "=%s", s.fmtVal(x, g.val))
		}
		fmt.Fprintf(d, " %s → %s", s.coreName(int(g.from)), s.coreName(int(g.to)))
	}
	switch g.kind {
	case writeback:
		m.mem[x] = g.val
		return
	case readResp:
		m.tx[x].data = g.val
		m.tx[x].install = g.st
	}
	c := int(g.to)
	if !s.awaiting(m, c, x) {
		if s.desc {
			d.WriteString("; ")
		}
		s.complete(m, c, x, d)
	}
}

// complete ends c's transaction on x: the line is installed and what c
// wanted it for is done.
func (s *sim) complete(m *machine, c, x int, d *strings.Builder) {
	t := m.tx[x]
	m.tx[x] = txn{}
	l := s.line(m, c, x)
	switch t.kind {
	case reqRead:
		l.st, l.val = t.install, t.data
	case reqReadInv:
		l.st, l.val = M, t.data
	case reqInv:
		l.st = M
	}
	co := &m.cores[c]
	switch t.purpose {
	case forLoad:
		co.val = l.val
		co.wait = false
		if s.desc {
			fmt.Fprintf(d, "%s has %s in %s; the load reads %s", s.coreName(c), s.locName(x), l.st, s.assign(x, l.val))
		}
		s.finishInst(m, c)
	case forStore:
		i := 0
		for int(co.sb[i].loc) != x {
			i++
		}
		l.val = co.sb[i].val
		co.sb = normSB(append(co.sb[:i], co.sb[i+1:]...))
		if s.desc {
			fmt.Fprintf(d, "%s has %s in M and writes %s from its store buffer", s.coreName(c), s.locName(x), s.assign(x, l.val))
		}
	case forRMW:
		co.wait = false
		if s.desc {
			fmt.Fprintf(d, "%s has %s in M; %s: ", s.coreName(c), s.locName(x), co.th.Req.Instr.Text)
		}
		s.rmw(m, c, x, d)
		s.finishInst(m, c)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// acquiring reports whether an access has acquire semantics.
func acquiring(in *prog.Instr) bool {
	return in.Atomic && (in.Ord.IsAcquire() || in.Ord == prog.Consume)
}

// releasePending reports whether a Release store waits in the buffer.
func releasePending(sb []sbEntry) bool {
	for _, e := range sb {
		if e.rel {
			return true
		}
	}
	return false
}

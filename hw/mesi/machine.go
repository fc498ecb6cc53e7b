package mesi

import (
	"encoding/binary"
	"fmt"
	"sort"

	"happens/hw"
	"happens/interp"
	"happens/prog"
)

// Mode chooses the machine.
type Mode uint8

const (
	// Strong is the x86-like machine: FIFO store buffer, invalidations
	// applied at once.
	Strong Mode = iota
	// Weak is McKenney's machine: invalidation queues (mailboxes) and a
	// store buffer ordered only by write barriers.
	Weak
)

// Names lists the model names, as --model takes them.
var Names = []string{"mesi-strong", "mesi-weak"}

func (m Mode) String() string { return Names[m] }

// ModeByName reads a model name.
func ModeByName(name string) (Mode, bool) {
	for i, n := range Names {
		if n == name {
			return Mode(i), true
		}
	}
	return 0, false
}

// IsModel reports whether name is one of this package's models.
func IsModel(name string) bool {
	_, ok := ModeByName(name)
	return ok
}

// LineState is the MESI state of a cache line.
type LineState uint8

const (
	I LineState = iota // invalid
	S                  // shared: clean, other caches may hold it
	E                  // exclusive: clean, no other cache holds it
	M                  // modified: dirty, no other cache holds it
)

func (s LineState) String() string { return "ISEM"[s : s+1] }

type line struct {
	st  LineState
	val uint64
}

// mark is the loc of a write-barrier mark in a store buffer.
const mark = -1

type sbEntry struct {
	loc int32
	val uint64
	rel bool // written by a Release store: an Acquire load waits for it (as stlr;ldar)
}

// MsgKind is a response travelling on the interconnect.
type msgKind uint8

const (
	readResp msgKind = iota
	invAck
	writeback
)

var msgNames = [...]string{"read-response", "invalidate-ack", "writeback"}

// reqKind is a bus request.
type reqKind uint8

const (
	reqRead reqKind = iota
	reqReadInv
	reqInv
)

var reqNames = [...]string{"read", "read-invalidate", "invalidate"}

// memory is the from/to of a message sent by or to memory.
const memory = -1

type msg struct {
	kind     msgKind
	from, to int8
	loc      int32
	val      uint64
	st       LineState // read-response: the state the requester installs
}

func msgLess(a, b msg) bool {
	if a.loc != b.loc {
		return a.loc < b.loc
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.from != b.from {
		return a.from < b.from
	}
	if a.to != b.to {
		return a.to < b.to
	}
	if a.val != b.val {
		return a.val < b.val
	}
	return a.st < b.st
}

// purpose is what a core wants a line for.
type purpose uint8

const (
	forLoad purpose = iota
	forStore
	forRMW
)

// txn is the transaction in progress on one line.
type txn struct {
	active  bool
	core    int8
	kind    reqKind
	purpose purpose
	install LineState // from the read-response
	data    uint64
}

type core struct {
	th   *interp.State
	stop interp.Stop
	k    int    // next instruction of the current access's lowering
	val  uint64 // value the access read so far
	ok   bool   // a compare-exchange succeeded
	wait bool   // stalled until a transaction of its own completes
	sb   []sbEntry
	mbox []int32 // queued invalidations, oldest first
}

// machine is one state of the whole machine. Caches are one flat slice:
// core c's line for location x is cache[c*nloc+x].
type machine struct {
	cores []core
	cache []line
	mem   []uint64
	tx    []txn
	msgs  []msg // sorted by msgLess
}

// sim holds what does not change during an exploration.
type sim struct {
	p      *prog.Program
	mode   Mode
	unroll int
	nloc   int
	ops    map[*prog.Instr][]hw.Inst
	buf    []byte
	desc   bool // build descriptions of steps (for traces)
}

func newSim(p *prog.Program, mode Mode, unroll int) *sim {
	return &sim{p: p, mode: mode, unroll: unroll, nloc: len(p.Locs), ops: map[*prog.Instr][]hw.Inst{}}
}

func (s *sim) lower(in *prog.Instr) []hw.Inst {
	ops, ok := s.ops[in]
	if !ok {
		ops = Lower(s.mode, in)
		s.ops[in] = ops
	}
	return ops
}

func (s *sim) initial() *machine {
	p := s.p
	m := &machine{
		cores: make([]core, len(p.Threads)),
		cache: make([]line, len(p.Threads)*s.nloc),
		mem:   make([]uint64, s.nloc),
		tx:    make([]txn, s.nloc),
	}
	for x, l := range p.Locs {
		m.mem[x] = l.Type.Wrap(l.Init)
	}
	for c := range m.cores {
		m.cores[c].th = interp.New(p, c)
		s.runThread(m, c)
	}
	return m
}

func (m *machine) clone() *machine {
	n := &machine{
		cores: make([]core, len(m.cores)),
		cache: append([]line(nil), m.cache...),
		mem:   append([]uint64(nil), m.mem...),
		tx:    append([]txn(nil), m.tx...),
		msgs:  append([]msg(nil), m.msgs...),
	}
	for i := range m.cores {
		c := m.cores[i]
		c.th = c.th.Clone()
		c.sb = append([]sbEntry(nil), c.sb...)
		c.mbox = append([]int32(nil), c.mbox...)
		n.cores[i] = c
	}
	return n
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// key encodes the whole state.
func (s *sim) key(m *machine) []byte {
	b := s.buf[:0]
	u := func(v uint64) { b = binary.AppendUvarint(b, v) }
	for i := range m.cores {
		c := &m.cores[i]
		b = c.th.AppendKey(b)
		u(uint64(c.stop))
		u(uint64(c.k))
		u(c.val)
		u(b2u(c.ok) | b2u(c.wait)<<1)
		u(uint64(len(c.sb)))
		for _, e := range c.sb {
			u(uint64(e.loc + 1))
			u(e.val)
			u(b2u(e.rel))
		}
		u(uint64(len(c.mbox)))
		for _, x := range c.mbox {
			u(uint64(x))
		}
	}
	for _, l := range m.cache {
		u(uint64(l.st))
		u(l.val)
	}
	for _, v := range m.mem {
		u(v)
	}
	for _, t := range m.tx {
		if !t.active {
			u(0)
			continue
		}
		u(1 + uint64(t.core))
		u(uint64(t.kind))
		u(uint64(t.purpose))
		u(uint64(t.install))
		u(t.data)
	}
	u(uint64(len(m.msgs)))
	for _, g := range m.msgs {
		u(uint64(g.kind))
		u(uint64(int64(g.from) + 1))
		u(uint64(int64(g.to) + 1))
		u(uint64(g.loc))
		u(g.val)
		u(uint64(g.st))
	}
	s.buf = b
	return b
}

func (s *sim) line(m *machine, c, x int) *line { return &m.cache[c*s.nloc+x] }

// busy reports whether line x has a transaction or a message in flight.
func (m *machine) busy(x int) bool {
	if m.tx[x].active {
		return true
	}
	for _, g := range m.msgs {
		if int(g.loc) == x {
			return true
		}
	}
	return false
}

func (m *machine) send(g msg) {
	i := sort.Search(len(m.msgs), func(i int) bool { return !msgLess(m.msgs[i], g) })
	m.msgs = append(m.msgs, msg{})
	copy(m.msgs[i+1:], m.msgs[i:])
	m.msgs[i] = g
}

// runThread runs core c's thread to its next access that lowers to at
// least one instruction.
func (s *sim) runThread(m *machine, c int) {
	co := &m.cores[c]
	co.k, co.val, co.ok = 0, 0, false
	for {
		co.stop = co.th.Run(s.unroll)
		if co.stop != interp.Access || len(s.lower(co.th.Req.Instr)) > 0 {
			return
		}
		co.th.Complete(0, false)
	}
}

// current is the instruction core c is at.
func (s *sim) current(m *machine, c int) hw.Inst {
	co := &m.cores[c]
	return s.lower(co.th.Req.Instr)[co.k]
}

// finishInst ends the core's current instruction; after the last one of an
// access it completes the access and runs the thread on.
func (s *sim) finishInst(m *machine, c int) {
	co := &m.cores[c]
	co.k++
	if co.k < len(s.lower(co.th.Req.Instr)) {
		return
	}
	co.th.Complete(co.val, co.ok)
	s.runThread(m, c)
}

// normSB drops write-barrier marks that no store precedes, and repeated
// marks.
func normSB(sb []sbEntry) []sbEntry {
	for len(sb) > 0 && sb[0].loc == mark {
		sb = sb[1:]
	}
	out := sb[:0]
	for i, e := range sb {
		if e.loc == mark && i > 0 && sb[i-1].loc == mark {
			continue
		}
		out = append(out, e)
	}
	return out
}

// drainable reports whether store buffer entry i may be written to the
// cache now (ownership of the line aside).
func (s *sim) drainable(sb []sbEntry, i int) bool {
	e := sb[i]
	if e.loc == mark {
		return false
	}
	if s.mode == Strong {
		return i == 0
	}
	for j := 0; j < i; j++ {
		if sb[j].loc == mark || sb[j].loc == e.loc {
			return false
		}
	}
	return true
}

func (s *sim) locName(x int) string { return s.p.Locs[x].Name }

func (s *sim) coreName(c int) string {
	if c == memory {
		return "memory"
	}
	return s.p.Threads[c].Name
}

func (s *sim) fmtVal(x int, v uint64) string {
	return s.p.FormatValue(s.p.Locs[x].Type, v)
}

func (s *sim) assign(x int, v uint64) string {
	return fmt.Sprintf("%s=%s", s.locName(x), s.fmtVal(x, v))
}

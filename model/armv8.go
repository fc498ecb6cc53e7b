package model

import (
	"happens/graph"
	"happens/prog"
)

// ARMv8 is the AArch64 axiomatic model (Pulte, Flur, Deacon, French,
// Sarkar, Sewell, "Simplifying ARM Concurrency", POPL 2018), as herd7's
// aarch64.cat writes it, applied to the program compiled with the standard
// AArch64 mapping: Acquire and SeqCst loads are ldar (A), Release and SeqCst
// stores stlr (L), RMWs exclusive pairs with ldaxr/stlxr as their ordering
// asks, an Acquire fence dmb ishld, other fences dmb ish. Address, data and
// control dependencies are tracked from the program. Load buffering is
// allowed: programs are explored by revisits that follow dependencies
// (explore.HMC), whose incremental checks are tested against this model.
//
// As in herd, a read-modify-write is two events, its read and its write,
// related by rmw; the relations are built over those parts.
var ARMv8 = &Model{
	Name:     "armv8",
	Doc:      "ARMv8 AArch64 (Pulte et al., POPL 2018; herd7's aarch64.cat) under the standard AArch64 mapping",
	Hardware: true,
	Cycles:   true,
	Axioms: []Axiom{
		{Name: "internal", Text: "acyclic(po-loc ∪ fr ∪ co ∪ rf)", check: func(d *derived) []int { return armCheck(d, 0) }},
		{Name: "external", Text: "irreflexive(ob), ob = (obs ∪ dob ∪ aob ∪ bob)⁺", check: func(d *derived) []int { return armCheck(d, 1) }},
		{Name: "atomic", Text: "empty(rmw ∩ (fre ; coe))", check: func(d *derived) []int { return armCheck(d, 2) }},
	},
	derive: func(x *Exec) *derived { return &derived{x: x} },
}

// armNode is one node of the split graph: an event, or the read or write
// part of an RMW.
type armNode struct {
	ev         int // dense event index
	r, w, f    bool
	acq, rel   bool
	full, ld   bool // dmb ish, dmb ishld
	thread     int
	index, sub int // position in the thread; 0 read part, 1 write part
	loc        int
}

// armRels are the relations of aarch64.cat over the split graph (an RMW
// as its read and its write part), built once per graph and shared by the
// three axioms.
type armRels struct {
	nodes                                 []armNode
	n                                     int
	po, rf, co, fr, rmw, addr, data, ctrl Rel
	R, W, A, L, FULL, LD                  Set
}

func (d *derived) armRels() *armRels {
	if d.arm == nil {
		d.arm = armBuild(d)
	}
	return d.arm
}

func armBuild(d *derived) *armRels {
	x := d.x
	g := x.G
	var nodes []armNode
	rd := make([]int, x.N)
	wr := make([]int, x.N)
	for i := 0; i < x.N; i++ {
		rd[i], wr[i] = -1, -1
		e := x.Event(i)
		base := armNode{ev: i, thread: e.Thread, index: e.Index, loc: e.Loc}
		switch e.Kind {
		case graph.Fence:
			n := base
			n.f = true
			n.ld = e.Ord == prog.Acquire
			n.full = !n.ld
			rd[i] = len(nodes) // fences are neither; keep a node for po
			nodes = append(nodes, n)
			continue
		case graph.Init:
			n := base
			n.w = true
			wr[i] = len(nodes)
			nodes = append(nodes, n)
			continue
		}
		acq, rel := ARMOrdering(e)
		if e.IsRead() {
			n := base
			n.r, n.acq = true, acq
			rd[i] = len(nodes)
			nodes = append(nodes, n)
		}
		if e.IsWrite() {
			n := base
			n.w, n.rel, n.sub = true, rel, 1
			wr[i] = len(nodes)
			nodes = append(nodes, n)
		}
	}
	n := len(nodes)
	po, rf, co, fr, rmw := NewRel(n), NewRel(n), NewRel(n), NewRel(n), NewRel(n)
	addr, data, ctrl := NewRel(n), NewRel(n), NewRel(n)
	sameThread := func(a, b int) bool { return nodes[a].thread == nodes[b].thread && nodes[a].thread >= 0 }
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			na, nb := nodes[a], nodes[b]
			if a != b && sameThread(a, b) && (na.index < nb.index || na.index == nb.index && na.sub < nb.sub) {
				po.Add(a, b)
			}
		}
	}
	// The read node of the k-th event of a thread, for dependencies.
	readOf := map[[2]int]int{}
	for k, nd := range nodes {
		if nd.r {
			readOf[[2]int{nd.thread, nd.index}] = k
		}
	}
	for i := 0; i < x.N; i++ {
		e := x.Event(i)
		if e.IsRead() {
			rf.Add(wr[x.dense[e.RF]], rd[i])
			for _, w := range g.MO[e.Loc] {
				if g.MOPos(w) > g.MOPos(e.RF) {
					fr.Add(rd[i], wr[x.dense[w]])
				}
			}
		}
		if e.Kind == graph.RMW {
			rmw.Add(rd[i], wr[i])
		}
		if e.Kind == graph.Init || e.Kind == graph.Fence {
			continue
		}
		targets := []int{}
		for _, t := range []int{rd[i], wr[i]} {
			if t >= 0 {
				targets = append(targets, t)
			}
		}
		for k := 0; k < 64 && k < e.Index; k++ {
			src, ok := readOf[[2]int{e.Thread, k}]
			if !ok {
				continue
			}
			bit := uint64(1) << uint(k)
			for _, t := range targets {
				if e.Addr&bit != 0 {
					addr.Add(src, t)
				}
				if e.Ctrl&bit != 0 {
					ctrl.Add(src, t)
				}
			}
			if e.Data&bit != 0 && wr[i] >= 0 {
				data.Add(src, wr[i])
			}
		}
	}
	for _, mo := range g.MO {
		for a := range mo {
			for b := a + 1; b < len(mo); b++ {
				if x.dense[mo[a]] >= 0 && x.dense[mo[b]] >= 0 {
					co.Add(wr[x.dense[mo[a]]], wr[x.dense[mo[b]]])
				}
			}
		}
	}
	set := func(f func(armNode) bool) Set {
		s := newSet(n)
		for k, nd := range nodes {
			if f(nd) {
				s.Add(k)
			}
		}
		return s
	}
	R := set(func(a armNode) bool { return a.r })
	W := set(func(a armNode) bool { return a.w })
	A := set(func(a armNode) bool { return a.acq })
	L := set(func(a armNode) bool { return a.rel })
	FULL := set(func(a armNode) bool { return a.f && a.full })
	LD := set(func(a armNode) bool { return a.f && a.ld })
	return &armRels{nodes: nodes, n: n, po: po, rf: rf, co: co, fr: fr, rmw: rmw, addr: addr, data: data, ctrl: ctrl,
		R: R, W: W, A: A, L: L, FULL: FULL, LD: LD}
}

func armCheck(d *derived, which int) []int {
	a := d.armRels()
	nodes, n, po, rf, co, fr, rmw, addr, data, ctrl := a.nodes, a.n, a.po, a.rf, a.co, a.fr, a.rmw, a.addr, a.data, a.ctrl
	R, W, A, L, FULL, LD := a.R, a.W, a.A, a.L, a.FULL, a.LD
	sameThread := func(a, b int) bool { return nodes[a].thread == nodes[b].thread && nodes[a].thread >= 0 }
	ext := func(r Rel) Rel {
		c := NewRel(n)
		r.each(func(a, b int) {
			if !sameThread(a, b) {
				c.Add(a, b)
			}
		})
		return c
	}
	intl := func(r Rel) Rel { return r.Minus(ext(r)) }
	switch which {
	case 0:
		loc := NewRel(n)
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				if !nodes[a].f && !nodes[b].f && nodes[a].loc == nodes[b].loc {
					loc.Add(a, b)
				}
			}
		}
		return armEvents(nodes, acyclicOrCycle(Union(po.Inter(loc), fr, co, rf)))
	case 2:
		bad := rmw.Inter(Seq(ext(fr), ext(co)))
		if bad.IsEmpty() {
			return nil
		}
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				if bad.Has(a, b) {
					return armEvents(nodes, []int{a, b})
				}
			}
		}
	}
	rfi, coi := intl(rf), intl(co)
	obs := Union(ext(rf), ext(fr), ext(co))
	dob := Union(addr, data,
		ctrl.Restrict(nil, W),
		Seq(addr, po).Restrict(nil, W),
		Seq(Union(ctrl, data), coi),
		Seq(Union(addr, data), rfi))
	// aob: aarch64.cat's rmw ∪ [range(rmw)];rfi;[A ∪ Q] (a
	// read-modify-write's write before an acquire read of its thread that
	// reads it; the mapping emits no ldapr, so Q is empty). And, as
	// (addr ∪ data);rfi in dob: a fetch_add and its kin, an exclusive pair
	// that computes the value it stores from the value it loaded (ldxr;
	// add; stxr), orders its read before the reads of its thread that
	// read its write (a swap or compare-exchange stores an operand).
	rangeRMW, fromLoad := newSet(n), newSet(n)
	rmw.each(func(a, b int) {
		rangeRMW.Add(b)
		if d.x.Event(nodes[a].ev).Instr.StoresFromLoad() {
			fromLoad.Add(a)
		}
	})
	aob := Union(rmw, Seq(rmw.Restrict(fromLoad, nil), rfi), rfi.Restrict(rangeRMW, A))
	bob := Union(
		Seq(po.Restrict(nil, FULL), po),
		po.Restrict(L, A),
		Seq(po.Restrict(R, LD), po),
		po.Restrict(A, nil),
		po.Restrict(nil, L),
		Seq(po.Restrict(nil, L), coi))
	ob := Union(obs, dob, aob, bob).Plus()
	if ob.Reflexive() < 0 {
		return nil
	}
	return armEvents(nodes, Union(obs, dob, aob, bob).Cycle())
}

// armEvents maps a cycle of nodes back to dense event indices.
func armEvents(nodes []armNode, cycle []int) []int {
	if cycle == nil {
		return nil
	}
	var out []int
	for _, k := range cycle {
		e := nodes[k].ev
		if len(out) == 0 || out[len(out)-1] != e {
			out = append(out, e)
		}
	}
	if len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

// ARMAcquiresInstr says whether in's read acquires under the mapping (as
// ARMOrdering says of its events).
func ARMAcquiresInstr(in *prog.Instr) bool {
	if !in.Atomic {
		return false
	}
	ord := in.Ord
	if in.Op == prog.OpCAS {
		ord = prog.LoweredCASOrdering(in.Ord, in.Ord2)
	}
	return ord.IsAcquire() || ord == prog.Consume
}

// ARMOrdering says whether an event's instruction acquires (ldar, ldaxr,
// casa: its read) and releases (stlr, stlxr, casl: its write) under the
// standard mapping. A compare-exchange is one instruction whichever way it
// goes, compiled with its success ordering strengthened by its failure
// ordering (prog.LoweredCASOrdering, as LLVM compiles it): it orders the
// same when it succeeds and when it fails.
func ARMOrdering(e *graph.Event) (acq, rel bool) {
	if !e.Atomic {
		return false, false
	}
	ord := e.Ord
	if e.Instr != nil && e.Instr.Op == prog.OpCAS {
		ord = prog.LoweredCASOrdering(e.Instr.Ord, e.Instr.Ord2)
	}
	return ord.IsAcquire() || ord == prog.Consume, ord.IsRelease()
}

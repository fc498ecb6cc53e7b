package model

import (
	"happens/graph"
	"happens/prog"
)

// X86 is x86-TSO (Owens, Sarkar, Sewell, "A better x86 memory model:
// x86-TSO", 2009), as herd7's x86tso.cat writes it, applied to the program
// compiled with the standard x86-64 mapping: SeqCst stores become xchg and
// every RMW (a failed compare-exchange included: lock cmpxchg) is a locked
// instruction; a SeqCst fence becomes mfence; other fences and all loads and
// stores are plain movs.
var X86 = &Model{
	Name:       "x86",
	Extensible: true,
	Doc:        "x86-TSO (Owens, Sarkar, Sewell 2009; herd7's x86tso.cat) under the standard x86-64 mapping",
	Hardware:   true,
	StrongCAS:  true,
	Axioms: []Axiom{
		{Name: "uniproc", Text: "acyclic(po-loc ∪ rf ∪ fr ∪ co)", check: uniproc},
		{Name: "atomicity", Text: "empty(rmw ∩ (fre ; coe))", check: atomicity},
		{Name: "tso", Text: "acyclic(mfence ∪ implied ∪ WW(po) ∪ RM(po) ∪ rfe ∪ fr ∪ co)", check: tso},
	},
	derive: func(x *Exec) *derived { return &derived{x: x} },
}

func uniproc(d *derived) []int {
	x := d.x
	return acyclicOrCycle(Union(x.SB.Inter(x.Loc), x.RF, x.RB, x.MO))
}

// x86Locked reports whether an event comes from a locked instruction.
func x86Locked(e *graph.Event) bool {
	switch {
	case e.Kind == graph.RMW:
		return true
	case e.Kind == graph.Read && e.Instr != nil && e.Instr.Op == prog.OpCAS:
		return true // a failed lock cmpxchg is still locked
	case e.Kind == graph.Write && e.Atomic && e.Ord == prog.SeqCst:
		return true // xchg
	}
	return false
}

func tso(d *derived) []int {
	x := d.x
	mem := newSetN(x)
	locked := newSetN(x)
	mfence := newSetN(x)
	for i := 0; i < x.N; i++ {
		e := x.Event(i)
		if e.Kind == graph.Fence {
			if e.Ord == prog.SeqCst {
				mfence.Add(i)
			}
			continue
		}
		mem.Add(i)
		if x86Locked(e) {
			locked.Add(i)
		}
	}
	po := x.SB
	ghb := Union(
		po.Restrict(x.W, x.W),                                   // WW(po)
		po.Restrict(x.R, mem),                                   // RM(po)
		po.Restrict(x.and(x.W, locked), x.R),                    // implied: locked write before a read
		po.Restrict(x.W, x.and(x.R, locked)),                    // implied: a read that is locked
		Seq(po.Restrict(mem, mfence), po.Restrict(mfence, mem)), // mfence
		external(x, x.RF),
		x.RB,
		x.MO,
	)
	return acyclicOrCycle(ghb.Restrict(mem, mem))
}

func newSetN(x *Exec) Set { return Set(x.arena.words((x.N + 63) / 64)) }

// external keeps the pairs of r between different threads (initial writes
// count as another thread).
func external(x *Exec, r Rel) Rel {
	c := r.clone()
	for i := 0; i < x.N; i++ {
		ti := x.Event(i).Thread
		row := c.Row(i)
		for j := 0; j < x.N; j++ {
			if row.Has(j) && x.Event(j).Thread == ti {
				row[j>>6] &^= 1 << (uint(j) & 63)
			}
		}
	}
	return c
}

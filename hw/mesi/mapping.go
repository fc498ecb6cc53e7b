package mesi

import (
	"happens/hw"
	"happens/prog"
)

// The instructions of the barrier mapping of mesi-weak, named as
// McKenney's paper names them.
var (
	wLoad  = hw.Inst{Text: "ld", Kind: hw.Load}
	wStore = hw.Inst{Text: "st", Kind: hw.Store}
	wRMW   = hw.Inst{Text: "atomic rmw", Kind: hw.RMW}
	wMB    = hw.Inst{Text: "smp_mb", Kind: hw.Barrier, Strength: hw.Full}
	wRMB   = hw.Inst{Text: "smp_rmb", Kind: hw.Barrier, Strength: hw.ReadB}
	wWMB   = hw.Inst{Text: "smp_wmb", Kind: hw.Barrier, Strength: hw.WriteB}
)

// Lower returns the instructions an access or fence runs as on the machine:
// on mesi-strong the standard x86-64 mapping (hw.Lower(hw.X86, ...)); on
// mesi-weak the barrier mapping
//
//	load     Relaxed: ld           Acquire: ld; rmb          SeqCst: mb; ld; rmb
//	store    Relaxed: st           Release: wmb; st          SeqCst: mb; st; mb
//	RMW      Relaxed: rmw          Acquire: rmw; rmb         Release: wmb; rmw
//	         AcqRel:  wmb; rmw; rmb                          SeqCst: mb; rmw; mb
//	fence    Acquire: rmb          Release: wmb              AcqRel: rmb; wmb   SeqCst: mb
//
// Two rules of the machine add what ARMv8 guarantees and the bare mapping
// would not: an Acquire load waits until no Release store is left in the
// store buffer (stlr;ldar), and a load whose address depends on an earlier
// read applies the mailbox first (address dependencies are respected).
//
// A release needs only a write barrier because a load on this machine
// finishes before the next instruction starts: earlier loads are never
// passed. A compare-exchange uses its success ordering; a plain access
// lowers as a Relaxed one; Consume as Acquire.
func Lower(mode Mode, in *prog.Instr) []hw.Inst {
	ord := in.Ord
	if !in.Atomic && (in.Op == prog.OpLoad || in.Op == prog.OpStore) {
		ord = prog.Relaxed
	}
	if ord == prog.Consume {
		ord = prog.Acquire
	}
	op := hw.OpOf(in)
	if mode == Strong {
		return hw.Lower(hw.X86, op, ord)
	}
	switch op {
	case hw.OpLoad:
		switch ord {
		case prog.Acquire, prog.AcqRel:
			return []hw.Inst{wLoad, wRMB}
		case prog.SeqCst:
			return []hw.Inst{wMB, wLoad, wRMB}
		}
		return []hw.Inst{wLoad}
	case hw.OpStore:
		switch ord {
		case prog.Release, prog.AcqRel:
			return []hw.Inst{wWMB, wStore}
		case prog.SeqCst:
			return []hw.Inst{wMB, wStore, wMB}
		}
		return []hw.Inst{wStore}
	case hw.OpFence:
		switch ord {
		case prog.Acquire:
			return []hw.Inst{wRMB}
		case prog.Release:
			return []hw.Inst{wWMB}
		case prog.AcqRel:
			return []hw.Inst{wRMB, wWMB}
		case prog.SeqCst:
			return []hw.Inst{wMB}
		}
		return nil
	}
	switch ord {
	case prog.Acquire:
		return []hw.Inst{wRMW, wRMB}
	case prog.Release:
		return []hw.Inst{wWMB, wRMW}
	case prog.AcqRel:
		return []hw.Inst{wWMB, wRMW, wRMB}
	case prog.SeqCst:
		return []hw.Inst{wMB, wRMW, wMB}
	}
	return []hw.Inst{wRMW}
}

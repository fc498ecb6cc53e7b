// Package hw holds what lies under the abstract machine: the instruction
// sequences compilers emit for each atomic operation and ordering on each
// architecture (the standard mappings, as LLVM 14 -O2 emits them), with the
// ordering effect each instruction has, for the asm listing, the hardware
// models and the MESI simulator.
package hw

import (
	"fmt"
	"strings"

	"happens/prog"
)

// Arch is a target architecture.
type Arch string

const (
	X86     Arch = "x86-64"
	AArch64 Arch = "aarch64"
	LSE     Arch = "aarch64-lse"
	RISCV   Arch = "riscv64"
	POWER   Arch = "power"
)

// Archs lists the architectures in a stable order.
var Archs = []Arch{X86, AArch64, LSE, RISCV, POWER}

// ParseArch reads an architecture name.
func ParseArch(s string) (Arch, error) {
	for _, a := range Archs {
		if string(a) == s {
			return a, nil
		}
	}
	names := make([]string, len(Archs))
	for i, a := range Archs {
		names[i] = string(a)
	}
	return "", fmt.Errorf("unknown architecture %q (known: %s)", s, strings.Join(names, ", "))
}

// Kind is what an instruction does to memory.
type Kind uint8

const (
	Load    Kind = iota
	Store        // a plain or release store
	RMW          // an atomic read-modify-write (locked, exclusive pair, or AMO)
	Barrier      // a fence
	Check        // a compare/branch/isync that completes a POWER acquire
)

// Barrier strengths, in the terms of seed 000 and McKenney's "Memory
// Barriers: a Hardware View for Software Hackers".
type Strength uint8

const (
	NoBarrier Strength = iota
	Full               // orders everything: mfence, dmb ish, sync, fence rw,rw
	ReadB              // orders earlier loads with everything later: dmb ishld, fence r,rw
	WriteB             // orders earlier stores with later stores: dmb ishst, fence w,w
	LightW             // POWER lwsync, RISC-V fence.tso, fence rw,w: all but store→load
)

// Inst is one instruction of a lowered access.
type Inst struct {
	Text     string // assembly, e.g. "ldar w0, [x1]"
	Kind     Kind
	Strength Strength // for barriers
	Acquire  bool     // ldar, ldaxr, amo.aq, ...
	Release  bool     // stlr, stlxr, amo.rl, ...
	Locked   bool     // x86 lock prefix or xchg: drains the store buffer
}

// Op is an atomic operation class of the mapping table.
type Op uint8

const (
	OpLoad Op = iota
	OpStore
	OpFetchAdd
	OpSwap
	OpCAS
	OpOtherRMW // fetch_and/or/xor/nand/max/min
	OpFence
)

func (o Op) String() string {
	return [...]string{"load", "store", "fetch_add", "swap", "compare_exchange", "fetch_op", "fence"}[o]
}

// OpOf classifies a memory instruction of the resolved program.
func OpOf(in *prog.Instr) Op {
	switch in.Op {
	case prog.OpLoad:
		return OpLoad
	case prog.OpStore:
		return OpStore
	case prog.OpCAS:
		return OpCAS
	case prog.OpFence:
		return OpFence
	case prog.OpRMW:
		switch in.RMW {
		case prog.RMWAdd, prog.RMWSub:
			return OpFetchAdd
		case prog.RMWSwap:
			return OpSwap
		}
		return OpOtherRMW
	}
	return OpLoad
}

// Lower returns the instructions arch uses for an operation with ordering
// ord (for a CAS, ord is the success ordering). A plain (non-atomic) access
// lowers like a relaxed one.
func Lower(arch Arch, op Op, ord prog.Ordering) []Inst {
	if ord == prog.Consume {
		ord = prog.Acquire // what compilers do
	}
	switch arch {
	case X86:
		return lowerX86(op, ord)
	case AArch64:
		return lowerARM(op, ord, false)
	case LSE:
		return lowerARM(op, ord, true)
	case RISCV:
		return lowerRISCV(op, ord)
	case POWER:
		return lowerPOWER(op, ord)
	}
	return nil
}

func lowerX86(op Op, ord prog.Ordering) []Inst {
	switch op {
	case OpLoad:
		return []Inst{{Text: "mov eax, [x]", Kind: Load}}
	case OpStore:
		if ord == prog.SeqCst {
			return []Inst{{Text: "xchg [x], eax", Kind: RMW, Locked: true}}
		}
		return []Inst{{Text: "mov [x], eax", Kind: Store}}
	case OpFetchAdd:
		return []Inst{{Text: "lock xadd [x], eax", Kind: RMW, Locked: true}}
	case OpSwap:
		return []Inst{{Text: "xchg [x], eax", Kind: RMW, Locked: true}}
	case OpCAS, OpOtherRMW:
		return []Inst{{Text: "lock cmpxchg [x], ecx", Kind: RMW, Locked: true}}
	case OpFence:
		if ord == prog.SeqCst {
			return []Inst{{Text: "mfence", Kind: Barrier, Strength: Full}}
		}
		return nil // acquire/release fences are free on x86 (compiler barrier only)
	}
	return nil
}

func lowerARM(op Op, ord prog.Ordering, lse bool) []Inst {
	acq := ord.IsAcquire()
	rel := ord.IsRelease()
	switch op {
	case OpLoad:
		if acq {
			return []Inst{{Text: "ldar w0, [x1]", Kind: Load, Acquire: true}}
		}
		return []Inst{{Text: "ldr w0, [x1]", Kind: Load}}
	case OpStore:
		if rel {
			return []Inst{{Text: "stlr w0, [x1]", Kind: Store, Release: true}}
		}
		return []Inst{{Text: "str w0, [x1]", Kind: Store}}
	case OpFence:
		switch ord {
		case prog.Acquire:
			return []Inst{{Text: "dmb ishld", Kind: Barrier, Strength: ReadB}}
		case prog.Release, prog.AcqRel, prog.SeqCst:
			return []Inst{{Text: "dmb ish", Kind: Barrier, Strength: Full}}
		}
		return nil
	}
	suffix := ""
	switch {
	case acq && rel:
		suffix = "al"
	case acq:
		suffix = "a"
	case rel:
		suffix = "l"
	}
	if lse {
		name := map[Op]string{OpFetchAdd: "ldadd", OpSwap: "swp", OpCAS: "cas", OpOtherRMW: "ldset"}[op]
		return []Inst{{Text: fmt.Sprintf("%s%s w0, w2, [x1]", name, suffix), Kind: RMW, Acquire: acq, Release: rel}}
	}
	ld, st := "ldxr", "stxr"
	if acq {
		ld = "ldaxr"
	}
	if rel {
		st = "stlxr"
	}
	return []Inst{{Text: fmt.Sprintf("1: %s w0, [x1]; ...; %s w3, w2, [x1]; cbnz w3, 1b", ld, st), Kind: RMW, Acquire: acq, Release: rel}}
}

func lowerRISCV(op Op, ord prog.Ordering) []Inst {
	acq := ord.IsAcquire()
	rel := ord.IsRelease()
	fence := func(text string, s Strength) Inst { return Inst{Text: text, Kind: Barrier, Strength: s} }
	switch op {
	case OpLoad:
		switch ord {
		case prog.Acquire:
			return []Inst{{Text: "lw a0, 0(a1)", Kind: Load}, fence("fence r,rw", ReadB)}
		case prog.SeqCst:
			return []Inst{fence("fence rw,rw", Full), {Text: "lw a0, 0(a1)", Kind: Load}, fence("fence r,rw", ReadB)}
		}
		return []Inst{{Text: "lw a0, 0(a1)", Kind: Load}}
	case OpStore:
		if rel {
			return []Inst{fence("fence rw,w", LightW), {Text: "sw a0, 0(a1)", Kind: Store}}
		}
		return []Inst{{Text: "sw a0, 0(a1)", Kind: Store}}
	case OpFence:
		switch ord {
		case prog.Acquire:
			return []Inst{fence("fence r,rw", ReadB)}
		case prog.Release:
			return []Inst{fence("fence rw,w", LightW)}
		case prog.AcqRel:
			return []Inst{fence("fence.tso", LightW)}
		case prog.SeqCst:
			return []Inst{fence("fence rw,rw", Full)}
		}
		return nil
	case OpCAS:
		lr, sc := "lr.w", "sc.w"
		switch {
		case ord == prog.SeqCst:
			lr += ".aqrl" // as LLVM emits it
		case acq:
			lr += ".aq"
		}
		if rel {
			sc += ".rl"
		}
		return []Inst{{Text: fmt.Sprintf("1: %s a0, (a1); bne a0, a2, 2f; %s a3, a4, (a1); bnez a3, 1b; 2:", lr, sc), Kind: RMW, Acquire: acq, Release: rel}}
	}
	name := map[Op]string{OpFetchAdd: "amoadd.w", OpSwap: "amoswap.w", OpOtherRMW: "amoor.w"}[op]
	switch {
	case acq && rel:
		name += ".aqrl"
	case acq:
		name += ".aq"
	case rel:
		name += ".rl"
	}
	return []Inst{{Text: name + " a0, a2, (a1)", Kind: RMW, Acquire: acq, Release: rel}}
}

func lowerPOWER(op Op, ord prog.Ordering) []Inst {
	sync := Inst{Text: "sync", Kind: Barrier, Strength: Full}
	lwsync := Inst{Text: "lwsync", Kind: Barrier, Strength: LightW}
	ctrlisync := Inst{Text: "cmpw r3,r3; bne- 1f; 1: isync", Kind: Check, Acquire: true}
	switch op {
	case OpLoad:
		ld := Inst{Text: "lwz r3, 0(r4)", Kind: Load}
		switch ord {
		case prog.Acquire:
			return []Inst{ld, ctrlisync}
		case prog.SeqCst:
			return []Inst{sync, ld, ctrlisync}
		}
		return []Inst{ld}
	case OpStore:
		st := Inst{Text: "stw r3, 0(r4)", Kind: Store}
		switch ord {
		case prog.Release:
			return []Inst{lwsync, st}
		case prog.SeqCst:
			return []Inst{sync, st}
		}
		return []Inst{st}
	case OpFence:
		switch ord {
		case prog.Acquire, prog.Release, prog.AcqRel:
			return []Inst{lwsync}
		case prog.SeqCst:
			return []Inst{sync}
		}
		return nil
	}
	loop := Inst{Text: "1: lwarx r3, 0, r4; ...; stwcx. r5, 0, r4; bne- 1b", Kind: RMW}
	var out []Inst
	switch ord {
	case prog.Release, prog.AcqRel:
		out = append(out, lwsync)
	case prog.SeqCst:
		out = append(out, sync)
	}
	out = append(out, loop)
	if ord.IsAcquire() {
		out = append(out, Inst{Text: "isync", Kind: Check, Acquire: true})
	}
	return out
}

// Orderings lists the orderings valid for an operation, for the mapping
// table.
func Orderings(op Op) []prog.Ordering {
	switch op {
	case OpLoad:
		return []prog.Ordering{prog.Relaxed, prog.Acquire, prog.SeqCst}
	case OpStore:
		return []prog.Ordering{prog.Relaxed, prog.Release, prog.SeqCst}
	case OpFence:
		return []prog.Ordering{prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
	}
	return []prog.Ordering{prog.Relaxed, prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
}

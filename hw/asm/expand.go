package asm

import (
	"strings"

	"happens/hw"
	"happens/prog"
)

// The mapping (package hw) gives one instruction sequence per operation
// class and ordering, with "..." where a load-exclusive/store-exclusive
// loop computes the value it stores, and one placeholder mnemonic for the
// class fetch_op (fetch_and, _or, _xor, _nand, _max, _min). expand writes
// out what a compiler emits for the actual operation: the loop body, the
// instruction of the actual fetch_op, the negation fetch_sub needs, the
// failure path of a compare-exchange, and the single attempt of
// compare_exchange_weak.

// line is one line of a lowered access.
type line struct {
	label string // a numeric local label ("1:") on a line of its own
	text  string // an instruction
	note  string
}

func inst(text string) line { return line{text: text} }

func with(text, note string) line { return line{text: text, note: note} }

// split breaks an instruction text of the mapping into lines: "; "
// separates instructions, "1: " starts a local label.
func split(text string) []line {
	var out []line
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if i := strings.Index(part, ":"); i > 0 && isDigits(part[:i]) {
			out = append(out, line{label: part[:i+1]})
			part = strings.TrimSpace(part[i+1:])
			if part == "" {
				continue
			}
		}
		out = append(out, inst(part))
	}
	return out
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func mnemonic(text string) string {
	m, _, _ := strings.Cut(text, " ")
	return m
}

func operands(text string) string {
	_, o, _ := strings.Cut(text, " ")
	return strings.TrimSpace(o)
}

// expand lowers one memory instruction to lines. ord is the ordering the
// mapping was asked for.
func expand(arch hw.Arch, in *prog.Instr, op hw.Op, ord prog.Ordering, signed bool) []line {
	insts := hw.Lower(arch, op, ord)
	switch {
	case in.Op == prog.OpRMW && in.RMW == prog.RMWNand && arch == hw.LSE:
		// LSE has no nand: the v8.0 exclusive loop.
		out := expandLines(hw.AArch64, in, hw.Lower(hw.AArch64, op, ord), signed)
		for i := range out {
			if out[i].text != "" {
				out[i].note = "no LSE instruction for nand: the ldxr/stxr loop"
				break
			}
		}
		return out
	case in.Op == prog.OpRMW && op == hw.OpOtherRMW && arch == hw.X86 && len(insts) == 1:
		// A locked instruction computes no old value for and/or/xor, and
		// none exists for nand/max/min: a compare-exchange loop.
		out := []line{inst("mov eax, [x]"), {label: "1:"}, inst("mov ecx, eax")}
		out = append(out, x86Op(in.RMW, signed)...)
		out = append(out, inst(insts[0].Text), with("jne 1b", "the location changed since the load: try again"))
		return out
	}
	return expandLines(arch, in, insts, signed)
}

func expandLines(arch hw.Arch, in *prog.Instr, insts []hw.Inst, signed bool) []line {
	var out []line
	for _, hi := range insts {
		for _, l := range split(hi.Text) {
			if l.text == "..." {
				out = append(out, body(arch, in, signed)...)
				continue
			}
			out = append(out, refine(arch, in, l, signed)...)
		}
	}
	out = loopNotes(arch, out)
	if in.Op == prog.OpCAS {
		out = casLines(arch, in, out)
	}
	return out
}

// body is what an exclusive loop computes between its load (old value in
// w0 / r3) and its store (new value in w2 / r5); the operand or expected
// value is in w4 / r6.
func body(arch hw.Arch, in *prog.Instr, signed bool) []line {
	if in.Op == prog.OpCAS {
		switch arch {
		case hw.AArch64, hw.LSE:
			return []line{inst("cmp w0, w4"), inst("b.ne 2f")}
		case hw.POWER:
			return []line{inst("cmpw r3, r6"), inst("bne- 2f")}
		}
		return nil
	}
	if in.Op != prog.OpRMW {
		return nil
	}
	switch arch {
	case hw.AArch64, hw.LSE:
		gt, lt := "hi", "lo"
		if signed {
			gt, lt = "gt", "lt"
		}
		switch in.RMW {
		case prog.RMWAdd:
			return []line{inst("add w2, w0, w4")}
		case prog.RMWSub:
			return []line{inst("sub w2, w0, w4")}
		case prog.RMWAnd:
			return []line{inst("and w2, w0, w4")}
		case prog.RMWOr:
			return []line{inst("orr w2, w0, w4")}
		case prog.RMWXor:
			return []line{inst("eor w2, w0, w4")}
		case prog.RMWNand:
			return []line{inst("and w2, w0, w4"), inst("mvn w2, w2")}
		case prog.RMWMax:
			return []line{inst("cmp w0, w4"), inst("csel w2, w0, w4, " + gt)}
		case prog.RMWMin:
			return []line{inst("cmp w0, w4"), inst("csel w2, w0, w4, " + lt)}
		case prog.RMWSwap:
			return []line{inst("mov w2, w4")}
		}
	case hw.POWER:
		cmp := "cmplw"
		if signed {
			cmp = "cmpw"
		}
		switch in.RMW {
		case prog.RMWAdd:
			return []line{inst("add r5, r3, r6")}
		case prog.RMWSub:
			return []line{inst("subf r5, r6, r3")}
		case prog.RMWAnd:
			return []line{inst("and r5, r3, r6")}
		case prog.RMWOr:
			return []line{inst("or r5, r3, r6")}
		case prog.RMWXor:
			return []line{inst("xor r5, r3, r6")}
		case prog.RMWNand:
			return []line{inst("nand r5, r3, r6")}
		case prog.RMWMax:
			return []line{inst(cmp + " r3, r6"), inst("isel r5, r3, r6, gt")}
		case prog.RMWMin:
			return []line{inst(cmp + " r3, r6"), inst("isel r5, r3, r6, lt")}
		case prog.RMWSwap:
			return []line{inst("mr r5, r6")}
		}
	}
	return nil
}

// refine replaces the mapping's placeholder instruction for fetch_op and
// adds the negation fetch_sub needs on the AMO and LSE instructions.
func refine(arch hw.Arch, in *prog.Instr, l line, signed bool) []line {
	if in.Op != prog.OpRMW || l.text == "" {
		return []line{l}
	}
	m, ops := mnemonic(l.text), operands(l.text)
	switch arch {
	case hw.X86:
		if in.RMW == prog.RMWSub && m == "lock" {
			return []line{with("neg eax", "fetch_sub adds the negated operand"), l}
		}
	case hw.LSE:
		if in.RMW == prog.RMWSub && strings.HasPrefix(m, "ldadd") {
			return []line{with("neg w0, w0", "fetch_sub adds the negated operand"), l}
		}
		if sfx, ok := strings.CutPrefix(m, "ldset"); ok {
			u := "u"
			if signed {
				u = "s"
			}
			name := map[prog.RMWOp]string{prog.RMWAnd: "ldclr", prog.RMWOr: "ldset", prog.RMWXor: "ldeor", prog.RMWMax: "ld" + u + "max", prog.RMWMin: "ld" + u + "min"}[in.RMW]
			if name == "" {
				return []line{l}
			}
			l.text = name + sfx + " " + ops
			if in.RMW == prog.RMWAnd {
				return []line{with("mvn w0, w0", "ldclr clears the bits set in its operand: fetch_and passes the complement"), l}
			}
		}
	case hw.RISCV:
		if in.RMW == prog.RMWSub && strings.HasPrefix(m, "amoadd.") {
			return []line{with("neg a2, a2", "fetch_sub adds the negated operand"), l}
		}
		if sfx, ok := strings.CutPrefix(m, "amoor.w"); ok {
			u := "u"
			if signed {
				u = ""
			}
			if in.RMW == prog.RMWNand {
				// No AMO computes nand: a load-reserved/store-conditional loop.
				lr, sc := "lr.w", "sc.w"
				switch {
				case in.Ord == prog.SeqCst: // as LLVM: SC with other SC accesses
					lr += ".aqrl"
				case strings.Contains(sfx, "aq"):
					lr += ".aq"
				}
				if strings.Contains(sfx, "rl") {
					sc += ".rl"
				}
				return []line{{label: "1:"}, with(lr+" a0, (a1)", "no AMO computes nand: an lr/sc loop"), inst("and a3, a0, a2"), inst("not a3, a3"),
					inst(sc + " a4, a3, (a1)"), with("bnez a4, 1b", "the store-conditional failed: try again")}
			}
			name := map[prog.RMWOp]string{prog.RMWAnd: "amoand.w", prog.RMWOr: "amoor.w", prog.RMWXor: "amoxor.w", prog.RMWMax: "amomax" + u + ".w", prog.RMWMin: "amomin" + u + ".w"}[in.RMW]
			if name != "" {
				l.text = name + sfx + " " + ops
			}
		}
	}
	return []line{l}
}

func x86Op(op prog.RMWOp, signed bool) []line {
	lt, gt := "cmovb", "cmova"
	if signed {
		lt, gt = "cmovl", "cmovg"
	}
	switch op {
	case prog.RMWAnd:
		return []line{inst("and ecx, edx")}
	case prog.RMWOr:
		return []line{inst("or ecx, edx")}
	case prog.RMWXor:
		return []line{inst("xor ecx, edx")}
	case prog.RMWNand:
		return []line{inst("and ecx, edx"), inst("not ecx")}
	case prog.RMWMax:
		return []line{inst("cmp ecx, edx"), inst(lt + " ecx, edx")}
	case prog.RMWMin:
		return []line{inst("cmp ecx, edx"), inst(gt + " ecx, edx")}
	}
	return nil
}

// isStoreExclusive reports whether an instruction is the store half of a
// load-exclusive/store-exclusive pair.
func isStoreExclusive(m string) bool {
	return strings.HasPrefix(m, "stxr") || strings.HasPrefix(m, "stlxr") || m == "stwcx." || strings.HasPrefix(m, "sc.")
}

// backBranch finds the branch that closes an exclusive loop.
func backBranch(out []line) (store, back int) {
	store, back = -1, -1
	for i, l := range out {
		if l.text == "" {
			continue
		}
		if isStoreExclusive(mnemonic(l.text)) {
			store = i
		} else if store >= 0 && back < 0 && strings.HasSuffix(l.text, "1b") {
			back = i
		}
	}
	return store, back
}

// exclusive is what the architecture calls the store half of its
// reservation pair.
func exclusive(arch hw.Arch) string {
	if arch == hw.RISCV || arch == hw.POWER {
		return "store-conditional"
	}
	return "store-exclusive"
}

func loopNotes(arch hw.Arch, out []line) []line {
	if _, back := backBranch(out); back >= 0 && out[back].note == "" {
		out[back].note = "the " + exclusive(arch) + " failed: try again"
	}
	return out
}

// casLines marks the failure path of a compare-exchange and, for
// compare_exchange_weak, removes the retry of an exclusive loop.
func casLines(arch hw.Arch, in *prog.Instr, out []line) []line {
	fail := "not the expected value: the exchange fails and stores nothing (failure ordering " + in.Ord2.String() + ")"
	hasLabel2 := false
	for i := range out {
		l := &out[i]
		if l.label == "2:" {
			hasLabel2 = true
		}
		if strings.HasSuffix(l.text, "2f") {
			l.note = fail
		}
	}
	for i := range out {
		l := &out[i]
		switch m := mnemonic(l.text); {
		case arch == hw.X86 && m == "lock":
			l.note = "ZF=0 when the location differs from eax: the exchange fails (eax = the value read); locked either way"
			if in.Weak {
				l.note += "; compare_exchange_weak is the same instruction: no spurious failure on x86"
			}
		case arch == hw.LSE && strings.HasPrefix(m, "cas"):
			l.note = "fails when the value read (w0) differs from the expected one: nothing is stored"
			if in.Weak {
				l.note += "; compare_exchange_weak is the same cas: it never fails spuriously"
			}
		}
	}
	store, back := backBranch(out)
	if store < 0 {
		return out
	}
	end := back
	if in.Weak {
		flag := map[hw.Arch]string{hw.AArch64: "w3 != 0", hw.LSE: "w3 != 0", hw.RISCV: "a3 != 0", hw.POWER: "CR0.eq clear"}[arch]
		out[store].note = "compare_exchange_weak: a single attempt; if the " + exclusive(arch) + " fails (" + flag + ") the exchange fails spuriously"
		if back >= 0 {
			out = append(out[:back], out[back+1:]...)
		}
		end = store
	} else if back >= 0 {
		out[back].note = "the " + exclusive(arch) + " failed: try again (strong compare_exchange)"
	}
	if !hasLabel2 && end >= 0 {
		for _, l := range out {
			if strings.HasSuffix(l.text, "2f") {
				out = append(out[:end+1], append([]line{{label: "2:"}}, out[end+1:]...)...)
				break
			}
		}
	}
	return out
}

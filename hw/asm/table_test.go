package asm

import (
	"fmt"
	"strings"
	"testing"

	"happens/hw"
	"happens/prog"
)

// issueTable is the mapping table of issue 5, copied verbatim. The test
// reads the expected instructions from it, never from package hw.
const issueTable = `
| operation | x86-64 | AArch64 | AArch64+LSE | RISC-V | POWER |
| load Relaxed / Acquire / SeqCst | mov / mov / mov | ldr / ldar / ldar | same | l / l; fence r,rw / fence rw,rw; l; fence r,rw | ld / ld;cmp;bne;isync / sync;ld;cmp;bne;isync |
| store Relaxed / Release / SeqCst | mov / mov / xchg | str / stlr / stlr | same | s / fence rw,w; s / fence rw,w; s | st / lwsync;st / sync;st |
| RMW (fetch_add, swap, CAS) | lock xadd / xchg / lock cmpxchg | ldxr/stxr loop (ldaxr for acquire, stlxr for release) | ldadd / swp / cas, with a/l/al suffixes | amo*.{aq,rl,aqrl}; lr/sc for CAS | lwarx/stwcx. loop with lwsync/sync |
| fence Acquire / Release, AcqRel / SeqCst | – / – / mfence | dmb ishld / dmb ish / dmb ish | same | fence r,rw / fence rw,w, fence.tso / fence rw,rw | lwsync / lwsync / sync |
`

// The table's columns, in its order.
var tableArchs = []hw.Arch{hw.X86, hw.AArch64, hw.LSE, hw.RISCV, hw.POWER}

// printedTable reads WriteTable's output back: arch → "op ordering" → the
// instructions, normalised to the table's vocabulary.
func printedTable(t *testing.T) (map[hw.Arch]map[string][]string, map[hw.Arch]map[string]string) {
	t.Helper()
	var b strings.Builder
	if err := WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	norm := map[hw.Arch]map[string][]string{}
	raw := map[hw.Arch]map[string]string{}
	var arch hw.Arch
	op := ""
	for _, ln := range strings.Split(b.String(), "\n") {
		switch {
		case ln == "":
		case !strings.HasPrefix(ln, " "):
			arch = hw.Arch(strings.TrimSuffix(ln, ":"))
			norm[arch], raw[arch] = map[string][]string{}, map[string]string{}
		default:
			if name := strings.TrimSpace(ln[2:20]); name != "" {
				op = name
			}
			ord, insts, _ := strings.Cut(strings.TrimSpace(ln[20:]), " ")
			insts = strings.TrimSpace(insts)
			key := op + " " + ord
			raw[arch][key] = insts
			norm[arch][key] = normalise(arch, insts)
		}
	}
	return norm, raw
}

// normalise turns instruction text into the table's words: mnemonics only
// (operands kept for fences, whose operands are the point), local
// labels and the loop body placeholder dropped, and the width of loads and
// stores, which the table leaves open, forgotten: RISC-V lw → l, sw → s;
// POWER lwz → ld, stw → st, cmpw → cmp, and bne- (a branch with a
// not-taken hint) → bne.
func normalise(arch hw.Arch, text string) []string {
	if text == "–" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, ":"); i > 0 && isDigits(part[:i]) {
			part = strings.TrimSpace(part[i+1:])
		}
		if part == "" || part == "..." {
			continue
		}
		f := strings.Fields(part)
		m := f[0]
		switch {
		case m == "lock" && len(f) > 1:
			m = "lock " + f[1]
		case (m == "fence" || m == "dmb") && len(f) > 1:
			m += " " + f[1]
		}
		switch arch {
		case hw.RISCV:
			switch m {
			case "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu":
				m = "l"
			case "sb", "sh", "sw", "sd":
				m = "s"
			}
		case hw.POWER:
			switch m {
			case "lbz", "lhz", "lwz", "ld":
				m = "ld"
			case "stb", "sth", "stw", "std":
				m = "st"
			case "cmpw", "cmpd":
				m = "cmp"
			case "bne-", "bne+":
				m = "bne"
			}
		}
		out = append(out, m)
	}
	return out
}

func cellInsts(cell string) []string {
	cell = strings.TrimSpace(cell)
	if cell == "–" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(cell, ";") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// TestMappingTable checks the printed mapping table (and so hw.Lower)
// against the issue's table.
func TestMappingTable(t *testing.T) {
	got, raw := printedTable(t)
	for _, a := range tableArchs {
		if got[a] == nil {
			t.Fatalf("the printed table has no section for %s", a)
		}
	}
	check := func(a hw.Arch, key string, want []string) {
		t.Helper()
		g, ok := got[a][key]
		if !ok {
			t.Errorf("%s %s: not in the printed table", a, key)
			return
		}
		if strings.Join(g, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s %s: the mapping gives %q (normalised %q), the issue's table %q", a, key, raw[a][key], strings.Join(g, "; "), strings.Join(want, "; "))
		}
	}
	rows := strings.Split(strings.TrimSpace(issueTable), "\n")[1:]
	for _, row := range rows {
		cells := strings.Split(strings.Trim(row, "| "), " | ")
		if len(cells) != 1+len(tableArchs) {
			t.Fatalf("bad row %q", row)
		}
		head := cells[0]
		if strings.HasPrefix(head, "RMW") {
			checkRMW(t, got, raw, cells[1:])
			continue
		}
		opName, ords, _ := strings.Cut(head, " ")
		var groups [][]string // orderings per " / " group
		for _, g := range strings.Split(ords, " / ") {
			groups = append(groups, strings.Split(g, ", "))
		}
		prev := ""
		for i, a := range tableArchs {
			cell := cells[1+i]
			if cell == "same" {
				cell = prev
			}
			prev = cell
			parts := strings.Split(cell, " / ")
			if len(parts) != len(groups) {
				t.Fatalf("%s %s: %d cells for %d ordering groups", a, opName, len(parts), len(groups))
			}
			for gi, g := range groups {
				// A group of several orderings lists one instruction per
				// ordering (", "), or one for all of them.
				each := strings.Split(parts[gi], ", ")
				for oi, ord := range g {
					cell := each[0]
					if len(each) == len(g) {
						cell = each[oi]
					}
					check(a, opName+" "+ord, cellInsts(cell))
				}
			}
		}
	}
}

// checkRMW checks the table's RMW row, which describes the sequences in
// words; the rules below are those words made exact. An ordering is
// "acquire" when it is Acquire, AcqRel or SeqCst and "release" when it is
// Release, AcqRel or SeqCst.
func checkRMW(t *testing.T, got map[hw.Arch]map[string][]string, raw map[hw.Arch]map[string]string, cells []string) {
	t.Helper()
	want := []string{
		"lock xadd / xchg / lock cmpxchg",
		"ldxr/stxr loop (ldaxr for acquire, stlxr for release)",
		"ldadd / swp / cas, with a/l/al suffixes",
		"amo*.{aq,rl,aqrl}; lr/sc for CAS",
		"lwarx/stwcx. loop with lwsync/sync",
	}
	for i := range want {
		if cells[i] != want[i] {
			t.Fatalf("the RMW rules below were written for %q, the table says %q", want[i], cells[i])
		}
	}
	ops := []string{"fetch_add", "swap", "compare_exchange"}
	ords := []prog.Ordering{prog.Relaxed, prog.Acquire, prog.Release, prog.AcqRel, prog.SeqCst}
	for oi, op := range ops {
		for _, ord := range ords {
			key := fmt.Sprintf("%s %s", op, ord)
			acq, rel := ord.IsAcquire(), ord.IsRelease()
			expect := func(a hw.Arch, w []string) {
				t.Helper()
				if g := got[a][key]; strings.Join(g, "; ") != strings.Join(w, "; ") {
					t.Errorf("%s %s: the mapping gives %q (normalised %q), the issue's table means %q", a, key, raw[a][key], strings.Join(g, "; "), strings.Join(w, "; "))
				}
			}
			loops := func(a hw.Arch) {
				t.Helper()
				if !strings.Contains(raw[a][key], "1b") {
					t.Errorf("%s %s: %q is not a loop (no branch back)", a, key, raw[a][key])
				}
			}
			// x86-64: lock xadd / xchg / lock cmpxchg, whatever the ordering.
			expect(hw.X86, []string{[]string{"lock xadd", "xchg", "lock cmpxchg"}[oi]})
			// AArch64: ldxr/stxr loop, ldaxr for acquire, stlxr for release.
			ld, st := "ldxr", "stxr"
			if acq {
				ld = "ldaxr"
			}
			if rel {
				st = "stlxr"
			}
			expect(hw.AArch64, []string{ld, st, "cbnz"})
			loops(hw.AArch64)
			// LSE: ldadd / swp / cas with a/l/al suffixes.
			sfx := map[[2]bool]string{{false, false}: "", {true, false}: "a", {false, true}: "l", {true, true}: "al"}[[2]bool{acq, rel}]
			expect(hw.LSE, []string{[]string{"ldadd", "swp", "cas"}[oi] + sfx})
			// RISC-V: amo*.{aq,rl,aqrl}; lr/sc for CAS.
			if op == "compare_exchange" {
				g := got[hw.RISCV][key]
				if len(g) < 2 || !strings.HasPrefix(g[0], "lr.") || !hasPrefix(g, "sc.") {
					t.Errorf("%s %s: %q is not an lr/sc sequence", hw.RISCV, key, raw[hw.RISCV][key])
				}
				loops(hw.RISCV)
			} else {
				amo := map[[2]bool]string{{false, false}: "", {true, false}: ".aq", {false, true}: ".rl", {true, true}: ".aqrl"}[[2]bool{acq, rel}]
				g := got[hw.RISCV][key]
				if len(g) != 1 || !strings.HasPrefix(g[0], "amo") || !strings.HasSuffix(g[0], ".w"+amo) && !strings.HasSuffix(g[0], ".d"+amo) {
					t.Errorf("%s %s: the mapping gives %q, the issue's table means one amo*%s", hw.RISCV, key, raw[hw.RISCV][key], amo)
				}
			}
			// POWER: lwarx/stwcx. loop with lwsync (release) or sync
			// (SeqCst) before it. The table does not mention the isync
			// that follows an acquire RMW; it is allowed after acquire
			// orderings only.
			var pw []string
			switch ord {
			case prog.Release, prog.AcqRel:
				pw = append(pw, "lwsync")
			case prog.SeqCst:
				pw = append(pw, "sync")
			}
			// (The loop body, compare-and-branch of a CAS included, is the
			// mapping's "...", which normalise drops.)
			pw = append(pw, "lwarx", "stwcx.", "bne")
			if g := got[hw.POWER][key]; acq && len(g) > 0 && g[len(g)-1] == "isync" {
				pw = append(pw, "isync")
			}
			expect(hw.POWER, pw)
			loops(hw.POWER)
		}
	}
}

func hasPrefix(s []string, p string) bool {
	for _, x := range s {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

// Package printer writes a resolved program (package prog) back as source
// text: in happens' Rust-style litmus language (Rust) or in herd7's C
// litmus format (C). Because it works from the resolved form, every front
// end gets both printers; `happens fmt --to rust|c` converts between the
// formats with it.
//
// Printing rebuilds structured code from each thread's register code:
//
//   - straight-line memory accesses become statements; a temporary written
//     once and read once is substituted forward into the expression that
//     reads it, as long as memory events (and operations that can panic)
//     keep their program order; otherwise it is assigned first;
//   - forward branches become if/else, the loop markers (OpLoopEnter,
//     OpLoopBack, OpLoopExit) become loops, jumps to a loop's exit or back
//     edge become break and continue; the branch shapes of && and || are
//     put back together; a branch decided by an enclosing one (the arm of
//     a match that cannot be reached) keeps only its taken side;
//   - registers the thread exports (prog.Thread.Locals) keep their names;
//     other registers that must stay registers are named tN.
//
// The printed program means the same: parsed again it has the same memory
// events in the same program order, the same values, the same final
// condition and observed values, and the same loop behaviour: a variable
// is declared before a loop exactly when its register was allocated before
// the loop, so the spin check compares the same values and the same
// executions are blocked or bounded.
//
// What the target cannot say is rejected with positioned errors (a
// source.ErrorList) that name the construct. For Rust: memory_order_consume,
// pointers, a plain access to a location also accessed atomically, a
// relaxed fence, a release or acq_rel load or acquire or acq_rel store,
// herd's filter clause. For C: arrays, assert!/assume!/panics (also those
// of unwrap), fetch_nand/max/min, loops left from the middle (herd's C has
// no break or continue) or without loop markers (for), compare_exchange
// inside a loop (herd's compare_exchange writes its expected value back to
// memory, which a Rust spin loop does not), a shift of a narrow integer
// that C would compute differently, and conditions beyond herd's = and !=
// between registers, locations and constants.
//
// Conventions of the translation:
//
//   - threads: herd's P0, P1, ... keep their names in Rust; Rust threads
//     become P0, P1, ... in thread order;
//   - bool becomes int 0/1 in C (exact: every bool operation a program can
//     do has the same 0/1 result on ints);
//   - a Rust compare_exchange becomes herd's atomic_compare_exchange with
//     the expected value in a fresh plain location private to the thread
//     (cas0, ...): its extra plain accesses change no execution count and
//     race with nothing; herd's compare_exchange on location E prints in
//     Rust as a compare_exchange of E's plain value followed by the store
//     back to E on failure; herd's release and acq_rel failure orderings,
//     which Rust rejects, print as Relaxed and Acquire (a failed exchange
//     is a read, to which no model gives release semantics);
//   - herd's locations [...] clause becomes conjuncts `v == v` of the Rust
//     condition (always true, they only make the outcomes show v); the C
//     printer turns such conjuncts back into a locations clause;
//   - herd's default condition (no condition) and Rust's missing condition
//     correspond: a Rust program without a condition is printed with a
//     locations clause naming its exported locals, and a C test without a
//     condition whose observed values are all registers is printed without
//     a condition, exporting exactly those registers;
//   - the description is kept (a double quote, which herd's information
//     lines cannot hold, becomes a single quote; blank lines are dropped);
//     the test name is kept (as a comment in Rust, whose test name is the
//     file name); an expect line becomes a herd comment.
package printer

import (
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"

	"happens/prog"
	"happens/source"
)

// Rust writes p in happens' Rust-style litmus language.
func Rust(w io.Writer, p *prog.Program) error {
	return write(w, p, tRust)
}

// C writes p as a herd7 C litmus test.
func C(w io.Writer, p *prog.Program) error {
	return write(w, p, tC)
}

type target uint8

const (
	tRust target = iota
	tC
)

func (t target) String() string {
	if t == tRust {
		return "the Rust-style language"
	}
	return "herd C"
}

func write(w io.Writer, p *prog.Program, t target) error {
	pr := &printer{p: p, t: t}
	var out string
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bail); !ok {
					// Never take the caller down: report a bug in the
					// printer as an error at the file.
					pr.errorf(pr.filePos(), "internal error in the printer: %v\n%s", r, debug.Stack())
				}
			}
		}()
		out = pr.program()
	}()
	if len(pr.errs) > 0 {
		return pr.errs.Sort()
	}
	_, err := io.WriteString(w, out)
	return err
}

// bail abandons the current unit (a thread, the program) after an error has
// been recorded.
type bail struct{}

type printer struct {
	p    *prog.Program
	t    target
	errs source.ErrorList
	file string
	varFacts
	structCache []*structVar
	resultCache map[int][]int
}

func (pr *printer) errorf(pos source.Pos, format string, args ...any) {
	if !pos.IsValid() && pos.File == "" {
		pos.File = pr.fileName()
	}
	pr.errs.Add(pos, format, args...)
}

func (pr *printer) fail(pos source.Pos, format string, args ...any) {
	pr.errorf(pos, format, args...)
	panic(bail{})
}

// fileName is the input file, from any position the program holds.
func (pr *printer) fileName() string {
	if pr.file != "" {
		return pr.file
	}
	p := pr.p
	for _, v := range p.Vars {
		if v.Pos.File != "" {
			pr.file = v.Pos.File
			return pr.file
		}
	}
	for _, th := range p.Threads {
		if th.Pos.File != "" {
			pr.file = th.Pos.File
			return pr.file
		}
	}
	if p.Cond != nil {
		pr.file = p.Cond.Pos.File
	}
	return pr.file
}

// filePos is the start of the input file, for constructs prog keeps no
// position for.
func (pr *printer) filePos() source.Pos {
	return source.Pos{File: pr.fileName(), Line: 1, Col: 1}
}

func (pr *printer) program() string {
	if len(pr.p.Threads) == 0 {
		// (A Rust thread family over an empty range.)
		pr.fail(pr.filePos(), "a program without threads has no equivalent in %s", pr.t)
	}
	if pr.t == tRust {
		return pr.rustProgram()
	}
	if f := pr.p.Final; f != nil {
		pos := f.Pos
		if !pos.IsValid() {
			pos = pr.filePos()
		}
		pr.fail(pos, "main's code after its joins (a final block) has no equivalent in herd C")
	}
	return pr.cProgram()
}

// safe runs f, recovering from a bail so that other units still get
// checked.
func safe(f func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bail); !ok {
				panic(r)
			}
		}
	}()
	f()
}

// Facts about the shared variables, from every thread's reachable code.
type varFacts struct {
	atomicAt map[int]source.Pos // first atomic access of each variable
	plainAt  map[int]source.Pos
	used     []map[int]bool // variables each thread accesses
}

// threadAt is thread ti, or the program's Final code for ti ==
// len(Threads).
func (pr *printer) threadAt(ti int) *prog.Thread {
	if ti == len(pr.p.Threads) {
		return pr.p.Final
	}
	return &pr.p.Threads[ti]
}

// nthreads counts the threads and the Final code.
func (pr *printer) nthreads() int {
	if pr.p.Final != nil {
		return len(pr.p.Threads) + 1
	}
	return len(pr.p.Threads)
}

// results are, for each thread, the registers the Final code joins, in
// order: the thread's value is printed as their tuple.
func (pr *printer) results() map[int][]int {
	if pr.resultCache != nil {
		return pr.resultCache
	}
	out := map[int][]int{}
	if f := pr.p.Final; f != nil {
		seen := map[[2]int]bool{}
		for _, in := range f.Code {
			if in.Op == prog.OpJoin && in.B >= 0 && int(in.Imm) < len(pr.p.Threads) && !seen[[2]int{int(in.Imm), in.B}] {
				seen[[2]int{int(in.Imm), in.B}] = true
				out[int(in.Imm)] = append(out[int(in.Imm)], in.B)
			}
		}
		for t := range out {
			sort.Ints(out[t])
		}
	}
	pr.resultCache = out
	return out
}

// resultNames names a thread's result registers: an exported local keeps
// its name; the others are ret, ret_2, ...
func (pr *printer) resultNames(ti int) map[int]string {
	th := &pr.p.Threads[ti]
	names := map[int]string{}
	used := map[string]bool{}
	for _, l := range th.Locals {
		used[l.Name] = true
	}
	for _, v := range pr.p.Vars {
		used[v.Name] = true
	}
	for _, r := range pr.results()[ti] {
		if l, ok := localOf(th, r); ok {
			names[r] = l
			continue
		}
		n := "ret"
		for k := 2; used[n]; k++ {
			n = fmt.Sprintf("ret_%d", k)
		}
		used[n] = true
		names[r] = n
	}
	return names
}

// regType is the type of register r of thread ti: its local's, or that
// of what writes it.
func (pr *printer) regType(ti, r, depth int) prog.Type {
	th := pr.threadAt(ti)
	for _, l := range th.Locals {
		if l.Reg == r {
			return l.Type
		}
	}
	if depth > 8 {
		return prog.I64
	}
	for _, in := range th.Code {
		switch {
		case in.Op == prog.OpBinary && in.A == r:
			if in.Bin.IsComparison() {
				return prog.Bool
			}
			return in.T
		case in.Op == prog.OpUnary && in.A == r:
			return in.T
		case (in.Op == prog.OpLoad || in.Op == prog.OpRMW) && in.A == r:
			return pr.p.Vars[in.Addr.Var].Type
		case in.Op == prog.OpCAS && in.A == r:
			return pr.p.Vars[in.Addr.Var].Type
		case in.Op == prog.OpCAS && in.A+1 == r:
			return prog.Bool
		case in.Op == prog.OpConst && in.A == r && (in.T.Kind == prog.KindBool || in.T.Bits > 0):
			return in.T
		case in.Op == prog.OpMove && in.A == r:
			return pr.regType(ti, in.B, depth+1)
		case in.Op == prog.OpJoin && in.A == r && in.B >= 0:
			return pr.regType(int(in.Imm), in.B, depth+1)
		}
	}
	return prog.I64
}

func localOf(th *prog.Thread, r int) (string, bool) {
	for _, l := range th.Locals {
		if l.Reg == r {
			return l.Name, true
		}
	}
	return "", false
}

func (pr *printer) scanVars() {
	pr.atomicAt = map[int]source.Pos{}
	pr.plainAt = map[int]source.Pos{}
	pr.used = make([]map[int]bool, pr.nthreads())
	for ti := 0; ti < pr.nthreads(); ti++ {
		th := pr.threadAt(ti)
		pr.used[ti] = map[int]bool{}
		a := &thread{pr: pr, th: th, code: th.Code}
		a.reachability()
		for pc := range th.Code {
			in := &th.Code[pc]
			if !a.reach[pc] || !in.Op.IsMemory() || in.Op == prog.OpFence {
				continue
			}
			v := in.Addr.Var
			pr.used[ti][v] = true
			m := pr.plainAt
			if in.Atomic {
				m = pr.atomicAt
			}
			if _, ok := m[v]; !ok {
				m[v] = a.pos(pc)
			}
		}
	}
}

// atomicVar decides whether a variable is declared atomic: when some
// access is atomic, or when nothing accesses it and it was declared so.
func (pr *printer) atomicVar(v int) bool {
	if _, ok := pr.atomicAt[v]; ok {
		return true
	}
	if _, ok := pr.plainAt[v]; ok {
		return false
	}
	return pr.p.Vars[v].Atomic
}

// Names.

var rustKeywords = setOf("as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
	"for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
	"Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
	"await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
	"unsized", "virtual", "yield", "try", "union", "_",
	// The litmus language's own words and names it resolves specially.
	"thread", "exists", "forall", "expect", "Ordering", "Relaxed", "Acquire", "Release", "AcqRel", "SeqCst",
	"Ok", "Err", "fence")

var cKeywords = setOf("auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "_Bool", "_Atomic", "bool", "true", "false", "NULL", "ATOMIC_INIT",
	// herd's clause words and type names its C dialect knows.
	"exists", "forall", "final", "locations", "filter", "with", "observed", "not", "regions",
	"atomic_int", "atomic_uint", "atomic_long", "atomic_ulong", "atomic_llong", "atomic_ullong", "atomic_char",
	"atomic_uchar", "atomic_short", "atomic_ushort", "atomic_bool", "atomic_t", "atomic_intptr_t",
	"atomic_uintptr_t", "intptr_t", "uintptr_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
	"uint16_t", "uint32_t", "uint64_t", "__int128", "__int128_t", "__uint128_t", "spinlock_t", "mtx_t")

func setOf(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isIdent reports whether s is an ASCII identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// validName reports why name cannot be an identifier of the target, or "".
func (pr *printer) badName(name string) string {
	if !isIdent(name) {
		return "is not an identifier in " + pr.t.String()
	}
	if pr.t == tRust && rustKeywords[name] {
		return "is a reserved word in " + pr.t.String()
	}
	if pr.t == tC && (cKeywords[name] || strings.HasPrefix(name, "memory_order_") || strings.HasPrefix(name, "atomic_")) {
		return "is a reserved word in " + pr.t.String()
	}
	return ""
}

// threadName is the name a thread gets in the target.
func (pr *printer) threadName(i int) string {
	if i == len(pr.p.Threads) && pr.p.Final != nil {
		return "main"
	}
	if pr.t == tC {
		return fmt.Sprintf("P%d", i)
	}
	n := pr.p.Threads[i].Name
	if isIdent(n) && !rustKeywords[n] && !pr.finalLocal(n) {
		return n
	}
	// A thread of a family (w[0]) or a name Rust cannot take.
	var b strings.Builder
	for _, c := range n {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteRune(c)
		case c == ']':
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' || rustKeywords[s] {
		s = "t_" + s
	}
	// Keep it distinct from the other threads' names, and from main's
	// locals in the final code, where a thread's name is its handle
	// (let r = s.spawn(..); let r = r.join().unwrap();).
	for j := range pr.p.Threads {
		if j != i && pr.p.Threads[j].Name == s {
			return fmt.Sprintf("%s_%d", s, i)
		}
	}
	if pr.finalLocal(s) {
		return s + "_thread"
	}
	return s
}

// finalLocal reports whether the final code has a local named n.
func (pr *printer) finalLocal(n string) bool {
	if pr.p.Final == nil {
		return false
	}
	for _, l := range pr.p.Final.Locals {
		if l.Name == n {
			return true
		}
	}
	return false
}

// Package stress turns a litmus program into a C stress test that runs it
// on the machine at hand, many times, and counts the outcomes it shows:
// what litmus7 does for herd, for the programs of package prog. Generate
// writes the C source (C11 <stdatomic.h> and pthreads); Parse reads what
// the compiled test prints; Compare sets the histogram beside the outcomes
// a memory model allows and WriteReport prints it. Nothing here touches the
// OS: compiling and running belong to the command line.
//
// The generated test:
//
//   - runs one POSIX thread per litmus thread, pinned to the CPUs it may use
//     round-robin (pthread_setaffinity_np);
//   - runs the threads' code many times per launch, iteration i on a fresh
//     copy of every location (an array of copies, initialised before the
//     launch), so no iteration has to wait for a reset; before each
//     iteration the threads meet at a spinning barrier, so that they start
//     it together;
//   - gives each location of each copy 128 bytes of its own (two cache
//     lines, so neither false sharing nor the adjacent-line prefetcher
//     couples two locations), and each thread its own result array;
//   - does every access with atomic_*_explicit and the program's ordering,
//     so the compiler may not reorder them beyond what the ordering allows;
//     a plain (non-atomic) access becomes a relaxed atomic one, which
//     compiles to the same plain load or store on the common architectures
//     but keeps the compiler from merging, splitting or hoisting it;
//   - computes register code exactly as the interpreter does (values wrap
//     at their type's width; division by zero, over-wide shifts and
//     out-of-bounds indices panic) and translates control flow to goto, so
//     if/else, match and loops all run; a loop that spins more than
//     Options.SpinLimit times in one iteration gives up, and that iteration
//     is counted as stuck rather than as an outcome;
//   - runs, for a whole program with code after the joins
//     (Program.Final), that code for each iteration once the launch's
//     threads have ended, in the collecting thread (pthread_join gives it
//     join's happens-before): its joins read the values the threads
//     recorded, its accesses the iteration's locations, and its failures
//     and values are the iteration's like a thread's; as in the model, it
//     does not run when a thread of the iteration panicked;
//   - counts, after each launch, the distinct combinations of each
//     thread's status and the recorded values in a hash table, and prints
//     them at the end, one line each.
//
// Orderings C forbids on an operation (herd's release loads, acquire
// stores) are raised to memory_order_seq_cst, and a compare-exchange whose
// failure ordering is stronger than its success ordering is given the
// combination of both; a stronger ordering can only hide outcomes, never
// show one the model forbids. Addresses as values (herd's pointers) and
// integers wider than 64 bits are rejected with positioned errors.
package stress

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/result"
	"happens/source"
)

// Options size the generated test.
type Options struct {
	Iterations int // iterations in all (default 1,000,000); the test's first argument overrides it
	Batch      int // iterations per launch of the threads (default 10,000)
	SpinLimit  int // backward jumps one thread may take in one iteration (default 1,000,000)
}

// Thread statuses of one iteration, as the test prints them.
const (
	StatusOK      = 0
	StatusBlocked = 1 // an assume! failed: the model discards such executions
	StatusStuck   = 2 // a loop spun past the spin limit
	StatusPanic   = 3 // and up: panic number status-StatusPanic
)

// Slot is one value the test records per iteration: a thread's register
// (Thread >= 0; len(Program.Threads) is the Final code) or a location's
// final value (Thread == -1).
type Slot struct {
	Thread, Reg int
	Loc         int
}

// Panic is a place where a thread can panic.
type Panic struct {
	Thread int
	Pos    source.Pos
	Msg    string
}

// Test is a generated stress test.
type Test struct {
	Program *prog.Program
	Source  string // the C program
	Options Options
	// Slots are the values each outcome line of the output carries, after
	// one status per thread (and one for the Final code, if any): every
	// observable (result.Observables) and whatever the condition and
	// filter read.
	Slots  []Slot
	Panics []Panic
}

// Generate writes the stress test of p. Constructs it cannot run are
// reported as a source.ErrorList.
func Generate(p *prog.Program, o Options) (*Test, error) {
	if o.Iterations <= 0 {
		o.Iterations = 1_000_000
	}
	if o.Batch <= 0 {
		o.Batch = 10_000
	}
	if o.Batch > o.Iterations {
		o.Batch = o.Iterations
	}
	if o.SpinLimit <= 0 {
		o.SpinLimit = 1_000_000
	}
	g := &gen{p: p, t: &Test{Program: p, Options: o}}
	g.check()
	if len(g.errs) > 0 {
		return nil, g.errs.Sort()
	}
	g.slots()
	g.t.Source = g.program()
	return g.t, nil
}

// Statuses is the number of statuses an outcome line starts with: one
// per thread, and one for the Final code when the program has it.
func (t *Test) Statuses() int {
	if t.Program.Final != nil {
		return len(t.Program.Threads) + 1
	}
	return len(t.Program.Threads)
}

type gen struct {
	p    *prog.Program
	t    *Test
	errs source.ErrorList
	b    strings.Builder
	// regs[t] are the registers thread t records, in slot order, then
	// those the Final code joins; t == len(p.Threads) is the Final code.
	regs [][]int
}

// code is thread ti's code, or the Final code's for ti == len(p.Threads).
func (g *gen) code(ti int) *prog.Thread {
	if ti == len(g.p.Threads) {
		return g.p.Final
	}
	return &g.p.Threads[ti]
}

// nstatus is the number of statuses: the threads' and the Final code's.
func (g *gen) nstatus() int { return g.t.Statuses() }

// regIndex is where register r of thread ti sits in its result array
// (after the status).
func (g *gen) regIndex(ti, r int) int {
	for j, x := range g.regs[ti] {
		if x == r {
			return j + 1
		}
	}
	return -1
}

func (g *gen) filePos() source.Pos {
	for _, v := range g.p.Vars {
		if v.Pos.File != "" {
			return source.Pos{File: v.Pos.File, Line: 1, Col: 1}
		}
	}
	for _, th := range g.p.Threads {
		if th.Pos.File != "" {
			return source.Pos{File: th.Pos.File, Line: 1, Col: 1}
		}
	}
	return source.Pos{Line: 1, Col: 1}
}

// check rejects what the C test cannot do.
func (g *gen) check() {
	p := g.p
	if len(p.Threads) == 0 {
		g.errs.Add(g.filePos(), "stress: the program has no threads")
	}
	for _, v := range p.Vars {
		pos := v.Pos
		if !pos.IsValid() {
			pos = g.filePos()
		}
		switch {
		case v.Type.Kind == prog.KindAddr:
			g.errs.Add(pos, "stress cannot run a location that holds an address (%s is a pointer): only integer and bool locations", v.Name)
		case v.Type.Kind != prog.KindInt && v.Type.Kind != prog.KindBool:
			g.errs.Add(pos, "stress cannot run a location of type %s (%s)", v.Type, v.Name)
		case v.Type.Bits > 64:
			g.errs.Add(pos, "stress cannot run a %d-bit location (%s): at most 64 bits", v.Type.Bits, v.Name)
		}
	}
	for ti := 0; ti < g.nstatus(); ti++ {
		th := g.code(ti)
		for pc := range th.Code {
			in := &th.Code[pc]
			pos := in.Pos
			if !pos.IsValid() {
				pos = th.Pos
			}
			if in.T.Kind == prog.KindAddr {
				g.errs.Add(pos, "stress cannot run pointer arithmetic or comparison (addresses as values): %s", describe(in))
				continue
			}
			if in.Op == prog.OpConst {
				if _, ok := p.AddrTarget(in.Imm); ok {
					g.errs.Add(pos, "stress cannot run a program that takes a location's address (pointers)")
				}
			}
		}
	}
}

func describe(in *prog.Instr) string {
	if in.Text != "" {
		return in.Text
	}
	return in.Op.String()
}

// slots chooses what each iteration records.
func (g *gen) slots() {
	p := g.p
	seen := map[Slot]bool{}
	add := func(s Slot) {
		if !seen[s] {
			seen[s] = true
			g.t.Slots = append(g.t.Slots, s)
		}
	}
	for _, o := range result.Observables(p) {
		if o.Thread >= 0 {
			add(Slot{Thread: o.Thread, Reg: o.Reg, Loc: -1})
		} else {
			add(Slot{Thread: -1, Loc: o.Loc})
		}
	}
	var walk func(e prog.Expr)
	walk = func(e prog.Expr) {
		switch e := e.(type) {
		case *prog.LocalExpr:
			add(Slot{Thread: e.Thread, Reg: e.Reg, Loc: -1})
		case *prog.MemExpr:
			add(Slot{Thread: -1, Loc: e.Loc})
		case *prog.UnaryExpr:
			walk(e.X)
		case *prog.BinaryExpr:
			walk(e.X)
			walk(e.Y)
		}
	}
	if p.Cond != nil {
		walk(p.Cond.Expr)
	}
	if p.Filter != nil {
		walk(p.Filter)
	}
	g.regs = make([][]int, g.nstatus())
	for _, s := range g.t.Slots {
		if s.Thread >= 0 {
			g.regs[s.Thread] = append(g.regs[s.Thread], s.Reg)
		}
	}
	// The registers the Final code joins are recorded too.
	if p.Final != nil {
		for _, in := range p.Final.Code {
			if in.Op == prog.OpJoin && in.B >= 0 && int(in.Imm) < len(p.Threads) {
				if t := int(in.Imm); g.regIndex(t, in.B) < 0 {
					g.regs[t] = append(g.regs[t], in.B)
				}
			}
		}
	}
}

func (g *gen) f(format string, args ...any) {
	fmt.Fprintf(&g.b, format, args...)
}

// ctype is the C type a location of type t is stored in.
func ctype(t prog.Type) string {
	if t.Kind == prog.KindBool {
		return "uint8_t"
	}
	bits := 8
	for bits < int(t.Bits) {
		bits *= 2
	}
	if t.Signed {
		return fmt.Sprintf("int%d_t", bits)
	}
	return fmt.Sprintf("uint%d_t", bits)
}

// wrap is the C expression of t.Wrap(x) over uint64_t.
func wrap(t prog.Type, x string) string {
	switch t.Kind {
	case prog.KindBool:
		return fmt.Sprintf("((%s) & 1)", x)
	case prog.KindInt:
		if t.Bits >= 64 || t.Bits == 0 {
			return x
		}
		mask := fmt.Sprintf("0x%xULL", uint64(1)<<t.Bits-1)
		if !t.Signed {
			return fmt.Sprintf("((%s) & %s)", x, mask)
		}
		sign := fmt.Sprintf("0x%xULL", uint64(1)<<(t.Bits-1))
		return fmt.Sprintf("((((%s) & %s) ^ %s) - %s)", x, mask, sign, sign)
	}
	return x
}

// less is the C expression of t.Less(a, b).
func less(t prog.Type, a, b string) string {
	if t.Kind == prog.KindInt && t.Signed {
		return fmt.Sprintf("((int64_t)%s < (int64_t)%s)", a, b)
	}
	return fmt.Sprintf("(%s < %s)", a, b)
}

func memOrder(o prog.Ordering) string {
	return map[prog.Ordering]string{
		prog.Relaxed: "memory_order_relaxed", prog.Acquire: "memory_order_acquire", prog.Release: "memory_order_release",
		prog.AcqRel: "memory_order_acq_rel", prog.SeqCst: "memory_order_seq_cst", prog.Consume: "memory_order_consume",
	}[o]
}

// loadOrder, storeOrder and casOrders make an ordering legal for the
// operation in C, never weaker than asked.
func loadOrder(o prog.Ordering) prog.Ordering {
	if o == prog.Release || o == prog.AcqRel {
		return prog.SeqCst
	}
	return o
}

func storeOrder(o prog.Ordering) prog.Ordering {
	if o == prog.Acquire || o == prog.AcqRel || o == prog.Consume {
		return prog.SeqCst
	}
	return o
}

func casOrders(success, failure prog.Ordering) (prog.Ordering, prog.Ordering) {
	switch failure {
	case prog.Release:
		failure = prog.Relaxed
	case prog.AcqRel:
		failure = prog.Acquire
	case prog.Consume:
		failure = prog.Acquire
	}
	if success == prog.Consume {
		success = prog.Acquire
	}
	switch {
	case failure == prog.SeqCst:
		success = prog.SeqCst
	case failure == prog.Acquire && success == prog.Relaxed:
		success = prog.Acquire
	case failure == prog.Acquire && success == prog.Release:
		success = prog.AcqRel
	}
	return success, failure
}

func ident(name string) string {
	var b strings.Builder
	b.WriteString("v_")
	for _, c := range name {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func comment(s string) string {
	s = strings.ReplaceAll(s, "*/", "* /")
	return strings.ReplaceAll(s, "\n", " ")
}

func (g *gen) program() string {
	p, o := g.p, g.t.Options
	name := p.Name
	file := g.filePos().File
	g.f("/* Stress test of %s", comment(name))
	if file != "" {
		g.f(" (%s)", comment(file))
	}
	g.f(", generated by happens stress.\n")
	g.f("   Build: cc -O2 -pthread -o test test.c; run: ./test [ITERATIONS]. */\n")
	g.f("%s", includes)
	g.f("#define NTHREADS %d\n", len(p.Threads))
	if p.Final != nil {
		g.f("#define NSTATUS %d /* the threads' statuses and the final code's */\n", g.nstatus())
		g.f("#define HAS_FINAL 1\n")
	} else {
		g.f("#define NSTATUS NTHREADS\n")
	}
	g.f("#define NSLOTS %d\n", len(g.t.Slots))
	g.f("#define ITERATIONS %dL\n", o.Iterations)
	g.f("#define BATCH %dL\n", o.Batch)
	g.f("#define SPIN_LIMIT %dL\n", o.SpinLimit)
	g.f("%s\n", helpers)

	g.f("/* The locations of one iteration, each on 128 bytes of its own. */\n")
	g.f("struct mem {\n")
	for _, v := range p.Vars {
		n := ""
		if v.Len > 0 {
			n = fmt.Sprintf("[%d]", v.Len)
		}
		g.f("\tstruct { _Alignas(LINE) _Atomic %s v; } %s%s;\n", ctype(v.Type), ident(v.Name), n)
	}
	if len(p.Vars) == 0 {
		g.f("\tchar unused;\n")
	}
	g.f("};\n\n")
	g.f("static struct mem *mem;\nstatic long batch_n;\n")
	for ti := 0; ti < g.nstatus(); ti++ {
		g.f("static uint64_t *res%d; /* per iteration: status, then %d register(s) */\n", ti, len(g.regs[ti]))
	}
	g.f("\n")
	for ti := 0; ti < g.nstatus(); ti++ {
		g.thread(ti)
	}
	g.f("static void init_batch(long n)\n{\n\tfor (long i = 0; i < n; i++) {\n")
	for _, v := range p.Vars {
		for k := 0; k < max(v.Len, 1); k++ {
			idx := ""
			if v.Len > 0 {
				idx = fmt.Sprintf("[%d]", k)
			}
			loc := &p.Locs[v.First+k]
			g.f("\t\tatomic_init(&mem[i].%s%s.v, (%s)%dULL);\n", ident(v.Name), idx, ctype(v.Type), loc.Init)
		}
	}
	g.f("\t}\n}\n\n")
	g.f("static void *(*const thread_fn[NTHREADS])(void *) = {")
	for ti := range p.Threads {
		if ti > 0 {
			g.f(", ")
		}
		g.f("thread%d", ti)
	}
	g.f("};\n\n")
	g.f("/* An iteration's key: each thread's status, then the recorded values. */\n")
	g.f("static void key_of(long i, uint64_t *k)\n{\n")
	for ti := 0; ti < g.nstatus(); ti++ {
		g.f("\tk[%d] = res%d[i * %d];\n", ti, ti, len(g.regs[ti])+1)
	}
	for si, s := range g.t.Slots {
		at := g.nstatus() + si
		if s.Thread >= 0 {
			g.f("\tk[%d] = res%d[i * %d + %d];\n", at, s.Thread, len(g.regs[s.Thread])+1, g.regIndex(s.Thread, s.Reg))
			continue
		}
		g.f("\tk[%d] = (uint64_t)atomic_load_explicit(&mem[i].%s, memory_order_relaxed);\n", at, g.locRef(s.Loc))
	}
	g.f("}\n\n")
	g.f("static void alloc_results(void)\n{\n")
	for ti := 0; ti < g.nstatus(); ti++ {
		g.f("\tres%d = alloc_lines(BATCH * %d * sizeof(uint64_t));\n", ti, len(g.regs[ti])+1)
	}
	g.f("}\n")
	g.f("%s", mainText)
	return g.b.String()
}

// locRef is the C member of mem for location loc.
func (g *gen) locRef(loc int) string {
	l := &g.p.Locs[loc]
	v := &g.p.Vars[l.Var]
	if v.Len == 0 {
		return ident(v.Name) + ".v"
	}
	return fmt.Sprintf("%s[%d].v", ident(v.Name), loc-v.First)
}

// thread writes one litmus thread's function, or for ti ==
// len(p.Threads) run_final, which runs the Final code of iteration i.
func (g *gen) thread(ti int) {
	p := g.p
	th := g.code(ti)
	code := th.Code
	final := ti == len(p.Threads)
	targets := map[int]bool{}
	for _, in := range code {
		switch in.Op {
		case prog.OpJump, prog.OpBranch, prog.OpLoopBack:
			targets[in.Target] = true
		}
	}
	if final {
		g.f("/* main's code after the joins")
	} else {
		g.f("/* Thread %s", comment(th.Name))
	}
	if th.Pos.IsValid() {
		g.f(", line %d", th.Pos.Line)
	}
	if final {
		g.f(": run for iteration i once every thread has ended\n   (not when a thread panicked, was blocked or got stuck). */\n")
		g.f("static void run_final(long i)\n{\n")
		g.f("\t{\n")
	} else {
		g.f(". */\nstatic void *thread%d(void *arg)\n{\n", ti)
		g.f("\tint sense = 0;\n\t(void)arg;\n\tpin(%d);\n", ti)
		g.f("\tfor (long i = 0; i < batch_n; i++) {\n")
	}
	g.f("\t\tstruct mem *m = &mem[i];\n")
	g.f("\t\tuint64_t st = 0;\n\t\tlong spins = 0;\n")
	if th.NumRegs > 0 {
		g.f("\t\tuint64_t")
		for r := 0; r < th.NumRegs; r++ {
			if r > 0 {
				g.f(",")
			}
			if r > 0 && r%8 == 0 {
				g.f("\n\t\t\t")
			}
			g.f(" r%d = 0", r)
		}
		g.f(";\n")
	}
	g.f("\t\t(void)m; (void)spins;\n")
	if final {
		var failed []string
		for t := range p.Threads {
			failed = append(failed, fmt.Sprintf("res%d[i * %d] != %d", t, len(g.regs[t])+1, StatusOK))
		}
		if len(failed) > 0 {
			g.f("\t\tif (%s)\n\t\t\tgoto done;\n", strings.Join(failed, " || "))
		}
	} else {
		g.f("\t\tbarrier(&sense);\n")
	}
	for pc := range code {
		if targets[pc] {
			g.f("\tL%d:\n", pc)
		}
		g.instr(ti, pc)
	}
	g.f("\t\tgoto done;\n\tdone:\n")
	if th.NumRegs > 0 {
		g.f("\t\t")
		for r := 0; r < th.NumRegs; r++ {
			if r > 0 && r%8 == 0 {
				g.f("\n\t\t")
			} else if r > 0 {
				g.f(" ")
			}
			g.f("(void)r%d;", r)
		}
		g.f("\n")
	}
	k := len(g.regs[ti]) + 1
	g.f("\t\tres%d[i * %d] = st;\n", ti, k)
	for j, r := range g.regs[ti] {
		g.f("\t\tres%d[i * %d + %d] = r%d;\n", ti, k, j+1, r)
	}
	if final {
		g.f("\t}\n}\n\n")
	} else {
		g.f("\t}\n\treturn NULL;\n}\n\n")
	}
}

func (g *gen) label(th *prog.Thread, t int) string {
	if t >= len(th.Code) || t < 0 {
		return "done"
	}
	return fmt.Sprintf("L%d", t)
}

// panicCode registers a panic site and returns the statement that takes it.
func (g *gen) panicCode(ti int, in *prog.Instr, msg string) string {
	pos := in.Pos
	if !pos.IsValid() {
		pos = g.code(ti).Pos
	}
	g.t.Panics = append(g.t.Panics, Panic{Thread: ti, Pos: pos, Msg: msg})
	return fmt.Sprintf("{ st = %d; goto done; }", StatusPanic+len(g.t.Panics)-1)
}

// addr writes the bounds check an indexed access needs and returns the
// C lvalue of the location.
func (g *gen) addr(ti int, in *prog.Instr) string {
	v := &g.p.Vars[in.Addr.Var]
	if v.Len == 0 {
		return fmt.Sprintf("m->%s.v", ident(v.Name))
	}
	if in.Addr.Index < 0 {
		if in.Addr.Const < 0 || in.Addr.Const >= v.Len {
			g.f("\t\t%s\n", g.panicCode(ti, in, "index out of bounds"))
			return fmt.Sprintf("m->%s[0].v", ident(v.Name))
		}
		return fmt.Sprintf("m->%s[%d].v", ident(v.Name), in.Addr.Const)
	}
	g.f("\t\tif (r%d >= %d) %s\n", in.Addr.Index, v.Len, g.panicCode(ti, in, fmt.Sprintf("index out of bounds: the len is %d", v.Len)))
	return fmt.Sprintf("m->%s[r%d].v", ident(v.Name), in.Addr.Index)
}

func (g *gen) instr(ti int, pc int) {
	th := g.code(ti)
	in := &th.Code[pc]
	r := func(n int) string { return fmt.Sprintf("r%d", n) }
	a, b, c := r(in.A), r(in.B), r(in.C)
	t := in.T
	if in.Text != "" && in.Op.IsMemory() {
		g.f("\t\t/* %s", comment(in.Text))
		if in.Pos.IsValid() {
			g.f(", line %d", in.Pos.Line)
		}
		g.f(" */\n")
	}
	switch in.Op {
	case prog.OpConst:
		g.f("\t\t%s = 0x%xULL;\n", a, in.Imm)
	case prog.OpMove:
		g.f("\t\t%s = %s;\n", a, b)
	case prog.OpUnary:
		switch {
		case in.Un == prog.Neg:
			g.f("\t\t%s = %s;\n", a, wrap(t, "0 - "+b))
		case t.Kind == prog.KindBool:
			g.f("\t\t%s = %s ^ 1;\n", a, b)
		default:
			g.f("\t\t%s = %s;\n", a, wrap(t, "~"+b))
		}
	case prog.OpBinary:
		g.binary(ti, in, a, b, c)
	case prog.OpJump:
		if in.Target <= pc {
			g.f("\t\tif (++spins > SPIN_LIMIT) { st = %d; goto done; }\n", StatusStuck)
		}
		g.f("\t\tgoto %s;\n", g.label(th, in.Target))
	case prog.OpBranch:
		g.f("\t\tif (%s == 0) goto %s;\n", r(in.A), g.label(th, in.Target))
	case prog.OpLoad:
		lv := g.addr(ti, in)
		ord := prog.Relaxed
		if in.Atomic {
			ord = loadOrder(in.Ord)
		}
		g.f("\t\t%s = (uint64_t)atomic_load_explicit(&%s, %s);\n", a, lv, memOrder(ord))
	case prog.OpStore:
		lv := g.addr(ti, in)
		ord := prog.Relaxed
		if in.Atomic {
			ord = storeOrder(in.Ord)
		}
		ct := ctype(g.p.Vars[in.Addr.Var].Type)
		g.f("\t\tatomic_store_explicit(&%s, (%s)%s, %s);\n", lv, ct, b, memOrder(ord))
	case prog.OpRMW:
		g.rmw(ti, in, a, b)
	case prog.OpCAS:
		lv := g.addr(ti, in)
		vt := g.p.Vars[in.Addr.Var].Type
		ct := ctype(vt)
		s, f := casOrders(in.Ord, in.Ord2)
		fn := "atomic_compare_exchange_strong_explicit"
		if in.Weak {
			fn = "atomic_compare_exchange_weak_explicit"
		}
		g.f("\t\t{ %s e = (%s)%s; _Bool ok = %s(&%s, &e, (%s)%s, %s, %s); %s = (uint64_t)e; r%d = ok; }\n",
			ct, ct, b, fn, lv, ct, c, memOrder(s), memOrder(f), a, in.A+1)
	case prog.OpFence:
		if in.Ord == prog.Relaxed {
			g.f("\t\t/* a relaxed fence does nothing */\n")
		} else {
			g.f("\t\tatomic_thread_fence(%s);\n", memOrder(in.Ord))
		}
	case prog.OpAssert:
		msg := in.Msg
		if msg == "" {
			msg = "assertion failed"
		}
		g.f("\t\tif (%s == 0) %s\n", a, g.panicCode(ti, in, msg))
	case prog.OpAssume:
		g.f("\t\tif (%s == 0) { st = %d; goto done; }\n", a, StatusBlocked)
	case prog.OpPanic:
		msg := in.Msg
		if msg == "" {
			msg = "explicit panic"
		}
		g.f("\t\t%s\n", g.panicCode(ti, in, msg))
	case prog.OpJoin:
		// Only in the Final code: the joined thread's recorded value.
		if t := int(in.Imm); in.B >= 0 && t < len(g.p.Threads) {
			g.f("\t\t%s = res%d[i * %d + %d];\n", a, t, len(g.regs[t])+1, g.regIndex(t, in.B))
		} else {
			g.f("\t\t%s = 0;\n", a)
		}
	case prog.OpLoopEnter, prog.OpLoopExit:
	case prog.OpLoopBack:
		g.f("\t\tif (++spins > SPIN_LIMIT) { st = %d; goto done; }\n", StatusStuck)
		g.f("\t\tgoto %s;\n", g.label(th, in.Target))
	default:
		panic(fmt.Sprintf("stress: unknown instruction %v", in.Op))
	}
}

func (g *gen) binary(ti int, in *prog.Instr, a, b, c string) {
	t := in.T
	set := func(x string) { g.f("\t\t%s = %s;\n", a, x) }
	switch in.Bin {
	case prog.Add:
		set(wrap(t, b+" + "+c))
	case prog.Sub:
		set(wrap(t, b+" - "+c))
	case prog.Mul:
		set(wrap(t, b+" * "+c))
	case prog.Div, prog.Rem:
		g.f("\t\tif (%s == 0) %s\n", c, g.panicCode(ti, in, prog.ErrDivZero.Error()))
		op := "/"
		if in.Bin == prog.Rem {
			op = "%"
		}
		if t.Signed {
			minus1 := "0"
			if in.Bin == prog.Div {
				minus1 = wrap(t, "0 - "+b)
			}
			set(fmt.Sprintf("(int64_t)%s == -1 ? %s : %s", c, minus1, wrap(t, fmt.Sprintf("(uint64_t)((int64_t)%s %s (int64_t)%s)", b, op, c))))
		} else {
			set(wrap(t, b+" "+op+" "+c))
		}
	case prog.And:
		set(b + " & " + c)
	case prog.Or:
		set(b + " | " + c)
	case prog.Xor:
		set(wrap(t, b+" ^ "+c))
	case prog.Shl, prog.Shr:
		if t.Kind == prog.KindInt {
			g.f("\t\tif (%s >= %d) %s\n", c, t.Bits, g.panicCode(ti, in, prog.ErrShift.Error()))
		}
		switch {
		case in.Bin == prog.Shl:
			set(wrap(t, fmt.Sprintf("(%s >= 64 ? 0 : %s << %s)", c, b, c)))
		case t.Signed:
			set(wrap(t, fmt.Sprintf("(uint64_t)((int64_t)%s >> (%s >= 64 ? 63 : %s))", b, c, c)))
		default:
			set(wrap(t, fmt.Sprintf("(%s >= 64 ? 0 : %s >> %s)", c, b, c)))
		}
	case prog.Eq:
		set(fmt.Sprintf("(%s == %s)", b, c))
	case prog.Ne:
		set(fmt.Sprintf("(%s != %s)", b, c))
	case prog.Lt:
		set(less(t, b, c))
	case prog.Le:
		set("!" + less(t, c, b))
	case prog.Gt:
		set(less(t, c, b))
	case prog.Ge:
		set("!" + less(t, b, c))
	case prog.LAnd:
		set(fmt.Sprintf("(%s != 0 && %s != 0)", b, c))
	case prog.LOr:
		set(fmt.Sprintf("(%s != 0 || %s != 0)", b, c))
	case prog.Implies:
		set(fmt.Sprintf("(%s == 0 || %s != 0)", b, c))
	default:
		panic(fmt.Sprintf("stress: unknown operator %v", in.Bin))
	}
}

func (g *gen) rmw(ti int, in *prog.Instr, a, b string) {
	lv := g.addr(ti, in)
	vt := g.p.Vars[in.Addr.Var].Type
	ct := ctype(vt)
	ord := memOrder(in.Ord)
	fn := map[prog.RMWOp]string{prog.RMWAdd: "atomic_fetch_add_explicit", prog.RMWSub: "atomic_fetch_sub_explicit",
		prog.RMWAnd: "atomic_fetch_and_explicit", prog.RMWOr: "atomic_fetch_or_explicit", prog.RMWXor: "atomic_fetch_xor_explicit",
		prog.RMWSwap: "atomic_exchange_explicit"}[in.RMW]
	if fn != "" && (vt.Kind == prog.KindInt || in.RMW == prog.RMWAnd || in.RMW == prog.RMWOr || in.RMW == prog.RMWXor || in.RMW == prog.RMWSwap) {
		g.f("\t\t%s = (uint64_t)%s(&%s, (%s)%s, %s);\n", a, fn, lv, ct, b, ord)
		return
	}
	// No C function: a compare-exchange loop computing ApplyRMW.
	var nv string
	old := "(uint64_t)o"
	switch in.RMW {
	case prog.RMWAdd:
		nv = wrap(vt, old+" + "+b)
	case prog.RMWSub:
		nv = wrap(vt, old+" - "+b)
	case prog.RMWNand:
		nv = wrap(vt, "~("+old+" & "+b+")")
	case prog.RMWMax:
		nv = fmt.Sprintf("(%s ? %s : %s)", less(vt, old, b), b, old)
	case prog.RMWMin:
		nv = fmt.Sprintf("(%s ? %s : %s)", less(vt, b, old), b, old)
	default:
		panic(fmt.Sprintf("stress: no loop for %v", in.RMW))
	}
	g.f("\t\t{ %s o = atomic_load_explicit(&%s, memory_order_relaxed);\n", ct, lv)
	g.f("\t\t  while (!atomic_compare_exchange_weak_explicit(&%s, &o, (%s)%s, %s, memory_order_relaxed)) {}\n", lv, ct, nv, ord)
	g.f("\t\t  %s = (uint64_t)o; }\n", a)
}

const includes = `
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

`

const helpers = `#define LINE 128 /* bytes given to each location: two cache lines */

static int cpus[CPU_SETSIZE], ncpus;
static int oversubscribed;

static void setup_cpus(int nthreads)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpus++] = c;
	if (ncpus == 0)
		cpus[ncpus++] = 0;
	oversubscribed = nthreads > ncpus;
}

/* Thread t runs on the t-th allowed CPU, round-robin. */
static void pin(int t)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpus[t % ncpus], &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *alloc_lines(size_t n)
{
	n = (n + LINE - 1) / LINE * LINE;
	void *p = aligned_alloc(LINE, n);
	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(p, 0, n);
	return p;
}

/* A clock every CPU reads alike: the time stamp counter, the ARM virtual
   counter, or the monotonic clock; and how far ahead of "now" the start of
   an iteration is set (about a microsecond; cc -DAHEAD=0 turns the common
   start off, leaving the barrier alone). */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t ticks(void) { return __rdtsc(); }
#ifndef AHEAD
#define AHEAD 2000
#endif
#elif defined(__aarch64__)
static inline uint64_t ticks(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}
#ifndef AHEAD
#define AHEAD 50
#endif
#else
#include <time.h>
static inline uint64_t ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#ifndef AHEAD
#define AHEAD 1000
#endif
#endif

/* A sense-reversing spinning barrier, on lines of its own. The last thread
   to arrive also sets a start time a little ahead, and every thread spins
   until it, so that the threads start the iteration together rather than
   one cache-line transfer apart. */
static struct { _Alignas(LINE) atomic_int count; } bar_count;
static struct { _Alignas(LINE) atomic_int sense; } bar_sense;
static struct { _Alignas(LINE) _Atomic uint64_t t; } start_time;

static void barrier(int *sense)
{
	int s = !*sense;
	*sense = s;
	if (atomic_fetch_add_explicit(&bar_count.count, 1, memory_order_acq_rel) == NTHREADS - 1) {
		atomic_store_explicit(&bar_count.count, 0, memory_order_relaxed);
		atomic_store_explicit(&start_time.t, ticks() + AHEAD, memory_order_relaxed);
		atomic_store_explicit(&bar_sense.sense, s, memory_order_release);
	} else {
		for (unsigned n = 1; atomic_load_explicit(&bar_sense.sense, memory_order_acquire) != s; n++)
			if (oversubscribed && n % 256 == 0)
				sched_yield();
	}
	if (oversubscribed)
		return;
	uint64_t t = atomic_load_explicit(&start_time.t, memory_order_relaxed);
	while (ticks() < t)
		;
}
`

const mainText = `

/* The histogram: an open-addressing table of keys and counts. */
#define KEYLEN (NSTATUS + NSLOTS)
static uint64_t *tab_keys;
static long *tab_counts;
static long tab_cap, tab_len;

static uint64_t hash_key(const uint64_t *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (int j = 0; j < KEYLEN; j++) {
		h ^= k[j];
		h *= 1099511628211ULL;
		h ^= h >> 31;
	}
	return h;
}

static void tab_put(const uint64_t *k, long n);

static void tab_grow(void)
{
	uint64_t *keys = tab_keys;
	long *counts = tab_counts, cap = tab_cap;
	tab_cap = cap ? 2 * cap : 1024;
	tab_keys = calloc((size_t)tab_cap * KEYLEN + 1, sizeof(uint64_t));
	tab_counts = calloc((size_t)tab_cap, sizeof(long));
	if (tab_keys == NULL || tab_counts == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	tab_len = 0;
	for (long j = 0; j < cap; j++)
		if (counts[j])
			tab_put(&keys[j * KEYLEN], counts[j]);
	free(keys);
	free(counts);
}

static void tab_put(const uint64_t *k, long n)
{
	if (2 * (tab_len + 1) > tab_cap)
		tab_grow();
	long j = (long)(hash_key(k) & (uint64_t)(tab_cap - 1));
	while (tab_counts[j]) {
		if (memcmp(&tab_keys[j * KEYLEN], k, KEYLEN * sizeof(uint64_t)) == 0) {
			tab_counts[j] += n;
			return;
		}
		j = (j + 1) & (tab_cap - 1);
	}
	memcpy(&tab_keys[j * KEYLEN], k, KEYLEN * sizeof(uint64_t));
	tab_counts[j] = n;
	tab_len++;
}

int main(int argc, char **argv)
{
	long iterations = ITERATIONS;
	if (argc > 1)
		iterations = atol(argv[1]);
	setup_cpus(NTHREADS);
	mem = alloc_lines(BATCH * sizeof(struct mem));
	alloc_results();
	uint64_t k[KEYLEN + 1];
	for (long started = 0; started < iterations; started += batch_n) {
		batch_n = iterations - started < BATCH ? iterations - started : BATCH;
		init_batch(batch_n);
		pthread_t th[NTHREADS];
		for (int t = 0; t < NTHREADS; t++)
			if (pthread_create(&th[t], NULL, thread_fn[t], NULL) != 0) {
				fprintf(stderr, "pthread_create failed\n");
				return 2;
			}
		for (int t = 0; t < NTHREADS; t++)
			pthread_join(th[t], NULL);
		for (long i = 0; i < batch_n; i++) {
#ifdef HAS_FINAL
			run_final(i);
#endif
			key_of(i, k);
			tab_put(k, 1);
		}
	}
	printf("happens-stress 1 %d %d\n", NSTATUS, NSLOTS);
	printf("iterations %ld\n", iterations);
	printf("cpus %d\n", ncpus);
	for (long j = 0; j < tab_cap; j++) {
		if (!tab_counts[j])
			continue;
		printf("outcome %ld", tab_counts[j]);
		for (int x = 0; x < KEYLEN; x++)
			printf(" %llu", (unsigned long long)tab_keys[j * KEYLEN + x]);
		printf("\n");
	}
	printf("end\n");
	return 0;
}
`

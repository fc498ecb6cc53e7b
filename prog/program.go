package prog

import (
	"happens/source"
)

// MaxThreads is the most threads a program may have, in either format.
const MaxThreads = 64

// Program is one resolved litmus test or algorithm.
type Program struct {
	Name    string // test name (herd header or file name)
	Doc     string // the test's description (//! lines, herd info lines)
	Format  string // "rust" or "c": which front end produced it
	Vars    []Var
	Locs    []Location // every scalar location, array elements expanded
	Threads []Thread
	// Final is code that runs once every thread has finished, as a whole
	// Rust program's main runs after joining its threads (with join's
	// happens-before from every thread), or nil. Its loads read the final
	// memory (each location's last value in modification order), its
	// stores and read-modify-writes update that final memory, its
	// failures are reported as thread "main", and its Locals are shown in
	// outcomes and named by the condition as main.NAME. It alone may use
	// OpJoin. It does not run when a thread failed (join().unwrap() would
	// panic).
	Final *Thread
	// Cond is the final condition, or nil.
	Cond *Condition
	// Observed lists what an outcome shows: the values the condition names,
	// then any extra locations asked for (herd's locations [...]). When empty,
	// outcomes show every thread's exported locals.
	Observed []Observable
	// Filter, when not nil, drops executions whose final state fails it
	// (herd's filter clause).
	Filter Expr
	// Expect, when not nil, is the verdict the test says it should have.
	Expect *Expectation
}

// Var is a shared variable: a scalar or an array of locations.
type Var struct {
	Name   string
	Type   Type // element type
	Atomic bool
	Len    int // 0 for a scalar
	First  int // index of its first Location
	Pos    source.Pos
}

// Location is one memory cell.
type Location struct {
	Name   string // "X" or "A[2]"
	Var    int
	Type   Type
	Atomic bool // declared atomic (informational; each access says what it is)
	Init   uint64
}

// Thread is one thread's code.
type Thread struct {
	Name    string
	Code    []Instr
	NumRegs int
	// Locals are the thread's named final values, visible to the condition
	// and shown in outcomes.
	Locals []Local
	Pos    source.Pos
}

// Local is a named register of a thread.
type Local struct {
	Name string
	Reg  int
	Type Type
}

// HasPlainAccess reports whether some thread has a non-atomic load or
// store: only then can an execution have a data race.
func (p *Program) HasPlainAccess() bool {
	for t := range p.Threads {
		for i := range p.Threads[t].Code {
			in := &p.Threads[t].Code[i]
			if (in.Op == OpLoad || in.Op == OpStore) && !in.Atomic {
				return true
			}
		}
	}
	return false
}

// ThreadName names thread t, where t == len(p.Threads) is Program.Final
// ("main").
func (p *Program) ThreadName(t int) string {
	if t == len(p.Threads) && p.Final != nil {
		return p.Final.Name
	}
	return p.Threads[t].Name
}

// LocalByName finds a thread's exported local.
func (t *Thread) LocalByName(name string) (Local, bool) {
	for _, l := range t.Locals {
		if l.Name == name {
			return l, true
		}
	}
	return Local{}, false
}

// Op is an instruction's operation.
type Op uint8

const (
	OpConst     Op = iota // R[A] = Imm
	OpMove                // R[A] = R[B]
	OpUnary               // R[A] = Un(R[B]) at type T
	OpBinary              // R[A] = R[B] Bin R[C] at operand type T
	OpJump                // goto Target
	OpBranch              // if R[A] == 0 goto Target
	OpLoad                // R[A] = load Addr
	OpStore               // store Addr = R[B]
	OpRMW                 // R[A] = RMW Addr (RMW op, operand R[B])
	OpCAS                 // R[A] = old, R[A+1] = ok; expected R[B], new R[C]; Ord success, Ord2 failure
	OpFence               // fence Ord
	OpAssert              // if R[A] == 0: assertion failure with Msg
	OpAssume              // if R[A] == 0: the execution is blocked
	OpPanic               // panic with Msg
	OpLoopEnter           // a loop with id Imm begins; A = number of registers live at its head
	OpLoopBack            // back edge of loop Imm: spin check and unroll bound, then goto Target
	OpLoopExit            // loop Imm ends
	OpJoin                // R[A] = R[B] of thread Imm when it has finished (B < 0: nothing); only in Program.Final
)

var opNames = [...]string{"const", "move", "unary", "binary", "jump", "branch", "load", "store", "rmw", "cas", "fence", "assert", "assume", "panic", "loop", "loopback", "loopexit", "join"}

func (o Op) String() string { return opNames[o] }

// IsMemory reports whether the instruction produces an event.
func (o Op) IsMemory() bool { return o >= OpLoad && o <= OpFence }

// Addr names a location: a variable, plus an index register for arrays
// (-1 for a scalar or a constant index folded into Const).
type Addr struct {
	Var   int
	Index int // register holding the index, or -1
	Const int // constant element offset when Index is -1
}

// Instr is one instruction of thread code.
type Instr struct {
	Op      Op
	A, B, C int
	Imm     uint64
	T       Type
	Bin     BinOp
	Un      UnOp
	RMW     RMWOp
	Target  int
	Addr    Addr
	Atomic  bool // for loads and stores: an atomic access (false: plain)
	Ord     Ordering
	Ord2    Ordering // failure ordering of a CAS
	Weak    bool     // compare_exchange_weak: may fail spuriously

	Msg  string
	Pos  source.Pos
	Text string // source text of the access, for labels
}

// CondKind is the quantifier of a final condition.
type CondKind uint8

const (
	Exists CondKind = iota
	Forall
	NotExists
)

func (k CondKind) String() string { return [...]string{"exists", "forall", "not-exists"}[k] }

// Condition is the final condition of a test.
type Condition struct {
	Kind CondKind
	Expr Expr
	Pos  source.Pos
	Text string
}

// Expectation is the verdict a test claims for itself.
type Expectation struct {
	Verdict string // "Always", "Sometimes", "Never", or ExpectPanic
	Pos     source.Pos
}

// ExpectPanic is the expectation of a #[should_panic] test: some execution
// fails an assertion or panics.
const ExpectPanic = "Panics"

// Observable is one value an outcome shows.
type Observable struct {
	Name   string // "t1.a", "0:r0", "X", "A[2]"
	Thread int    // -1 for memory; len(Program.Threads) for a local of Program.Final
	Reg    int
	Loc    int
	Type   Type
}

// Expr is a final-condition expression. The set is closed.
type Expr interface{ isExpr() }

type (
	// ConstExpr is a literal.
	ConstExpr struct {
		Val uint64
		T   Type
	}
	// LocalExpr is a thread's final local value.
	LocalExpr struct {
		Thread, Reg int
		T           Type
	}
	// MemExpr is a location's final value (last in modification order).
	MemExpr struct {
		Loc int
		T   Type
	}
	UnaryExpr struct {
		Op UnOp
		X  Expr
		T  Type
	}
	BinaryExpr struct {
		Op   BinOp
		X, Y Expr
		T    Type // operand type
	}
)

func (*ConstExpr) isExpr()  {}
func (*LocalExpr) isExpr()  {}
func (*MemExpr) isExpr()    {}
func (*UnaryExpr) isExpr()  {}
func (*BinaryExpr) isExpr() {}

// State gives the final values an expression reads.
type State interface {
	Local(thread, reg int) uint64
	Mem(loc int) uint64
}

// Eval evaluates e over a final state. Arithmetic errors evaluate to 0.
func Eval(e Expr, s State) uint64 {
	switch e := e.(type) {
	case *ConstExpr:
		return e.Val
	case *LocalExpr:
		return s.Local(e.Thread, e.Reg)
	case *MemExpr:
		return s.Mem(e.Loc)
	case *UnaryExpr:
		return EvalUnary(e.Op, e.T, Eval(e.X, s))
	case *BinaryExpr:
		x := Eval(e.X, s)
		switch e.Op {
		case LAnd:
			if x == 0 {
				return 0
			}
			return b2u(Eval(e.Y, s) != 0)
		case LOr:
			if x != 0 {
				return 1
			}
			return b2u(Eval(e.Y, s) != 0)
		case Implies:
			if x == 0 {
				return 1
			}
			return b2u(Eval(e.Y, s) != 0)
		}
		v, err := EvalBinary(e.Op, e.T, x, Eval(e.Y, s))
		if err != nil {
			return 0
		}
		return v
	}
	return 0
}

// LocAddr resolves an address with the given index value to a location, or
// reports that the index is out of bounds.
func (p *Program) LocAddr(a Addr, index uint64) (int, bool) {
	v := &p.Vars[a.Var]
	if v.Len == 0 {
		return v.First, true
	}
	i := uint64(a.Const)
	if a.Index >= 0 {
		i = index
	}
	if i >= uint64(v.Len) {
		return 0, false
	}
	return v.First + int(i), true
}

// Addresses are values far from small integers, so an address and a number
// never meet by accident.
const (
	addrBase   = uint64(0x5a5a) << 48
	addrStride = uint64(1) << 24
)

// AddrValue is the value that stands for the address of shared variable v
// (in herd's C, a register or location may hold the address of a location).
func AddrValue(v int) uint64 { return addrBase + uint64(v)*addrStride }

// AddrTarget decodes an address value into the variable it addresses.
func (p *Program) AddrTarget(val uint64) (int, bool) {
	if val < addrBase || (val-addrBase)%addrStride != 0 {
		return 0, false
	}
	v := (val - addrBase) / addrStride
	if v >= uint64(len(p.Vars)) {
		return 0, false
	}
	return int(v), true
}

// FormatValue prints a value of type t: an address as the name of the
// variable it addresses, anything else as t.Format does.
func (p *Program) FormatValue(t Type, val uint64) string {
	if t.Kind == KindAddr {
		if v, ok := p.AddrTarget(val); ok {
			return p.Vars[v].Name
		}
	}
	return t.Format(val)
}

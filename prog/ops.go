package prog

import "errors"

// BinOp is a binary operator.
type BinOp uint8

const (
	Add BinOp = iota
	Sub
	Mul
	Div
	Rem
	And // bitwise (logical on bool)
	Or
	Xor
	Shl
	Shr
	Eq
	Ne
	Lt
	Le
	Gt
	Ge
	LAnd // only in conditions; code compiles && and || to branches
	LOr
	Implies // herd's =>, only in conditions
)

var binOpNames = [...]string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=>"}

func (op BinOp) String() string { return binOpNames[op] }

// IsComparison reports whether op yields a bool from two operands.
func (op BinOp) IsComparison() bool { return op >= Eq && op <= Ge }

// UnOp is a unary operator.
type UnOp uint8

const (
	Neg UnOp = iota
	Not      // bitwise on integers, logical on bool
)

func (op UnOp) String() string { return [...]string{"-", "!"}[op] }

// ErrDivZero and ErrShift are the run-time panics of arithmetic.
var (
	ErrDivZero = errors.New("attempt to divide by zero")
	ErrShift   = errors.New("attempt to shift with overflow")
)

// EvalBinary applies op to operands of type t (the operand type, also for
// comparisons).
func EvalBinary(op BinOp, t Type, a, b uint64) (uint64, error) {
	switch op {
	case Add:
		return t.Wrap(a + b), nil
	case Sub:
		return t.Wrap(a - b), nil
	case Mul:
		return t.Wrap(a * b), nil
	case Div, Rem:
		if b == 0 {
			return 0, ErrDivZero
		}
		if t.Signed {
			x, y := int64(a), int64(b)
			if y == -1 { // avoid the Go overflow trap on MinInt64 / -1
				if op == Div {
					return t.Wrap(uint64(-x)), nil
				}
				return 0, nil
			}
			if op == Div {
				return t.Wrap(uint64(x / y)), nil
			}
			return t.Wrap(uint64(x % y)), nil
		}
		if op == Div {
			return t.Wrap(a / b), nil
		}
		return t.Wrap(a % b), nil
	case And:
		return a & b, nil
	case Or:
		return a | b, nil
	case Xor:
		return t.Wrap(a ^ b), nil
	case Shl, Shr:
		if b >= uint64(t.Bits) && t.Kind == KindInt {
			return 0, ErrShift
		}
		if op == Shl {
			return t.Wrap(a << b), nil
		}
		if t.Signed {
			return t.Wrap(uint64(int64(a) >> b)), nil
		}
		return t.Wrap(a >> b), nil
	case Eq:
		return b2u(a == b), nil
	case Ne:
		return b2u(a != b), nil
	case Lt:
		return b2u(t.Less(a, b)), nil
	case Le:
		return b2u(!t.Less(b, a)), nil
	case Gt:
		return b2u(t.Less(b, a)), nil
	case Ge:
		return b2u(!t.Less(a, b)), nil
	case LAnd:
		return b2u(a != 0 && b != 0), nil
	case LOr:
		return b2u(a != 0 || b != 0), nil
	case Implies:
		return b2u(a == 0 || b != 0), nil
	}
	return 0, errors.New("bad operator")
}

// EvalUnary applies op to an operand of type t.
func EvalUnary(op UnOp, t Type, a uint64) uint64 {
	switch op {
	case Neg:
		return t.Wrap(-a)
	case Not:
		if t.Kind == KindBool {
			return a ^ 1
		}
		return t.Wrap(^a)
	}
	return a
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// RMWOp is the modification a fetch_* or swap performs.
type RMWOp uint8

const (
	RMWAdd RMWOp = iota
	RMWSub
	RMWAnd
	RMWOr
	RMWXor
	RMWNand
	RMWMax
	RMWMin
	RMWSwap
)

var rmwNames = [...]string{"fetch_add", "fetch_sub", "fetch_and", "fetch_or", "fetch_xor", "fetch_nand", "fetch_max", "fetch_min", "swap"}

func (op RMWOp) String() string { return rmwNames[op] }

// StoresFromLoad says whether in is a read-modify-write whose stored value
// is computed from the value it loaded (fetch_add and its kin; not a swap,
// nor a compare-exchange, which store an operand): compiled to an
// exclusive pair, the store is data dependent on the load.
func (in *Instr) StoresFromLoad() bool { return in != nil && in.Op == OpRMW && in.RMW != RMWSwap }

// ApplyRMW computes the value an RMW writes, given the value it read.
func ApplyRMW(op RMWOp, t Type, old, operand uint64) uint64 {
	switch op {
	case RMWAdd:
		return t.Wrap(old + operand)
	case RMWSub:
		return t.Wrap(old - operand)
	case RMWAnd:
		return old & operand
	case RMWOr:
		return old | operand
	case RMWXor:
		return t.Wrap(old ^ operand)
	case RMWNand:
		return t.Wrap(^(old & operand))
	case RMWMax:
		if t.Less(old, operand) {
			return operand
		}
		return old
	case RMWMin:
		if t.Less(operand, old) {
			return operand
		}
		return old
	case RMWSwap:
		return operand
	}
	return old
}

package prog

import "fmt"

// Kind classifies a Type.
type Kind uint8

const (
	KindInt Kind = iota
	KindBool
	KindResult // compare_exchange's Result<T, T>: a value register and an ok register
	KindUnit
	KindAddr // the address of a shared variable (herd's C pointers); see AddrValue
)

// Type is a value type. Integer values are held in a uint64, truncated to Bits
// and sign- or zero-extended, so two equal values always have equal bits.
type Type struct {
	Kind   Kind
	Bits   uint8
	Signed bool
	// Flexible marks an integer whose width was never fixed (an unsuffixed
	// literal bound by let). It behaves as i64 and unifies with any integer.
	Flexible bool
}

var (
	Bool = Type{Kind: KindBool, Bits: 1}
	Unit = Type{Kind: KindUnit}
	I64  = Type{Kind: KindInt, Bits: 64, Signed: true}
	U64  = Type{Kind: KindInt, Bits: 64}
	I32  = Type{Kind: KindInt, Bits: 32, Signed: true}
	U32  = Type{Kind: KindInt, Bits: 32}
	// Ptr is the type of addresses.
	Ptr = Type{Kind: KindAddr, Bits: 64}
	// Int is the flexible integer type of unsuffixed literals.
	Int = Type{Kind: KindInt, Bits: 64, Signed: true, Flexible: true}
)

// IntType returns the integer type of the given width and signedness.
func IntType(bits int, signed bool) Type {
	return Type{Kind: KindInt, Bits: uint8(bits), Signed: signed}
}

// IsInt reports whether t is an integer type.
func (t Type) IsInt() bool { return t.Kind == KindInt }

func (t Type) String() string {
	switch t.Kind {
	case KindBool:
		return "bool"
	case KindUnit:
		return "()"
	case KindResult:
		return "Result"
	case KindAddr:
		return "ptr"
	}
	if t.Flexible {
		return "{integer}"
	}
	if t.Signed {
		return fmt.Sprintf("i%d", t.Bits)
	}
	return fmt.Sprintf("u%d", t.Bits)
}

// Wrap truncates v to t's width, as Rust's wrapping arithmetic and
// fetch_add do.
func (t Type) Wrap(v uint64) uint64 {
	switch t.Kind {
	case KindBool:
		return v & 1
	case KindInt:
		if t.Bits >= 64 {
			return v
		}
		mask := uint64(1)<<t.Bits - 1
		v &= mask
		if t.Signed && v&(uint64(1)<<(t.Bits-1)) != 0 {
			v |= ^mask
		}
		return v
	}
	return v
}

// Format prints a value of type t.
func (t Type) Format(v uint64) string {
	switch t.Kind {
	case KindBool:
		if v != 0 {
			return "true"
		}
		return "false"
	case KindInt:
		if t.Signed {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}

// Less compares two values of type t.
func (t Type) Less(a, b uint64) bool {
	if t.Kind == KindInt && t.Signed {
		return int64(a) < int64(b)
	}
	return a < b
}

// Unify returns the common type of two operand types, and whether they are
// compatible.
func Unify(a, b Type) (Type, bool) {
	if a.Kind != b.Kind {
		return a, false
	}
	if a.Kind != KindInt {
		return a, true
	}
	switch {
	case a.Flexible:
		return b, true
	case b.Flexible:
		return a, true
	}
	return a, a.Bits == b.Bits && a.Signed == b.Signed
}

package prog

// Ordering is a memory ordering of an atomic access or fence.
type Ordering uint8

const (
	Relaxed Ordering = iota
	Acquire
	Release
	AcqRel
	SeqCst
	// Consume exists for herd's C tests: like rc11.cat, it synchronises no
	// more than Relaxed (less: a consume read does not take part in
	// fence synchronisation). Rust has no consume.
	Consume
)

var orderingNames = [...]string{"Relaxed", "Acquire", "Release", "AcqRel", "SeqCst", "Consume"}

func (o Ordering) String() string {
	if int(o) < len(orderingNames) {
		return orderingNames[o]
	}
	return "Ordering(?)"
}

// IsAcquire reports whether o has acquire semantics (Acquire, AcqRel, SeqCst).
func (o Ordering) IsAcquire() bool { return o == Acquire || o == AcqRel || o == SeqCst }

// IsRelease reports whether o has release semantics (Release, AcqRel, SeqCst).
func (o Ordering) IsRelease() bool { return o == Release || o == AcqRel || o == SeqCst }

// FailureFor is the failure ordering Rust derives for compare_and_swap from
// its single ordering argument.
func FailureFor(o Ordering) Ordering {
	switch o {
	case Release:
		return Relaxed
	case AcqRel:
		return Acquire
	}
	return o
}

// LoweredCASOrdering is the single ordering a compare-exchange is compiled
// with for hardware: the success ordering, strengthened when the failure
// ordering asks for more (as LLVM does). The instruction acquires (and, for
// a SeqCst failure ordering, releases) whether the exchange succeeds or
// fails, so the hardware models order it so in both cases.
func LoweredCASOrdering(success, failure Ordering) Ordering {
	if failure == Consume {
		failure = Acquire
	}
	switch {
	case failure == SeqCst:
		return SeqCst
	case failure.IsAcquire() && !success.IsAcquire():
		if success == Release {
			return AcqRel
		}
		return Acquire
	}
	return success
}

// ParseOrdering maps Rust's ordering names to Orderings.
func ParseOrdering(name string) (Ordering, bool) {
	for i, n := range orderingNames {
		if n == name {
			return Ordering(i), true
		}
	}
	return 0, false
}

package interp

import "encoding/binary"

// AppendKey appends an encoding of everything that decides the thread's
// future (program counter, registers, open loops and their spin and
// unroll bookkeeping) to b, so that a state-space search can recognise a
// thread state it has seen before. Two states with equal keys compute the
// same values and accesses from here on; the dependency bookkeeping
// (Request.Addr, Data, Ctrl, Accesses) is not included.
func (s *State) AppendKey(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(s.PC))
	b = binary.AppendUvarint(b, uint64(s.writes))
	b = binary.AppendUvarint(b, uint64(len(s.Regs)))
	for _, r := range s.Regs {
		b = binary.AppendUvarint(b, r)
	}
	b = binary.AppendUvarint(b, uint64(len(s.loops)))
	for _, f := range s.loops {
		b = binary.AppendUvarint(b, f.id)
		b = binary.AppendUvarint(b, uint64(f.live))
		b = binary.AppendUvarint(b, uint64(f.iter))
		b = binary.AppendUvarint(b, uint64(f.writes))
		for _, r := range f.regs {
			b = binary.AppendUvarint(b, r)
		}
	}
	return b
}

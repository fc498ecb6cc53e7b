package prog

// Successors lists the instructions control can reach from code[pc]:
// the target of a jump or loop back edge, both ways of a branch, nothing
// after a panic, the next instruction otherwise. Targets outside the code
// (the end of the thread) are left out.
func Successors(code []Instr, pc int) []int {
	in := &code[pc]
	var out []int
	next := func(t int) {
		if t >= 0 && t < len(code) {
			out = append(out, t)
		}
	}
	switch in.Op {
	case OpJump, OpLoopBack:
		next(in.Target)
	case OpBranch:
		next(pc + 1)
		next(in.Target)
	case OpPanic:
	default:
		next(pc + 1)
	}
	return out
}

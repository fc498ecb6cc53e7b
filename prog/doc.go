// Package prog is the resolved program form that every front end produces and
// every later stage consumes: shared locations with their types and initial
// values, one small register-machine code per thread, and the final condition.
//
// The thread code is deliberately low level (registers, jumps, one
// instruction per memory access) so that the interpreter is small and a
// thread's state is cheap to copy. Every instruction keeps the source position
// and the source text of the access that produced it, so any event of any
// execution can point back at a line.
package prog

// Package explore enumerates every consistent execution of a program
// exactly once, depth first, with memory linear in the size of one
// execution.
//
// # How
//
// Graphs grow one event at a time, always adding the next event of some
// thread. A read may only read from a write already in the graph, so every
// graph built is a prefix of a linearisation of program order ∪ reads-from
// (porf). Under sc, rc11 and c20 porf is acyclic (no-thin-air), so every
// consistent execution has such linearisations.
//
// To build each execution once, the explorer follows only its canonical
// linearisation: at every step, the smallest thread whose next event is
// enabled (all its porf-predecessors are present). Stores and fences are
// always enabled, so they can never be passed over; a read (load, RMW,
// compare-exchange) can be passed over only if the write it will read from
// is not yet in the graph. The explorer records that as a constraint: when
// it chooses thread t, every smaller thread whose next event is a read must
// later read from a write added after this step.
//
// Completeness: the canonical linearisation of a consistent graph G
// satisfies every constraint it creates, and every prefix of G is
// consistent (all axioms are monotone under porf-prefixes), so it is
// explored. Uniqueness: two linearisations of G first differ at a step
// where one chooses the canonical thread t and the other a larger one t';
// the latter passes over t while t's source write is already present,
// which its constraint forbids. Modification order is chosen when a write
// is added (every position among the writes present), so each (rf, mo)
// pair is produced once.
//
// A passed-over read whose location no other thread can still write (a
// static over-approximation per program point) can never be satisfied, so
// that branch is cut at once.
//
// Loops that spin without effect stop their thread as blocked (GenMC's
// spin-assume); other loops run up to an unroll bound, where the thread
// stops as bounded. The other threads run on, and each maximal graph is
// reported once: complete when every thread finished, otherwise blocked
// (or bounded, which marks the whole result partial, never silently). So
// blocked counts are as canonical as complete ones: a blocked execution is
// a consistent graph in which every thread has finished or is stuck.
//
// Cancellation, the execution limit and progress reports are checked per
// consistency check, the unit of work, so a timeout is honoured promptly
// even in branches that end in dead ends.
package explore

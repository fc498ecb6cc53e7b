// Package explore enumerates every consistent execution of a program
// exactly once.
//
// # Engines
//
// Explore is TruSt (Kokologiannakis, Marmanis, Gladstein, Vafeiadis,
// "Truly Stateless, Optimal Dynamic Partial Order Reduction", POPL 2022):
// events are added in a fixed order (the next event of the smallest thread
// that has one); a read reads from every write it may coherently read
// from, a write takes every coherent place in modification order, and a
// new write may be read by an earlier read of its location outside its
// po ∪ rf prefix (a backward revisit: the events added after that read
// and not in the write's prefix are deleted and explored again). The
// maximality test (trust.go) lets each graph be reached once, and every
// explored prefix extends to an execution (blocked threads aside), so no
// consistency check is wasted on a dead end. It needs a model whose
// consistency is closed under po ∪ rf prefixes and that stays consistent
// when a read reads, or a write is placed after, the last write in
// modification order (model.Model.Extensible): sc, rc11, c20, x86.
// Coherence and atomicity hold by construction (vector-clock views,
// views.go); the remaining axioms are checked by the model.
//
// Canonical is the first engine, kept for c11 (whose visible-side-effect
// rule is not maximally extensible), for raw candidates without any axiom
// (explanations), and as the reference Explore is tested against
// execution by execution: it builds each execution along its canonical
// linearisation of po ∪ rf. At every step it takes the smallest thread
// whose next event is enabled (all its porf-predecessors are present).
// Stores and fences are always enabled, so they can never be passed over;
// a read can be passed over only if the write it will read from is not yet
// in the graph, which it records as a constraint: when it chooses thread
// t, every smaller thread whose next event is a read must later read from
// a write added after this step. Completeness: the canonical
// linearisation of a consistent graph G satisfies every constraint it
// creates, and every prefix of G is consistent, so it is explored.
// Uniqueness: two linearisations of G first differ at a step where one
// chooses the canonical thread t and the other a larger one t'; the latter
// passes over t while t's source write is already present, which its
// constraint forbids. Modification order is chosen when a write is added,
// so each (rf, mo) pair is produced once.
//
// ARMv8 allows cycles in po ∪ rf (load buffering). HMC explores it with
// the same engine, after Kokologiannakis and Vafeiadis (ASPLOS 2020): a
// read may be revisited by a write added after it unless the write
// depends on it (its (ppo ∪ rf)⁺ prefix, hmc.go), and a revisit keeps
// that prefix, leaving holes where the deleted events were. Consistency is
// checked by searches from the new event (armorder.go). CoherentHMC lists
// explain's coherent candidates for ARMv8 the same way, following
// dependencies only (coherent.go). Speculate explores the other models
// with such cycles (explain's candidate generators) by value speculation,
// herd7's way, and is HMC's and CoherentHMC's reference in the tests.
//
// # Loops, blocking and what is reported
//
// Loops that spin without effect stop their thread (GenMC's spin-assume);
// other loops run up to an unroll bound, where the thread stops as
// bounded. The other threads run on, and each maximal graph is reported
// once (Classify): complete when every thread finished; bounded when any
// thread hit the bound (the result is then partial, never silently);
// stuck when every spinning thread spins on the values memory ends with
// (a liveness violation); blocked otherwise (an assume failed, or a thread
// spins on a value a later write replaced: it would move on, and that run
// is explored on its own). Failures are reported from executions of every
// status. Executions that only add unobserved spurious compare_exchange_weak
// failures to others are duplicates (IsDuplicate).
//
// Cancellation, the execution limit and progress reports are checked per
// step, the unit of work, so a timeout is honoured promptly.
package explore

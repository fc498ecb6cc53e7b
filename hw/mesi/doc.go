// Package mesi is an operational simulator of a small cache-coherent
// multiprocessor, the machine of seed 000 ("each core has a mailbox") and of
// Paul McKenney's "Memory Barriers: a Hardware View for Software Hackers"
// (2010). It runs a resolved program on that machine and enumerates every
// reachable final state, so it answers "can this outcome happen on such a
// CPU?" by construction rather than by axioms.
//
// # The machine
//
// One core per thread. Each core has
//
//   - a private cache with one line per location, in state M (modified),
//     E (exclusive), S (shared) or I (invalid), holding a value; there are
//     no capacity misses, so lines leave a cache only by invalidation;
//   - a store buffer: stores enter it and are written into the cache later,
//     when the core owns the line in M or E; a load reads its own newest
//     buffered store to the location first (store forwarding);
//   - an invalidation queue, the seed's "mailbox" (mesi-weak only).
//
// Memory holds a value per location. The interconnect is a snooping bus
// that serialises transactions per cache line: while a line has a
// transaction in progress (or any message about it in flight), no other
// transaction on that line starts. A transaction starts with a request that
// every other cache snoops in the same step:
//
//   - read (a load misses): an owner in M supplies the data in a
//     read-response and sends a writeback to memory, going to S; a holder
//     in E goes to S; otherwise memory sends the read-response. The
//     requester installs the line in S, or in E when no other cache has it.
//   - read-invalidate (a store or RMW misses): like read, and every other
//     holder of the line invalidates it and sends an invalidate-ack (an
//     owner's read-response doubles as its acknowledgement). The requester
//     installs the line in M.
//   - invalidate (a store or RMW finds the line in S): every other holder
//     invalidates and acknowledges; the requester upgrades S to M.
//
// Caches that hold no copy stay silent. Every response (read-response,
// invalidate-ack, writeback) is a message in flight, delivered in a step of
// its own, in any order. The requester's transaction completes when its
// last response arrives: it installs the line and, in that same step,
// finishes what it wanted (the load reads the line, the oldest buffered
// store to the line is written into it, the RMW reads and writes it).
//
// # The two machines
//
// mesi-strong is x86-like: the store buffer is FIFO (only its oldest entry
// is written to the cache), and a snooped invalidation is applied at once,
// before the acknowledgement is sent: there is no mailbox. Programs are
// compiled with the standard x86-64 mapping (hw.Lower(hw.X86, ...)): a
// SeqCst store is xchg, every RMW is lock-prefixed, a SeqCst fence is
// mfence. mfence waits until the store buffer is empty; a locked
// instruction waits until the store buffer is empty, takes the line in M and
// reads and writes it in one step. This machine is x86-TSO.
//
// mesi-weak is McKenney's machine: a snooped invalidation of a line held in
// S or E is queued in the core's mailbox and acknowledged at once; the line
// keeps its (now stale) value, in S, and loads still hit it until the core
// applies the queued invalidation, which it may do at any step (oldest
// first). A core applies a queued invalidation of a line before it sends
// any request about that line (McKenney's rule). A line in M is given up at
// once, since its owner must supply the data. The
// store buffer is not FIFO: an entry may be written to the cache as soon as
// no older entry in the buffer is for the same location or is a write
// barrier mark. Barriers: a full barrier (smp_mb) waits until the store
// buffer is empty and applies the whole mailbox; a read barrier (smp_rmb)
// applies the whole mailbox; a write barrier (smp_wmb) puts a mark in the
// store buffer, so later stores wait until every earlier one is written.
// RMWs wait until the store buffer is empty. Programs are compiled with the
// barrier mapping of Lower: acquire = load; rmb, release = wmb; store,
// SeqCst = full barriers around the access.
//
// Cores execute their instructions in order and a load finishes (it has
// its value) before the next instruction starts, so neither machine
// reorders a load with anything later: load buffering never shows. The
// weak behaviours come only from the store buffer (both machines) and the
// mailbox (mesi-weak). Dependencies order nothing: on mesi-weak a load
// whose address depends on an earlier load may still hit a stale line, as
// on Alpha (McKenney's smp_read_barrier_depends), where ARMv8 and POWER
// would order the two loads.
//
// # Exploration
//
// Run explores every interleaving of core steps (an instruction, writing a
// store buffer entry, applying a mailbox entry) and message deliveries,
// depth first, recognising machine states seen before by a 128-bit hash of
// the whole state (each thread's program counter, registers and loop
// bookkeeping, every cache, store buffer and mailbox, memory, transactions
// and messages in flight). A final state is one where no step is possible:
// every thread has finished, every store buffer and mailbox is empty and
// nothing is in flight. An outcome's Count is the number of distinct final
// machine states that show it (they differ in which caches hold which lines,
// or in unobserved registers). Trace searches breadth first, so the run it
// prints is a shortest one.
package mesi

// Package herdc reads herd7's C litmus tests into the resolved program
// form.
//
// A test is a header line "C name", information lines (a quoted
// description, key=value lines, (* comments *)), an init block, threads
// "P0(atomic_int* x, int* y) { ... }" written in a small C subset, and
// final clauses: "locations [...]", "filter ...", and one of "exists",
// "~exists", "forall" (or "final", herd's synonym for "exists").
//
// The reading follows herd7's (with c11.def):
//
//   - shared locations are named by the threads' pointer parameters (a
//     parameter's name is the location's name); values not in the init
//     block start at 0;
//   - whether an access is atomic depends on the function used, not on the
//     declared type: *x is a plain access even when x is atomic_int*;
//   - the non-explicit atomic functions are memory_order_seq_cst;
//   - atomic_compare_exchange_* reads *expected with a plain load and, on
//     failure, writes the value read back to *expected with a plain store;
//   - registers the condition names but the thread never writes are 0;
//   - the observed values are the condition's and the locations clause's,
//     registers first (by thread, then name), then memory, named as herd
//     prints them ("0:r1", "[x]").
//
// Addresses are values in herd's C ("int a = x;", "p = y" in the init
// block, _Atomic(int*) locations). They are encoded as 64-bit values (see
// prog.AddrValue); Program.FormatValue prints them back as location names. A
// dereference through a register dispatches on the address value.
//
// 128-bit integers (__int128, __uint128_t) are held in 64 bits, which is
// exact as long as no arithmetic is done on them; tests that do arithmetic
// on them, or store possibly negative values to unsigned ones, are
// rejected.
package herdc

import (
	"runtime/debug"

	"happens/prog"
	"happens/source"
)

// Parse reads one herd C litmus test. Errors are a source.ErrorList with
// every problem found.
func Parse(filename string, src []byte) (p *prog.Program, err error) {
	var errs source.ErrorList
	defer func() {
		// Never let a bug in the front end take the caller down: report it
		// as an error at the file.
		if r := recover(); r != nil {
			errs.Add(source.Pos{File: filename}, "internal error in the herd C front end: %v\n%s", r, debug.Stack())
			p, err = nil, errs.Sort()
		}
	}()
	lt := parseLitmus(filename, string(src), &errs)
	if lt == nil || len(errs) > 0 {
		return nil, errs.Err()
	}
	prg := compile(filename, string(src), lt, &errs)
	if len(errs) > 0 || prg == nil {
		if len(errs) == 0 {
			errs.Add(source.Pos{File: filename}, "cannot compile the test")
		}
		return nil, errs.Err()
	}
	return prg, nil
}

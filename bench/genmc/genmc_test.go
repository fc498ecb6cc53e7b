package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"happens"
	"happens/source"
)

// A countCase is one program, parameter and model with the number of
// executions it must have. Expected counts come from GenMC's own test
// suite (tests/correct/synthetic/<name>/expected.*.in, the counts GenMC
// checks itself against, for the parameters in the args.*.in beside them)
// or are derived by hand as the comment says; never from happens' output.
type countCase struct {
	file   string
	param  string // NAME=VALUE, or ""
	model  string
	want   int
	source string
}

// counts are small enough to run in a second or two altogether.
var counts = []countCase{
	// N fetch_adds on one location: N! orders. GenMC ainc expected: 2, 6,
	// 24, 120, 720, 5040 for N = 2..7.
	{"ainc.rs", "N=5", "c20", 120, "GenMC ainc N=5; 5!"},
	// Two counters, one location each: N! orders per counter, independent
	// (SC too: all X updates can come before all Y updates). GenMC binc: 4,
	// 36, 576 for N = 2..4.
	{"binc.rs", "N=3", "c20", 36, "GenMC binc N=3; (3!)^2"},
	{"binc.rs", "N=3", "sc", 36, "(3!)^2, as for c20"},
	// Three counters: (N!)^3. GenMC cinc: 8, 216, 13824 for N = 2..4.
	{"cinc.rs", "N=3", "c20", 216, "GenMC cinc N=3; (3!)^3"},
	// One location: every model agrees. GenMC casw: 6, 66, 1200, 32880 for
	// N = 2..5.
	{"casw.rs", "N=3", "c20", 66, "GenMC casw N=3"},
	{"casw.rs", "N=3", "sc", 66, "GenMC casw N=3 (one location)"},
	// At most one compare-exchange succeeds (it reads the 2); the others
	// read 0 or 3: 1 + N * 2^(N-1). GenMC wcas: 5, 13, 33, 81, ..., 2305
	// for N = 2..9.
	{"wcas.rs", "N=5", "c20", 81, "GenMC wcas N=5; 1 + 5 * 2^4"},
	// GenMC inc: 4, 36, 576 for N = 2..4 (one location).
	{"inc.rs", "N=3", "c20", 36, "GenMC inc N=3"},
	{"inc.rs", "N=3", "sc", 36, "GenMC inc N=3 (one location)"},
	// GenMC CoA: RC11 4, 16, 144, 2304, 57600 and SC 4, 15, 130, 2028,
	// 49776 for N = 1..5.
	{"coa.rs", "N=1", "c20", 4, "GenMC CoA N=1 (RC11)"},
	{"coa.rs", "N=3", "c20", 144, "GenMC CoA N=3 (RC11)"},
	{"coa.rs", "N=3", "sc", 130, "GenMC CoA N=3 (SC)"},
	// N + 1 writers of one location in any of (N+1)! orders, one read of
	// any of the N + 2 values: (N+1)! (N+2). GenMC N-writers N=4: 720.
	{"nwriters.rs", "N=2", "c20", 24, "3! * 4"},
	{"nwriters.rs", "N=4", "c20", 720, "GenMC N-writers N=4; 5! * 6"},
	// Each reader sees 0 or 42: 2^N. GenMC readers: 4, 256, 8192 for
	// N = 2, 8, 13.
	{"readers.rs", "N=8", "c20", 256, "GenMC readers N=8; 2^8"},
	// GenMC lastzero: 64, 3328, 147456 for N = 5, 10, 15, which is
	// (N+3) 2^(N-2). By hand: writer j >= 2 reads A[j-1]'s initial 0 or
	// writer j-1's value (2^(N-1) ways; writer 1 can only read A[0] = 0).
	// The reader stops at the first A[k] it reads as 0 (the initial value)
	// after reading the writes of A[N], ..., A[k+1]. Stopping at k = 0 or
	// k = N is always possible; stopping at k in 1..N-1 is not when writer
	// k+1 read writer k's value, since then writer k's store happens
	// before the reader's load of A[k] (release/acquire through A[k+1]):
	// 2^(N-1) + 2^(N-1) + (N-1) 2^(N-2) = (N+3) 2^(N-2).
	{"lastzero.rs", "N=3", "c20", 12, "(3+3) * 2^1, by hand"},
	{"lastzero.rs", "N=5", "c20", 64, "GenMC lastzero N=5; (5+3) * 2^3"},
	// Key w = 11 round + t is inserted by thread t at round r and by thread
	// t + 11 at round r - 1, so with N threads there are 3 (N - 11) shared
	// keys (N >= 11), and no other collisions: slot 7w + 1 (mod 128), where
	// a loser moves on, is no key's slot (7w' = 7w + 1 means w' = w + 55
	// mod 128, out of 0..47). Each shared key is won by either thread, the
	// loser's failed compare-exchange reads the winner's key and its next
	// one succeeds: 2^(3 (N - 11)). GenMC indexer: 8, 4096 for N = 12, 15.
	{"indexer.rs", "N=12", "c20", 8, "GenMC indexer N=12; 2^3"},
	{"indexer.rs", "N=13", "c20", 64, "2^6, by hand"},
	// GenMC eratosthenes N=5 (its only parameter): RC11 1512 (issue 10's
	// table), SC 398 (expected.sc.mo.in).
	{"eratosthenes.rs", "N=5", "c20", 1512, "GenMC eratosthenes N=5 (RC11)"},
	{"eratosthenes.rs", "N=5", "sc", 398, "GenMC eratosthenes N=5 (SC)"},
	// NUM=1 by hand. X and Y have one store each, so modification order is
	// fixed and an execution is a choice of reads-from. Thread 1 reads X
	// before its store (initial 1) and Y (b1: init or thread 2's store);
	// thread 2 reads X (a2: init or thread 1's store) and Y before its
	// store (init); the checker reads X (c) and, the values staying small,
	// always Y (d). b1 and a2 cannot both read the stores (load
	// buffering), leaving 3 choices; c and d are free (4), except that when
	// b1 and c both read the stores, thread 2's store happens before d,
	// which must read it: 4 + 4 + 3 = 11 under c20. The same 11 are SC:
	// run both threads' loads, then the stores, with the checker's loads
	// placed before or after each store as they read (and for b1 = store:
	// thread 2 entirely first). GenMC fib_bench NUM=5: 525630 (RC11),
	// 218243 (SC), run by the benchmark (bench/genmc/run.sh).
	{"fib_bench.rs", "NUM=1", "c20", 11, "by hand"},
	{"fib_bench.rs", "NUM=1", "sc", 11, "by hand"},
	// One location. GenMC casrot: 2, 5, 14, 43, 144, 523, 2048, 8597 for
	// N = 2..9.
	{"casrot.rs", "N=5", "c20", 43, "GenMC casrot N=5"},
}

// full runs the benchmarks at the table's parameters too (counts only),
// about a minute on one core: go test ./bench/genmc -genmc.full
var full = flag.Bool("genmc.full", false, "also check the counts at the benchmark parameters (slow)")

func TestCounts(t *testing.T) {
	cases := counts
	if *full {
		for _, b := range benchmarks {
			cases = append(cases, countCase{b.file, b.param, b.model, b.genmc, "GenMC, benchmark table"})
		}
	}
	for _, c := range cases {
		c := c
		t.Run(fmt.Sprintf("%s/%s/%s", strings.TrimSuffix(c.file, ".rs"), c.param, c.model), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			var defs map[string]string
			if k, v, ok := strings.Cut(c.param, "="); ok {
				defs = map[string]string{k: v}
			}
			p, err := happens.Parse(c.file, src, defs)
			if err != nil {
				t.Fatalf("parse:\n%s", source.Format(err, src))
			}
			r, err := happens.Run(context.Background(), p, happens.Options{Model: c.model})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Complete() {
				t.Fatalf("partial run: %v", r.Partial())
			}
			if r.Stats.Complete != c.want {
				t.Errorf("%d executions, want %d (%s)", r.Stats.Complete, c.want, c.source)
			}
			if r.Stats.Blocked != 0 || len(r.Failures) != 0 || len(r.Races) != 0 || len(r.Hangs) != 0 {
				t.Errorf("blocked %d, failures %v, races %v, hangs %v: GenMC's programs are correct and finish",
					r.Stats.Blocked, r.Failures, r.Races, r.Hangs)
			}
		})
	}
}

// TestBenchmarkFiles checks that the table and the programs match: every
// program is benchmarked, and a program's const defaults to the parameter
// of its first row, so that running the file alone runs the benchmark.
func TestBenchmarkFiles(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range benchmarks {
		if seen[b.file] {
			continue
		}
		seen[b.file] = true
		if b.param == "" {
			continue
		}
		src, err := os.ReadFile(b.file)
		if err != nil {
			t.Fatal(err)
		}
		name, value, _ := strings.Cut(b.param, "=")
		re := regexp.MustCompile(`(?m)^const ` + name + `: \w+ = (\w+);`)
		m := re.FindStringSubmatch(string(src))
		if m == nil {
			t.Errorf("%s: no const %s to set", b.file, name)
		} else if m[1] != value {
			t.Errorf("%s: const %s = %s, want the benchmark's %s", b.file, name, m[1], value)
		}
	}
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".rs") && !seen[f.Name()] {
			t.Errorf("%s is not in the benchmark table", f.Name())
		}
	}
}

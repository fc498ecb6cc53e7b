package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
)

// Exit statuses and partial results: a bound is never silent, in text,
// JSON or herd format, and "not verified" (3) never reads as "verified"
// (0).
func TestExitStatusAndPartial(t *testing.T) {
	td := "../../testdata/"
	cases := []struct {
		args []string
		exit int
		want []string
	}{
		{[]string{"run", td + "bound-while-waiting.litmus"}, ExitOK, []string{"Explored 1 execution, 1 blocked"}},
		{[]string{"run", "--unroll", "2", td + "bound-while-waiting.litmus"}, ExitPartial,
			[]string{"PARTIAL (unroll: 1 execution cut by the loop bound (--unroll 2))"}},
		{[]string{"run", "--unroll", "2", "--format", "herd", td + "bound-while-waiting.litmus"}, ExitPartial,
			[]string{"Partial bound-while-waiting unroll:"}},
		{[]string{"run", "--max-executions", "1", td + "sb-rlx.litmus"}, ExitPartial,
			[]string{"PARTIAL (execution limit"}},
		{[]string{"run", td + "liveness-deadlock.litmus"}, ExitFailed,
			[]string{"Liveness violation: t1 spins forever", "reading B=true"}},
		{[]string{"run", td + "liveness-never-set.litmus"}, ExitFailed,
			[]string{"No verdict: no execution runs to its end"}},
		{[]string{"run", td + "assert-while-spinning.litmus"}, ExitFailed, []string{"Assertion failure in a"}},
		{[]string{"run", "--model", "armv8", td + "hw-lb-assert.litmus"}, ExitFailed, []string{"Assertion failure in t1"}},
		{[]string{"run", "--model", "x86", td + "race-per-execution.litmus"}, ExitOK, []string{"Data races are not reported under x86"}},
		{[]string{"run", td + "race-per-execution.litmus"}, ExitFailed, []string{"Data race (undefined behaviour) on BUF[1], in 6 executions"}},
		{[]string{"explain", "--unroll", "2", td + "bound-while-waiting.litmus", "--outcome", "X == 1"}, ExitUsage, nil},
		// The worker needs three iterations: at --unroll 2 the search is
		// cut, so no definite answer; at 3 NEXT always ends at 3.
		{[]string{"explain", "--unroll", "2", td + "bound-while-waiting.litmus", "--outcome", "NEXT == 0"}, ExitPartial, []string{"Unknown", "PARTIAL (unroll"}},
		{[]string{"explain", "--unroll", "3", td + "bound-while-waiting.litmus", "--outcome", "NEXT == 0"}, ExitOK, []string{"No:"}},
		{[]string{"explain", td + "mp-spin.litmus"}, ExitOK, []string{"Can the forall condition (t2.d == 1) fail", "No:"}},
		// A file of two tests runs both; the first expects a panic and
		// finds one (exit 0), the second passes.
		{[]string{"run", "testdata/two-tests.rs"}, ExitOK, []string{"Test buggy_concurrent_inc", "#[should_panic]: expected failure found", "Test fixed_concurrent_inc"}},
		{[]string{"run", "--test", "fixed_concurrent_inc", "testdata/two-tests.rs"}, ExitOK, []string{"Test fixed_concurrent_inc"}},
		{[]string{"run", "--test", "nope", "testdata/two-tests.rs"}, ExitUsage, nil},
		// -D takes negative values for signed constants.
		{[]string{"run", "-D", "K=-1", "testdata/defines.litmus"}, ExitOK, []string{"Explored 1 execution"}},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		got := Run(context.Background(), append(c.args, "--progress=false"), nil, &out, &errb)
		if got != c.exit {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, got, c.exit, out.String(), errb.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out.String())
			}
		}
	}
}

func TestPartialJSON(t *testing.T) {
	var out, errb bytes.Buffer
	st := Run(context.Background(), []string{"run", "--json", "--unroll", "2", "../../testdata/bound-while-waiting.litmus"}, nil, &out, &errb)
	if st != ExitPartial {
		t.Fatalf("exit %d, want %d: %s", st, ExitPartial, errb.String())
	}
	var rec struct {
		Complete bool     `json:"complete"`
		Partial  []string `json:"partial"`
		Bounded  int      `json:"bounded"`
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Complete || rec.Bounded != 1 || len(rec.Partial) != 1 || !strings.HasPrefix(rec.Partial[0], "unroll:") {
		t.Errorf("JSON %+v, want complete false, bounded 1, partial [unroll: ...]", rec)
	}
}

// A run stopped by a signal prints what it found and exits 128 + the
// signal's number.
func TestSignalStatus(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{Signal: sig})
		var out, errb bytes.Buffer
		st := Run(ctx, []string{"run", "--progress=false", "../../testdata/fadd-7.litmus"}, nil, &out, &errb)
		want := 128 + int(sig.(syscall.Signal))
		if st != want {
			t.Errorf("%v: exit %d, want %d", sig, st, want)
		}
		if !strings.Contains(out.String(), "PARTIAL (interrupted") {
			t.Errorf("%v: output lacks the partial line:\n%s", sig, out.String())
		}
	}
}

// A bad -D value is one clear error, with no follow-ups.
func TestDefineErrors(t *testing.T) {
	for _, c := range []struct{ def, want string }{
		{"T=abc", "-D T=abc: not an integer, bool or ordering"},
		{"T=-1", "-D T=-1: not a value of type u32"},
		{"T=true", "-D T=true: not a value of type u32"},
	} {
		var out, errb bytes.Buffer
		st := Run(context.Background(), []string{"run", "-D", c.def, "testdata/defines.litmus"}, nil, &out, &errb)
		if st != ExitUsage || !strings.Contains(errb.String(), c.want) || strings.Count(errb.String(), "defines.litmus:") != 1 {
			t.Errorf("-D %s: exit %d, errors:\n%s", c.def, st, errb.String())
		}
	}
}

// Commands that judge one program take --test NAME in a file of several
// #[test] functions, and without it say so (naming the tests) rather
// than judge the first silently.
func TestOneTestOfMany(t *testing.T) {
	file := "testdata/two-tests.rs"
	cases := []struct {
		args []string
		exit int
		want string // in stdout, or in stderr for a usage error
	}{
		{[]string{"explain", file}, ExitUsage, "--test NAME"},
		{[]string{"compare", file}, ExitUsage, "buggy_concurrent_inc, fixed_concurrent_inc"},
		{[]string{"fmt", "--to", "rust", file}, ExitUsage, "--test NAME"},
		{[]string{"asm", "--arch", "x86-64", file}, ExitUsage, "--test NAME"},
		// Both threads may load 0 and store 1: num == 1 can happen in
		// the buggy test; with fetch_add it cannot.
		{[]string{"explain", "--test", "buggy_concurrent_inc", "--outcome", "num == 1", file}, ExitOK, "Yes"},
		{[]string{"explain", "--test", "fixed_concurrent_inc", "--outcome", "num == 1", file}, ExitOK, "No"},
		{[]string{"compare", "--test", "fixed_concurrent_inc", file}, ExitOK, "Test fixed_concurrent_inc"},
		{[]string{"fmt", "--to", "rust", "--test", "fixed_concurrent_inc", file}, ExitOK, "fetch_add(1, Ordering::Release)"},
		{[]string{"explain", "--test", "nope", "--outcome", "num == 1", file}, ExitUsage, "no #[test] fn named nope"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		got := Run(context.Background(), c.args, nil, &out, &errb)
		if got != c.exit {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, got, c.exit, out.String(), errb.String())
		}
		where := out.String()
		if c.exit == ExitUsage {
			where = errb.String()
		}
		if !strings.Contains(where, c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out.String(), errb.String())
		}
	}
}

// --show draws an execution for every report: a liveness violation too
// (testdata/liveness-deadlock.litmus: one stuck execution, in which both
// threads spin on the other's lock).
func TestShowDrawsLiveness(t *testing.T) {
	var out, errb bytes.Buffer
	st := Run(context.Background(), []string{"run", "--show", "witness", "--draw=events", "../../testdata/liveness-deadlock.litmus"}, nil, &out, &errb)
	if st != ExitFailed {
		t.Fatalf("exit %d, want %d (a liveness violation); stderr:\n%s", st, ExitFailed, errb.String())
	}
	for _, th := range []string{"t1", "t2"} {
		if !strings.Contains(out.String(), "Execution in which "+th+" spins forever") {
			t.Errorf("no drawing of the execution in which %s spins forever:\n%s", th, out.String())
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func estimateJSON(t *testing.T, args ...string) []jsonEstimate {
	t.Helper()
	var out, errb bytes.Buffer
	if st := Run(context.Background(), append([]string{"estimate", "--json"}, args...), nil, &out, &errb); st != ExitOK {
		t.Fatalf("estimate %v: exit %d\n%s%s", args, st, out.String(), errb.String())
	}
	var recs []jsonEstimate
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r jsonEstimate
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("estimate %v: %v", args, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// A program with a single execution is explored whole: the estimate, its
// range and the shard count are exact.
func TestEstimateSingleExecution(t *testing.T) {
	recs := estimateJSON(t, "-D", "K=-1", "--samples", "50", "--budget", "10s", "testdata/defines.litmus")
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if r.Executions != 1 || r.ExecutionsLo != 1 || r.ExecutionsHi != 1 || r.Leaves != 1 {
		t.Errorf("single execution estimated as %v [%v, %v], %v leaves; want exactly 1", r.Executions, r.ExecutionsLo, r.ExecutionsHi, r.Leaves)
	}
	if !r.Estimate || !r.Exact || r.Counted != r.Parts || r.Test != "defines" || r.Model != "c20" || r.Shards != 1 {
		t.Errorf("record %+v", r)
	}
	// However short the target, one execution is not split.
	if r := estimateJSON(t, "-D", "K=-1", "--samples", "20", "--target", "1ns", "testdata/defines.litmus")[0]; r.Shards != 1 {
		t.Errorf("--target 1ns: %d shards for a single execution, want 1", r.Shards)
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"estimate", "-D", "K=-1", "--samples", "20", "testdata/defines.litmus"}, nil, &out, &out)
	for _, w := range []string{"Estimate for defines under c20", "exact, every part of the exploration (1) was explored", "executions  1\n", "shards      1"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("text output lacks %q:\n%s", w, out.String())
		}
	}
}

// A branching program small enough for the budget is counted: inc with
// N=4 has 576 executions (GenMC's count). With the budget spent at once,
// two parts of it are taken and the whole predicted from them: a range
// around the estimate, the time one core takes, a shard count of
// ceil(time/target); the same seed takes the same parts and paths.
func TestEstimateBranching(t *testing.T) {
	file := "../../bench/genmc/inc.rs" // 576 executions
	r := estimateJSON(t, "--budget", "1m", file)[0]
	if !r.Exact || r.Executions != 576 || r.ExecutionsLo != 576 || r.ExecutionsHi != 576 || r.Counted != r.Parts || r.Parts < 2 {
		t.Errorf("counted whole: %+v, want exactly 576", r)
	}
	// armv8 is explored by revisits, a tree like the others': counted
	// whole, it must give what the exploration gives (GenMC's count: inc
	// has no load buffering to add).
	if r := estimateJSON(t, "--budget", "1m", "--model", "armv8", file)[0]; !r.Exact || r.Executions != 576 {
		t.Errorf("armv8, counted whole: %+v, want exactly 576", r)
	}
	args := []string{"--samples", "200", "--budget", "1ns", "--seed", "7", "--target", "1ms", file}
	a := estimateJSON(t, args...)[0]
	b := estimateJSON(t, args...)[0]
	if a.Executions != b.Executions || a.ExecutionsLo != b.ExecutionsLo || a.Leaves != b.Leaves {
		t.Errorf("the same seed gave %v and %v", a.Executions, b.Executions)
	}
	if a.Counted+a.Sampled != 2 || !a.Estimate || a.Exact {
		t.Errorf("record %+v: want two parts taken, not exact", a)
	}
	if !(a.ExecutionsLo <= a.Executions && a.Executions <= a.ExecutionsHi) {
		t.Errorf("range [%v, %v] does not surround %v", a.ExecutionsLo, a.ExecutionsHi, a.Executions)
	}
	// Each part has between 0 and 576 executions, so the estimate (the
	// mean of two parts times the number of parts) is at most 576 × parts.
	if a.Executions < 0 || a.Executions > 576*float64(a.Parts) || a.Leaves < a.Executions {
		t.Errorf("estimate %v executions, %v leaves: implausible for 576", a.Executions, a.Leaves)
	}
	if a.SingleCoreMS <= 0 || a.Steps < a.Leaves {
		t.Errorf("time %vms, %v steps, %v leaves", a.SingleCoreMS, a.Steps, a.Leaves)
	}
	want := int(math.Min(math.Ceil(a.SingleCoreMS/a.TargetMS), math.Ceil(a.Leaves)))
	if a.TargetMS != 1 || a.Shards != max(1, want) {
		t.Errorf("%d shards for %vms at a target of %vms, want %d", a.Shards, a.SingleCoreMS, a.TargetMS, want)
	}
	// A generous target: one shard.
	if r := estimateJSON(t, "--samples", "20", "--target", "100h", file)[0]; r.Shards != 1 {
		t.Errorf("--target 100h: %d shards", r.Shards)
	}
}

// On GenMC's benchmarks the estimate is within 2× of GenMC's counts, in
// the default budget of one second (most are small enough to be counted).
func TestEstimateGenMCCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("a second per benchmark")
	}
	cases := []struct {
		file string
		want float64
	}{
		{"ainc.rs", 5040}, {"casw.rs", 32880}, {"big0.rs", 82472}, {"indexer.rs", 4096},
		{"lastzero.rs", 3328}, {"readers.rs", 8192}, {"coa.rs", 57600},
	}
	for _, c := range cases {
		r := estimateJSON(t, "../../bench/genmc/"+c.file)[0]
		if ratio := r.Executions / c.want; ratio < 0.5 || ratio > 2 {
			t.Errorf("%s: estimated %v executions, GenMC counts %v (%.2f×)", c.file, r.Executions, c.want, ratio)
		}
	}
}

func TestSuggestShards(t *testing.T) {
	cases := []struct {
		t, target time.Duration
		leaves    float64
		want      int
	}{
		{time.Second, 10 * time.Minute, 1e6, 1},
		{10 * time.Minute, 10 * time.Minute, 1e6, 1},
		{10*time.Minute + 1, 10 * time.Minute, 1e6, 2},
		{95 * time.Minute, 10 * time.Minute, 1e6, 10},
		{95 * time.Minute, 10 * time.Minute, 3.5, 4}, // at most one shard per execution
		{time.Hour, time.Nanosecond, 0, 1},
		{1000 * time.Hour, time.Nanosecond, math.Inf(1), math.MaxInt32},
	}
	for _, c := range cases {
		if got := suggestShards(c.t, c.target, c.leaves); got != c.want {
			t.Errorf("suggestShards(%v, %v, %v) = %d, want %d", c.t, c.target, c.leaves, got, c.want)
		}
	}
}

// A file of several tests gets one estimate each; --test picks one.
func TestEstimateTests(t *testing.T) {
	recs := estimateJSON(t, "--samples", "20", "testdata/two-tests.rs")
	if len(recs) != 2 || recs[0].Test != "buggy_concurrent_inc" || recs[1].Test != "fixed_concurrent_inc" {
		t.Fatalf("records %+v", recs)
	}
	recs = estimateJSON(t, "--samples", "20", "--test", "fixed_concurrent_inc", "testdata/two-tests.rs")
	if len(recs) != 1 || recs[0].Test != "fixed_concurrent_inc" {
		t.Fatalf("records %+v", recs)
	}
}

// Bad input is refused with exit 2, as by happens run, errors in the
// program with their position.
func TestEstimateErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "name one file"},
		{[]string{"../../testdata/sb-rlx.litmus", "../../testdata/lb-rlx.litmus"}, "name one file"},
		{[]string{"nope.litmus"}, "no such file"},
		{[]string{"../../testdata/errors/control.litmus"}, "control.litmus:13:5: break outside of a loop"},
		{[]string{"--model", "c11", "../../testdata/sb-rlx.litmus"}, "the c11 model cannot be estimated"},
		{[]string{"--model", "nope", "../../testdata/sb-rlx.litmus"}, "nope"},
		{[]string{"--target", "0", "../../testdata/sb-rlx.litmus"}, "--target must be a positive duration"},
		{[]string{"--budget", "-1s", "../../testdata/sb-rlx.litmus"}, "--budget must be a positive duration"},
		{[]string{"--samples", "0", "../../testdata/sb-rlx.litmus"}, "--samples must be at least 1"},
		{[]string{"--unroll", "0", "../../testdata/sb-rlx.litmus"}, "--unroll must be at least 1"},
		{[]string{"--target", "soon", "../../testdata/sb-rlx.litmus"}, "invalid value"},
		{[]string{"--test", "nope", "testdata/two-tests.rs"}, "nope"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if st := Run(context.Background(), append([]string{"estimate"}, c.args...), nil, &out, &errb); st != ExitUsage {
			t.Errorf("%v: exit %d, want %d", c.args, st, ExitUsage)
		}
		if !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.want, errb.String())
		}
		if out.Len() != 0 {
			t.Errorf("%v: stdout %q, want nothing", c.args, out.String())
		}
	}
}

func TestRoundDuration(t *testing.T) {
	cases := map[time.Duration]string{
		1500 * time.Nanosecond:                        "2µs",
		1234567 * time.Nanosecond:                     "1ms",
		1234 * time.Millisecond:                       "1.2s",
		83 * time.Second:                              "1m23s",
		2*time.Hour + 10*time.Minute + 40*time.Second: "2h11m",
		50 * time.Hour:                                "2d2h",
	}
	for d, want := range cases {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := approx(57612); got != "57,600" {
		t.Errorf("approx(57612) = %q", got)
	}
	if got := approx(4.32e12); got != "4.32e+12" {
		t.Errorf("approx(4.32e12) = %q", got)
	}
}

package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"happens"
	"happens/explore"
	"happens/model"
	"happens/prog"
	"happens/source"
)

type estimateOpts struct {
	model   string
	unroll  int
	defines defines
	test    string
	target  time.Duration
	samples int
	budget  time.Duration
	seed    uint64
	json    bool
}

func estimateFlags(o *estimateOpts, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("estimate", flag.ContinueOnError)
	fs.SetOutput(out)
	o.defines = defines{}
	fs.StringVar(&o.model, "model", "c20", "memory model: "+strings.Join(estimableModels(), ", "))
	fs.IntVar(&o.unroll, "unroll", explore.DefaultUnroll, "loop bound, as for happens run")
	fs.Var(o.defines, "D", "override a const: -D N=5 (repeatable)")
	fs.StringVar(&o.test, "test", "", "in a Rust file with several #[test] functions, estimate only this one (default: each in turn)")
	fs.DurationVar(&o.target, "target", 10*time.Minute, "the wall time wanted for a sharded run: the suggested shard count is the estimated one-core time divided by it")
	fs.IntVar(&o.samples, "samples", 100000, "follow at most this many random paths through the parts too big to explore whole")
	fs.DurationVar(&o.budget, "budget", time.Second, "stop taking parts of the exploration after this long (after at least two)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the order of the parts and of the random paths: the same seed, program and options give the same estimate (unless --budget cuts it)")
	fs.BoolVar(&o.json, "json", false, "print the estimate as JSON (one object per test)")
	return fs
}

// estimableModels are the models whose exploration Estimate can sample:
// those explored by TruSt, and armv8 by revisits. c11's engine has no
// choice paths to follow, and cannot be split into shards either.
func estimableModels() []string {
	var out []string
	for _, n := range model.Names() {
		if m, err := model.ByName(n); err == nil && explore.Splittable(m) {
			out = append(out, n)
		}
	}
	return out
}

// jsonEstimate is the JSON form of an estimate.
type jsonEstimate struct {
	Test  string `json:"test"`
	Model string `json:"model"`
	// Estimate is always true: the numbers are predictions, not counts.
	Estimate bool `json:"estimate"`
	// Exact: every part of the exploration was explored whole, so the
	// numbers are the true ones.
	Exact bool `json:"exact"`
	// Parts: the parts the exploration splits into; Counted of them were
	// explored whole, Sampled estimated by Samples random paths.
	Parts        int     `json:"parts"`
	Counted      int     `json:"counted"`
	Sampled      int     `json:"sampled"`
	Samples      int     `json:"samples"`
	Executions   float64 `json:"executions"`
	ExecutionsLo float64 `json:"executions_lo"`
	ExecutionsHi float64 `json:"executions_hi"`
	// Leaves: executions of every status (complete, blocked, cut by a
	// bound).
	Leaves float64 `json:"leaves"`
	Steps  float64 `json:"steps"`
	// SingleCoreMS: the time one core would take, in milliseconds.
	SingleCoreMS float64 `json:"single_core_ms"`
	TargetMS     float64 `json:"target_ms"`
	Shards       int     `json:"shards"`
	Unroll       int     `json:"unroll"`
}

// estimateCommand is `happens estimate FILE`: a prediction, from parts of
// the exploration explored whole or by random paths (explore.Estimate),
// of the executions happens run would explore and the time one core would
// take, with a shard count for happens run --shard K/N that fits a wall
// time.
func estimateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o estimateOpts
	fs := estimateFlags(&o, stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "happens estimate: name one file")
		return ExitUsage
	}
	m, err := model.ByName(o.model)
	if err != nil {
		fmt.Fprintf(stderr, "happens estimate: %v\n", err)
		return ExitUsage
	}
	if !explore.Splittable(m) {
		fmt.Fprintf(stderr, "happens estimate: the %s model cannot be estimated: its exploration has no choice paths to sample, and it cannot be split into shards either (estimable: %s)\n",
			m.Name, strings.Join(estimableModels(), ", "))
		return ExitUsage
	}
	switch {
	case o.unroll < 1:
		fmt.Fprintln(stderr, "happens estimate: --unroll must be at least 1")
		return ExitUsage
	case o.target <= 0:
		fmt.Fprintln(stderr, "happens estimate: --target must be a positive duration, e.g. 10m")
		return ExitUsage
	case o.samples < 1:
		fmt.Fprintln(stderr, "happens estimate: --samples must be at least 1")
		return ExitUsage
	case o.budget <= 0:
		fmt.Fprintln(stderr, "happens estimate: --budget must be a positive duration, e.g. 1s")
		return ExitUsage
	}
	file := files[0]
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	tests := []string{o.test}
	if names := happens.TestNames(file, src); o.test == "" && len(names) > 1 {
		tests = names
	}
	var progs []*prog.Program
	for _, t := range tests {
		p, err := happens.ParseTest(file, src, o.defines, t)
		if err != nil {
			fmt.Fprint(stderr, source.Format(err, src))
			return ExitUsage
		}
		progs = append(progs, p)
	}
	eo := explore.Options{Model: m, Unroll: o.unroll}
	for i, p := range progs {
		est := explore.Estimate(ctx, p, eo, o.samples, o.budget, o.seed)
		if ctx.Err() != nil {
			return signalStatus(ctx, ExitUsage)
		}
		if est.Counted+est.Sampled == 0 {
			fmt.Fprintf(stderr, "happens estimate: %s: no part of the exploration could be taken (under armv8, a thread of more than %d events, or a read-modify-write whose operand depends on a relaxed read, is explored by value speculation, which has no choice tree)\n", p.Name, explore.MaxHMCEvents)
			return ExitUsage
		}
		rec := jsonEstimate{
			Test: p.Name, Model: m.Name, Estimate: true, Exact: est.Exact, Samples: est.Samples,
			Parts: est.Units, Counted: est.Counted, Sampled: est.Sampled,
			Executions: est.Executions, ExecutionsLo: est.Lo, ExecutionsHi: est.Hi, Leaves: est.Leaves,
			Steps: est.Steps, SingleCoreMS: ms(est.Time), TargetMS: ms(o.target),
			Shards: suggestShards(est.Time, o.target, est.Leaves), Unroll: o.unroll,
		}
		if o.json {
			b, _ := json.Marshal(rec)
			fmt.Fprintf(stdout, "%s\n", b)
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		writeEstimate(stdout, rec, est.Time, o.target, runArgs(&o)+file, p, len(progs) > 1)
	}
	return ExitOK
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// suggestShards is how many shards, of one core each, bring a run of
// single-core time t within the target wall time: ceil(t/target), at
// least 1, and no more than the estimated leaves of the tree (a shard
// explores whole subtrees: more shards than executions would be empty).
func suggestShards(t, target time.Duration, leaves float64) int {
	if t <= target {
		return 1
	}
	n := math.Ceil(float64(t) / float64(target))
	n = math.Min(n, math.Max(1, math.Ceil(leaves)))
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// runArgs are the options of happens run that make it explore what was
// estimated (the file follows).
func runArgs(o *estimateOpts) string {
	var b strings.Builder
	keys := make([]string, 0, len(o.defines))
	for k := range o.defines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "-D %s=%s ", k, o.defines[k])
	}
	if o.model != "c20" {
		fmt.Fprintf(&b, "--model %s ", o.model)
	}
	if o.unroll != explore.DefaultUnroll {
		fmt.Fprintf(&b, "--unroll %d ", o.unroll)
	}
	return b.String()
}

func writeEstimate(w io.Writer, r jsonEstimate, t, target time.Duration, file string, p *prog.Program, several bool) {
	test := ""
	if several {
		test = " --test " + p.Name
	}
	switch {
	case r.Exact:
		fmt.Fprintf(w, "Estimate for %s under %s: exact, every part of the exploration (%d) was explored within the budget\n", r.Test, r.Model, r.Parts)
		fmt.Fprintf(w, "  executions  %.0f\n", r.Executions)
		if math.Round(r.Leaves) > math.Round(r.Executions) {
			fmt.Fprintf(w, "  all ends    %.0f, counting blocked executions and those cut by the loop bound\n", r.Leaves)
		}
	case r.Sampled == 0:
		fmt.Fprintf(w, "Estimate for %s under %s: a prediction from %d of the exploration's %d parts, each explored whole, not a count\n",
			r.Test, r.Model, r.Counted, r.Parts)
	default:
		fmt.Fprintf(w, "Estimate for %s under %s: a prediction from %d of the exploration's %d parts (%d explored whole, %d by %d random paths), not a count\n",
			r.Test, r.Model, r.Counted+r.Sampled, r.Parts, r.Counted, r.Sampled, r.Samples)
	}
	switch {
	case r.Exact:
	case r.ExecutionsLo == r.ExecutionsHi:
		// Every part taken gave the same number: the likeliest reason is
		// a tree as wide everywhere, but parts not taken could differ.
		fmt.Fprintf(w, "  executions  about %s (every part taken gave that number)\n", approx(r.Executions))
	default:
		fmt.Fprintf(w, "  executions  about %s (likely between %s and %s)\n", approx(r.Executions), approx(r.ExecutionsLo), approx(r.ExecutionsHi))
	}
	if !r.Exact && r.Leaves > r.Executions*1.01 {
		fmt.Fprintf(w, "  all ends    about %s, counting blocked executions and those cut by the loop bound\n", approx(r.Leaves))
	}
	fmt.Fprintf(w, "  one core    about %s (at the speed of the parts explored, on this machine)\n", roundDuration(t))
	switch {
	case t <= target:
		fmt.Fprintf(w, "  shards      1: one core fits the target of %s (happens run %s%s)\n", roundDuration(target), file, test)
		return
	case r.Shards == 1:
		fmt.Fprintf(w, "  shards      1: too small to split (happens run %s%s)\n", file, test)
		return
	case r.Shards < suggestShards(t, target, math.Inf(1)):
		fmt.Fprintf(w, "  shards      %d of one core each, one per estimated execution: more would be empty\n", r.Shards)
	default:
		fmt.Fprintf(w, "  shards      %d of one core each for a wall time of about %s:\n", r.Shards, roundDuration(target))
	}
	fmt.Fprintf(w, "              happens run --json --jobs 1%s --shard K/%d %s > part-K.json, K = 1…%d; then happens merge part-*.json\n", test, r.Shards, file, r.Shards)
}

// approx writes an estimated count with three significant digits.
func approx(x float64) string {
	switch {
	case math.IsInf(x, 0) || math.IsNaN(x):
		return fmt.Sprint(x)
	case x >= 1e12:
		return strconv.FormatFloat(x, 'e', 2, 64)
	case x < 1000:
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	}
	// Three significant digits, written out in full with thin grouping.
	mag := math.Pow(10, math.Floor(math.Log10(x))-2)
	return group(strconv.FormatFloat(math.Round(x/mag)*mag, 'f', 0, 64))
}

// group puts commas between the thousands of a run of digits.
func group(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}

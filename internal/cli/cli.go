// Package cli is happens' command line: flags, files, progress and exit
// status. It is the only package besides main that touches the OS.
package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"happens"
	"happens/explore"
	"happens/hw/mesi"
	"happens/model"
	"happens/render"
	"happens/result"
	"happens/source"
)

// Exit statuses.
const (
	ExitOK      = 0 // the exploration is complete and nothing failed
	ExitFailed  = 1 // a failure was found (even in a partial run): an assertion, a panic, a race, a thread spinning forever, a forall/~exists condition or an expectation
	ExitUsage   = 2 // bad usage or bad input
	ExitPartial = 3 // nothing failed, but a bound cut the exploration: not verified
	// A run stopped by a signal prints what it found and exits 128 + the
	// signal's number: 130 for Ctrl-C (SIGINT), 143 for SIGTERM.
	usageHeader = `happens: every execution of a concurrent program under the C++20 / Rust memory model

Usage:
  happens run [flags] FILE...     explore a litmus program (Rust-style or herd7 C)
  happens run [flags] DIR...      run every .litmus below DIR, one line per test, on all cores
  happens fmt --to rust|c FILE    print a test in the Rust-style language or herd7's C format
  happens explain [flags] FILE    can an outcome happen? if not, which axiom forbids it, with the cycle
  happens compare [flags] FILE    outcomes × models (--models sc,c11,rc11,c20), with the reason for each difference
  happens asm FILE --arch A       the program's accesses as instructions under the standard mappings
  happens asm --mapping [--arch A]   the mapping table (x86-64, aarch64, aarch64-lse, riscv64, power)
  happens stress FILE [--runs N]  compile the test to C, run it on this machine, outcomes against the model
  happens check-mapping [--arch A] [--model M] FILE|DIR...
                                  outcomes the compiled program shows on hardware that M forbids
  happens trace FILE --model mesi-weak --outcome 'COND'   a shortest run of the MESI machine reaching COND, step by step
  happens serve [--addr 127.0.0.1:8080]   the playground: a web page that runs all of this in the browser
  happens site DIR                write the playground's files into DIR, for any static file host
  happens estimate FILE [--target 10m]   predict the executions and one core's time, and how many shards fit the target
  happens run --shard K/N --json FILE   one part of an exploration; happens merge adds the parts up
  happens merge FILE...           add up the JSON results of the shards of one run
  happens models                  list the memory models
  happens help                    this text

Flags of run (they may come before or after the files):
`
)

// Run is the whole command line. It returns the exit status.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageHeader)
		runFlags(&runOpts{}, stderr).PrintDefaults()
		return ExitUsage
	}
	switch args[0] {
	case "run":
		return run(ctx, args[1:], stdout, stderr)
	case "fmt":
		return fmtCommand(args[1:], stdout, stderr)
	case "explain":
		return runExplain(ctx, args[1:], stdout, stderr)
	case "compare":
		return runCompare(ctx, args[1:], stdout, stderr)
	case "asm":
		return asmCommand(args[1:], stdout, stderr)
	case "stress":
		return stressCommand(ctx, args[1:], stdout, stderr)
	case "check-mapping":
		return runCheckMapping(ctx, args[1:], stdout, stderr)
	case "trace":
		return runTrace(ctx, args[1:], stdout, stderr)
	case "serve":
		return serveCommand(ctx, args[1:], stdout, stderr)
	case "site":
		return siteCommand(args[1:], stdout, stderr)
	case "merge":
		return runMerge(args[1:], stdout, stderr)
	case "estimate":
		return estimateCommand(ctx, args[1:], stdout, stderr)
	case "models":
		for _, n := range model.Names() {
			m, _ := model.ByName(n)
			fmt.Fprintf(stdout, "%-6s %s\n", m.Name, m.Doc)
			for _, a := range m.Axioms {
				fmt.Fprintf(stdout, "         %-12s %s\n", a.Name, a.Text)
			}
		}
		fmt.Fprintln(stdout, "mesi-strong  an operational MESI machine: x86-like FIFO store buffers, invalidations applied at once (x86-64 mapping)")
		fmt.Fprintln(stdout, "mesi-weak    the same with invalidation queues (mailboxes) acknowledged before they are applied (barrier mapping)")
		return ExitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usageHeader)
		runFlags(&runOpts{}, stdout).PrintDefaults()
		return ExitOK
	}
	fmt.Fprintf(stderr, "happens: unknown command %q (try: happens run FILE)\n", args[0])
	return ExitUsage
}

type defines map[string]string

func (d defines) String() string { return "" }
func (d defines) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return errors.New("want NAME=VALUE")
	}
	d[strings.TrimSpace(k)] = strings.TrimSpace(v)
	return nil
}

type runOpts struct {
	model    string
	unroll   int
	max      int
	timeout  time.Duration
	json     bool
	format   string
	show     string
	draw     string
	out      string
	defines  defines
	test     string // --test: the #[test] function to run
	jobs     int    // --jobs
	shard    string // --shard K/N
	progress bool
	states   int // --max-states, for the mesi models (mesi.go)
}

func runFlags(o *runOpts, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	if o.defines == nil {
		o.defines = defines{}
	}
	fs.StringVar(&o.model, "model", "c20", "memory model: "+strings.Join(model.Names(), ", "))
	fs.IntVar(&o.unroll, "unroll", explore.DefaultUnroll, "iterations of each loop before an execution counts as bounded (spin loops that change nothing are blocked instead)")
	fs.IntVar(&o.max, "max-executions", 0, "stop after this many executions (0: no limit)")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop after this long, e.g. 30s (0: no limit)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON (same as --format json)")
	fs.StringVar(&o.format, "format", "text", "output: text, json, or herd (herd7's output block)")
	fs.StringVar(&o.show, "show", "", "list executions: witness (one per interesting outcome), all, or events (all, as event lists)")
	o.draw = "text"
	fs.Var((*drawFlag)(&o.draw), "draw", "how --show draws an execution: --draw (diagrams, the default), --draw=ascii, --draw=events (a list), --draw=svg or --draw=dot")
	fs.StringVar(&o.out, "out", "", "with --draw svg|dot: write one file per execution into this directory (default: the first to stdout)")
	fs.Var(o.defines, "D", "override a const: -D N=5 (repeatable)")
	fs.IntVar(&o.jobs, "jobs", 0, "explore on this many cores (0: all); the result is the same whatever the number")
	fs.StringVar(&o.shard, "shard", "", "K/N: explore only the K-th of N parts of the exploration (with --json; add the parts up with happens merge)")
	fs.StringVar(&o.test, "test", "", "in a Rust file with several #[test] functions, run only this one (default: each in turn)")
	fs.BoolVar(&o.progress, "progress", true, "show a progress line on stderr for long runs")
	fs.IntVar(&o.states, "max-states", 0, "with --model mesi-strong|mesi-weak: stop after this many machine states (0: 2000000)")
	return fs
}

// parseInterleaved lets flags follow the files, as users expect.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return files, nil
		}
		files = append(files, args[0])
		args = args[1:]
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o runOpts
	fs := runFlags(&o, stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "happens run: name a file to explore")
		return ExitUsage
	}
	if _, err := model.ByName(o.model); err != nil && !mesi.IsModel(o.model) {
		fmt.Fprintf(stderr, "happens run: %v (or mesi-strong, mesi-weak)\n", err)
		return ExitUsage
	}
	var show result.Show
	switch o.show {
	case "":
	case "witness":
		show = result.ShowWitness
	case "all":
		show = result.ShowAll
	case "events":
		show, o.draw = result.ShowAll, "events"
	default:
		fmt.Fprintf(stderr, "happens run: --show takes witness, all or events, not %q\n", o.show)
		return ExitUsage
	}
	if o.json {
		o.format = "json"
	}
	switch o.format {
	case "text", "json", "herd":
	default:
		fmt.Fprintf(stderr, "happens run: --format takes text, json or herd, not %q\n", o.format)
		return ExitUsage
	}
	switch o.draw {
	case "text", "ascii", "events", "svg", "dot":
	default:
		fmt.Fprintf(stderr, "happens run: --draw takes text, ascii, events, svg or dot, not %q\n", o.draw)
		return ExitUsage
	}
	if o.unroll < 1 {
		fmt.Fprintln(stderr, "happens run: --unroll must be at least 1")
		return ExitUsage
	}
	files, corpus, err := expandArgs(files)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	if corpus {
		return signalStatus(ctx, runCorpus(ctx, files, o, stdout, stderr))
	}
	status := ExitOK
	for _, file := range files {
		st := runFile(ctx, file, o, show, stdout, stderr)
		status = worse(status, st)
		if ctx.Err() != nil {
			break
		}
	}
	return signalStatus(ctx, status)
}

// worse combines the statuses of several files: usage errors, then
// failures, then partial runs.
func worse(a, b int) int {
	rank := func(s int) int {
		switch s {
		case ExitUsage:
			return 3
		case ExitFailed:
			return 2
		case ExitPartial:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func runFile(ctx context.Context, file string, o runOpts, show result.Show, stdout, stderr io.Writer) int {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	if names := happens.TestNames(file, src); o.test == "" && len(names) > 1 {
		// A file of tests runs each, like cargo test.
		status := ExitOK
		for i, name := range names {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			o.test = name
			status = worse(status, runFile(ctx, file, o, show, stdout, stderr))
			if ctx.Err() != nil {
				break
			}
		}
		return status
	}
	p, err := happens.ParseTest(file, src, o.defines, o.test)
	if err != nil {
		fmt.Fprint(stderr, source.Format(err, src))
		return ExitUsage
	}
	if mesi.IsModel(o.model) {
		return runMESI(ctx, p, o, show, stdout, stderr)
	}
	opts := happens.Options{Model: o.model, Unroll: o.unroll, MaxExecutions: o.max, Timeout: o.timeout, Show: show, Jobs: o.jobs}
	if o.shard != "" {
		k, n, err := parseShard(o.shard)
		if err != nil {
			fmt.Fprintf(stderr, "happens run: --shard %s: %v\n", o.shard, err)
			return ExitUsage
		}
		opts.Shard, opts.Shards = k, n
	}
	var prog *progress
	if o.progress {
		prog = newProgress(stderr)
		opts.Progress = prog.update
	}
	res, err := happens.Run(ctx, p, opts)
	if prog != nil {
		prog.clear()
	}
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	switch o.format {
	case "json":
		rec := render.JSONRecord(res)
		rec.Run = runInfo(src, o)
		render.WriteJSON(stdout, rec)
	case "herd":
		render.Herd(stdout, res)
	default:
		summary := stdout
		if show != result.ShowNone && (o.draw == "svg" || o.draw == "dot") && o.out == "" {
			summary = stderr // stdout carries the picture alone
		}
		render.Text(summary, res)
		if show != result.ShowNone {
			if err := drawExecutions(res, o, stdout, stderr); err != nil {
				fmt.Fprintf(stderr, "happens: %v\n", err)
				return ExitUsage
			}
		}
	}
	return exitStatus(res)
}

// parseShard reads K/N.
func parseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		k, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || k < 1 || k > n {
		return 0, 0, errors.New("want K/N with 1 ≤ K ≤ N, e.g. 2/8")
	}
	return k, n, nil
}

// runInfo says what made a result: a fingerprint of the program text and
// the options that change the exploration, and happens' version.
func runInfo(src []byte, o runOpts) *render.JSONRun {
	h := sha256.New()
	h.Write(src)
	var defs []string
	for k, v := range o.defines {
		defs = append(defs, k+"="+v)
	}
	sort.Strings(defs)
	fmt.Fprintf(h, "\x00%s\x00%s\x00%d\x00%d\x00%s", strings.Join(defs, ","), o.test, o.unroll, o.max, o.model)
	return &render.JSONRun{Fingerprint: hex.EncodeToString(h.Sum(nil))[:32], Version: version(), Unroll: o.unroll, MaxExecutions: o.max}
}

// version is happens' version: the module version, or the commit it was
// built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "+modified"
		}
	}
	return v
}

// exitStatus is a result's exit status: failures first (even in a partial
// run), then partiality, so that "not verified" never reads as "verified".
func exitStatus(res *result.Result) int {
	switch {
	case res.Failed():
		return ExitFailed
	case res.ExpectsPanic() && len(res.Failures) > 0:
		return ExitOK // the expected failure was found: no need to go on
	case !res.Complete():
		return ExitPartial
	}
	return ExitOK
}

// Interrupted is the cause main gives the context when a signal stops
// the run.
type Interrupted struct{ Signal os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// signalStatus is 128 + the signal's number when a signal stopped ctx,
// else status.
func signalStatus(ctx context.Context, status int) int {
	var in Interrupted
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &in) {
		if n, ok := in.Signal.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return 130
	}
	return status
}

// progress prints a one-line status to stderr during long runs.
type progress struct {
	w     io.Writer
	tty   bool
	shown bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(s explore.Stats) {
	rate := float64(s.Complete+s.Blocked) / s.Elapsed.Seconds()
	line := fmt.Sprintf("… %d executions, %d blocked, %.0f/s, %s", s.Complete, s.Blocked, rate, s.Elapsed.Round(time.Second))
	if s.Units > 0 && s.UnitsDone > 0 {
		// Units differ in size: the estimate is rough.
		f := float64(s.UnitsDone) / float64(s.Units)
		left := time.Duration(float64(s.Elapsed) * (1 - f) / f)
		line += fmt.Sprintf(", %d/%d parts done, about %s left", s.UnitsDone, s.Units, left.Round(time.Second))
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
	p.shown = true
}

func (p *progress) clear() {
	if p.shown && p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// drawFlag is --draw: alone it means the default diagrams, --draw=FORM
// picks another form.
type drawFlag string

func (d *drawFlag) String() string { return string(*d) }
func (d *drawFlag) Set(v string) error {
	if v == "true" {
		v = "text"
	}
	*d = drawFlag(v)
	return nil
}
func (d *drawFlag) IsBoolFlag() bool { return true }

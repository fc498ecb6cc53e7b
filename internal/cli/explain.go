package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"happens"
	"happens/explain"
	"happens/explore"
	"happens/frontend/rustlit"
	"happens/model"
	"happens/prog"
	"happens/render"
	"happens/result"
	"happens/source"
)

type explainOpts struct {
	outcome  string
	model    string
	models   string
	draw     string // "" (no drawings), "text" or "ascii"
	ascii    bool
	unroll   int
	max      int
	timeout  time.Duration
	progress bool
	defines  defines
}

func explainFlags(o *explainOpts, out io.Writer, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	o.defines = defines{}
	fs.IntVar(&o.unroll, "unroll", explore.DefaultUnroll, "loop bound (an execution cut by it makes the answer partial)")
	if name == "explain" {
		fs.IntVar(&o.max, "max-candidates", explain.DefaultMax, "when no coherent candidate produces the outcome, draw its reasons from at most this many raw candidate executions")
	} else {
		fs.IntVar(&o.max, "max-candidates", 0, "stop after this many coherent candidate executions (0: no limit; the table is then partial)")
	}
	fs.DurationVar(&o.timeout, "timeout", 0, "stop after this long, e.g. 30s (the answer is then partial)")
	fs.BoolVar(&o.progress, "progress", true, "show a progress line on stderr for long runs")
	fs.Var(o.defines, "D", "override a const: -D N=5 (repeatable)")
	fs.BoolVar(&o.ascii, "ascii", false, "draw with plain ASCII")
	testFlag(fs)
	if name == "explain" {
		fs.StringVar(&o.outcome, "outcome", "", "the outcome to ask about, a Rust boolean over thread locals and memory: 't1.a == 0 && X == 1' (default: the file's condition)")
		fs.StringVar(&o.model, "model", "c20", "memory model: "+strings.Join(model.Names(), ", "))
		fs.Var((*drawFlag)(&o.draw), "draw", "draw each rejected candidate with its cycle: --draw, or --draw=ascii")
	} else {
		fs.StringVar(&o.models, "models", "sc,c11,rc11,c20", "models to compare, comma-separated")
	}
	return fs
}

// loadOne reads and parses the single file a command names.
func loadOne(fs *flag.FlagSet, args []string, defs defines, stderr io.Writer) (*prog.Program, int) {
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, ExitUsage
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "happens %s: name one file\n", fs.Name())
		return nil, ExitUsage
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return nil, ExitUsage
	}
	return parseOneTest(fs, files[0], src, defs, stderr)
}

// testFlag adds --test NAME to a command that judges one program.
func testFlag(fs *flag.FlagSet) {
	fs.String("test", "", "in a Rust file of several #[test] functions, the one to use (required there)")
}

// parseOneTest parses the program a command judges: in a file of several
// #[test] functions, the one --test names; without --test there, it says
// so and lists them rather than silently picking one.
func parseOneTest(fs *flag.FlagSet, file string, src []byte, defs defines, stderr io.Writer) (*prog.Program, int) {
	test := ""
	if f := fs.Lookup("test"); f != nil {
		test = f.Value.String()
	}
	if names := happens.TestNames(file, src); len(names) > 1 && test == "" {
		fmt.Fprintf(stderr, "happens %s: %s has %d #[test] functions (%s); say which one with --test NAME\n", fs.Name(), file, len(names), strings.Join(names, ", "))
		return nil, ExitUsage
	}
	p, err := happens.ParseTest(file, src, defs, test)
	if err != nil {
		fmt.Fprint(stderr, source.Format(err, src))
		return nil, ExitUsage
	}
	return p, ExitOK
}

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o explainOpts
	fs := explainFlags(&o, stderr, "explain")
	p, st := loadOne(fs, args, o.defines, stderr)
	if p == nil {
		return st
	}
	switch o.draw {
	case "", "text", "ascii":
	default:
		fmt.Fprintf(stderr, "happens explain: --draw takes text or ascii, not %q\n", o.draw)
		return ExitUsage
	}
	m, err := model.ByName(o.model)
	if err != nil {
		fmt.Fprintf(stderr, "happens explain: %v\n", err)
		return ExitUsage
	}
	var outcome prog.Expr
	var question string
	if o.outcome == "" {
		if p.Cond == nil {
			fmt.Fprintln(stderr, "happens explain: the file has no condition; give one with --outcome 't1.a == 0'")
			return ExitUsage
		}
		outcome = p.Cond.Expr
		question = fmt.Sprintf("Can %s happen", p.Cond.Text)
		if p.Cond.Kind == prog.Forall {
			outcome = &prog.UnaryExpr{Op: prog.Not, X: outcome, T: prog.Bool}
			question = fmt.Sprintf("Can the forall condition %s fail", p.Cond.Text)
		}
	} else {
		outcome, _, err = rustlit.ParseOutcome(p, "--outcome", o.outcome)
		if err != nil {
			fmt.Fprint(stderr, source.Format(err, []byte(o.outcome)))
			return ExitUsage
		}
		question = fmt.Sprintf("Can (%s) happen", o.outcome)
	}
	ctx, cancel := withTimeout(ctx, o.timeout)
	defer cancel()
	eo := explain.Options{Unroll: o.unroll, MaxCandidates: o.max}
	var bar *progress
	if o.progress {
		bar = newProgress(stderr)
		eo.Progress = bar.update
	}
	a := explain.Explain(ctx, p, m, outcome, eo)
	if bar != nil {
		bar.clear()
	}
	render.Explanation(stdout, p, m, question, a, render.ExplainOptions{Draw: o.draw != "", ASCII: o.ascii || o.draw == "ascii", Width: terminalWidth(stdout)})
	status := ExitOK
	if a.Partial && !a.Possible() {
		status = ExitPartial
	}
	return signalStatus(ctx, status)
}

// withTimeout bounds ctx by d when d > 0.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o explainOpts
	fs := explainFlags(&o, stderr, "compare")
	p, st := loadOne(fs, args, o.defines, stderr)
	if p == nil {
		return st
	}
	var models []*model.Model
	for _, name := range strings.Split(o.models, ",") {
		m, err := model.ByName(strings.TrimSpace(name))
		if err != nil {
			fmt.Fprintf(stderr, "happens compare: %v\n", err)
			return ExitUsage
		}
		models = append(models, m)
	}
	ctx, cancel := withTimeout(ctx, o.timeout)
	defer cancel()
	eo := explain.Options{Unroll: o.unroll, MaxCandidates: o.max}
	var bar *progress
	if o.progress {
		bar = newProgress(stderr)
		eo.Progress = bar.update
	}
	t := explain.Compare(ctx, p, result.Observables(p), models, eo)
	if bar != nil {
		bar.clear()
	}
	render.Comparison(stdout, p, t)
	status := ExitOK
	if t.Partial {
		status = ExitPartial
	}
	return signalStatus(ctx, status)
}

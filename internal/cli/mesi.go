package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"happens"
	"happens/frontend/rustlit"
	"happens/hw/mesi"
	"happens/prog"
	"happens/render"
	"happens/result"
	"happens/source"
)

// runMESI is `happens run --model mesi-strong|mesi-weak FILE`: the
// program run on the operational MESI machine, every reachable final
// state, printed by the usual renderers.
func runMESI(ctx context.Context, p *prog.Program, o runOpts, show result.Show, stdout, stderr io.Writer) int {
	mode, _ := mesi.ModeByName(o.model)
	if show != result.ShowNone {
		fmt.Fprintf(stderr, "happens run: --show draws execution graphs, which %s does not build; use happens trace FILE --model %s --outcome 'COND' for a run of the machine\n", o.model, o.model)
		return ExitUsage
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	opts := mesi.Options{Mode: mode, Unroll: o.unroll, MaxStates: o.states}
	var prog *mesiProgress
	if o.progress {
		prog = &mesiProgress{p: newProgress(stderr)}
		opts.Progress = prog.update
	}
	res, st := mesi.Run(ctx, p, opts)
	if prog != nil {
		prog.p.clear()
	}
	switch o.format {
	case "json":
		render.JSON(stdout, res)
	case "herd":
		render.Herd(stdout, res)
	default:
		render.Text(stdout, res)
		fmt.Fprintf(stdout, "Machine %s: %d states, %d transitions; each outcome's count is its number of distinct final machine states\n", mode, st.States, st.Transitions)
	}
	return exitStatus(res)
}

func maxStates(o runOpts) int {
	if o.states > 0 {
		return o.states
	}
	return mesi.DefaultMaxStates
}

type mesiProgress struct{ p *progress }

func (m *mesiProgress) update(s mesi.Stats) {
	rate := float64(s.States) / s.Elapsed.Seconds()
	line := fmt.Sprintf("… %d machine states, %d final, %.0f/s, %s", s.States, s.Final, rate, s.Elapsed.Round(time.Second))
	if m.p.tty {
		fmt.Fprintf(m.p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(m.p.w, line)
	}
	m.p.shown = true
}

// runTrace is `happens trace FILE --model mesi-weak --outcome 'COND'`: a
// shortest run of the MESI machine that ends in the outcome, as a table.
// Exit status 0 when one is found, 1 when no run reaches the outcome.
func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "mesi-weak", "the machine: mesi-strong (x86-like) or mesi-weak (invalidation queues)")
	outcome := fs.String("outcome", "", "the final state to reach, a Rust boolean over thread locals and memory: 't2.f == 1 && t2.d == 0' (default: the file's condition)")
	unroll := fs.Int("unroll", 0, "loop bound (default 8)")
	max := fs.Int("max-states", 0, fmt.Sprintf("stop the search after this many machine states (default %d)", mesi.DefaultMaxStates))
	timeout := fs.Duration("timeout", 0, "stop the search after this long (0: no limit)")
	defs := defines{}
	fs.Var(defs, "D", "override a const: -D N=5 (repeatable)")
	testFlag(fs)
	p, st := loadOne(fs, args, defs, stderr)
	if p == nil {
		return st
	}
	mode, ok := mesi.ModeByName(*model)
	if !ok {
		fmt.Fprintf(stderr, "happens trace: --model takes mesi-strong or mesi-weak, not %q\n", *model)
		return ExitUsage
	}
	var cond prog.Expr
	text := *outcome
	if text == "" {
		if p.Cond == nil {
			fmt.Fprintln(stderr, "happens trace: the file has no condition; give one with --outcome 't1.a == 0'")
			return ExitUsage
		}
		cond, text = p.Cond.Expr, p.Cond.Text
		if p.Cond.Kind == prog.Forall {
			cond = &prog.UnaryExpr{Op: prog.Not, X: cond, T: prog.Bool}
			text = "not " + text
		}
	} else {
		var err error
		cond, _, err = rustlit.ParseOutcome(p, "--outcome", text)
		if err != nil {
			fmt.Fprint(stderr, source.Format(err, []byte(text)))
			return ExitUsage
		}
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	tr := mesi.FindTrace(ctx, p, cond, text, mesi.Options{Mode: mode, Unroll: *unroll, MaxStates: *max})
	if err := mesi.WriteTrace(stdout, tr); err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	if !tr.Found {
		return ExitFailed
	}
	return ExitOK
}

// runModel explores p under o's model for the one-line-per-test corpus
// run: the MESI machine for mesi-strong and mesi-weak, else happens.Run.
func runModel(ctx context.Context, p *prog.Program, o runOpts) (*result.Result, error) {
	mode, ok := mesi.ModeByName(o.model)
	if !ok {
		return happens.Run(ctx, p, happens.Options{Model: o.model, Unroll: o.unroll, MaxExecutions: o.max, Timeout: o.timeout, Jobs: 1}) // the corpus runs tests side by side
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	res, _ := mesi.Run(ctx, p, mesi.Options{Mode: mode, Unroll: o.unroll, MaxStates: o.states})
	return res, nil
}

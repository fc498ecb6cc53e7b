package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"happens"
	"happens/explain"
	"happens/frontend/rustlit"
	"happens/model"
	"happens/prog"
	"happens/render"
	"happens/result"
	"happens/source"
)

type explainOpts struct {
	outcome string
	model   string
	models  string
	draw    bool
	ascii   bool
	unroll  int
	max     int
	defines defines
}

func explainFlags(o *explainOpts, out io.Writer, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	o.defines = defines{}
	fs.IntVar(&o.unroll, "unroll", 8, "loop bound")
	fs.IntVar(&o.max, "max-candidates", explain.DefaultMax, "stop after this many candidate executions")
	fs.Var(o.defines, "D", "override a const: -D N=5 (repeatable)")
	fs.BoolVar(&o.ascii, "ascii", false, "draw with plain ASCII")
	if name == "explain" {
		fs.StringVar(&o.outcome, "outcome", "", "the outcome to ask about, a Rust boolean over thread locals and memory: 't1.a == 0 && X == 1' (default: the file's condition)")
		fs.StringVar(&o.model, "model", "c20", "memory model: "+strings.Join(model.Names(), ", "))
		fs.BoolVar(&o.draw, "draw", false, "draw each rejected candidate with its cycle")
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
	p, err := happens.Parse(files[0], src, defs)
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
	m, err := model.ByName(o.model)
	if err != nil {
		fmt.Fprintf(stderr, "happens explain: %v\n", err)
		return ExitUsage
	}
	var outcome prog.Expr
	text := o.outcome
	if text == "" {
		if p.Cond == nil {
			fmt.Fprintln(stderr, "happens explain: the file has no condition; give one with --outcome 't1.a == 0'")
			return ExitUsage
		}
		outcome, text = p.Cond.Expr, p.Cond.Text
		if p.Cond.Kind == prog.Forall {
			outcome = &prog.UnaryExpr{Op: prog.Not, X: outcome, T: prog.Bool}
			text = "not " + text
		}
	} else {
		outcome, _, err = rustlit.ParseOutcome(p, "--outcome", text)
		if err != nil {
			fmt.Fprint(stderr, source.Format(err, []byte(text)))
			return ExitUsage
		}
	}
	a := explain.Explain(ctx, p, m, outcome, explain.Options{Unroll: o.unroll, MaxCandidates: o.max})
	render.Explanation(stdout, p, m, text, a, render.ExplainOptions{Draw: o.draw, ASCII: o.ascii, Width: terminalWidth(stdout)})
	return ExitOK
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
	t := explain.Compare(ctx, p, result.Observables(p), models, explain.Options{Unroll: o.unroll, MaxCandidates: o.max})
	render.Comparison(stdout, p, t)
	return ExitOK
}

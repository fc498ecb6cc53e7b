// Package happens is the library facade: parse a litmus program in either
// format, explore every execution a memory model allows, and summarise.
//
//	p, err := happens.Parse("sb.litmus", src, nil)
//	res, err := happens.Run(ctx, p, happens.Options{Model: "c20"})
//
// Renderers in package render write a Result as text, JSON or herd7's format.
package happens

import (
	"context"
	"time"

	"happens/explore"
	"happens/frontend"
	"happens/model"
	"happens/prog"
	"happens/result"
)

// Options choose the model and bound the exploration.
type Options struct {
	Model string // "c20" (default), "rc11", "sc"
	// ModelValue, when set, is the model itself (a variant such as ARMv8
	// with LSE's strong cas); Model is then ignored.
	ModelValue    *model.Model
	Unroll        int // loop bound; 0: explore.DefaultUnroll
	MaxExecutions int // 0: no bound
	Timeout       time.Duration
	Show          result.Show
	Progress      func(explore.Stats)
}

// Parse reads a program, detecting its format from its content. defines
// override consts (N=5). In a Rust file with several #[test] functions it
// reads the first; ParseTest picks another.
func Parse(filename string, src []byte, defines map[string]string) (*prog.Program, error) {
	return frontend.Parse(filename, src, frontend.Options{Defines: defines})
}

// ParseTest reads the #[test] function named test of a Rust file.
func ParseTest(filename string, src []byte, defines map[string]string, test string) (*prog.Program, error) {
	return frontend.Parse(filename, src, frontend.Options{Defines: defines, Test: test})
}

// TestNames lists the #[test] functions of a Rust file, in order (none
// for other files).
func TestNames(filename string, src []byte) []string {
	return frontend.TestNames(filename, src)
}

// Run explores p and summarises the executions. A cancelled ctx or a
// timeout ends it early with a partial result (Result.Complete is false).
func Run(ctx context.Context, p *prog.Program, opts Options) (*result.Result, error) {
	name := opts.Model
	if name == "" {
		name = "c20"
	}
	m := opts.ModelValue
	if m == nil {
		var err error
		if m, err = model.ByName(name); err != nil {
			return nil, err
		}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	unroll := opts.Unroll
	if unroll <= 0 {
		unroll = explore.DefaultUnroll
	}
	c := result.NewCollector(p, m, opts.Show)
	eo := explore.Options{Model: m, Unroll: unroll, MaxExecutions: opts.MaxExecutions, Progress: opts.Progress}
	run := explore.Explore
	if m.Cycles {
		run = explore.Speculate
	}
	stats := run(ctx, p, eo, c.Visit)
	return c.Finish(stats, unroll), nil
}

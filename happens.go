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
	"fmt"
	"runtime"
	"sync/atomic"
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
	// Jobs is how many cores explore at once; 0: all of them. The result
	// is the same whatever the number.
	Jobs int
	// Shard of Shards (1-based), when set, explores only that part of the
	// exploration: the units of a deterministic split whose index is
	// Shard-1 modulo Shards. The parts' results add up to the whole run
	// (command happens merge).
	Shard, Shards int
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
	eo := explore.Options{Model: m, Unroll: unroll, MaxExecutions: opts.MaxExecutions, Progress: opts.Progress}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if opts.Shards > 0 {
		if opts.Shard < 1 || opts.Shard > opts.Shards {
			return nil, fmt.Errorf("shard %d/%d: want 1 ≤ K ≤ N", opts.Shard, opts.Shards)
		}
		if opts.MaxExecutions > 0 {
			return nil, fmt.Errorf("an execution limit cannot be split into shards")
		}
		// Many more units than shards, so that the parts are even.
		all, risky := explore.SplitUnits(ctx, p, eo, 64*opts.Shards)
		var mine [][]int
		for i, u := range all {
			if i%opts.Shards == opts.Shard-1 {
				mine = append(mine, u)
			}
		}
		r := runUnits(ctx, p, m, opts.Show, eo, mine, jobs)
		r.Shard, r.Shards, r.Units = opts.Shard, opts.Shards, len(all)
		if risky && !r.Stats.Stopped {
			// The split met a refusal of ARMv8's revisits that no unit
			// meets again: every shard says it may be incomplete.
			r.Stats.Stopped, r.Stats.Cut = true, explore.CutRevisits
		}
		return r, nil
	}
	// An execution limit stops after the first executions in exploration
	// order, which only one core reproduces.
	var r *result.Result
	if jobs > 1 && opts.MaxExecutions == 0 && explore.Splittable(m) {
		r = runParallel(ctx, p, m, opts.Show, eo, jobs)
	} else {
		c := result.NewCollector(p, m, opts.Show)
		r = c.Finish(explore.Explore(ctx, p, eo, c.Visit), unroll)
	}
	if m.Name == model.ARMv8.Name && !explore.HMCBlind(p) && r.Complete() && ctx.Err() == nil && scOutcomeMissing(ctx, p, eo, r) {
		// A safety net: every SC execution is an ARMv8 one, so an
		// outcome sc finds and the revisits do not shows they missed
		// executions (random programs found such cases: TestInclusion).
		// (Not when speculation explored it already: HMCBlind.)
		r.Stats.Stopped, r.Stats.Cut = true, explore.CutRevisits
	}
	if r.Stats.Stopped && r.Stats.Cut == explore.CutRevisits && ctx.Err() == nil {
		// ARMv8's revisits may have missed executions: value
		// speculation instead, exact (or partial for its own reason).
		c := result.NewCollector(p, m, opts.Show)
		r = c.Finish(explore.Speculate(ctx, p, eo, c.Visit), unroll)
	}
	return r, nil
}

// scOutcomeMissing reports whether exploring p under sc gives an outcome
// that r, a complete armv8 result, lacks.
func scOutcomeMissing(ctx context.Context, p *prog.Program, eo explore.Options, r *result.Result) bool {
	eo.Model, eo.Progress = model.SC, nil
	c := result.NewCollector(p, model.SC, 0)
	sc := c.Finish(explore.Explore(ctx, p, eo, c.Visit), eo.Unroll)
	if !sc.Complete() {
		return false
	}
	have := map[string]bool{}
	for _, o := range r.Outcomes {
		have[fmt.Sprint(o.Values)] = true
	}
	for _, o := range sc.Outcomes {
		if !have[fmt.Sprint(o.Values)] {
			return true
		}
	}
	return false
}

// runParallel explores on jobs cores (explore.Parallel), a collector per
// part, and combines the parts' results in exploration order, so the
// result is the one-core result: the same counts, and the same first
// witness of everything.
func runParallel(ctx context.Context, p *prog.Program, m *model.Model, show result.Show, eo explore.Options, jobs int) *result.Result {
	start := time.Now()
	var parts []*result.Collector // Parallel makes one newPart call at a time
	newPart := func(i int) func(*explore.Execution) {
		c := result.NewCollector(p, m, show)
		for len(parts) <= i {
			parts = append(parts, nil)
		}
		parts[i] = c
		return c.Visit
	}
	order, pstats := explore.Parallel(ctx, p, eo, jobs, newPart)
	all := result.NewCollector(p, m, show)
	var stats explore.Stats
	for _, i := range order {
		all.Merge(parts[i])
		stats.Add(pstats[i])
	}
	stats.Elapsed = time.Since(start)
	return all.Finish(stats, eo.Unroll)
}

// runUnits explores the units on jobs cores and combines their results
// in unit order, so the result is the one-core result: the same counts,
// and the same first witness of everything.
func runUnits(ctx context.Context, p *prog.Program, m *model.Model, show result.Show, eo explore.Options, units [][]int, jobs int) *result.Result {
	start := time.Now()
	type done struct {
		c     *result.Collector
		stats explore.Stats
	}
	results := make([]chan done, len(units))
	for i := range results {
		results[i] = make(chan done, 1)
	}
	var next, complete, blocked atomic.Int64
	progress := eo.Progress
	uo := eo
	uo.Progress = nil
	for w := 0; w < jobs; w++ {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) {
					return
				}
				c := result.NewCollector(p, m, show)
				st := explore.ExploreUnit(ctx, p, uo, units[i], func(x *explore.Execution) {
					c.Visit(x)
					switch x.Status {
					case explore.Complete:
						complete.Add(1)
					case explore.Blocked:
						blocked.Add(1)
					}
				})
				results[i] <- done{c, st}
			}
		}()
	}
	var tick <-chan time.Time
	if progress != nil {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		tick = t.C
	}
	all := result.NewCollector(p, m, show)
	var stats explore.Stats
	for i := range results {
		var d done
	wait:
		for {
			select {
			case d = <-results[i]:
				break wait
			case <-tick:
				progress(explore.Stats{Complete: int(complete.Load()), Blocked: int(blocked.Load()),
					Elapsed: time.Since(start), Units: len(units), UnitsDone: i})
			}
		}
		all.Merge(d.c)
		stats.Add(d.stats)
	}
	stats.Elapsed = time.Since(start)
	return all.Finish(stats, eo.Unroll)
}

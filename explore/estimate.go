package explore

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"happens/prog"
)

// sampleStats is what one random path of Estimate found.
type sampleStats struct {
	nodes, leaves, complete float64
}

// Estimation predicts the size of an exploration.
type Estimation struct {
	Samples int
	// Executions estimates the complete executions, Leaves the executions
	// of every status (blocked, bounded, …); Lo and Hi bound Executions
	// (the mean ± two standard errors of the samples' estimates).
	Executions, Lo, Hi, Leaves float64
	// Steps estimates the exploration's steps (events added), and Time
	// the time one core needs, at the speed the samples went.
	Steps float64
	Time  time.Duration
	// Exact: the samples covered the whole tree (it has a single path).
	Exact bool
}

// Estimate predicts the number of executions of p under opts, and the
// time to explore them, by following random paths through the
// exploration tree (Knuth, "Estimating the efficiency of backtrack
// programs", 1975): at each branch point one alternative is taken at
// random, and the product of the numbers of alternatives along a path is
// an unbiased estimate of the number of leaves (and its partial products,
// summed, of the number of steps). It stops after samples paths or when
// budget is spent, whichever comes first (at least 10 paths).
func Estimate(ctx context.Context, p *prog.Program, opts Options, samples int, budget time.Duration, seed uint64) Estimation {
	var est Estimation
	if opts.Model.Cycles || !opts.Model.Extensible {
		return est // the other engines have no choice paths
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	start := time.Now()
	// Stratified: the top of the tree is enumerated exactly (units), and
	// each unit's subtree estimated by its own random paths; the sum has
	// far less variance than paths from the root.
	units := Units(ctx, p, opts, 256)
	type acc struct{ n, sum, sumSq, leaves, nodes float64 }
	per := make([]acc, len(units))
	steps := 0
	single := len(units) == 1
	for round := 0; ctx.Err() == nil; round++ {
		if round > 0 && (est.Samples >= samples || time.Since(start) >= budget) {
			break
		}
		for i, u := range units {
			e := newEngine(ctx, p, opts, nil)
			e.sample, e.weight, e.prefix = rng, 1, u
			e.explore(newEgraph(p, e.opts.Unroll))
			steps += e.nodes
			c := e.sampled.complete
			a := &per[i]
			a.n++
			a.sum += c
			a.sumSq += c * c
			a.leaves += e.sampled.leaves
			a.nodes += e.sampled.nodes + float64(len(u))
			single = single && e.sampled.nodes <= 1 && e.sampled.leaves <= 1
			est.Samples++
		}
	}
	variance := 0.0
	for _, a := range per {
		if a.n == 0 {
			continue
		}
		m := a.sum / a.n
		est.Executions += m
		est.Leaves += a.leaves / a.n
		est.Steps += a.nodes / a.n
		variance += math.Max(0, a.sumSq/a.n-m*m) / a.n
	}
	if est.Steps < est.Leaves {
		est.Steps = est.Leaves
	}
	se := math.Sqrt(variance)
	est.Lo, est.Hi = math.Max(0, est.Executions-2*se), est.Executions+2*se
	// The time: at the speed of a real exploration (random paths cost more
	// per step), measured on the first units for a tenth of the budget.
	speed := newEngine(ctx, p, opts, nil)
	deadline := time.Now().Add(budget / 10)
	for _, u := range units {
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		sctx, cancel := context.WithDeadline(ctx, deadline)
		e := newEngine(sctx, p, opts, nil)
		e.prefix = u
		e.explore(newEgraph(p, e.opts.Unroll))
		cancel()
		speed.nodes += e.nodes
	}
	if took := time.Since(deadline.Add(-budget / 10)); speed.nodes > 0 {
		est.Time = time.Duration(float64(took) / float64(speed.nodes) * est.Steps)
	} else if steps > 0 {
		est.Time = time.Duration(float64(time.Since(start)) / float64(steps) * est.Steps)
	}
	est.Exact = single
	return est
}

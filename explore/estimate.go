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
	var sum, sumSq, leaves, nodes float64
	steps := 0
	single := true
	for est.Samples < samples && (est.Samples < 10 || time.Since(start) < budget) && ctx.Err() == nil {
		e := newEngine(ctx, p, opts, nil)
		e.sample, e.weight = rng, 1
		e.explore(newEgraph(p, e.opts.Unroll))
		steps += e.nodes
		c := e.sampled.complete
		sum += c
		sumSq += c * c
		leaves += e.sampled.leaves
		nodes += e.sampled.nodes
		single = single && e.sampled.nodes <= 1 && e.sampled.leaves <= 1
		est.Samples++
	}
	n := float64(est.Samples)
	if n == 0 {
		return est
	}
	est.Executions = sum / n
	est.Leaves = leaves / n
	est.Steps = nodes / n
	if est.Steps < est.Leaves {
		est.Steps = est.Leaves
	}
	variance := math.Max(0, sumSq/n-est.Executions*est.Executions)
	se := math.Sqrt(variance / n)
	est.Lo, est.Hi = math.Max(0, est.Executions-2*se), est.Executions+2*se
	if steps > 0 {
		perStep := float64(time.Since(start)) / float64(steps)
		est.Time = time.Duration(perStep * est.Steps)
	}
	est.Exact = single
	return est
}

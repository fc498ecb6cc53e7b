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
	// Units is the number of parts the exploration was split into (as
	// for shards), Counted how many of them were explored whole, Sampled
	// how many were estimated by random paths, Samples the paths
	// followed.
	Units, Counted, Sampled, Samples int
	// Executions estimates the complete executions, Leaves the executions
	// of every status (blocked, bounded, …); Lo and Hi bound Executions
	// (the estimate ± two standard errors).
	Executions, Lo, Hi, Leaves float64
	// Steps estimates the exploration's steps (events added), and Time
	// the time one core needs, at the speed of the parts explored.
	Steps float64
	Time  time.Duration
	// Exact: every part was explored whole, so the counts are the
	// exploration's own.
	Exact bool
}

// UnitSteps bounds the steps Estimate spends exploring one part whole;
// a larger part is estimated by random paths.
const UnitSteps = 20000

// Estimate predicts the number of executions of p under opts, and the
// time to explore them. It splits the exploration into parts (Units, as
// shards do) and takes them in a random order: each part is explored
// whole when it takes at most UnitSteps steps, and otherwise estimated by
// random paths through it (Knuth, "Estimating the efficiency of backtrack
// programs", 1975: at each branch point one alternative is taken at
// random, and the product of the numbers of alternatives along a path is
// an unbiased estimate of the number of leaves, and its partial products,
// summed, of the number of steps). The mean over the parts taken, times
// the number of parts, estimates the whole (a random sample of the parts,
// so without bias); when the budget lets every part be taken, and each was
// explored whole, the result is exact. At most samples random paths are
// followed in all, and the parts are taken until budget is spent (at
// least two of them).
func Estimate(ctx context.Context, p *prog.Program, opts Options, samples int, budget time.Duration, seed uint64) Estimation {
	var est Estimation
	if !splittable(p, opts.Model) {
		return est // the other engines have no choice tree
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	start := time.Now()
	units := Units(ctx, p, opts, 1024)
	est.Units = len(units)
	type part struct {
		unit                    int
		byPaths                 bool
		complete, leaves, steps float64
		varComplete             float64 // of the estimate, for a part estimated by paths
	}
	var parts []part
	var wholeSteps float64
	var wholeTime time.Duration
	var pathSteps int
	var pathTime time.Duration
	pathsPer := max(10, samples/max(1, len(units)))
	// whole explores part i whole, within maxSteps steps and ctx; ok says
	// it finished; tooLong that a thread is too long for HMC's prefixes.
	whole := func(ctx context.Context, i, maxSteps int) (pt part, ok, tooLong bool) {
		uo := opts
		uo.MaxSteps = maxSteps
		t0 := time.Now()
		e := newEngine(ctx, p, uo, nil)
		e.followUnit(units[i])
		e.explore(newEgraph(p, e.opts.Unroll))
		if e.tooLong || e.stats.Stopped {
			return pt, false, e.tooLong
		}
		st := e.stats
		wholeSteps += float64(e.nodes)
		wholeTime += time.Since(t0)
		return part{unit: i, complete: float64(st.Complete),
			leaves: float64(st.Complete + st.Blocked + st.Bounded + st.Stuck), steps: float64(e.nodes)}, true, false
	}
	for _, i := range rng.Perm(len(units)) {
		if len(parts) >= 2 && (time.Since(start) >= budget || ctx.Err() != nil) {
			break
		}
		pt, ok, tooLong := whole(ctx, i, UnitSteps)
		if tooLong {
			return Estimation{} // armv8 falls back to value speculation: no tree
		}
		if ok {
			parts = append(parts, pt)
			est.Counted++
			continue
		}
		if ctx.Err() != nil {
			break
		}
		// Too big to explore whole here: random paths through it.
		t0 := time.Now()
		var n, sum, sumSq, leaves, nodes float64
		for k := 0; k < pathsPer && est.Samples < max(samples, 10); k++ {
			if k >= 2 && time.Since(start) >= budget {
				break
			}
			e := newEngine(ctx, p, opts, nil)
			e.sample, e.weight = rng, 1
			e.followUnit(units[i])
			e.explore(newEgraph(p, e.opts.Unroll))
			pathSteps += e.nodes
			c := e.sampled.complete
			n++
			sum += c
			sumSq += c * c
			leaves += e.sampled.leaves
			nodes += e.sampled.nodes + float64(len(units[i]))
			est.Samples++
		}
		pathTime += time.Since(t0)
		if n == 0 {
			break
		}
		m := sum / n
		parts = append(parts, part{unit: i, byPaths: true, complete: m, leaves: leaves / n, steps: nodes / n,
			varComplete: math.Max(0, sumSq/n-m*m) / n})
		est.Sampled++
	}
	// With time left, the parts estimated by paths are explored whole
	// after all, as far as it goes (their estimates vary the most).
	for j := range parts {
		left := budget - time.Since(start)
		if !parts[j].byPaths {
			continue
		}
		if left <= 0 || ctx.Err() != nil {
			break
		}
		uctx, cancel := context.WithTimeout(ctx, left)
		pt, ok, _ := whole(uctx, parts[j].unit, 50*UnitSteps)
		cancel()
		if !ok {
			continue
		}
		parts[j] = pt
		est.Counted++
		est.Sampled--
	}
	k := float64(len(parts))
	if k == 0 {
		return est
	}
	N := float64(len(units))
	var mean, sq, within float64
	for _, pt := range parts {
		mean += pt.complete / k
		est.Leaves += pt.leaves * N / k
		est.Steps += pt.steps * N / k
		within += pt.varComplete
	}
	for _, pt := range parts {
		sq += (pt.complete - mean) * (pt.complete - mean)
	}
	est.Executions = mean * N
	// The variance of N × the mean of k parts drawn without replacement,
	// plus that of the parts' own estimates.
	variance := within * (N / k) * (N / k)
	if k > 1 {
		variance += N * N * (1 - k/N) * (sq / (k - 1)) / k
	}
	se := math.Sqrt(variance)
	est.Lo, est.Hi = math.Max(0, est.Executions-2*se), est.Executions+2*se
	if est.Steps < est.Leaves {
		est.Steps = est.Leaves
	}
	est.Exact = est.Counted == len(units)
	if est.Exact {
		// The sums themselves, free of rounding.
		est.Executions, est.Leaves, est.Steps = 0, 0, 0
		for _, pt := range parts {
			est.Executions += pt.complete
			est.Leaves += pt.leaves
			est.Steps += pt.steps
		}
		est.Lo, est.Hi = est.Executions, est.Executions
	}
	// The time, at the speed of the parts explored whole (random paths
	// cost more per step), else of the paths.
	switch {
	case wholeSteps > 0:
		est.Time = time.Duration(float64(wholeTime) / wholeSteps * est.Steps)
	case pathSteps > 0:
		est.Time = time.Duration(float64(pathTime) / float64(pathSteps) * est.Steps)
	}
	return est
}

package explore

import (
	"context"

	"happens/prog"
)

// A unit is a part of an exploration: the choice path from the root of
// the exploration tree to one of its subtrees (or leaves). The units of a
// split partition the executions, and in unit order they come in the
// order one exploration visits them, so results computed unit by unit and
// combined in order are those of one exploration: the counts, and which
// execution is met first. Units can be explored by several cores at once
// or on several machines (shards).

// Units splits the exploration of p under opts into at least n units when
// the tree is big enough: it explores the top of the tree, one level
// deeper each round (counting only branch points with a choice), until it
// has n of them. The same p and opts give the
// same units.
func Units(ctx context.Context, p *prog.Program, opts Options, n int) [][]int {
	units, _ := SplitUnits(ctx, p, opts, n)
	return units
}

// SplitUnits is Units, and says whether ARMv8's revisits refused one that
// may lose executions (CutRevisits) in the top of the tree the split
// explored. Every node below the split depth is in some unit, and
// exploring it refuses the same revisits; but a part of the top that ends
// in no execution (inconsistent, or doomed: doomed.go) is in no unit, so
// only the split saw its refusals.
func SplitUnits(ctx context.Context, p *prog.Program, opts Options, n int) (units [][]int, risky bool) {
	if !splittable(p, opts.Model) {
		return [][]int{nil}, false // one unit: the whole tree
	}
	for depth := 0; ; depth++ {
		e := newEngine(ctx, p, opts, nil)
		e.splitAt = depth
		e.explore(newEgraph(p, e.opts.Unroll))
		units, risky = e.units, e.risky
		if e.tooLong {
			return [][]int{nil}, false // HMC falls back to value speculation: one unit
		}
		// A deeper round re-explores the top of the tree: stop when this
		// one was already long (a bound in steps, not time, so that the
		// same program always splits the same way).
		if len(units) >= n || !e.cut || e.stats.Stopped || e.nodes > 200000 {
			break
		}
	}
	if len(units) == 0 {
		return [][]int{nil}, false // one unit: the whole tree, its own judge
	}
	return units, risky
}

// ExploreUnit is Explore restricted to one unit of Units(p, opts, ...).
func ExploreUnit(ctx context.Context, p *prog.Program, opts Options, unit []int, visit func(*Execution)) Stats {
	if unit == nil {
		return Explore(ctx, p, opts, visit)
	}
	e := newEngine(ctx, p, opts, visit)
	e.followUnit(unit)
	e.explore(newEgraph(p, e.opts.Unroll))
	return e.done()
}

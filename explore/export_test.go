package explore

import (
	"context"

	"happens/graph"
	"happens/prog"
)

// VerifyARM makes the engine compare each incremental ARMv8 judgement
// with the relational model's; f hears of each (nil: stop).
func VerifyARM(f func(g *graph.Graph, t, i int32, incremental, relational bool)) { verifyARM = f }

// DonateAlways makes parallel workers split their work at every chance.
func DonateAlways(on bool) { donateAlways = on }

// SetHMCEventLimit lowers the events per thread HMC handles (tests of the
// fallback); it returns the old limit.
func SetHMCEventLimit(n int) int { old := hmcEventLimit; hmcEventLimit = n; return old }

// RevisitsOnly is HMC without its fallbacks (HMCBlind): the revisit
// engine alone.
func RevisitsOnly(ctx context.Context, p *prog.Program, opts Options, visit func(*Execution)) Stats {
	e := newEngine(ctx, p, opts, visit)
	e.explore(newEgraph(p, e.opts.Unroll))
	return e.done()
}

// VerifyReplay makes the engine check each emitted graph's thread states
// against running the threads afresh; f hears of each difference (nil:
// stop).
func VerifyReplay(f func(msg string)) { verifyReplay = f }

package explore

import (
	"context"
	"time"
)

// budget bounds and observes an engine's work, one step at a time:
// cancellation, the step limit, progress reports, and the statistics.
// Every engine embeds one.
type budget struct {
	ctx          context.Context
	opts         Options
	stats        Stats
	nodes        int // steps taken
	start        time.Time
	lastProgress time.Time
}

func newBudget(ctx context.Context, opts Options) budget {
	if opts.Unroll <= 0 {
		opts.Unroll = DefaultUnroll
	}
	if opts.Interval == 0 {
		opts.Interval = time.Second
	}
	now := time.Now()
	return budget{ctx: ctx, opts: opts, start: now, lastProgress: now}
}

// halted counts one step and reports whether the exploration must stop;
// it also drives the progress callback.
func (b *budget) halted() bool {
	if b.stats.Stopped {
		return true
	}
	b.nodes++
	if b.opts.MaxSteps > 0 && b.nodes > b.opts.MaxSteps {
		b.stats.stop(CutLimit)
		return true
	}
	if b.nodes&63 == 0 {
		if b.ctx.Err() != nil {
			b.stats.stop(CutOf(b.ctx))
			return true
		}
		if b.opts.Progress != nil {
			if now := time.Now(); now.Sub(b.lastProgress) >= b.opts.Interval {
				b.lastProgress = now
				s := b.stats
				s.Elapsed = now.Sub(b.start)
				b.opts.Progress(s)
			}
		}
	}
	return false
}

// done finishes the statistics.
func (b *budget) done() Stats {
	b.stats.Elapsed = time.Since(b.start)
	return b.stats
}

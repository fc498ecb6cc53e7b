// Command armv8 measures exploration under --model armv8 against c20 on
// every program in examples/ and testdata/ (and any files named on the
// command line): executions and time with revisits (explore.HMC), with
// value speculation (explore.Speculate, bounded by -spec), and under c20
// (explore.Explore). It writes a Markdown table and a summary line, and
// says where revisits and speculation disagree.
//
//	go run ./bench/armv8 > bench/out/armv8.md
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"happens"
	"happens/explore"
	"happens/model"
	"happens/prog"
)

var (
	specBound = flag.Duration("spec", 20*time.Second, "time value speculation gets per program")
	hmcBound  = flag.Duration("hmc", 60*time.Second, "time revisits get per program")
	rounds    = flag.Int("rounds", 3, "rounds of each (the best is reported)")
	minTime   = flag.Duration("min", 20*time.Millisecond, "time a round runs a program again and again for (its mean is the round's time)")
)

type run struct {
	execs   int
	d       time.Duration
	stopped bool
	keys    []string
}

// explore1 times f on p: in each of -rounds rounds, runs it again and
// again until -min has passed (or it stops) and takes the mean; the best
// round is reported. The executions' keys (to compare the engines) come
// from one more run, not timed: formatting them costs more than
// exploring small programs.
func explore1(f func(context.Context, *prog.Program, explore.Options, func(*explore.Execution)) explore.Stats,
	p *prog.Program, m *model.Model, bound time.Duration, keys bool) run {
	best := run{d: math.MaxInt64}
	for range *rounds {
		var r run
		n := 0
		start := time.Now()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), bound)
			execs := 0
			st := f(ctx, p, explore.Options{Model: m}, func(*explore.Execution) { execs++ })
			cancel()
			n++
			r.execs, r.stopped = execs, st.Stopped
			if r.stopped || time.Since(start) >= *minTime {
				break
			}
		}
		r.d = time.Since(start) / time.Duration(n)
		if r.stopped {
			r.d = time.Since(start)
		}
		if r.d < best.d {
			best = r
		}
		if r.stopped {
			break
		}
	}
	if keys && !best.stopped {
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		f(ctx, p, explore.Options{Model: m}, func(x *explore.Execution) {
			k := fmt.Sprintf("%s %d %d\n%s", x.Status, len(x.Failures), len(x.Hangs), x.Graph().Key())
			if x.Status == explore.Complete {
				for t := range x.Threads {
					k += fmt.Sprintf("regs%d %v\n", t, x.Threads[t].Regs)
				}
			}
			best.keys = append(best.keys, k)
		})
		cancel()
	}
	sort.Strings(best.keys)
	return best
}

func main() {
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		for _, pat := range []string{"examples/*.litmus", "examples/*.rs", "testdata/*.litmus", "testdata/*.rs"} {
			m, _ := filepath.Glob(pat)
			files = append(files, m...)
		}
	}
	fmt.Println("| program | c20 executions | c20 time | armv8 executions | armv8 time (revisits) | armv8 / c20 | speculation time | agree |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var ratios []float64
	worst, worstName := 0.0, ""
	disagree, specSlow := 0, 0
	partial, worstPartial, worstPartialName := 0, 0.0, ""
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		p, err := happens.Parse(f, src, nil)
		if err != nil {
			continue // error tests and files with several #[test]s
		}
		c := explore1(explore.Explore, p, model.C20, *hmcBound, false)
		h := explore1(explore.HMC, p, model.ARMv8, *hmcBound, true)
		s := explore1(explore.Speculate, p, model.ARMv8, *specBound, true)
		agree := "yes"
		switch {
		case s.stopped:
			agree = "(speculation stopped)"
			specSlow++
		case h.stopped:
			agree = "(revisits stopped)"
		case !slices.Equal(h.keys, s.keys):
			agree = "**NO**"
			disagree++
		}
		ratio := float64(h.d) / float64(max(c.d, time.Microsecond))
		if h.stopped && !s.stopped && !c.stopped {
			// Revisits partial (CutRevisits): run explores by speculation
			// after them.
			partial++
			if r := float64(h.d+s.d) / float64(max(c.d, time.Microsecond)); r > worstPartial {
				worstPartial, worstPartialName = r, f
			}
		}
		if !h.stopped && !c.stopped {
			ratios = append(ratios, ratio)
			if ratio > worst {
				worst, worstName = ratio, f
			}
		}
		mark := func(r run) string {
			if r.stopped {
				return "≥ " + r.d.Round(time.Millisecond).String()
			}
			return r.d.Round(time.Microsecond).String()
		}
		fmt.Printf("| %s | %d | %s | %d | %s | %.1f× | %s | %s |\n", strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)),
			c.execs, mark(c), h.execs, mark(h), ratio, mark(s), agree)
	}
	g := 0.0
	for _, r := range ratios {
		g += math.Log(r)
	}
	if len(ratios) > 0 {
		g = math.Exp(g / float64(len(ratios)))
	}
	fmt.Printf("\n%d programs; armv8 (revisits) / c20 time: geometric mean %.2f×, worst %.1f× (%s); revisits and speculation disagree on %d; speculation stopped on %d.\n",
		len(ratios), g, worst, worstName, disagree, specSlow)
	if partial > 0 {
		fmt.Printf("Revisits partial on %d (run then speculates): revisits and speculation together / c20 time, worst %.1f× (%s).\n",
			partial, worstPartial, worstPartialName)
	}
}

// Command scale generates litmus tests of growing size (store buffering and
// IRIW with more threads, and many writers to one location), explores each
// with happens, and writes a Markdown table: executions found, time taken,
// and how many candidate executions an enumeration of every reads-from ×
// modification-order choice (herd7's method) must consider for the same
// test. Run: go run ./bench/scale > bench/out/scale.md
package main

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"happens"
	"happens/prog"
)

func sb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "//! SB with %d threads in a ring, relaxed\n", n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "static X%d: AtomicU32 = AtomicU32::new(0);\n", i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "thread t%d { X%d.store(1, Relaxed); let a = X%d.load(Relaxed); }\n", i, i, (i+1)%n)
	}
	var c []string
	for i := 0; i < n; i++ {
		c = append(c, fmt.Sprintf("t%d.a == 0", i))
	}
	fmt.Fprintf(&b, "exists (%s)\n", strings.Join(c, " && "))
	return b.String()
}

func iriw(n int) string {
	// n writers to distinct locations, two readers reading them in
	// opposite orders; SeqCst fences between the readers' loads.
	var b strings.Builder
	fmt.Fprintf(&b, "//! IRIW with %d writers\n", n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "static X%d: AtomicU32 = AtomicU32::new(0);\n", i)
		fmt.Fprintf(&b, "thread w%d { X%d.store(1, Relaxed); }\n", i, i)
	}
	for r, rev := range []bool{false, true} {
		fmt.Fprintf(&b, "thread r%d {", r)
		for k := 0; k < n; k++ {
			i := k
			if rev {
				i = n - 1 - k
			}
			if k > 0 {
				b.WriteString(" fence(SeqCst);")
			}
			fmt.Fprintf(&b, " let a%d = X%d.load(Relaxed);", i, i)
		}
		b.WriteString(" }\n")
	}
	return b.String()
}

func writers(n int) string {
	// n threads each write their id to X and then read X.
	var b strings.Builder
	fmt.Fprintf(&b, "//! %d writers to one location, each reading it back\n", n)
	b.WriteString("static X: AtomicU32 = AtomicU32::new(0);\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "thread t%d { X.store(%d, Relaxed); let a = X.load(Relaxed); }\n", i, i)
	}
	return b.String()
}

// candidates counts the reads-from × modification-order candidates of a
// straight-line program: every read may read any write to its location
// (the initial one included), and the non-initial writes to each location
// may come in any order.
func candidates(p *prog.Program) *big.Int {
	writes := make([]int64, len(p.Locs))
	reads := make([]int64, len(p.Locs))
	for _, th := range p.Threads {
		for _, in := range th.Code {
			switch in.Op {
			case prog.OpStore, prog.OpRMW, prog.OpCAS:
				writes[p.Vars[in.Addr.Var].First]++
			}
			switch in.Op {
			case prog.OpLoad, prog.OpRMW, prog.OpCAS:
				reads[p.Vars[in.Addr.Var].First]++
			}
		}
	}
	total := big.NewInt(1)
	for l := range p.Locs {
		rf := new(big.Int).Exp(big.NewInt(writes[l]+1), big.NewInt(reads[l]), nil)
		mo := new(big.Int).MulRange(1, writes[l])
		if writes[l] == 0 {
			mo = big.NewInt(1)
		}
		total.Mul(total, rf.Mul(rf, mo))
	}
	return total
}

func main() {
	fmt.Println("| test | N | executions (c20) | happens time | rf × mo candidates | candidates / execution |")
	fmt.Println("|---|---|---|---|---|---|")
	cases := []struct {
		name string
		gen  func(int) string
		ns   []int
	}{
		{"SB ring", sb, []int{2, 4, 6, 8, 10, 12}},
		{"IRIW + SC fences", iriw, []int{2, 3, 4, 5, 6}},
		{"writers + read back", writers, []int{2, 3, 4, 5, 6}},
	}
	for _, c := range cases {
		for _, n := range c.ns {
			src := c.gen(n)
			p, err := happens.Parse(fmt.Sprintf("%s-%d.litmus", c.name, n), []byte(src), nil)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			start := time.Now()
			r, err := happens.Run(context.Background(), p, happens.Options{Model: "c20", Timeout: 5 * time.Minute})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			el := time.Since(start)
			cand := candidates(p)
			ratio := new(big.Float).Quo(new(big.Float).SetInt(cand), big.NewFloat(float64(r.Stats.Complete)))
			partial := ""
			if !r.Complete() {
				partial = " (partial)"
			}
			fmt.Printf("| %s | %d | %d%s | %s | %s | %.3g |\n", c.name, n, r.Stats.Complete, partial, el.Round(time.Millisecond), cand.String(), ratio)
		}
	}
}

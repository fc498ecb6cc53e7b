// Command cores measures how this machine runs two busy threads at once,
// without happens: a loop in registers, and random walks over buffers of
// 256 KB, 4 MB and 64 MB, each alone and then two at once (one buffer
// each). "Each n× slower" is the wall time of two at once over one alone,
// best of five: 1.00× means two cores do twice the work. It tells whether
// a parallel exploration's shortfall is the machine's or the engine's.
// Run on an idle machine: go run ./bench/cores
package main

import (
	"fmt"
	"sync"
	"time"
)

// spin does register-only arithmetic (xorshift) n times.
func spin(n int) uint64 {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// walk reads and writes n pseudo-random words of buf (its length a power
// of two).
func walk(buf []uint64, n int) uint64 {
	x, s := uint64(1), uint64(0)
	m := uint64(len(buf) - 1)
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
		j := (x >> 20) & m
		s += buf[j]
		buf[j] = s
	}
	return s
}

var sink uint64
var sinkMu sync.Mutex

// best runs the jobs at once, five times, and returns the shortest wall
// time.
func best(jobs ...func() uint64) time.Duration {
	b := time.Hour
	for range 5 {
		start := time.Now()
		var wg sync.WaitGroup
		for _, f := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := f()
				sinkMu.Lock()
				sink += v
				sinkMu.Unlock()
			}()
		}
		wg.Wait()
		b = min(b, time.Since(start))
	}
	return b
}

func report(what string, one, two time.Duration) {
	fmt.Printf("| %s | %v | %v | %.2f× |\n", what, one.Round(time.Millisecond), two.Round(time.Millisecond), float64(two)/float64(one))
}

func main() {
	fmt.Println("| work | one alone | two at once | each n× slower |")
	fmt.Println("|---|---:|---:|---:|")
	const n = 300_000_000
	reg := func() uint64 { return spin(n) }
	report("registers", best(reg), best(reg, reg))
	for _, kb := range []int{256, 4096, 65536} {
		a, b := make([]uint64, kb*1024/8), make([]uint64, kb*1024/8)
		const m = 50_000_000
		wa := func() uint64 { return walk(a, m) }
		wb := func() uint64 { return walk(b, m) }
		report(fmt.Sprintf("random walk, %d KB each", kb), best(wa), best(wa, wb))
	}
}

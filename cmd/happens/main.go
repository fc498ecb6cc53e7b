// Command happens explores every execution of a concurrent program under
// the C++20 / Rust memory model. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"happens/internal/cli"
)

func main() {
	// Explorations allocate little that lives long, and memory stays
	// small (tens of MB): collecting less often saves 10–20% of the time
	// (BENCHMARKS.md). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// The first Ctrl-C or SIGTERM stops the exploration, which then prints
	// what it found; a second one kills the process.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Stop(sigs)
		cancel(cli.Interrupted{Signal: s})
	}()
	os.Exit(cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

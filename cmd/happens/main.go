// Command happens explores every execution of a concurrent program under
// the C++20 / Rust memory model. See the README.
package main

import (
	"context"
	"os"
	"os/signal"

	"happens/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

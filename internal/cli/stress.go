package cli

import (
	"context"
	"fmt"
	"io"
)

// stressCommand is `happens stress FILE --runs N` (being written).
func stressCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "happens stress: not available yet")
	return ExitUsage
}

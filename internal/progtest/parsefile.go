package progtest

import (
	"os"
	"testing"

	"happens/frontend"
	"happens/prog"
)

// ParseFile reads and parses a program file for a test, failing it when
// the file cannot be read or parsed.
func ParseFile(tb testing.TB, file string) *prog.Program {
	tb.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := frontend.Parse(file, src, frontend.Options{})
	if err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	return p
}

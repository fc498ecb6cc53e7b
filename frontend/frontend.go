// Package frontend picks the right parser for a program text, by content
// rather than file name, so both formats reach the same resolved program.
package frontend

import (
	"bufio"
	"bytes"
	"strings"

	"happens/frontend/rustlit"
	"happens/prog"
	"happens/source"
)

// Options adjust parsing.
type Options struct {
	// Defines override consts (Rust-style format): N=5.
	Defines map[string]string
	// Test names the #[test] function to run in a Rust file with several
	// (the first when empty).
	Test string
}

// Format names the detected format: "rust" or "c".
func Format(src []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20) // grows as long lines need
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		// herd7's litmus files open with "C name" (the architecture, then
		// the test's name).
		if strings.HasPrefix(line, "C ") || line == "C" {
			return "c"
		}
		return "rust"
	}
	return "rust"
}

// Parse reads a program in either format.
func Parse(filename string, src []byte, opts Options) (*prog.Program, error) {
	src = source.StripBOM(src)
	if Format(src) == "c" {
		return parseC(filename, src, opts)
	}
	return rustlit.Parse(filename, src, rustlit.Options{Defines: opts.Defines, Test: opts.Test})
}

// TestNames lists the #[test] functions of a Rust-style file, in order
// (nil for other files): a file with several runs like a corpus, one
// program per test.
func TestNames(filename string, src []byte) []string {
	if Format(src) == "c" {
		return nil
	}
	return rustlit.TestNames(filename, src)
}

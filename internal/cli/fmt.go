package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"happens/printer"
	"happens/prog"
	"happens/source"
)

// fmtCommand is `happens fmt --to rust|c FILE`: it prints the program in
// the Rust-style language or as a herd7 C test, whatever its own format,
// on stdout. What the target format cannot say is reported as positioned
// errors in the input file (exit status 2).
func fmtCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the syntax to print: rust (the Rust-style language) or c (herd7's C litmus format)")
	defs := defines{}
	fs.Var(defs, "D", "override a const before printing: -D N=5 (repeatable)")
	testFlag(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	var write func(io.Writer, *prog.Program) error
	switch *to {
	case "rust":
		write = printer.Rust
	case "c":
		write = printer.C
	case "":
		fmt.Fprintln(stderr, "happens fmt: say which syntax to print: --to rust or --to c")
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "happens fmt: --to takes rust or c, not %q\n", *to)
		return ExitUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: happens fmt --to rust|c FILE")
		return ExitUsage
	}
	file := files[0]
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	// A file of several #[test] functions prints the one --test names
	// (a litmus program is one test).
	p, st := parseOneTest(fs, file, src, defs, stderr)
	if p == nil {
		return st
	}
	var out bytes.Buffer
	if err := write(&out, p); err != nil {
		fmt.Fprint(stderr, source.Format(err, src))
		return ExitUsage
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}

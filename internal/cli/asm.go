package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"

	"happens/hw"
	"happens/hw/asm"
)

// asmCommand is `happens asm FILE --arch A` (the listing of a program
// under the standard mappings) and `happens asm --mapping [--arch A]`
// (the mapping table).
func asmCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("asm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	arch := fs.String("arch", "", "architecture: x86-64, aarch64, aarch64-lse, riscv64 or power")
	mapping := fs.Bool("mapping", false, "print the mapping table (operations × orderings → instructions); all architectures unless --arch")
	defs := defines{}
	fs.Var(defs, "D", "override a const: -D N=5 (repeatable)")
	testFlag(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	var a hw.Arch
	if *arch != "" {
		if a, err = hw.ParseArch(*arch); err != nil {
			fmt.Fprintf(stderr, "happens asm: %v\n", err)
			return ExitUsage
		}
	}
	var out bytes.Buffer
	if *mapping {
		if len(files) != 0 {
			fmt.Fprintln(stderr, "happens asm: --mapping takes no file")
			return ExitUsage
		}
		var arches []hw.Arch
		if a != "" {
			arches = append(arches, a)
		}
		if err := asm.WriteTable(&out, arches...); err != nil {
			fmt.Fprintf(stderr, "happens asm: %v\n", err)
			return ExitUsage
		}
	} else {
		if a == "" {
			fmt.Fprintln(stderr, "happens asm: say which architecture: --arch x86-64|aarch64|aarch64-lse|riscv64|power")
			return ExitUsage
		}
		if len(files) != 1 {
			fmt.Fprintln(stderr, "usage: happens asm FILE --arch A, or happens asm --mapping [--arch A]")
			return ExitUsage
		}
		p, st := loadOne(fs, files, defs, stderr)
		if p == nil {
			return st
		}
		if err := asm.Write(&out, p, a); err != nil {
			fmt.Fprintf(stderr, "happens asm: %v\n", err)
			return ExitUsage
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}

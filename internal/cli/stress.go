package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"happens"
	"happens/hw/stress"
	"happens/model"
	"happens/source"
)

// stressCommand is `happens stress FILE --runs N`: generate the C stress
// test of a program (package hw/stress), compile it with the system's C
// compiler, run it, and print the outcomes it showed beside those the
// model allows. Exit status 1 when the machine showed an outcome the
// model forbids.
func stressCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 1_000_000, "iterations of the test")
	batch := fs.Int("batch", 10_000, "iterations per launch of the threads")
	spin := fs.Int("spin-limit", 1_000_000, "backward jumps a thread may take in one iteration before it gives up")
	modelName := fs.String("model", "c20", "memory model to compare with: "+strings.Join(model.Names(), ", "))
	unroll := fs.Int("unroll", 8, "loop bound of the model's exploration")
	cc := fs.String("cc", "cc", "the C compiler")
	keep := fs.String("keep", "", "write the C source and the binary into this directory (default: a temporary one, removed)")
	printSource := fs.Bool("source", false, "print the generated C program and stop")
	defs := defines{}
	fs.Var(defs, "D", "override a const: -D N=5 (repeatable)")
	testFlag(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: happens stress FILE [--runs N] [--model M]")
		return ExitUsage
	}
	if *runs < 1 {
		fmt.Fprintln(stderr, "happens stress: --runs must be at least 1")
		return ExitUsage
	}
	if _, err := model.ByName(*modelName); err != nil {
		fmt.Fprintf(stderr, "happens stress: %v\n", err)
		return ExitUsage
	}
	file := files[0]
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	p, st := parseOneTest(fs, file, src, defs, stderr)
	if p == nil {
		return st
	}
	test, err := stress.Generate(p, stress.Options{Iterations: *runs, Batch: *batch, SpinLimit: *spin})
	if err != nil {
		fmt.Fprint(stderr, source.Format(err, src))
		return ExitUsage
	}
	if *printSource {
		io.WriteString(stdout, test.Source)
		return ExitOK
	}
	compiler, err := exec.LookPath(*cc)
	if err != nil {
		fmt.Fprintf(stderr, "happens stress: no C compiler: %q is not on PATH. Install one (Debian/Ubuntu: apt-get install gcc, or build-essential), or name one with --cc.\n", *cc)
		return ExitUsage
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "happens-stress-"); err != nil {
			fmt.Fprintf(stderr, "happens stress: %v\n", err)
			return ExitUsage
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "happens stress: %v\n", err)
		return ExitUsage
	}
	cfile, bin := filepath.Join(dir, "test.c"), filepath.Join(dir, "test")
	if err := os.WriteFile(cfile, []byte(test.Source), 0o644); err != nil {
		fmt.Fprintf(stderr, "happens stress: %v\n", err)
		return ExitUsage
	}
	var cout bytes.Buffer
	build := exec.CommandContext(ctx, compiler, "-O2", "-pthread", "-o", bin, cfile)
	build.Stdout, build.Stderr = &cout, &cout
	if err := build.Run(); err != nil {
		fmt.Fprintf(stderr, "happens stress: %s -O2 -pthread failed on the generated program (%v); a bug in happens:\n%s", *cc, err, cout.String())
		return ExitUsage
	}
	res, err := happens.Run(ctx, p, happens.Options{Model: *modelName, Unroll: *unroll})
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	var out, errOut bytes.Buffer
	run := exec.CommandContext(ctx, bin, strconv.Itoa(*runs))
	run.Stdout, run.Stderr = &out, &errOut
	start := time.Now()
	err = run.Run()
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "happens stress: interrupted")
		} else {
			fmt.Fprintf(stderr, "happens stress: the test failed: %v\n%s", err, errOut.String())
		}
		return ExitUsage
	}
	h, err := test.Parse(out.Bytes())
	if err != nil {
		fmt.Fprintf(stderr, "happens stress: %v\n", err)
		return ExitUsage
	}
	r := stress.Compare(test, h, res)
	machine := runtime.GOARCH + "/" + runtime.GOOS
	if err := stress.WriteReport(stdout, r, stress.ReportOptions{Machine: machine, Elapsed: elapsed}); err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	if r.Forbidden > 0 {
		return ExitFailed
	}
	return ExitOK
}

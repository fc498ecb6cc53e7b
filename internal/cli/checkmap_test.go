package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check-mapping against the hardware table: load buffering
// (relaxed loads each followed by a store) is forbidden by c20's
// no-thin-air axiom and allowed on plain ARMv8, so the compiled lb-rlx
// adds the outcome a=1, b=1 on aarch64 and nothing on x86-64 (TSO keeps
// a load before a later store); store buffering is allowed by c20 already,
// so sb-rlx is clean on both; message passing with release/acquire is
// clean on both. hw-lb-assert asserts what load buffering breaks: its
// assertion fails on aarch64 only.
func TestCheckMapping(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		st := Run(context.Background(), append([]string{"check-mapping"}, args...), nil, &out, &errb)
		return st, out.String(), errb.String()
	}
	lb, sb, mp, lba := "../../testdata/lb-rlx.litmus", "../../testdata/sb-rlx.litmus", "../../testdata/mp-rel-acq.litmus", "../../testdata/hw-lb-assert.litmus"
	st, out, errs := run("--arch", "aarch64", lb, sb, mp, lba)
	if st != ExitFailed {
		t.Errorf("aarch64: exit %d, want %d", st, ExitFailed)
	}
	for _, w := range []string{
		"lb-rlx", "adds 1 outcome(s) that c20 forbids",
		"sb-rlx                                   clean",
		"mp-rel-acq                               clean",
		"hw-lb-assert                             aarch64 on armv8 (compiled with the standard mapping) fails where c20 cannot",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("aarch64: output lacks %q:\n%s", w, out)
		}
	}
	if !strings.Contains(errs, "4 tests: 2 clean, 2 where the hardware adds outcomes, 0 inconclusive (bounded), 0 rejected") {
		t.Errorf("aarch64 summary: %s", errs)
	}
	st, out, errs = run("--arch", "x86-64", lb, sb, mp, lba)
	if st != ExitOK || !strings.Contains(errs, "4 tests: 4 clean") {
		t.Errorf("x86-64: exit %d\n%s%s", st, out, errs)
	}
}

// A loop longer than the unroll bound cuts both explorations: with no
// added outcome found, the test is inconclusive, never clean, and the exit
// status says not verified (3).
func TestCheckMappingBounded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "long-loop.litmus")
	src := `use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let mut i = 0;
    while i < 20 {
        X.store(i, Ordering::Relaxed);
        i += 1;
    }
}
thread t2 {
    let a = X.load(Ordering::Relaxed);
}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	st := Run(context.Background(), []string{"check-mapping", "--arch", "aarch64", file}, nil, &out, &errb)
	if st != ExitPartial || !strings.Contains(out.String(), "INCONCLUSIVE") || !strings.Contains(errb.String(), "1 inconclusive") {
		t.Errorf("exit %d, want %d\n%s%s", st, ExitPartial, out.String(), errb.String())
	}
}

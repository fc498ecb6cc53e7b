package cli

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

func TestAsmAndStressCommands(t *testing.T) {
	cases := []struct {
		args    []string
		exit    int
		want    []string // on stdout
		wantErr []string // on stderr
		needsCC bool
	}{
		{[]string{"asm", "../../examples/sb.litmus", "--arch", "aarch64"}, ExitOK,
			[]string{"str     w0, [X]", "ldr     w0, [Y]", "a = Y.load(Ordering::Relaxed)  line 9"}, nil, false},
		{[]string{"asm", "--arch", "power", "../../examples/spinlock.litmus"}, ExitOK,
			[]string{"lwarx", "stwcx.", "the exchange fails", "COUNTER += inc (plain)"}, nil, false},
		{[]string{"asm", "../../examples/sb.litmus"}, ExitUsage, nil, []string{"--arch"}, false},
		{[]string{"asm", "../../examples/sb.litmus", "--arch", "vax"}, ExitUsage, nil, []string{"unknown architecture"}, false},
		{[]string{"asm", "--mapping"}, ExitOK, []string{"x86-64:", "aarch64:", "aarch64-lse:", "riscv64:", "power:", "mfence"}, nil, false},
		{[]string{"asm", "--mapping", "--arch", "riscv64"}, ExitOK, []string{"fence.tso"}, nil, false},
		{[]string{"asm", "--mapping", "../../examples/sb.litmus"}, ExitUsage, nil, []string{"takes no file"}, false},
		{[]string{"stress", "--source", "../../examples/sb.litmus"}, ExitOK, []string{"pthread_setaffinity_np", "atomic_load_explicit"}, nil, false},
		{[]string{"stress", "../../hw/stress/testdata/pointer.litmus"}, ExitUsage, nil, []string{"pointer.litmus:2:", "pointer"}, false},
		{[]string{"stress", "--cc", "no-such-compiler-happens", "../../examples/sb.litmus"}, ExitUsage, nil,
			[]string{"no C compiler", "build-essential"}, false},
		{[]string{"stress", "--runs", "0", "../../examples/sb.litmus"}, ExitUsage, nil, []string{"--runs"}, false},
		{[]string{"stress", "--runs", "2000", "--batch", "500", "../../testdata/sb-sc.litmus"}, ExitOK,
			[]string{"2000 iterations", "Every outcome seen is allowed by c20"}, nil, true},
	}
	for _, c := range cases {
		if c.needsCC {
			if _, err := exec.LookPath("cc"); err != nil {
				t.Logf("%v: skipped, no cc", c.args)
				continue
			}
		}
		var out, errb bytes.Buffer
		got := Run(context.Background(), c.args, nil, &out, &errb)
		if got != c.exit {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, got, c.exit, out.String(), errb.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out.String())
			}
		}
		for _, w := range c.wantErr {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, errb.String())
			}
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestMESICommands(t *testing.T) {
	cases := []struct {
		args []string
		exit int
		want []string
	}{
		{[]string{"run", "--model", "mesi-weak", "--progress=false", "../../testdata/mp-rlx.litmus"}, ExitOK,
			[]string{"model mesi-weak", "Sometimes", "Machine mesi-weak:"}},
		{[]string{"run", "--model", "mesi-strong", "--progress=false", "../../testdata/mp-rlx.litmus"}, ExitOK,
			[]string{"model mesi-strong", "Never"}},
		{[]string{"run", "--model", "mesi-strong", "--progress=false", "--max-states", "10", "../../testdata/iriw-rlx.litmus"}, ExitPartial,
			[]string{"PARTIAL (state limit"}},
		{[]string{"run", "--model", "mesi-weak", "--progress=false", "--json", "../../testdata/sb-rlx.litmus"}, ExitOK,
			[]string{`"model": "mesi-weak"`, `"verdict": "sometimes"`}},
		{[]string{"run", "--model", "mesi-weak", "--show", "all", "../../testdata/sb-rlx.litmus"}, ExitUsage, nil},
		{[]string{"trace", "../../testdata/mp-rlx.litmus", "--model", "mesi-weak", "--outcome", "t2.f == 1 && t2.d == 0"}, ExitOK,
			[]string{"step", "t1 cache", "t2 mailbox", "memory", "read-invalidate", "Final: t2.f=1 t2.d=0"}},
		{[]string{"trace", "../../testdata/mp-rlx.litmus", "--model", "mesi-strong"}, ExitFailed,
			[]string{"no run reaches"}},
		{[]string{"trace", "../../testdata/mp-rlx.litmus", "--model", "c20"}, ExitUsage, nil},
		{[]string{"trace", "../../testdata/mp-rlx.litmus", "--outcome", "t9.x == 1"}, ExitUsage, nil},
	}
	for _, c := range cases {
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
	}
}

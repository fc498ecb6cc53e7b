package herdc

import (
	"context"
	"os"
	"testing"
)

func TestDebugOne(t *testing.T) {
	f := os.Getenv("HERDC_FILE")
	if f == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(f)
	p, err := Parse(f, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range p.Observed {
		t.Logf("obs %+v", o)
	}
	r := runTest(context.Background(), p)
	t.Logf("states %s", setText(r.states))
	t.Logf("%s %d %d undef=%v stats=%+v", r.verdict, r.pos, r.neg, r.undef, r.stats)
}

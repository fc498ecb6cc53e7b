package happens_test

import (
	"context"
	"fmt"

	"happens"
)

// Parse a program, explore it under two models, and read the verdict.
func Example() {
	src := []byte(`
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
thread t1 { X.store(1, Relaxed); let a = Y.load(Relaxed); }
thread t2 { Y.store(1, Relaxed); let b = X.load(Relaxed); }
exists (t1.a == 0 && t2.b == 0)
`)
	p, err := happens.Parse("sb.litmus", src, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []string{"sc", "c20"} {
		r, _ := happens.Run(context.Background(), p, happens.Options{Model: m})
		fmt.Printf("%s: %d executions, both read 0: %s\n", m, r.Stats.Complete, r.Verdict)
	}
	// Output:
	// sc: 3 executions, both read 0: Never
	// c20: 4 executions, both read 0: Sometimes
}

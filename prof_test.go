package happens_test

import (
	"context"
	"os"
	"testing"

	"happens"
)

func BenchmarkProf(b *testing.B) {
	f := os.Getenv("PROF_FILE")
	src, _ := os.ReadFile(f)
	p, err := happens.Parse(f, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		happens.Run(context.Background(), p, happens.Options{Model: os.Getenv("PROF_MODEL")})
	}
}

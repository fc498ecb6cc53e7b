package shard_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"happens"
	"happens/render"
	"happens/shard"
)

// canonical is a record as JSON text, without what differs between runs
// (time) and between a whole run and a merge (the shard).
func canonical(t *testing.T, r render.JSONResult) string {
	r.ElapsedMS, r.Shard, r.Run = 0, nil, nil
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Through Decode, as merge reads its input (numbers kept exact).
	rs, err := shard.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(rs[0])
	return string(b)
}

// TestShardsAddUp: on every golden test, N = 1…5 shards, merged, give the
// whole run's result; with a shard missing the merge is partial.
func TestShardsAddUp(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.litmus")
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, _ := os.ReadFile(file)
			p, err := happens.Parse(file, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []string{"c20", "sc", "armv8"} {
				whole, _ := happens.Run(context.Background(), p, happens.Options{Model: m, Jobs: 1})
				want := canonical(t, render.JSONRecord(whole))
				for n := 1; n <= 5; n++ {
					var parts []render.JSONResult
					for k := 1; k <= n; k++ {
						r, err := happens.Run(context.Background(), p, happens.Options{Model: m, Jobs: 1, Shard: k, Shards: n})
						if err != nil {
							t.Fatal(err)
						}
						// Through JSON text, as the command line passes them.
						b, _ := json.Marshal(render.JSONRecord(r))
						rs, err := shard.Decode(b)
						if err != nil {
							t.Fatal(err)
						}
						parts = append(parts, rs...)
					}
					merged, err := shard.Merge(parts)
					if err != nil {
						t.Fatalf("%s, %d shards: %v", m, n, err)
					}
					if revisitsCut(merged) && whole.Complete() {
						// ARMv8's revisits flagged a refusal that may lose
						// executions; the whole run then speculated, which
						// a shard cannot: it must say it is partial.
						t.Logf("%s, %d shards: partial (revisits), the whole run speculated", m, n)
						break
					}
					if got := canonical(t, merged); got != want {
						t.Fatalf("%s, %d shards merged:\n%s\nwant\n%s", m, n, got, want)
					}
					if n > 1 {
						partial, err := shard.Merge(parts[1:])
						if err != nil || partial.Complete {
							t.Fatalf("%s, %d shards, one missing: complete %v, err %v", m, n, partial.Complete, err)
						}
					}
				}
			}
		})
	}
}

// revisitsCut says whether r is partial because ARMv8's revisits were
// cut (explore.CutRevisits), the one cut a sharded run cannot recover.
func revisitsCut(r render.JSONResult) bool {
	for _, why := range r.Partial {
		if strings.HasPrefix(why, "revisits:") {
			return !r.Complete
		}
	}
	return false
}

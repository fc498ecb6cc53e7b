package cli

import (
	"fmt"
	"io"
	"os"

	"happens/render"
	"happens/shard"
)

// runMerge is `happens merge FILE...`: the JSON results of the shards of
// one run (happens run --shard K/N --json), added up into the result of
// the whole run, with run's exit status.
func runMerge(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "happens merge: name the shards' JSON results (happens run --shard K/N --json FILE > part-K.json)")
		return ExitUsage
	}
	var recs []render.JSONResult
	for _, f := range args {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "happens merge: %v\n", err)
			return ExitUsage
		}
		rs, err := shard.Decode(data)
		if err != nil {
			fmt.Fprintf(stderr, "happens merge: %s: not a JSON result: %v\n", f, err)
			return ExitUsage
		}
		recs = append(recs, rs...)
	}
	m, err := shard.Merge(recs)
	if err != nil {
		fmt.Fprintf(stderr, "happens merge: %v\n", err)
		return ExitUsage
	}
	render.WriteJSON(stdout, m)
	for _, p := range m.Partial {
		fmt.Fprintf(stderr, "happens merge: PARTIAL (%s)\n", p)
	}
	switch {
	case shard.Failed(m):
		return ExitFailed
	case !m.Complete:
		return ExitPartial
	}
	return ExitOK
}

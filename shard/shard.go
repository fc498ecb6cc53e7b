// Package shard adds up the results of the parts of a sharded run
// (happens run --shard K/N --json) into the result of the whole run. It is
// pure: records in, one record out.
package shard

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"happens/render"
)

// Merge adds up the shards of one run. It refuses records that do not
// belong together (another program, model, options or version, another
// split) and duplicate shards; when shards are missing, the merged result
// is partial and says which.
func Merge(recs []render.JSONResult) (render.JSONResult, error) {
	if len(recs) == 0 {
		return render.JSONResult{}, fmt.Errorf("no results to merge")
	}
	first := recs[0]
	if first.Shard == nil {
		return render.JSONResult{}, fmt.Errorf("result 1 (%s) is not a shard: run happens run --shard K/N --json", first.Test)
	}
	n := first.Shard.Count
	seen := make([]bool, n+1)
	for i, r := range recs {
		where := fmt.Sprintf("result %d (%s", i+1, r.Test)
		if r.Shard != nil {
			where += fmt.Sprintf(", shard %d/%d", r.Shard.Index, r.Shard.Count)
		}
		where += ")"
		switch {
		case r.Shard == nil:
			return render.JSONResult{}, fmt.Errorf("%s is not a shard", where)
		case r.Shard.Count != n || r.Shard.Units != first.Shard.Units:
			return render.JSONResult{}, fmt.Errorf("%s belongs to another split than result 1 (%d shards of %d units)", where, n, first.Shard.Units)
		case r.Test != first.Test || r.Model != first.Model:
			return render.JSONResult{}, fmt.Errorf("%s is of another test or model than result 1 (%s, %s)", where, first.Test, first.Model)
		case !sameRun(r.Run, first.Run):
			return render.JSONResult{}, fmt.Errorf("%s was made by another run than result 1 (program text, options or happens version differ)", where)
		case strings.Join(r.Observed, ",") != strings.Join(first.Observed, ","):
			return render.JSONResult{}, fmt.Errorf("%s observes other values than result 1", where)
		case r.Shard.Index < 1 || r.Shard.Index > n:
			return render.JSONResult{}, fmt.Errorf("%s: no such shard", where)
		case seen[r.Shard.Index]:
			return render.JSONResult{}, fmt.Errorf("%s: shard %d is given twice", where, r.Shard.Index)
		}
		seen[r.Shard.Index] = true
	}
	out := render.JSONResult{
		Test: first.Test, Model: first.Model, Complete: true, Partial: []string{},
		Outcomes: []render.JSONOutcome{}, Races: []render.JSONRace{}, Assertions: []render.JSONFailure{},
		Liveness: []render.JSONHang{}, Hardware: first.Hardware, Observed: first.Observed, Run: first.Run,
	}
	outcomes := map[string]int{}
	races := map[string]int{}
	fails := map[string]int{}
	hangs := map[string]int{}
	pos, neg := 0, 0
	for _, r := range recs {
		out.Executions += r.Executions
		out.Blocked += r.Blocked
		out.Bounded += r.Bounded
		out.Stuck += r.Stuck
		out.Duplicates += r.Duplicates
		out.ElapsedMS += r.ElapsedMS
		out.Complete = out.Complete && r.Complete
		for _, p := range r.Partial {
			if !contains(out.Partial, p) {
				out.Partial = append(out.Partial, p)
			}
		}
		for _, o := range r.Outcomes {
			k := valuesKey(first.Observed, o.Values)
			if i, ok := outcomes[k]; ok {
				out.Outcomes[i].Count += o.Count
			} else {
				outcomes[k] = len(out.Outcomes)
				out.Outcomes = append(out.Outcomes, o)
			}
		}
		if c := r.Condition; c != nil {
			pos += c.Positive
			neg += c.Negative
		}
		for _, x := range r.Races {
			k := fmt.Sprint(x.A, x.B)
			if i, ok := races[k]; ok {
				out.Races[i].Count += x.Count
				out.Races[i].Incomplete += x.Incomplete
				for _, l := range x.Locations {
					if !contains(out.Races[i].Locations, l) {
						out.Races[i].Locations = append(out.Races[i].Locations, l)
					}
				}
			} else {
				races[k] = len(out.Races)
				x.Locations = append([]string(nil), x.Locations...)
				out.Races = append(out.Races, x)
			}
		}
		for _, f := range r.Assertions {
			k := fmt.Sprint(f.Thread, f.Line, f.Col, f.Message)
			if i, ok := fails[k]; ok {
				out.Assertions[i].Count += f.Count
				out.Assertions[i].Incomplete += f.Incomplete
			} else {
				fails[k] = len(out.Assertions)
				out.Assertions = append(out.Assertions, f)
			}
		}
		for _, h := range r.Liveness {
			k := fmt.Sprint(h.Thread, h.Line, h.Col, h.Reads)
			if i, ok := hangs[k]; ok {
				out.Liveness[i].Count += h.Count
			} else {
				hangs[k] = len(out.Liveness)
				out.Liveness = append(out.Liveness, h)
			}
		}
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if !seen[k] {
			missing = append(missing, fmt.Sprint(k))
		}
	}
	if missing != nil {
		out.Complete = false
		out.Partial = append(out.Partial, fmt.Sprintf("missing shards: %s of %d", strings.Join(missing, ", "), n))
	}
	sort.SliceStable(out.Outcomes, func(i, j int) bool {
		return lessValues(first.Observed, out.Outcomes[i].Values, out.Outcomes[j].Values)
	})
	render.SortJSON(&out)
	if c := first.Condition; c != nil {
		m := *c
		m.Positive, m.Negative = pos, neg
		switch {
		case out.Executions == 0:
			m.Verdict = "none"
		case pos > 0 && neg == 0:
			m.Verdict = "always"
		case pos > 0:
			m.Verdict = "sometimes"
		default:
			m.Verdict = "never"
		}
		switch m.Kind {
		case "exists":
			m.Holds = pos > 0
		case "forall":
			m.Holds = neg == 0
		default:
			m.Holds = pos == 0
		}
		out.Condition = &m
	}
	return out, nil
}

// Failed reports whether a (merged) record found a problem, as the exit
// status of happens run counts them.
func Failed(r render.JSONResult) bool {
	if len(r.Races)+len(r.Assertions)+len(r.Liveness) > 0 {
		return true
	}
	return r.Condition != nil && r.Condition.Kind != "exists" && !r.Condition.Holds
}

func sameRun(a, b *render.JSONRun) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func valuesKey(names []string, vals map[string]any) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%v;", vals[n])
	}
	return b.String()
}

// lessValues orders outcomes as happens run does: value by value in the
// observed order, numbers by value, false before true.
func lessValues(names []string, a, b map[string]any) bool {
	for _, n := range names {
		if c := compare(a[n], b[n]); c != 0 {
			return c < 0
		}
	}
	return false
}

func compare(x, y any) int {
	switch x := x.(type) {
	case bool:
		yb, _ := y.(bool)
		switch {
		case x == yb:
			return 0
		case !x:
			return -1
		}
		return 1
	case json.Number:
		yn, _ := y.(json.Number)
		a, ok1 := new(big.Int).SetString(string(x), 10)
		b, ok2 := new(big.Int).SetString(string(yn), 10)
		if ok1 && ok2 {
			return a.Cmp(b)
		}
		return strings.Compare(string(x), string(yn))
	}
	return strings.Compare(fmt.Sprint(x), fmt.Sprint(y))
}

// Decode reads the JSON records in data: one object, or several one after
// the other (JSON lines).
func Decode(data []byte) ([]render.JSONResult, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var out []render.JSONResult
	for dec.More() {
		var r render.JSONResult
		if err := dec.Decode(&r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

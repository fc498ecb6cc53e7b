package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"happens/prog"
	"happens/result"
)

// JSON schema (stable; fields are only ever added):
//
//	test        string   the test's name
//	model       string   sc | rc11 | c20
//	executions  int      complete executions explored
//	blocked     int      executions discarded: an assume failed, or a thread spins on a value a later write replaces
//	bounded     int      executions cut by the loop bound
//	stuck       int      executions in which a thread spins forever (see liveness)
//	duplicates  int      executions that only add unobserved spurious compare_exchange_weak failures to others
//	complete    bool     false when a bound (loop, execution limit, time, interrupt, rounds, states) cut the run
//	partial     [string] why the run is partial, one reason per bound ("unroll: ...", "timeout: ..."); [] when complete
//	elapsed_ms  number
//	outcomes    [{values: {name: value}, count, satisfies}]
//	condition   {kind: exists|forall|not-exists, text, verdict: always|sometimes|never|none, positive, negative, holds} or null
//	            (verdict none: no execution ran to its end)
//	races       [{a: access, b: access, locations: [string], count}]   access = {thread, kind, location, line, col, text}
//	assertions  [{thread, line, col, message, count}]
//	liveness    [{thread, line, col, reads: ["X=1"], count}]   threads that spin forever
//	hardware    bool     a model of a CPU: data races are not reported
//	observed    [string] the names an outcome shows, in order
//	run         {fingerprint, version, unroll, max_executions} what made the result (set by the command line)
//	shard       {index, count, units} for a part of a sharded run: which part, of how many; the units split among them
//
// JSONResult is that record.
type JSONResult struct {
	Test       string         `json:"test"`
	Model      string         `json:"model"`
	Executions int            `json:"executions"`
	Blocked    int            `json:"blocked"`
	Bounded    int            `json:"bounded"`
	Stuck      int            `json:"stuck"`
	Duplicates int            `json:"duplicates"`
	Complete   bool           `json:"complete"`
	Partial    []string       `json:"partial"`
	ElapsedMS  float64        `json:"elapsed_ms"`
	Outcomes   []JSONOutcome  `json:"outcomes"`
	Condition  *JSONCondition `json:"condition"`
	Races      []JSONRace     `json:"races"`
	Assertions []JSONFailure  `json:"assertions"`
	Liveness   []JSONHang     `json:"liveness"`
	Hardware   bool           `json:"hardware"`
	Observed   []string       `json:"observed"`
	Run        *JSONRun       `json:"run,omitempty"`
	Shard      *JSONShard     `json:"shard,omitempty"`
}

// JSONRun says what made a result, so that shards of different runs are
// never merged.
type JSONRun struct {
	Fingerprint   string `json:"fingerprint"`
	Version       string `json:"version"`
	Unroll        int    `json:"unroll"`
	MaxExecutions int    `json:"max_executions"`
}

// JSONShard says which part of a sharded run a result is.
type JSONShard struct {
	Index int `json:"index"` // 1-based
	Count int `json:"count"`
	Units int `json:"units"`
}

type JSONHang struct {
	Thread string   `json:"thread"`
	Line   int      `json:"line"`
	Col    int      `json:"col"`
	Reads  []string `json:"reads"`
	Count  int      `json:"count"`
}

type JSONOutcome struct {
	Values    map[string]any `json:"values"`
	Count     int            `json:"count"`
	Satisfies bool           `json:"satisfies"`
}

type JSONCondition struct {
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Verdict  string `json:"verdict"`
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Holds    bool   `json:"holds"`
}

type JSONAccess struct {
	Thread   string `json:"thread"`
	Kind     string `json:"kind"`
	Location string `json:"location"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Text     string `json:"text"`
}

type JSONRace struct {
	A         JSONAccess `json:"a"`
	B         JSONAccess `json:"b"`
	Locations []string   `json:"locations"`
	// Count: complete executions that show it; Incomplete: executions
	// that did not complete (blocked, stuck, cut) that do.
	Count      int `json:"count"`
	Incomplete int `json:"incomplete,omitempty"`
}

type JSONFailure struct {
	Thread     string `json:"thread"`
	Line       int    `json:"line"`
	Col        int    `json:"col"`
	Message    string `json:"message"`
	Count      int    `json:"count"`
	Incomplete int    `json:"incomplete,omitempty"` // as a race's
}

// JSONValue converts a value of type t to its JSON form.
func JSONValue(t prog.Type, v uint64) any {
	switch {
	case t.Kind == prog.KindBool:
		return v != 0
	case t.Signed:
		return int64(v)
	}
	return v
}

// JSONRecord builds the JSON form of a result.
func JSONRecord(r *result.Result) JSONResult {
	out := JSONResult{
		Test: r.Program.Name, Model: r.Model,
		Executions: r.Stats.Complete, Blocked: r.Stats.Blocked, Bounded: r.Stats.Bounded, Stuck: r.Stats.Stuck, Duplicates: r.Stats.Duplicates,
		Complete:  r.Complete(),
		Partial:   append([]string{}, r.Partial()...),
		ElapsedMS: float64(r.Stats.Elapsed.Microseconds()) / 1000,
		Outcomes:  []JSONOutcome{}, Races: []JSONRace{}, Assertions: []JSONFailure{}, Liveness: []JSONHang{},
		Hardware: r.Hardware,
		Observed: []string{},
	}
	for _, o := range r.Observed {
		out.Observed = append(out.Observed, o.Name)
	}
	if r.Shards > 0 {
		out.Shard = &JSONShard{Index: r.Shard, Count: r.Shards, Units: r.Units}
	}
	for _, o := range r.Outcomes {
		vals := map[string]any{}
		for k, v := range o.Values {
			if r.Observed[k].Type.Kind == prog.KindAddr {
				vals[r.Observed[k].Name] = r.Format(k, v)
				continue
			}
			vals[r.Observed[k].Name] = JSONValue(r.Observed[k].Type, v)
		}
		out.Outcomes = append(out.Outcomes, JSONOutcome{Values: vals, Count: o.Count, Satisfies: o.Satisfies})
	}
	if c := r.Program.Cond; c != nil {
		verdict := map[string]string{result.Always: "always", result.Sometimes: "sometimes", result.Never: "never", "": "none"}[r.Verdict]
		out.Condition = &JSONCondition{Kind: c.Kind.String(), Text: c.Text, Verdict: verdict, Positive: r.Positive, Negative: r.Negative, Holds: r.CondHolds()}
	}
	acc := func(a result.Access) JSONAccess {
		return JSONAccess{Thread: a.Thread, Kind: a.Kind, Location: a.Loc, Line: a.Pos.Line, Col: a.Pos.Col, Text: a.Text}
	}
	for _, race := range r.Races {
		out.Races = append(out.Races, JSONRace{A: acc(race.A), B: acc(race.B), Locations: race.Locs, Count: race.Count, Incomplete: race.Incomplete})
	}
	for _, h := range r.Hangs {
		out.Liveness = append(out.Liveness, JSONHang{Thread: h.Thread, Line: h.Pos.Line, Col: h.Pos.Col, Reads: h.Reads, Count: h.Count})
	}
	SortJSON(&out)
	for _, f := range r.Failures {
		out.Assertions = append(out.Assertions, JSONFailure{Thread: f.Thread, Line: f.Pos.Line, Col: f.Pos.Col, Message: f.Msg, Count: f.Count, Incomplete: f.Incomplete})
	}
	return out
}

// SortJSON puts a record's races, failures and hangs in a canonical order
// (by source position), so that results computed in parts and added up
// read the same as one run's.
func SortJSON(r *JSONResult) {
	sort.SliceStable(r.Races, func(i, j int) bool {
		a, b := r.Races[i], r.Races[j]
		return fmt.Sprint(a.A.Line, a.A.Col, a.B.Line, a.B.Col, a.A.Thread, a.B.Thread) < fmt.Sprint(b.A.Line, b.A.Col, b.B.Line, b.B.Col, b.A.Thread, b.B.Thread)
	})
	sort.SliceStable(r.Assertions, func(i, j int) bool {
		a, b := r.Assertions[i], r.Assertions[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Thread+a.Message < b.Thread+b.Message
	})
	sort.SliceStable(r.Liveness, func(i, j int) bool {
		a, b := r.Liveness[i], r.Liveness[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Thread+fmt.Sprint(a.Reads) < b.Thread+fmt.Sprint(b.Reads)
	})
}

// JSON writes r as one indented JSON object.
func JSON(w io.Writer, r *result.Result) error { return WriteJSON(w, JSONRecord(r)) }

// WriteJSON writes a record as one indented JSON object.
func WriteJSON(w io.Writer, rec JSONResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rec)
}

package render

import (
	"encoding/json"
	"io"

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
type jsonResult struct {
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
	Outcomes   []jsonOutcome  `json:"outcomes"`
	Condition  *jsonCondition `json:"condition"`
	Races      []jsonRace     `json:"races"`
	Assertions []jsonFailure  `json:"assertions"`
	Liveness   []jsonHang     `json:"liveness"`
	Hardware   bool           `json:"hardware"`
}

type jsonHang struct {
	Thread string   `json:"thread"`
	Line   int      `json:"line"`
	Col    int      `json:"col"`
	Reads  []string `json:"reads"`
	Count  int      `json:"count"`
}

type jsonOutcome struct {
	Values    map[string]any `json:"values"`
	Count     int            `json:"count"`
	Satisfies bool           `json:"satisfies"`
}

type jsonCondition struct {
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Verdict  string `json:"verdict"`
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Holds    bool   `json:"holds"`
}

type jsonAccess struct {
	Thread   string `json:"thread"`
	Kind     string `json:"kind"`
	Location string `json:"location"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Text     string `json:"text"`
}

type jsonRace struct {
	A         jsonAccess `json:"a"`
	B         jsonAccess `json:"b"`
	Locations []string   `json:"locations"`
	Count     int        `json:"count"`
}

type jsonFailure struct {
	Thread  string `json:"thread"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
	Count   int    `json:"count"`
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
func JSONRecord(r *result.Result) any {
	out := jsonResult{
		Test: r.Program.Name, Model: r.Model,
		Executions: r.Stats.Complete, Blocked: r.Stats.Blocked, Bounded: r.Stats.Bounded, Stuck: r.Stats.Stuck, Duplicates: r.Stats.Duplicates,
		Complete:  r.Complete(),
		Partial:   append([]string{}, r.Partial()...),
		ElapsedMS: float64(r.Stats.Elapsed.Microseconds()) / 1000,
		Outcomes:  []jsonOutcome{}, Races: []jsonRace{}, Assertions: []jsonFailure{}, Liveness: []jsonHang{},
		Hardware: r.Hardware,
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
		out.Outcomes = append(out.Outcomes, jsonOutcome{Values: vals, Count: o.Count, Satisfies: o.Satisfies})
	}
	if c := r.Program.Cond; c != nil {
		verdict := map[string]string{result.Always: "always", result.Sometimes: "sometimes", result.Never: "never", "": "none"}[r.Verdict]
		out.Condition = &jsonCondition{Kind: c.Kind.String(), Text: c.Text, Verdict: verdict, Positive: r.Positive, Negative: r.Negative, Holds: r.CondHolds()}
	}
	acc := func(a result.Access) jsonAccess {
		return jsonAccess{Thread: a.Thread, Kind: a.Kind, Location: a.Loc, Line: a.Pos.Line, Col: a.Pos.Col, Text: a.Text}
	}
	for _, race := range r.Races {
		out.Races = append(out.Races, jsonRace{A: acc(race.A), B: acc(race.B), Locations: race.Locs, Count: race.Count})
	}
	for _, h := range r.Hangs {
		out.Liveness = append(out.Liveness, jsonHang{Thread: h.Thread, Line: h.Pos.Line, Col: h.Pos.Col, Reads: h.Reads, Count: h.Count})
	}
	for _, f := range r.Failures {
		out.Assertions = append(out.Assertions, jsonFailure{Thread: f.Thread, Line: f.Pos.Line, Col: f.Pos.Col, Message: f.Msg, Count: f.Count})
	}
	return out
}

// JSON writes r as one indented JSON object.
func JSON(w io.Writer, r *result.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONRecord(r))
}

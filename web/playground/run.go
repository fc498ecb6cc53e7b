package playground

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"happens"
	"happens/explore"
	"happens/graph"
	"happens/hw/mesi"
	"happens/model"
	"happens/prog"
	"happens/render"
	"happens/render/diagram"
	"happens/result"
)

// RunRequest asks for every execution of a program under a model.
type RunRequest struct {
	Source
	Model         string `json:"model"`
	Unroll        int    `json:"unroll,omitempty"`
	MaxExecutions int    `json:"maxExecutions,omitempty"`
	MaxStates     int    `json:"maxStates,omitempty"` // the MESI machine's bound
	// Rows, when positive, is how many outcomes the response lists (the
	// first, in the result's order); Rows asks for the others. A run with
	// tens of thousands of outcomes would otherwise send megabytes the
	// page does not show.
	Rows int `json:"rows,omitempty"`
}

// Progress is what a long run reports about every second.
type Progress struct {
	Executions int     `json:"executions"`
	Blocked    int     `json:"blocked"`
	Bounded    int     `json:"bounded"`
	Stuck      int     `json:"stuck"`            // executions where a thread spins forever
	States     int     `json:"states,omitempty"` // MESI machine states
	ElapsedMS  float64 `json:"elapsedMs"`
}

// Outcome is one distinct final state.
type Outcome struct {
	Values []string `json:"values"` // as the program prints them, one per Observed
	Raw    []string `json:"raw"`    // the raw values, to ask about this outcome
	Count  int      `json:"count"`
	// Satisfies says the program's condition holds in this state.
	Satisfies bool `json:"satisfies"`
	// Exec is the index of an execution with this outcome among the
	// executions kept, or -1.
	Exec int `json:"exec"`
}

// Access is one side of a data race.
type Access struct {
	Thread string `json:"thread"`
	Kind   string `json:"kind"`
	Loc    string `json:"loc"`
	Text   string `json:"text"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
}

// Race is a data race and how many executions have it.
type Race struct {
	A     Access   `json:"a"`
	B     Access   `json:"b"`
	Locs  []string `json:"locs"` // every location the pair races on
	Count int      `json:"count"`
}

// Hang is a liveness violation: a thread that spins for ever on values
// memory keeps for ever.
type Hang struct {
	Thread string   `json:"thread"`
	Line   int      `json:"line"` // the loop
	Col    int      `json:"col"`
	Reads  []string `json:"reads"` // what its last iteration read: "X=1"
	Count  int      `json:"count"`
}

// Failure is a failed assertion or a panic.
type Failure struct {
	Thread string `json:"thread"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Msg    string `json:"msg"`
	Count  int    `json:"count"`
}

// Cond is the program's final condition and its verdict.
type Cond struct {
	Kind     string `json:"kind"` // exists, forall, not-exists
	Text     string `json:"text"`
	Verdict  string `json:"verdict"` // Always, Sometimes, Never
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Holds    bool   `json:"holds"`
}

// Expectation is what the program claims of itself: an `expect` line's
// verdict, or "Panics" for a #[should_panic] test.
type Expectation struct {
	Claim string `json:"claim"`
	Met   bool   `json:"met"`
	// Known is false when only a complete run could tell.
	Known bool `json:"known"`
}

// RunResponse is the summary of one run.
type RunResponse struct {
	// Run names the result in the session, for Draw; 0 when the program
	// did not parse.
	Run      int      `json:"run"`
	Errors   []Diag   `json:"errors"`
	Test     string   `json:"test,omitempty"`
	Doc      string   `json:"doc,omitempty"`
	Model    string   `json:"model,omitempty"`
	Machine  bool     `json:"machine,omitempty"` // the MESI machine: outcomes are final machine states
	Observed []string `json:"observed"`
	// Outcomes are the first outcomes (RunRequest.Rows of them, when
	// set); TotalOutcomes counts them all.
	Outcomes      []Outcome `json:"outcomes"`
	TotalOutcomes int       `json:"totalOutcomes"`
	Cond          *Cond     `json:"cond"`
	// Expect is the program's claim about itself, or null.
	Expect   *Expectation `json:"expect"`
	Races    []Race       `json:"races"`
	Failures []Failure    `json:"failures"`
	Hangs    []Hang       `json:"hangs"`
	// Hardware: a CPU model running the compiled program, where data races
	// are not undefined behaviour and are not reported.
	Hardware bool     `json:"hardware,omitempty"`
	Stats    Progress `json:"stats"`
	// Transitions counts the MESI machine's steps.
	Transitions int  `json:"transitions,omitempty"`
	Complete    bool `json:"complete"`
	Cancelled   bool `json:"cancelled,omitempty"`
	// Partial says in words what cut the run short, when it was.
	Partial []string `json:"partial"`
	// Kept executions can be drawn (Draw, kind "exec"); Dropped were not
	// kept.
	Kept    int `json:"kept"`
	Dropped int `json:"dropped"`
	// Failed is the command line's exit status 1: an assertion can fail,
	// a race exists, a thread can spin for ever, or a forall / ~exists
	// condition does not hold.
	Failed bool `json:"failed"`
	// The command line's summary is not part of the response (it can be
	// megabytes): Text gives it for a kept run.
}

// Session keeps the last few results for drawing. It is safe for
// concurrent use.
type Session struct {
	mu   sync.Mutex
	next int
	runs recent[*kept]
	// Comparisons and candidate lists, kept for paging (tables.go).
	tables recent[*keptTable]
}

// keptRuns is how many results of each kind a session keeps.
const keptRuns = 4

// recent keeps the last keptRuns values put in it, by number.
type recent[T any] struct {
	byID  map[int]T
	order []int
}

func (r *recent[T]) put(id int, v T) {
	if r.byID == nil {
		r.byID = map[int]T{}
	}
	r.byID[id] = v
	r.order = append(r.order, id)
	if len(r.order) > keptRuns {
		delete(r.byID, r.order[0])
		r.order = r.order[1:]
	}
}

type kept struct {
	res  *result.Result
	m    *model.Model
	keys map[uint64][]int // graph hash → indices in res.Executions
}

// find returns the index of g among the kept executions, or -1. The
// collector keeps an outcome's witness and the executions as separate
// copies, so they are matched by content; hashing (not graph.Key, which
// formats text) keeps this cheap in WebAssembly.
func (k *kept) find(g *graph.Graph) int {
	for _, i := range k.keys[hashGraph(g)] {
		if sameGraph(g, k.res.Executions[i]) {
			return i
		}
	}
	return -1
}

// hashGraph hashes what identifies an execution: its events in order, what
// each reads from, and modification order (FNV-1a).
func hashGraph(g *graph.Graph) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) {
		for i := 0; i < 8; i++ {
			h ^= v & 0xff
			h *= 1099511628211
			v >>= 8
		}
	}
	for i := range g.Events {
		e := &g.Events[i]
		mix(uint64(e.Kind)<<56 ^ uint64(uint32(e.Thread))<<24 ^ uint64(uint32(e.Index)))
		mix(uint64(uint32(e.Loc))<<32 ^ uint64(uint32(e.RF)))
		mix(e.RVal)
		mix(e.WVal)
	}
	for _, mo := range g.MO {
		mix(uint64(len(mo)))
		for _, w := range mo {
			mix(uint64(uint32(w)))
		}
	}
	return h
}

func sameGraph(a, b *graph.Graph) bool {
	if len(a.Events) != len(b.Events) || len(a.MO) != len(b.MO) || len(a.Threads) != len(b.Threads) {
		return false
	}
	for i := range a.Events {
		if a.Events[i] != b.Events[i] {
			return false
		}
	}
	for l := range a.MO {
		if !slices.Equal(a.MO[l], b.MO[l]) {
			return false
		}
	}
	for t := range a.Threads {
		if !slices.Equal(a.Threads[t], b.Threads[t]) {
			return false
		}
	}
	return true
}

// NewSession starts an empty session.
func NewSession() *Session { return &Session{} }

func (s *Session) add(k *kept) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.runs.put(s.next, k)
	return s.next
}

func (s *Session) get(id int) *kept {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs.byID[id]
}

// Run explores the program. progress, when not nil, is called about every
// second. A cancelled ctx ends the run early with a partial result.
func (s *Session) Run(ctx context.Context, req RunRequest, progress func(Progress)) RunResponse {
	resp := RunResponse{Errors: []Diag{}, Observed: []string{}, Outcomes: []Outcome{}, Races: []Race{}, Failures: []Failure{}, Hangs: []Hang{}, Partial: []string{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	name := req.Model
	if name == "" {
		name = "c20"
	}
	var (
		res *result.Result
		m   *model.Model
	)
	if mode, ok := mesi.ModeByName(name); ok {
		opts := mesi.Options{Mode: mode, Unroll: req.Unroll, MaxStates: req.MaxStates}
		if progress != nil {
			opts.Progress = func(st mesi.Stats) {
				progress(Progress{Executions: st.Complete, Blocked: st.Blocked, Bounded: st.Bounded, Stuck: st.Stuck, States: st.States, ElapsedMS: ms(st.Elapsed)})
			}
		}
		var st mesi.Stats
		res, st = mesi.Run(ctx, p, opts)
		resp.Machine = true
		resp.Stats.States, resp.Transitions = st.States, st.Transitions
	} else {
		var err error
		if m, err = model.ByName(name); err != nil {
			resp.Errors = []Diag{{From: -1, Msg: err.Error()}}
			return resp
		}
		opts := happens.Options{Model: name, Unroll: req.Unroll, MaxExecutions: req.MaxExecutions, Show: result.ShowAll}
		if progress != nil {
			opts.Progress = func(st explore.Stats) {
				progress(Progress{Executions: st.Complete, Blocked: st.Blocked, Bounded: st.Bounded, Stuck: st.Stuck, ElapsedMS: ms(st.Elapsed)})
			}
		}
		if res, err = happens.Run(ctx, p, opts); err != nil {
			resp.Errors = []Diag{{From: -1, Msg: err.Error()}}
			return resp
		}
	}
	st := res.Stats
	resp.Test, resp.Doc, resp.Model, resp.Hardware = p.Name, p.Doc, name, res.Hardware
	resp.Stats.Executions, resp.Stats.Blocked, resp.Stats.Bounded, resp.Stats.Stuck = st.Complete, st.Blocked, st.Bounded, st.Stuck
	resp.Stats.ElapsedMS = ms(st.Elapsed)
	resp.Complete = res.Complete()
	resp.Failed = res.Failed()
	resp.Cancelled = st.Stopped && st.Cut == explore.CutInterrupt
	resp.Partial = partial(res, req)
	for _, o := range res.Observed {
		resp.Observed = append(resp.Observed, o.Name)
	}
	k := &kept{res: res, m: m, keys: map[uint64][]int{}}
	for i, g := range res.Executions {
		h := hashGraph(g)
		k.keys[h] = append(k.keys[h], i)
	}
	resp.TotalOutcomes = len(res.Outcomes)
	resp.Outcomes = k.outcomes(0, req.Rows)
	if c := p.Cond; c != nil {
		resp.Cond = &Cond{Kind: c.Kind.String(), Text: c.Text, Verdict: res.Verdict, Positive: res.Positive, Negative: res.Negative, Holds: res.CondHolds()}
	}
	if p.Expect != nil {
		met, known := res.ExpectationMet()
		resp.Expect = &Expectation{Claim: p.Expect.Verdict, Met: met, Known: known}
	}
	for _, r := range res.Races {
		resp.Races = append(resp.Races, Race{A: access(r.A), B: access(r.B), Locs: append([]string{}, r.Locs...), Count: r.Count})
	}
	for _, f := range res.Failures {
		resp.Failures = append(resp.Failures, Failure{Thread: f.Thread, Line: f.Pos.Line, Col: f.Pos.Col, Msg: f.Msg, Count: f.Count})
	}
	for _, h := range res.Hangs {
		resp.Hangs = append(resp.Hangs, Hang{Thread: h.Thread, Line: h.Pos.Line, Col: h.Pos.Col, Reads: append([]string{}, h.Reads...), Count: h.Count})
	}
	resp.Kept, resp.Dropped = len(res.Executions), res.Dropped
	resp.Run = s.add(k)
	return resp
}

// outcomes converts count outcomes of the result from the from-th (all
// the rest when count is not positive).
func (k *kept) outcomes(from, count int) []Outcome {
	res := k.res
	out := []Outcome{}
	if from < 0 {
		from = 0
	}
	to := len(res.Outcomes)
	if count > 0 && from+count < to {
		to = from + count
	}
	for j := from; j < to; j++ {
		o := res.Outcomes[j]
		x := Outcome{Values: []string{}, Raw: []string{}, Count: o.Count, Satisfies: o.Satisfies, Exec: -1}
		for i, v := range o.Values {
			x.Values = append(x.Values, res.Format(i, v))
			x.Raw = append(x.Raw, strconv.FormatUint(v, 10))
		}
		if o.Witness != nil {
			x.Exec = k.find(o.Witness)
		}
		out = append(out, x)
	}
	return out
}

// RowsRequest asks for more outcomes of a kept run.
type RowsRequest struct {
	Run   int `json:"run"`
	From  int `json:"from"`
	Count int `json:"count,omitempty"` // 0: all the rest
}

// RowsResponse lists them.
type RowsResponse struct {
	From     int       `json:"from"`
	Outcomes []Outcome `json:"outcomes"`
	Total    int       `json:"total"`
	// Unavailable says why there are none (the run is no longer kept).
	Unavailable string `json:"unavailable,omitempty"`
}

// Rows lists outcomes of a result the session keeps, from the From-th.
func (s *Session) Rows(req RowsRequest) RowsResponse {
	k := s.get(req.Run)
	if k == nil {
		return RowsResponse{Outcomes: []Outcome{}, Unavailable: "that result is no longer kept: run the program again"}
	}
	return RowsResponse{From: req.From, Outcomes: k.outcomes(req.From, req.Count), Total: len(k.res.Outcomes)}
}

// TextRequest asks for the command line's summary of a kept run, or of a
// kept comparison (Table).
type TextRequest struct {
	Run   int `json:"run"`
	Table int `json:"table,omitempty"`
}

// TextResponse is that summary, as `happens run` prints it.
type TextResponse struct {
	Text        string `json:"text"`
	Unavailable string `json:"unavailable,omitempty"`
}

// Text writes a kept run as the command line prints it.
func (s *Session) Text(req TextRequest) TextResponse {
	if req.Table != 0 {
		if t := s.getTable(req.Table); t != nil && t.cands == nil {
			return TextResponse{Text: t.text}
		}
		return TextResponse{Unavailable: "that table is no longer kept: ask again"}
	}
	k := s.get(req.Run)
	if k == nil {
		return TextResponse{Unavailable: "that result is no longer kept: run the program again"}
	}
	var b strings.Builder
	render.Text(&b, k.res)
	return TextResponse{Text: b.String()}
}

// partial says in the page's words what cut the run short: the core's
// reasons (Result.Partial), with the command line's flags named as the
// page names them.
func partial(res *result.Result, req RunRequest) []string {
	out := []string{}
	st := res.Stats
	if st.Bounded > 0 {
		out = append(out, fmt.Sprintf("%s cut by the loop bound (Unroll %d)", plural(st.Bounded, "execution"), res.Unroll))
	}
	if !st.Stopped {
		return out
	}
	switch st.Cut {
	case explore.CutInterrupt:
		out = append(out, "cancelled: the result covers only the executions explored before Cancel")
	case explore.CutLimit:
		out = append(out, fmt.Sprintf("the execution limit (%d) was reached", req.MaxExecutions))
	case explore.CutStates:
		max := req.MaxStates
		if max <= 0 {
			max = mesi.DefaultMaxStates
		}
		out = append(out, fmt.Sprintf("the machine state bound (%d states) was reached", max))
	default:
		for _, why := range res.Partial() {
			if !strings.HasPrefix(why, "unroll:") {
				out = append(out, why)
			}
		}
	}
	return out
}

func access(a result.Access) Access {
	return Access{Thread: a.Thread, Kind: a.Kind, Loc: a.Loc, Text: a.Text, Line: a.Pos.Line, Col: a.Pos.Col}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func observables(p *prog.Program) []prog.Observable { return result.Observables(p) }

// DrawRequest asks for the drawing of one execution of a kept result.
type DrawRequest struct {
	Run int `json:"run"`
	// Kind is "exec" (the Index-th execution kept), "outcome" (an
	// execution with the Index-th outcome), "race", "failure" or "hang"
	// (the execution that shows the Index-th race, failure or liveness
	// violation).
	Kind  string `json:"kind"`
	Index int    `json:"index"`
	// Labels is what event boxes say: "ops" (the articles' notation),
	// "orderings" or "source".
	Labels string `json:"labels,omitempty"`
	// Width, when positive, is the number of character cells the drawing
	// may take before its threads are split into groups.
	Width int `json:"width,omitempty"`
}

// DrawResponse is one execution, drawn.
type DrawResponse struct {
	SVG string `json:"svg"`
	// Exec is the execution's index among those kept (-1 when it is not
	// one of them), Total how many were kept.
	Exec  int `json:"exec"`
	Total int `json:"total"`
	// Outcome is the index of the outcome it shows, when known (-1).
	Outcome int `json:"outcome"`
	// Lines are the source lines of its events.
	Lines []int `json:"lines"`
	// Unavailable says why there is no drawing (the result is no longer
	// kept, the MESI machine builds no graphs, no such execution).
	Unavailable string `json:"unavailable,omitempty"`
}

// Draw draws one execution of a result the session keeps.
func (s *Session) Draw(req DrawRequest) DrawResponse {
	resp := DrawResponse{Exec: -1, Outcome: -1, Lines: []int{}}
	k := s.get(req.Run)
	if k == nil {
		resp.Unavailable = "that result is no longer kept: run the program again"
		return resp
	}
	r := k.res
	resp.Total = len(r.Executions)
	if k.m == nil {
		resp.Unavailable = "the MESI machine builds no execution graphs: use the MESI trace tab for a run of the machine"
		return resp
	}
	var g *graph.Graph
	in := func(n int) bool { return req.Index >= 0 && req.Index < n }
	switch req.Kind {
	case "exec", "":
		if in(len(r.Executions)) {
			g = r.Executions[req.Index]
		}
	case "outcome":
		if in(len(r.Outcomes)) {
			g = r.Outcomes[req.Index].Witness
		}
	case "race":
		if in(len(r.Races)) {
			g = r.Races[req.Index].Witness
		}
	case "failure":
		if in(len(r.Failures)) {
			g = r.Failures[req.Index].Witness
		}
	case "hang":
		if in(len(r.Hangs)) {
			g = r.Hangs[req.Index].Witness
		}
	}
	if g == nil {
		resp.Unavailable = fmt.Sprintf("no %s %d to draw", req.Kind, req.Index)
		return resp
	}
	resp.Exec = k.find(g)
	for i, o := range r.Outcomes {
		if o.Witness != nil && (o.Witness == g || sameGraph(o.Witness, g)) {
			resp.Outcome = i
			break
		}
	}
	var b strings.Builder
	if err := diagram.SVG(&b, g, k.m, diagram.Options{Width: req.Width, Labels: labels(req.Labels)}); err != nil {
		resp.Unavailable = err.Error()
		return resp
	}
	resp.SVG = b.String()
	resp.Lines = lines(g, nil)
	return resp
}

func labels(s string) diagram.LabelStyle {
	switch s {
	case "orderings":
		return diagram.LabelOrderings
	case "source":
		return diagram.LabelSource
	}
	return diagram.LabelOps
}

// lines lists the distinct source lines of g's events (of only, when not
// nil), in order.
func lines(g *graph.Graph, only []graph.ID) []int {
	ids := only
	if ids == nil {
		for i := range g.Events {
			ids = append(ids, graph.ID(i))
		}
	}
	seen := map[int]bool{}
	out := []int{}
	defer func() {
		if only == nil {
			slices.Sort(out)
		}
	}()
	for _, id := range ids {
		e := &g.Events[id]
		if e.Instr == nil || !e.Instr.Pos.IsValid() || seen[e.Instr.Pos.Line] {
			continue
		}
		seen[e.Instr.Pos.Line] = true
		out = append(out, e.Instr.Pos.Line)
	}
	return out
}

package playground

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"happens/explain"
	"happens/explore"
	"happens/frontend/rustlit"
	"happens/graph"
	"happens/hw/mesi"
	"happens/model"
	"happens/prog"
	"happens/render"
	"happens/render/diagram"
)

// Question names an outcome to ask about: Outcome, a condition over thread
// locals and memory ("t1.a == 0 && X == 1"), or Raw, the raw values of an
// outcome as Run and Outcomes list them; neither means the program's own
// condition (negated for forall).
type Question struct {
	Outcome string   `json:"outcome,omitempty"`
	Raw     []string `json:"raw,omitempty"`
}

// outcome resolves a Question against p: the expression, the question as
// the command line asks it ("Can (t1.a == 0) happen"), a short text of the
// outcome, and errors placed in the outcome's own text.
func (q Question) outcome(p *prog.Program) (e prog.Expr, question, text string, ds []Diag) {
	switch {
	case q.Raw != nil:
		obs := observables(p)
		if len(q.Raw) != len(obs) {
			return nil, "", "", []Diag{{From: -1, Msg: fmt.Sprintf("the outcome has %d values; the program observes %d", len(q.Raw), len(obs))}}
		}
		vals := make([]uint64, len(obs))
		var parts []string
		for i, s := range q.Raw {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, "", "", []Diag{{From: -1, Msg: fmt.Sprintf("bad value %q", s)}}
			}
			vals[i] = v
			parts = append(parts, obs[i].Name+"="+p.FormatValue(obs[i].Type, v))
		}
		text = strings.Join(parts, " ")
		return explain.OutcomeExpr(obs, vals), "Can " + text + " happen", text, nil
	case strings.TrimSpace(q.Outcome) != "":
		e, _, err := rustlit.ParseOutcome(p, "outcome", q.Outcome)
		if err != nil {
			return nil, "", "", diags(err, q.Outcome)
		}
		return e, fmt.Sprintf("Can (%s) happen", q.Outcome), q.Outcome, nil
	case p.Cond == nil:
		return nil, "", "", []Diag{{From: -1, Msg: "the program has no condition: name an outcome, e.g. t1.a == 0"}}
	}
	if p.Cond.Kind == prog.Forall {
		e := &prog.UnaryExpr{Op: prog.Not, X: p.Cond.Expr, T: prog.Bool}
		return e, fmt.Sprintf("Can the forall condition %s fail", p.Cond.Text), "not " + p.Cond.Text, nil
	}
	return p.Cond.Expr, fmt.Sprintf("Can %s happen", p.Cond.Text), p.Cond.Text, nil
}

// ExplainRequest asks whether an outcome can happen under a model.
type ExplainRequest struct {
	Source
	Question
	Model  string `json:"model"`
	Unroll int    `json:"unroll,omitempty"`
	// MaxExecutions is the run's execution limit: at most that many
	// coherent candidates are judged (the answer is then Unknown, never
	// No).
	MaxExecutions int    `json:"maxExecutions,omitempty"`
	MaxCandidates int    `json:"maxCandidates,omitempty"`
	Labels        string `json:"labels,omitempty"`
	Width         int    `json:"width,omitempty"`
}

// Step is one event of a cycle, and the relation to the next.
type Step struct {
	Event string `json:"event"` // "t1: X.load(Ordering::Relaxed) = 0"
	Rel   string `json:"rel"`   // sb, rf, mo, fr, sw, ...
	Line  int    `json:"line"`
	Col   int    `json:"col"`
}

// Reason groups the candidates that break one axiom.
type Reason struct {
	Axiom    string `json:"axiom"`
	Rule     string `json:"rule"`     // the axiom as the model states it
	Sentence string `json:"sentence"` // what breaking it would mean, in words
	Count    int    `json:"count"`
	// Cycle is the shortest cycle found; SVG draws its candidate with the
	// cycle's events heavy, and Lines are their source lines.
	Cycle []Step `json:"cycle"`
	SVG   string `json:"svg"`
	Lines []int  `json:"lines"`
}

// ExplainResponse is explain's answer.
type ExplainResponse struct {
	Errors        []Diag `json:"errors"`
	OutcomeErrors []Diag `json:"outcomeErrors"`
	// Unsupported explains why the question cannot be asked (the MESI
	// machine has traces, not axioms).
	Unsupported string `json:"unsupported,omitempty"`
	Question    string `json:"question"`
	// Answer is "yes", "no" or "unknown" (a bound cut the search and
	// nothing produced the outcome: never a definite no); Lead says it in
	// the command line's words.
	Answer   string `json:"answer"`
	Lead     string `json:"lead"`
	Outcome  string `json:"outcome"`
	Model    string `json:"model"`
	Possible bool   `json:"possible"`
	// Incoherent: no coherent candidate produces the outcome, and the
	// candidates shown break coherence or atomicity (Sampled: only a
	// bounded sample of them was looked at).
	Incoherent bool     `json:"incoherent,omitempty"`
	Sampled    bool     `json:"sampled,omitempty"`
	Why        []string `json:"why"` // what cut the search short
	Candidates int      `json:"candidates"`
	Consistent int      `json:"consistent"`
	Racy       int      `json:"racy"`
	Partial    bool     `json:"partial"`
	Cancelled  bool     `json:"cancelled,omitempty"`
	// Witness draws a consistent execution with the outcome, when there is
	// one; Interleaving lists its events in an order a single memory could
	// perform them (sc only).
	Witness      string   `json:"witness,omitempty"`
	WitnessLines []int    `json:"witnessLines"`
	Interleaving []string `json:"interleaving"`
	Reasons      []Reason `json:"reasons"`
	Text         string   `json:"text"` // the command line's answer
}

// Explain answers "can this outcome happen, and if not, why not?".
// progress, when not nil, is called about every second.
func Explain(ctx context.Context, req ExplainRequest, progress func(Progress)) ExplainResponse {
	resp := ExplainResponse{Errors: []Diag{}, OutcomeErrors: []Diag{}, WitnessLines: []int{}, Interleaving: []string{}, Reasons: []Reason{}, Why: []string{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	m, unsupported := axiomatic(req.Model)
	if m == nil {
		resp.Unsupported = unsupported
		return resp
	}
	e, question, text, ds := req.outcome(p)
	if ds != nil {
		resp.OutcomeErrors = ds
		return resp
	}
	a := explain.Explain(ctx, p, m, e, explain.Options{Unroll: req.Unroll, MaxCandidates: req.MaxCandidates, MaxExecutions: req.MaxExecutions, Progress: candidates(progress)})
	var b strings.Builder
	render.Explanation(&b, p, m, question, a, render.ExplainOptions{Width: 80})
	resp.Text = b.String()
	// The question and the answer's first sentence, as the command line
	// words them: its first two lines.
	first := strings.SplitN(resp.Text, "\n", 3)
	resp.Question = first[0]
	if len(first) > 1 {
		resp.Lead = first[1]
	}
	resp.Outcome, resp.Model = text, m.Name
	resp.Possible, resp.Candidates, resp.Consistent, resp.Racy = a.Possible(), a.Candidates, a.Consistent, a.Racy
	resp.Incoherent, resp.Sampled = a.Incoherent, a.Sampled
	resp.Partial, resp.Cancelled = a.Partial, ctx.Err() != nil
	resp.Why = pageWhy(a.Why, req.MaxExecutions, req.Unroll)
	switch {
	case a.Possible():
		resp.Answer = "yes"
	case a.Partial:
		resp.Answer = "unknown"
	default:
		resp.Answer = "no"
	}
	dopts := diagram.Options{Width: req.Width, Labels: labels(req.Labels)}
	if a.Witness != nil {
		resp.Witness = svg(a.Witness, m, dopts)
		resp.WitnessLines = lines(a.Witness, nil)
		if m.Name == "sc" {
			if order, ok := explain.Interleaving(a.Witness); ok {
				for _, id := range order {
					resp.Interleaving = append(resp.Interleaving, render.DescribeEvent(a.Witness, id))
				}
			}
		}
	}
	for _, r := range a.Reasons {
		resp.Reasons = append(resp.Reasons, reason(m, r, dopts))
	}
	return resp
}

// candidates reports an enumeration's progress as a run's: executions are
// the candidates enumerated so far. (In the browser the reports are also
// where the engine's thread lets a Cancel in: cmd/happens-wasm.)
func candidates(progress func(Progress)) func(explore.Stats) {
	if progress == nil {
		return nil
	}
	return func(st explore.Stats) {
		progress(Progress{Executions: st.Complete, Blocked: st.Blocked, Bounded: st.Bounded, Stuck: st.Stuck, ElapsedMS: ms(st.Elapsed)})
	}
}

// limit is the bound on coherent candidates: the run's execution limit,
// or MaxCandidates, whichever is tighter.
func limit(maxExecutions, maxCandidates int) int {
	if maxExecutions > 0 && (maxCandidates <= 0 || maxExecutions < maxCandidates) {
		return maxExecutions
	}
	return maxCandidates
}

// pageWhy says in the page's words what cut an enumeration of candidates
// short (explain's reasons name the command line's flags).
func pageWhy(why []string, max, unroll int) []string {
	out := []string{}
	if unroll <= 0 {
		unroll = 8
	}
	for _, w := range why {
		switch {
		case strings.HasPrefix(w, "unroll: "):
			w = strings.TrimPrefix(w, "unroll: ") + fmt.Sprintf(" (Unroll %d)", unroll)
		case strings.HasPrefix(w, "candidate limit: "):
			w = fmt.Sprintf("the execution limit (%d) was reached: only the first %s were judged", max, plural(max, "candidate execution"))
		case w == explore.CutInterrupt.String():
			w = "cancelled: only the candidates enumerated before Cancel were judged"
		}
		out = append(out, w)
	}
	return out
}

// axiomatic finds an axiomatic model by name, or says why there is none.
func axiomatic(name string) (*model.Model, string) {
	if name == "" {
		name = "c20"
	}
	if mesi.IsModel(name) {
		return nil, name + " is an operational machine, not a set of axioms: it has no cycles to show. The MESI trace tab shows a run of the machine that reaches an outcome."
	}
	m, err := model.ByName(name)
	if err != nil {
		return nil, err.Error()
	}
	return m, ""
}

func reason(m *model.Model, r *explain.Reason, dopts diagram.Options) Reason {
	out := Reason{Axiom: r.Axiom, Rule: r.Text, Sentence: render.AxiomSentence(m.Name, r.Axiom), Count: r.Count, Cycle: steps(r.G, r.Cycle), Lines: []int{}}
	if r.G != nil {
		o := dopts
		o.CycleLabel = r.Axiom
		var ids []graph.ID
		for _, s := range r.Cycle {
			ids = append(ids, s.Event)
		}
		o.Cycle = ids
		out.SVG = svg(r.G, m, o)
		out.Lines = lines(r.G, ids)
	}
	return out
}

func steps(g *graph.Graph, cycle []explain.Step) []Step {
	out := []Step{}
	for _, s := range cycle {
		st := Step{Event: render.DescribeEvent(g, s.Event), Rel: s.Rel}
		if e := &g.Events[s.Event]; e.Instr != nil && e.Instr.Pos.IsValid() {
			st.Line, st.Col = e.Instr.Pos.Line, e.Instr.Pos.Col
		}
		out = append(out, st)
	}
	return out
}

func svg(g *graph.Graph, m *model.Model, o diagram.Options) string {
	var b strings.Builder
	if err := diagram.SVG(&b, g, m, o); err != nil {
		return ""
	}
	return b.String()
}

// OutcomesRequest asks for every outcome some candidate execution
// produces, and which of them a model allows.
type OutcomesRequest struct {
	Source
	Model  string `json:"model"`
	Unroll int    `json:"unroll,omitempty"`
	// MaxExecutions is the run's execution limit: at most that many
	// coherent candidates are enumerated.
	MaxExecutions int `json:"maxExecutions,omitempty"`
	MaxCandidates int `json:"maxCandidates,omitempty"`
	// Rows, when positive, is how many outcomes the answer lists (the
	// session keeps the rest for the tableRows method).
	Rows int `json:"rows,omitempty"`
}

// CandidateOutcome is one outcome of a candidate execution.
type CandidateOutcome struct {
	Values  []string `json:"values"`
	Raw     []string `json:"raw"`
	Allowed bool     `json:"allowed"`
	Count   int      `json:"count"` // consistent executions with it
	// Axiom is the axiom most of its candidates break, when forbidden.
	Axiom string `json:"axiom,omitempty"`
}

// OutcomesResponse lists the candidate outcomes.
type OutcomesResponse struct {
	Errors      []Diag             `json:"errors"`
	Unsupported string             `json:"unsupported,omitempty"`
	Observed    []string           `json:"observed"`
	Outcomes    []CandidateOutcome `json:"outcomes"`
	// Total counts the outcomes; Table, when the request set Rows, names
	// the whole list for the tableRows method.
	Total     int      `json:"total"`
	Table     int      `json:"table,omitempty"`
	Partial   bool     `json:"partial"`
	Cancelled bool     `json:"cancelled,omitempty"`
	Why       []string `json:"why"` // what cut the enumeration short
}

// Outcomes lists every outcome a coherent candidate execution produces
// (atomicity, coherence and no values out of thin air: what every model
// requires, model.Coherent), each with whether the model allows it: the
// outcomes worth asking "why not?" about.
func Outcomes(ctx context.Context, req OutcomesRequest, progress func(Progress)) OutcomesResponse {
	resp := OutcomesResponse{Errors: []Diag{}, Observed: []string{}, Outcomes: []CandidateOutcome{}, Why: []string{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	m, unsupported := axiomatic(req.Model)
	if m == nil {
		resp.Unsupported = unsupported
		return resp
	}
	obs := observables(p)
	for _, o := range obs {
		resp.Observed = append(resp.Observed, o.Name)
	}
	t := explain.Compare(ctx, p, obs, []*model.Model{m, model.BaseOf(m)}, explain.Options{Unroll: req.Unroll, MaxCandidates: limit(req.MaxExecutions, req.MaxCandidates), Progress: candidates(progress)})
	resp.Partial, resp.Cancelled = t.Partial || ctx.Err() != nil, ctx.Err() != nil
	resp.Why = pageWhy(t.Why, limit(req.MaxExecutions, req.MaxCandidates), req.Unroll)
	for i, vals := range t.Outcomes {
		c := t.Cells[i][0]
		o := CandidateOutcome{Values: []string{}, Raw: []string{}, Allowed: c.Count > 0, Count: c.Count}
		for k, v := range vals {
			o.Values = append(o.Values, p.FormatValue(obs[k].Type, v))
			o.Raw = append(o.Raw, strconv.FormatUint(v, 10))
		}
		if !o.Allowed && len(c.Reasons) > 0 {
			o.Axiom = c.Reasons[0].Axiom
		}
		resp.Outcomes = append(resp.Outcomes, o)
	}
	resp.Total = len(resp.Outcomes)
	return resp
}

// CompareRequest asks for the outcomes × models table.
type CompareRequest struct {
	Source
	Models []string `json:"models"` // default sc, c11, rc11, c20
	Unroll int      `json:"unroll,omitempty"`
	// MaxExecutions is the run's execution limit: at most that many
	// coherent candidates are judged.
	MaxExecutions int `json:"maxExecutions,omitempty"`
	MaxCandidates int `json:"maxCandidates,omitempty"`
	// Rows, when positive, is how many rows the answer lists, with the
	// differences about them, and the answer has no Text: the session keeps
	// the rest for the tableRows and text methods.
	Rows int `json:"rows,omitempty"`
}

// CompareCell is one model's verdict on one outcome.
type CompareCell struct {
	Allowed bool   `json:"allowed"`
	Count   int    `json:"count"`
	Axiom   string `json:"axiom,omitempty"` // why not, when forbidden
}

// CompareRow is one outcome.
type CompareRow struct {
	Values []string      `json:"values"`
	Raw    []string      `json:"raw"`
	Cells  []CompareCell `json:"cells"`
}

// CompareDiff explains a cell that differs from its left neighbour.
type CompareDiff struct {
	Row       int    `json:"row"`
	Allowed   string `json:"allowed"`   // the model that allows it
	Forbidden string `json:"forbidden"` // the model that does not
	Axiom     string `json:"axiom,omitempty"`
	Sentence  string `json:"sentence,omitempty"`
	Cycle     []Step `json:"cycle"`
}

// CompareResponse is compare's table.
type CompareResponse struct {
	Errors    []Diag        `json:"errors"`
	Models    []string      `json:"models"`
	Observed  []string      `json:"observed"`
	Rows      []CompareRow  `json:"rows"`
	TotalRows int           `json:"totalRows"`
	Table     int           `json:"table,omitempty"` // the whole table, when paged
	Totals    []int         `json:"totals"`
	Diffs     []CompareDiff `json:"diffs"`
	Partial   bool          `json:"partial"`
	Cancelled bool          `json:"cancelled,omitempty"`
	Why       []string      `json:"why"` // what cut the enumeration short
	Text      string        `json:"text"`
}

// Compare judges the program's candidate executions under several models.
func Compare(ctx context.Context, req CompareRequest, progress func(Progress)) CompareResponse {
	resp := CompareResponse{Errors: []Diag{}, Models: []string{}, Observed: []string{}, Rows: []CompareRow{}, Totals: []int{}, Diffs: []CompareDiff{}, Why: []string{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	names := req.Models
	if len(names) == 0 {
		names = []string{"sc", "c11", "rc11", "c20"}
	}
	var models []*model.Model
	for _, n := range names {
		m, why := axiomatic(n)
		if m == nil {
			resp.Errors = []Diag{{From: -1, Msg: why}}
			return resp
		}
		models = append(models, m)
		resp.Models = append(resp.Models, m.Name)
	}
	obs := observables(p)
	for _, o := range obs {
		resp.Observed = append(resp.Observed, o.Name)
	}
	max := limit(req.MaxExecutions, req.MaxCandidates)
	t := explain.Compare(ctx, p, obs, models, explain.Options{Unroll: req.Unroll, MaxCandidates: max, Progress: candidates(progress)})
	resp.Partial, resp.Cancelled = t.Partial || ctx.Err() != nil, ctx.Err() != nil
	resp.Why = pageWhy(t.Why, max, req.Unroll)
	resp.Totals = t.Totals
	for i, vals := range t.Outcomes {
		row := CompareRow{Values: []string{}, Raw: []string{}, Cells: []CompareCell{}}
		for k, v := range vals {
			row.Values = append(row.Values, p.FormatValue(obs[k].Type, v))
			row.Raw = append(row.Raw, strconv.FormatUint(v, 10))
		}
		for _, c := range t.Cells[i] {
			cell := CompareCell{Allowed: c.Count > 0, Count: c.Count}
			if !cell.Allowed && len(c.Reasons) > 0 {
				cell.Axiom = c.Reasons[0].Axiom
			}
			row.Cells = append(row.Cells, cell)
		}
		resp.Rows = append(resp.Rows, row)
		for j := 1; j < len(models); j++ {
			l, r := t.Cells[i][j-1], t.Cells[i][j]
			if (l.Count > 0) == (r.Count > 0) {
				continue
			}
			yes, no := j-1, j
			if r.Count > 0 {
				yes, no = j, j-1
			}
			d := CompareDiff{Row: i, Allowed: models[yes].Name, Forbidden: models[no].Name, Cycle: []Step{}}
			// Why the model that forbids it rejects the executions its
			// neighbour accepts.
			rs := t.Cells[i][no].Right
			if no == j {
				rs = t.Cells[i][no].Left
			}
			if len(rs) > 0 {
				d.Axiom = rs[0].Axiom
				d.Sentence = render.AxiomSentence(models[no].Name, rs[0].Axiom)
				d.Cycle = steps(rs[0].G, rs[0].Cycle)
			}
			resp.Diffs = append(resp.Diffs, d)
		}
	}
	resp.TotalRows = len(resp.Rows)
	var b strings.Builder
	render.Comparison(&b, p, t)
	resp.Text = b.String()
	return resp
}

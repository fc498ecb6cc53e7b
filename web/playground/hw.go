package playground

import (
	"context"
	"strings"

	"happens/hw"
	"happens/hw/asm"
	"happens/hw/mesi"
)

// AsmRequest asks for the program's compiler listings.
type AsmRequest struct {
	Source
	// Arch is one architecture, or "" for all of them.
	Arch string `json:"arch,omitempty"`
}

// Listing is one architecture's listing.
type Listing struct {
	Arch  string `json:"arch"`
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
}

// AsmResponse holds the listings, in hw.Archs order.
type AsmResponse struct {
	Errors   []Diag    `json:"errors"`
	Listings []Listing `json:"listings"`
}

// Asm writes the program's accesses as the instructions of the standard
// mappings, as `happens asm` does.
func Asm(req AsmRequest) AsmResponse {
	resp := AsmResponse{Errors: []Diag{}, Listings: []Listing{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	for _, a := range hw.Archs {
		if req.Arch != "" && string(a) != req.Arch {
			continue
		}
		var b strings.Builder
		l := Listing{Arch: string(a)}
		if err := asm.Write(&b, p, a); err != nil {
			l.Error = err.Error()
		}
		l.Text = b.String()
		resp.Listings = append(resp.Listings, l)
	}
	if len(resp.Listings) == 0 {
		_, err := hw.ParseArch(req.Arch)
		resp.Errors = []Diag{{From: -1, Msg: err.Error()}}
	}
	return resp
}

// TraceRequest asks for a shortest run of the MESI machine that ends in
// an outcome.
type TraceRequest struct {
	Source
	Question
	Model     string `json:"model"` // mesi-strong or mesi-weak
	Unroll    int    `json:"unroll,omitempty"`
	MaxStates int    `json:"maxStates,omitempty"`
}

// TraceCore is one core's state after a step.
type TraceCore struct {
	Cache       string `json:"cache"`
	StoreBuffer string `json:"storeBuffer"`
	Mailbox     string `json:"mailbox"`
}

// TraceRow is the machine after one step.
type TraceRow struct {
	Step   int         `json:"step"`
	Core   string      `json:"core"`
	Action string      `json:"action"`
	Cores  []TraceCore `json:"cores"`
	Memory string      `json:"memory"`
	Flight string      `json:"flight"`
}

// TraceResponse is the run, as the rows of `happens trace`'s table.
type TraceResponse struct {
	Errors        []Diag     `json:"errors"`
	OutcomeErrors []Diag     `json:"outcomeErrors"`
	Model         string     `json:"model"`
	Outcome       string     `json:"outcome"`
	Found         bool       `json:"found"`
	Mailboxes     bool       `json:"mailboxes"` // mesi-weak: each core has a mailbox column
	CoreNames     []string   `json:"coreNames"`
	Rows          []TraceRow `json:"rows"`
	Final         []string   `json:"final"`
	States        int        `json:"states"`
	Partial       string     `json:"partial,omitempty"`
	Cancelled     bool       `json:"cancelled,omitempty"`
	Text          string     `json:"text"`
}

// Trace searches the MESI machine for a shortest run reaching the outcome.
// progress, when not nil, is called about every second.
func Trace(ctx context.Context, req TraceRequest, progress func(Progress)) TraceResponse {
	resp := TraceResponse{Errors: []Diag{}, OutcomeErrors: []Diag{}, CoreNames: []string{}, Rows: []TraceRow{}, Final: []string{}}
	p, ds := req.parse()
	if ds != nil {
		resp.Errors = ds
		return resp
	}
	name := req.Model
	if name == "" {
		name = "mesi-weak"
	}
	mode, ok := mesi.ModeByName(name)
	if !ok {
		resp.Errors = []Diag{{From: -1, Msg: "a trace runs the MESI machine: mesi-strong or mesi-weak, not " + name}}
		return resp
	}
	e, _, text, ds := req.outcome(p)
	if ds != nil {
		resp.OutcomeErrors = ds
		return resp
	}
	opts := mesi.Options{Mode: mode, Unroll: req.Unroll, MaxStates: req.MaxStates}
	if progress != nil {
		opts.Progress = func(st mesi.Stats) {
			progress(Progress{Executions: st.Complete, Blocked: st.Blocked, Bounded: st.Bounded, Stuck: st.Stuck, States: st.States, ElapsedMS: ms(st.Elapsed)})
		}
	}
	tr := mesi.FindTrace(ctx, p, e, text, opts)
	resp.Model, resp.Outcome, resp.Found, resp.Mailboxes = name, text, tr.Found, mode == mesi.Weak
	resp.States = tr.Stats.States
	switch {
	case ctx.Err() != nil:
		resp.Partial = "cancelled: the search covers only the states reached before Cancel"
		resp.Cancelled = true
	case tr.Stats.Stopped:
		resp.Partial = "the search stopped at the machine state bound"
	case tr.Stats.Bounded > 0:
		resp.Partial = plural(tr.Stats.Bounded, "final state") + " cut by the loop bound"
	}
	if tr.Final != nil {
		resp.Final = tr.Final
	}
	for i, r := range tr.Rows {
		row := TraceRow{Step: r.Step, Core: r.Core, Action: r.Action, Memory: r.Memory, Flight: r.Flight, Cores: []TraceCore{}}
		for _, c := range r.Cores {
			if i == 0 {
				resp.CoreNames = append(resp.CoreNames, c.Name)
			}
			row.Cores = append(row.Cores, TraceCore{Cache: c.Cache, StoreBuffer: c.StoreBuffer, Mailbox: c.Mailbox})
		}
		resp.Rows = append(resp.Rows, row)
	}
	var b strings.Builder
	mesi.WriteTrace(&b, tr)
	resp.Text = b.String()
	return resp
}

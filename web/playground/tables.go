package playground

import "context"

// A comparison or a list of candidate outcomes can have thousands of rows
// (fetch_add with 9 threads, each keeping its value: one outcome per
// candidate). Asked with Rows set, the session keeps the whole answer and
// sends its first rows only; the tableRows method pages in the others, and
// text gives a comparison's command-line text, as for a run.

// keptTable is a comparison's rows (with the differences between
// neighbouring models) or a candidate list, kept for paging.
type keptTable struct {
	compare []CompareRow
	diffs   []CompareDiff
	cands   []CandidateOutcome
	text    string
}

func (s *Session) addTable(t *keptTable) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.tables.put(s.next, t)
	return s.next
}

func (s *Session) getTable(id int) *keptTable {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables.byID[id]
}

// span is the slice [from, from+count) of n rows, clipped (count not
// positive: all the rest).
func span(n, from, count int) (int, int) {
	if from < 0 {
		from = 0
	}
	if from > n {
		from = n
	}
	to := n
	if count > 0 && from+count < to {
		to = from + count
	}
	return from, to
}

// diffsIn returns the differences about rows [from, to).
func diffsIn(diffs []CompareDiff, from, to int) []CompareDiff {
	out := []CompareDiff{}
	for _, d := range diffs {
		if d.Row >= from && d.Row < to {
			out = append(out, d)
		}
	}
	return out
}

// compare serves the compare method: Compare, paged when req.Rows is set.
func (s *Session) compare(ctx context.Context, req CompareRequest, progress func(Progress)) CompareResponse {
	resp := Compare(ctx, req, progress)
	if req.Rows <= 0 || len(resp.Errors) > 0 {
		return resp
	}
	resp.Table = s.addTable(&keptTable{compare: resp.Rows, diffs: resp.Diffs, text: resp.Text})
	_, to := span(len(resp.Rows), 0, req.Rows)
	resp.Rows, resp.Diffs = resp.Rows[:to], diffsIn(resp.Diffs, 0, to)
	resp.Text = ""
	return resp
}

// outcomes serves the outcomes method: Outcomes, paged when req.Rows is
// set.
func (s *Session) outcomes(ctx context.Context, req OutcomesRequest, progress func(Progress)) OutcomesResponse {
	resp := Outcomes(ctx, req, progress)
	if req.Rows <= 0 || len(resp.Errors) > 0 || resp.Unsupported != "" {
		return resp
	}
	resp.Table = s.addTable(&keptTable{cands: resp.Outcomes})
	_, to := span(len(resp.Outcomes), 0, req.Rows)
	resp.Outcomes = resp.Outcomes[:to]
	return resp
}

// TableRowsRequest asks for more rows of a kept comparison or candidate
// list (the Table its answer named).
type TableRowsRequest struct {
	Table int `json:"table"`
	From  int `json:"from"`
	Count int `json:"count,omitempty"` // 0: all the rest
}

// TableRowsResponse lists them: Rows and Diffs (about those rows) for a
// comparison, Candidates for a candidate list.
type TableRowsResponse struct {
	From       int                `json:"from"`
	Total      int                `json:"total"`
	Rows       []CompareRow       `json:"rows"`
	Diffs      []CompareDiff      `json:"diffs"`
	Candidates []CandidateOutcome `json:"candidates"`
	// Unavailable says why there are none (the table is no longer kept).
	Unavailable string `json:"unavailable,omitempty"`
}

// TableRows pages through a kept comparison or candidate list.
func (s *Session) TableRows(req TableRowsRequest) TableRowsResponse {
	resp := TableRowsResponse{From: req.From, Rows: []CompareRow{}, Diffs: []CompareDiff{}, Candidates: []CandidateOutcome{}}
	t := s.getTable(req.Table)
	if t == nil {
		resp.Unavailable = "that table is no longer kept: ask again"
		return resp
	}
	if t.cands != nil {
		from, to := span(len(t.cands), req.From, req.Count)
		resp.From, resp.Total, resp.Candidates = from, len(t.cands), t.cands[from:to]
		return resp
	}
	from, to := span(len(t.compare), req.From, req.Count)
	resp.From, resp.Total, resp.Rows, resp.Diffs = from, len(t.compare), t.compare[from:to], diffsIn(t.diffs, from, to)
	return resp
}

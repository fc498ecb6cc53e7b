package playground

import (
	"context"
	"encoding/json"
	"fmt"
)

// Methods lists what Call answers.
var Methods = []string{"check", "run", "rows", "text", "draw", "explain", "outcomes", "compare", "tableRows", "asm", "trace"}

// Error is Call's answer when a request cannot be served at all. No
// response has a field named error, so the two never mix.
type Error struct {
	Error string `json:"error"`
}

// Call is the whole bridge in one function: it decodes the JSON request
// for method, serves it and returns the JSON response. Errors in the
// program are part of the response (Errors fields); only an unknown
// method, a malformed request or an internal failure give an Error. A
// panic is recovered into an Error, so one bad request cannot take the
// page's engine down.
func (s *Session) Call(ctx context.Context, method string, req []byte, progress func(Progress)) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			out = encode(Error{Error: fmt.Sprintf("internal error in %s: %v", method, r)})
		}
	}()
	var resp any
	var err error
	switch method {
	case "check":
		var r Source
		if err = json.Unmarshal(req, &r); err == nil {
			resp = Check(r)
		}
	case "run":
		var r RunRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.Run(ctx, r, progress)
		}
	case "rows":
		var r RowsRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.Rows(r)
		}
	case "text":
		var r TextRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.Text(r)
		}
	case "draw":
		var r DrawRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.Draw(r)
		}
	case "explain":
		var r ExplainRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = Explain(ctx, r, progress)
		}
	case "outcomes":
		var r OutcomesRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.outcomes(ctx, r, progress)
		}
	case "compare":
		var r CompareRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.compare(ctx, r, progress)
		}
	case "tableRows":
		var r TableRowsRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = s.TableRows(r)
		}
	case "asm":
		var r AsmRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = Asm(r)
		}
	case "trace":
		var r TraceRequest
		if err = json.Unmarshal(req, &r); err == nil {
			resp = Trace(ctx, r, progress)
		}
	default:
		return encode(Error{Error: fmt.Sprintf("unknown method %q", method)})
	}
	if err != nil {
		return encode(Error{Error: fmt.Sprintf("bad %s request: %v", method, err)})
	}
	return encode(resp)
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(Error{Error: err.Error()})
	}
	return b
}

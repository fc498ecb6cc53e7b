package playground

import (
	"errors"
	"unicode/utf8"

	"happens"
	"happens/frontend"
	"happens/prog"
	"happens/source"
)

// Source is the program every request carries.
type Source struct {
	Src string `json:"src"`
	// Name is the file name the program came from ("sb.litmus"); it names
	// the test when the program has no name of its own.
	Name    string            `json:"name,omitempty"`
	Defines map[string]string `json:"defines,omitempty"`
	// Test names the #[test] function to run in a Rust file with several
	// (the first when empty).
	Test string `json:"test,omitempty"`
}

// Diag is one positioned error.
type Diag struct {
	Line int `json:"line"` // 1-based; 0 when the error has no position
	Col  int `json:"col"`  // 1-based, in UTF-16 units
	// From is the error's offset in the program text, in UTF-16 units
	// (-1 without a position): where the editor underlines.
	From int    `json:"from"`
	Msg  string `json:"msg"`
}

// CheckResponse says whether a program parses, in which format.
type CheckResponse struct {
	Format string `json:"format"` // "rust" or "c"
	Name   string `json:"name,omitempty"`
	Doc    string `json:"doc,omitempty"`
	// Threads and Observed name the program's threads and the values an
	// outcome shows, for the page's outcome field.
	Threads  []string `json:"threads,omitempty"`
	Observed []string `json:"observed,omitempty"`
	Cond     string   `json:"cond,omitempty"`
	// Tests are the #[test] functions of a Rust file, when it has any.
	Tests  []string `json:"tests"`
	Errors []Diag   `json:"errors"`
}

func (s Source) filename() string {
	if s.Name != "" {
		return s.Name
	}
	return "program.litmus"
}

// parse reads the program, or returns its errors as diagnostics.
func (s Source) parse() (*prog.Program, []Diag) {
	p, err := happens.ParseTest(s.filename(), []byte(s.Src), s.Defines, s.Test)
	if err != nil {
		return nil, diags(err, s.Src)
	}
	return p, nil
}

// Check parses a program and reports every error.
func Check(s Source) CheckResponse {
	r := CheckResponse{Format: frontend.Format([]byte(s.Src)), Errors: []Diag{}, Tests: []string{}}
	r.Tests = append(r.Tests, happens.TestNames(s.filename(), []byte(s.Src))...)
	p, ds := s.parse()
	if ds != nil {
		r.Errors = ds
		return r
	}
	r.Name, r.Doc = p.Name, p.Doc
	for _, t := range p.Threads {
		r.Threads = append(r.Threads, t.Name)
	}
	for _, o := range observables(p) {
		r.Observed = append(r.Observed, o.Name)
	}
	if p.Cond != nil {
		r.Cond = p.Cond.Text
	}
	return r
}

// diags converts a parse error to diagnostics against src.
func diags(err error, src string) []Diag {
	var list source.ErrorList
	var one *source.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = source.ErrorList{one}
	default:
		return []Diag{{From: -1, Msg: err.Error()}}
	}
	out := make([]Diag, 0, len(list))
	for _, e := range list {
		out = append(out, diag(e.Pos, e.Msg, src))
	}
	return out
}

// diag places a message at a (line, byte column) position of src.
func diag(pos source.Pos, msg, src string) Diag {
	if !pos.IsValid() {
		return Diag{From: -1, Msg: msg}
	}
	line, col, from := utf16Pos(src, pos.Line, pos.Col)
	return Diag{Line: line, Col: col, From: from, Msg: msg}
}

// utf16Pos converts a 1-based line and byte column to a 1-based UTF-16
// column and a UTF-16 offset from the start of src, clamped to the text.
func utf16Pos(src string, line, col int) (int, int, int) {
	off16, l, i := 0, 1, 0
	for i < len(src) && l < line {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		off16 += utf16Len(r)
		if r == '\n' {
			l++
		}
	}
	if l < line { // past the end: the end of the text
		return l, 1, off16
	}
	c16 := 1
	for b := 1; b < col && i < len(src) && src[i] != '\n'; {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		b += n
		off16 += utf16Len(r)
		c16 += utf16Len(r)
	}
	return line, c16, off16
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

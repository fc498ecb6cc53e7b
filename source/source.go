// Package source holds positions and positioned errors, the bottom layer that
// every front end and every later stage uses to point back at program text.
package source

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; the zero Pos
// means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a real place.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		if p.File != "" {
			return p.File
		}
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one positioned diagnostic.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList collects every error of a pass, so a user sees them all at once.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Sort orders the list by position and removes exact duplicates.
func (l ErrorList) Sort() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := l[:0]
	for i, e := range l {
		if i > 0 && *e == *l[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns nil for an empty list, and the sorted list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sort()
}

// MaxShown is the number of errors Format prints before it summarises the
// rest as "and N more".
const MaxShown = 20

// lineWindow is the most characters of a source line Format shows; longer
// lines are cut around the caret.
const lineWindow = 100

// Format writes every error as "file:line:col: message", followed by the
// offending source line and a caret under the column (columns count
// characters), when src is the text of the named file. It shows at most
// MaxShown errors, never echoes control characters or invalid UTF-8, and
// cuts long lines around the caret.
func Format(err error, src []byte) string {
	var list ErrorList
	switch e := err.(type) {
	case ErrorList:
		list = e
	case *Error:
		list = ErrorList{e}
	default:
		return Printable(err.Error()) + "\n"
	}
	src = bytes.TrimPrefix(src, bom)
	lines := strings.Split(string(src), "\n")
	var b strings.Builder
	for i, e := range list {
		if i == MaxShown {
			fmt.Fprintf(&b, "... and %d more errors\n", len(list)-MaxShown)
			break
		}
		b.WriteString(Printable(e.Error()))
		b.WriteByte('\n')
		if e.Pos.Line >= 1 && e.Pos.Line <= len(lines) {
			line := []rune(Printable(strings.TrimRight(lines[e.Pos.Line-1], "\r")))
			col := e.Pos.Col
			if col < 1 {
				col = 1
			}
			if col > len(line)+1 {
				col = len(line) + 1
			}
			caret := col - 1
			if len(line) > lineWindow {
				from := caret - lineWindow/2
				if from < 0 {
					from = 0
				}
				to := from + lineWindow
				if to > len(line) {
					to, from = len(line), len(line)-lineWindow
				}
				cut := string(line[from:to])
				caret -= from
				if from > 0 {
					cut = "…" + cut
					caret++
				}
				if to < len(line) {
					cut += "…"
				}
				line = []rune(cut)
			}
			b.WriteString("    ")
			b.WriteString(string(line))
			b.WriteString("\n    ")
			b.WriteString(strings.Repeat(" ", caret))
			b.WriteString("^\n")
		}
	}
	return b.String()
}

var bom = []byte("\uFEFF")

// StripBOM removes a UTF-8 byte-order mark from the start of src.
func StripBOM(src []byte) []byte { return bytes.TrimPrefix(src, bom) }

// Printable makes s safe to print on a terminal: invalid UTF-8 and control
// characters become U+FFFD, tabs become spaces.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r == '\t' || (unicode.IsControl(r) && r != '\n') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError || (unicode.IsControl(r) && r != '\n'):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

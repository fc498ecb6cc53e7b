// Package source holds positions and positioned errors, the bottom layer that
// every front end and every later stage uses to point back at program text.
package source

import (
	"fmt"
	"sort"
	"strings"
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

// Format writes every error as "file:line:col: message", followed by the
// offending source line and a caret under the column, when src is the text of
// the named file.
func Format(err error, src []byte) string {
	var list ErrorList
	switch e := err.(type) {
	case ErrorList:
		list = e
	case *Error:
		list = ErrorList{e}
	default:
		return err.Error() + "\n"
	}
	lines := strings.Split(string(src), "\n")
	var b strings.Builder
	for _, e := range list {
		b.WriteString(e.Error())
		b.WriteByte('\n')
		if e.Pos.Line >= 1 && e.Pos.Line <= len(lines) {
			line := strings.TrimRight(lines[e.Pos.Line-1], "\r")
			b.WriteString("    ")
			b.WriteString(strings.ReplaceAll(line, "\t", " "))
			b.WriteString("\n    ")
			col := e.Pos.Col
			if col < 1 {
				col = 1
			}
			// Count runes so multi-byte characters before the caret keep it aligned.
			prefix := line
			if col-1 <= len(prefix) {
				prefix = prefix[:col-1]
			}
			b.WriteString(strings.Repeat(" ", len([]rune(prefix))))
			b.WriteString("^\n")
		}
	}
	return b.String()
}

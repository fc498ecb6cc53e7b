package source

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFormatCapsErrors(t *testing.T) {
	var list ErrorList
	for i := 1; i <= 30; i++ {
		list.Add(Pos{File: "f", Line: 1, Col: i}, "bad %d", i)
	}
	out := Format(list, []byte(strings.Repeat("x", 40)))
	if n := strings.Count(out, "f:1:"); n != MaxShown {
		t.Errorf("%d errors shown, want %d", n, MaxShown)
	}
	if !strings.Contains(out, "... and 10 more errors") {
		t.Errorf("no summary of the rest:\n%s", out)
	}
}

func TestFormatNeverEchoesControlBytes(t *testing.T) {
	src := []byte("ab\x00\x1b[31mcd\xff\xfeef")
	out := Format(&Error{Pos: Pos{File: "f", Line: 1, Col: 3}, Msg: "found \x07 here"}, src)
	for _, r := range out {
		if r != '\n' && r < 0x20 {
			t.Errorf("control character %U in output %q", r, out)
		}
	}
	if !utf8.ValidString(out) {
		t.Errorf("invalid UTF-8 in output %q", out)
	}
}

// Columns count characters: the caret sits under the character the
// column names, after multi-byte characters and a byte-order mark.
func TestFormatCaretCountsCharacters(t *testing.T) {
	src := []byte("\uFEFFlet é = X.lod();")
	out := Format(&Error{Pos: Pos{File: "f", Line: 1, Col: 11}, Msg: "m"}, src)
	lines := strings.Split(out, "\n")
	text, caret := []rune(lines[1]), []rune(lines[2])
	if text[len(caret)-1] != 'l' {
		t.Errorf("caret under %q, want under 'l' of lod:\n%s", text[len(caret)-1], out)
	}
}

func TestFormatCutsLongLines(t *testing.T) {
	line := strings.Repeat("a", 5000) + "X" + strings.Repeat("b", 5000)
	out := Format(&Error{Pos: Pos{File: "f", Line: 1, Col: 5001}, Msg: "m"}, []byte(line))
	lines := strings.Split(out, "\n")
	if n := utf8.RuneCountInString(lines[1]); n > lineWindow+10 {
		t.Errorf("source line shown with %d characters", n)
	}
	text, caret := []rune(lines[1]), []rune(lines[2])
	if text[len(caret)-1] != 'X' {
		t.Errorf("caret not under X:\n%s", out)
	}
}

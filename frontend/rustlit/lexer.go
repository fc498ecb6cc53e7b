package rustlit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"happens/source"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tString
	tPunct
)

type token struct {
	kind tokKind
	text string
	pos  source.Pos
	off  int // byte offset of the token's start
	end  int // byte offset just past it
}

// puncts lists multi-character punctuation, longest first.
var puncts = []string{
	"<<=", ">>=", "..=", "...",
	"::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "..",
	"{", "}", "(", ")", "[", "]", ";", ":", ",", ".", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "#", "?", "@", "'", "$",
}

// lex splits src into tokens. Doc lines (//! ...) before the first item are
// returned separately.
func lex(file string, src []byte, errs *source.ErrorList) (toks []token, doc []string) {
	line, col := 1, 1
	i := 0
	s := string(src)
	advance := func(n int) {
		for k := 0; k < n && i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i += size
			k += size
		}
	}
	for i < len(s) {
		c := s[i]
		pos := source.Pos{File: file, Line: line, Col: col}
		switch {
		case c == '\n' || c == ' ' || c == '\t' || c == '\r':
			advance(1)
		case strings.HasPrefix(s[i:], "//"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			text := s[i : i+j]
			if strings.HasPrefix(text, "//!") && len(toks) == 0 {
				doc = append(doc, strings.TrimSpace(strings.TrimPrefix(text, "//!")))
			}
			advance(j)
		case strings.HasPrefix(s[i:], "/*"):
			depth, j := 0, i
			for j < len(s) {
				if strings.HasPrefix(s[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(s[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			if depth != 0 {
				errs.Add(pos, "unterminated block comment")
			}
			advance(j - i)
		case c == '"':
			j := i + 1
			var b strings.Builder
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					switch s[j+1] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(s[j+1])
					}
					j += 2
					continue
				}
				b.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				errs.Add(pos, "unterminated string literal")
				advance(len(s) - i)
				continue
			}
			toks = append(toks, token{kind: tString, text: b.String(), pos: pos, off: i, end: j + 1})
			advance(j + 1 - i)
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isIdentChar(rune(s[j]))) {
				j++
			}
			toks = append(toks, token{kind: tInt, text: s[i:j], pos: pos, off: i, end: j})
			advance(j - i)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == '_' || unicode.IsLetter(r) {
				j := i + size
				for j < len(s) {
					r2, sz := utf8.DecodeRuneInString(s[j:])
					if !isIdentChar(r2) {
						break
					}
					j += sz
				}
				toks = append(toks, token{kind: tIdent, text: s[i:j], pos: pos, off: i, end: j})
				advance(j - i)
				continue
			}
			matched := false
			for _, p := range puncts {
				if strings.HasPrefix(s[i:], p) {
					toks = append(toks, token{kind: tPunct, text: p, pos: pos, off: i, end: i + len(p)})
					advance(len(p))
					matched = true
					break
				}
			}
			if !matched {
				errs.Add(pos, "unexpected character %q", r)
				advance(size)
			}
		}
	}
	toks = append(toks, token{kind: tEOF, pos: source.Pos{File: file, Line: line, Col: col}, off: len(s), end: len(s)})
	return toks, doc
}

func isIdentChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

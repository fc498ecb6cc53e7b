package rustlit

import (
	"regexp"
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
	tLabel // 'name: a loop label or a lifetime
	tChar  // 'c'
	tMark  // a `// t_1` comment: a thread starts here (text is its name)
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
//
// hashes are the `# text` comments after code (see snippet.go).
func lex(file string, src []byte, errs *source.ErrorList) (toks []token, doc []string, hashes []source.Pos) {
	line, col := 1, 1
	i := 0
	s := string(src)
	if strings.HasPrefix(s, "\uFEFF") {
		// A UTF-8 byte-order mark.
		i = len("\uFEFF")
	}
	// open counts the braces opened and not closed on the current line, to
	// recognise a snippet whose line breaks were lost.
	open, openLine := 0, 0
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
			if name, n, ok := threadMark(text, openLine == line && open > 0); ok {
				toks = append(toks, token{kind: tMark, text: name, pos: pos, off: i, end: i + n})
				advance(n)
				continue
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
		case c == '#' && (i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '\n' || s[i+1] == '\r'):
			// Not an attribute (#[...], #![...]). First on its line, `# `
			// marks a line of code that mdBook and rustdoc hide: the code
			// is read. After code, it starts a comment (as in the seed's
			// `X.store(..); # earlier store`).
			if len(toks) > 0 && toks[len(toks)-1].pos.Line == line {
				hashes = append(hashes, source.Pos{File: file, Line: line, Col: col})
				j := strings.IndexByte(s[i:], '\n')
				if j < 0 {
					j = len(s) - i
				}
				advance(j)
			} else {
				advance(1)
			}
		case c == '\'':
			// 'c' is a char literal, 'name a label or lifetime.
			r, size := utf8.DecodeRuneInString(s[i+1:])
			if i+1 < len(s) && r == '\\' {
				j := strings.IndexByte(s[i+2:], '\'')
				if j >= 0 && j < 12 {
					toks = append(toks, token{kind: tChar, text: s[i : i+3+j], pos: pos, off: i, end: i + 3 + j})
					advance(3 + j)
					continue
				}
			}
			if i+1+size < len(s) && s[i+1+size] == '\'' {
				toks = append(toks, token{kind: tChar, text: s[i : i+2+size], pos: pos, off: i, end: i + 2 + size})
				advance(2 + size)
				continue
			}
			if r == '_' || unicode.IsLetter(r) {
				j := i + 1 + size
				for j < len(s) {
					r2, sz := utf8.DecodeRuneInString(s[j:])
					if !isIdentChar(r2) {
						break
					}
					j += sz
				}
				toks = append(toks, token{kind: tLabel, text: s[i+1 : j], pos: pos, off: i, end: j})
				advance(j - i)
				continue
			}
			toks = append(toks, token{kind: tPunct, text: "'", pos: pos, off: i, end: i + 1})
			advance(1)
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
					if openLine != line {
						open, openLine = 0, line
					}
					switch p {
					case "{":
						open++
					case "}":
						open--
					}
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
	return toks, doc, hashes
}

// markRE matches the thread comments of the Rust atomics book and the
// seeds: `// t_1`, `// t1`, `// Thread 1`, `// thread 2:`.
var markRE = regexp.MustCompile(`^//\s*(?:(t_?[0-9]+)|[Tt]hread[ _]?([0-9]+)):?(\s+|$)`)

// threadMark reports whether the comment text (from "//" to the end of
// the line) is a thread mark, the thread's name and how many bytes the
// mark takes. A mark is the whole comment, or, when flattened is set (a
// brace opened earlier on this line is still open: a snippet whose line
// breaks were lost), the start of the comment with code after it.
func threadMark(text string, flattened bool) (name string, n int, ok bool) {
	m := markRE.FindStringSubmatchIndex(text)
	if m == nil {
		return "", 0, false
	}
	if m[2] >= 0 {
		name = text[m[2]:m[3]]
	} else {
		name = "t" + text[m[4]:m[5]]
	}
	if m[1] == len(text) || strings.TrimSpace(text[m[1]:]) == "" {
		return name, len(text), true
	}
	if flattened {
		return name, m[1], true
	}
	return "", 0, false
}

func isIdentChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

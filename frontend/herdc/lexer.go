package herdc

import (
	"strings"
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

func (k tokKind) String() string {
	return [...]string{"end of file", "identifier", "number", "string", "punctuation"}[k]
}

type token struct {
	kind tokKind
	text string
	pos  source.Pos
	off  int // byte offset of the token's start
	end  int // byte offset just past it
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return "string " + t.text
	}
	return "'" + t.text + "'"
}

// puncts lists punctuation, longest first. "/\" and "\/" are herd's
// conjunction and disjunction; "=>" its implication.
var puncts = []string{
	"<<", ">>", "==", "!=", "<=", ">=", "&&", "||", "=>", "->", "/\\", "\\/",
	"{", "}", "(", ")", "[", "]", ";", ":", ",", ".", "=", "<", ">", "+", "-",
	"*", "/", "%", "&", "|", "^", "!", "~", "?",
}

// lexer turns a byte range of the source into tokens. Outside braces, herd's
// (* ... *) comments are skipped; inside braces (C code) "(*" is C.
type lexer struct {
	file  string
	src   string
	i     int
	line  int
	col   int
	depth int // brace depth seen so far
	errs  *source.ErrorList
}

func newLexer(file, src string, off, line, col int, errs *source.ErrorList) *lexer {
	return &lexer{file: file, src: src, i: off, line: line, col: col, errs: errs}
}

func (l *lexer) pos() source.Pos { return source.Pos{File: l.file, Line: l.line, Col: l.col} }

func (l *lexer) advance(n int) {
	for k := 0; k < n && l.i < len(l.src); {
		r, size := utf8.DecodeRuneInString(l.src[l.i:])
		if r == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.i += size
		k += size
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// skip skips white space and comments.
func (l *lexer) skip() {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.advance(1)
		case strings.HasPrefix(l.src[l.i:], "//"):
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.advance(1)
			}
		case strings.HasPrefix(l.src[l.i:], "/*"):
			p := l.pos()
			j := strings.Index(l.src[l.i+2:], "*/")
			if j < 0 {
				l.errs.Add(p, "unterminated comment")
				l.advance(len(l.src) - l.i)
				return
			}
			l.advance(j + 4)
		case l.depth == 0 && strings.HasPrefix(l.src[l.i:], "(*"):
			l.skipMLComment()
		default:
			return
		}
	}
}

// skipMLComment skips a (possibly nested) (* ... *) comment.
func (l *lexer) skipMLComment() {
	p := l.pos()
	depth := 0
	for l.i < len(l.src) {
		switch {
		case strings.HasPrefix(l.src[l.i:], "(*"):
			depth++
			l.advance(2)
		case strings.HasPrefix(l.src[l.i:], "*)"):
			depth--
			l.advance(2)
			if depth == 0 {
				return
			}
		default:
			l.advance(1)
		}
	}
	l.errs.Add(p, "unterminated comment")
}

// next returns the next token.
func (l *lexer) next() token {
	for {
		if t, ok := l.scan(); ok {
			return t
		}
	}
}

// scan returns the next token, or false after reporting a bad character.
func (l *lexer) scan() (token, bool) {
	l.skip()
	p := l.pos()
	start := l.i
	if l.i >= len(l.src) {
		return token{kind: tEOF, pos: p, off: start, end: start}, true
	}
	c := l.src[l.i]
	mk := func(k tokKind) token {
		return token{kind: k, text: l.src[start:l.i], pos: p, off: start, end: l.i}
	}
	switch {
	case isIdentStart(c):
		j := l.i
		for j < len(l.src) && isIdentChar(l.src[j]) {
			j++
		}
		l.advance(j - l.i)
		return mk(tIdent), true
	case c >= '0' && c <= '9':
		j := l.i
		for j < len(l.src) && isIdentChar(l.src[j]) {
			j++
		}
		l.advance(j - l.i)
		return mk(tInt), true
	case c == '"':
		j := l.i + 1
		for j < len(l.src) && l.src[j] != '"' {
			j++
		}
		if j >= len(l.src) {
			l.errs.Add(p, "unterminated string")
			l.advance(len(l.src) - l.i)
			return mk(tString), true
		}
		l.advance(j + 1 - l.i)
		return mk(tString), true
	}
	for _, s := range puncts {
		if strings.HasPrefix(l.src[l.i:], s) {
			l.advance(len(s))
			switch s {
			case "{":
				l.depth++
			case "}":
				if l.depth > 0 {
					l.depth--
				}
			}
			return mk(tPunct), true
		}
	}
	r, size := utf8.DecodeRuneInString(l.src[l.i:])
	if r == utf8.RuneError && size <= 1 {
		l.errs.Add(p, "invalid byte 0x%02x", c)
	} else {
		l.errs.Add(p, "unexpected character %q", r)
	}
	l.advance(max(size, 1))
	return token{}, false
}

// lexAll tokenizes from the lexer's position to the end of the source.
func (l *lexer) lexAll() []token {
	var toks []token
	for {
		t := l.next()
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks
		}
	}
}

package herdc

import (
	"strconv"
	"strings"

	"happens/prog"
	"happens/source"
)

const maxNesting = 200

type parser struct {
	file  string
	src   string
	toks  []token
	p     int
	errs  *source.ErrorList
	depth int
}

// parseLitmus reads the header, the information lines, and then the
// token-level parts of a test.
func parseLitmus(file, src string, errs *source.ErrorList) *litmus {
	lt := &litmus{}
	// Header: the first non-blank line, "C name".
	i, line := 0, 1
	if strings.HasPrefix(src, "\ufeff") {
		i = 3
	}
	for i < len(src) {
		j := strings.IndexByte(src[i:], '\n')
		var ln string
		if j < 0 {
			ln = src[i:]
			j = len(src) - i
		} else {
			ln = src[i : i+j]
		}
		if strings.TrimSpace(ln) != "" {
			break
		}
		i += j + 1
		line++
	}
	if i >= len(src) {
		errs.Add(source.Pos{File: file, Line: 1, Col: 1}, "empty test: expected a header line \"C name\"")
		return nil
	}
	end := strings.IndexByte(src[i:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += i
	}
	header := src[i:end]
	lead := len(header) - len(strings.TrimLeft(header, " \t\r"))
	fields := strings.Fields(header)
	hpos := source.Pos{File: file, Line: line, Col: lead + 1}
	if fields[0] != "C" {
		errs.Add(hpos, "not a C litmus test: the header names architecture %q (only herd's C dialect is supported)", fields[0])
		return nil
	}
	if len(fields) < 2 {
		errs.Add(hpos, "header line has no test name (expected \"C name\")")
	} else {
		lt.name = strings.Join(fields[1:], " ")
		lt.namePos = source.Pos{File: file, Line: line, Col: strings.Index(header, fields[1]) + 1}
	}

	// Information lines up to the init block's "{": a quoted description,
	// key=value lines, (* comments *).
	i = end
	col := 1
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			lt.doc = append(lt.doc, s)
		}
		cur.Reset()
	}
	found := false
	for i < len(src) && !found {
		c := src[i]
		switch {
		case c == '\n':
			flush()
			line++
			col = 1
			i++
		case c == '"':
			j := strings.IndexByte(src[i+1:], '"')
			if j < 0 {
				errs.Add(source.Pos{File: file, Line: line, Col: col}, "unterminated string")
				i = len(src)
				break
			}
			s := src[i+1 : i+1+j]
			cur.WriteString(s)
			for _, r := range src[i : i+j+2] {
				if r == '\n' {
					line++
					col = 1
				} else {
					col++
				}
			}
			i += j + 2
		case strings.HasPrefix(src[i:], "(*"):
			depth := 0
			p := source.Pos{File: file, Line: line, Col: col}
			for i < len(src) {
				if strings.HasPrefix(src[i:], "(*") {
					depth++
					i += 2
					col += 2
				} else if strings.HasPrefix(src[i:], "*)") {
					depth--
					i += 2
					col += 2
					if depth == 0 {
						break
					}
				} else {
					if src[i] == '\n' {
						line++
						col = 1
					} else {
						col++
					}
					i++
				}
			}
			if depth != 0 {
				errs.Add(p, "unterminated comment")
			}
		case c == '{':
			found = true
		case strings.TrimSpace(cur.String()) == "" && startsThread(src[i:]):
			errs.Add(source.Pos{File: file, Line: line, Col: col}, "missing init block '{ ... }' before the threads")
			return nil
		default:
			cur.WriteByte(c)
			i++
			col++
		}
	}
	flush()
	if !found {
		errs.Add(source.Pos{File: file, Line: line, Col: col}, "missing init block '{ ... }' after the header")
		return lt
	}
	lx := newLexer(file, src, i, line, col, errs)
	ps := &parser{file: file, src: src, toks: lx.lexAll(), errs: errs}
	ps.parseBody(lt)
	return lt
}

func (p *parser) peek() token { return p.toks[p.p] }
func (p *parser) peekN(n int) token {
	if p.p+n < len(p.toks) {
		return p.toks[p.p+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}

func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tPunct || t.kind == tIdent) && t.text == text
}

func (p *parser) accept(text string) bool {
	if p.is(text) {
		p.p++
		return true
	}
	return false
}

// expect consumes text or reports an error; it returns whether it was there.
func (p *parser) expect(text, context string) bool {
	if p.accept(text) {
		return true
	}
	p.errorf(p.peek().pos, "expected '%s' %s, found %s", text, context, p.peek().describe())
	return false
}

func (p *parser) errorf(pos source.Pos, format string, args ...any) {
	p.errs.Add(pos, format, args...)
}

// prev is the end offset of the last consumed token.
func (p *parser) prevEnd() int {
	if p.p == 0 {
		return p.toks[0].off
	}
	return p.toks[p.p-1].end
}

// skipTo skips tokens to one of the stop texts at the current brace
// nesting (not consuming it), or past a closing brace of an enclosing
// block (not consuming that either).
func (p *parser) skipTo(stops ...string) {
	depth := 0
	for {
		t := p.peek()
		if t.kind == tEOF {
			return
		}
		if t.kind == tPunct {
			switch t.text {
			case "{":
				depth++
			case "}":
				if depth == 0 {
					return
				}
				depth--
				if depth == 0 {
					p.p++
					if containsStr(stops, "}") {
						return
					}
					continue
				}
			}
		}
		if depth == 0 && (t.kind == tPunct || t.kind == tIdent) && containsStr(stops, t.text) {
			return
		}
		p.p++
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) enter(pos source.Pos) bool {
	p.depth++
	if p.depth > maxNesting {
		if p.depth == maxNesting+1 {
			p.errorf(pos, "nesting too deep")
		}
		return false
	}
	return true
}

func (p *parser) leave() { p.depth-- }

// startsThread reports whether s starts with "P<n>(".
func startsThread(s string) bool {
	j := 1
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if len(s) == 0 || s[0] != 'P' || j == 1 {
		return false
	}
	s = strings.TrimLeft(s[j:], " \t")
	return strings.HasPrefix(s, "(")
}

// threadIndex recognises "P<n>".
func threadIndex(s string) (int, bool) {
	if len(s) < 2 || s[0] != 'P' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > 1<<16 || strconv.Itoa(n) != s[1:] {
		return 0, false
	}
	return n, true
}

// parseBody parses the init block, the threads and the final clauses.
func (p *parser) parseBody(lt *litmus) {
	p.parseInit(lt)
	for {
		t := p.peek()
		if t.kind != tIdent {
			break
		}
		n, ok := threadIndex(t.text)
		if !ok || !p.peekN(1).isPunct("(") {
			break
		}
		if len(lt.threads) == prog.MaxThreads {
			p.errorf(t.pos, "the program has more than %d threads; at most %d are supported", prog.MaxThreads, prog.MaxThreads)
			return
		}
		th := p.parseThread(n)
		if th != nil {
			if th.index != len(lt.threads) {
				p.errorf(th.pos, "thread P%d out of order: expected P%d", th.index, len(lt.threads))
			}
			lt.threads = append(lt.threads, th)
		}
	}
	if len(lt.threads) == 0 {
		p.errorf(p.peek().pos, "expected a thread 'P0(...) { ... }', found %s", p.peek().describe())
	}
	p.parseTail(lt)
}

func (t token) isPunct(s string) bool { return t.kind == tPunct && t.text == s }

// parseInit parses "{ item; item; ... }".
func (p *parser) parseInit(lt *litmus) {
	if !p.expect("{", "to open the init block") {
		return
	}
	for !p.is("}") && p.peek().kind != tEOF {
		if p.accept(";") {
			continue
		}
		start := p.p
		it := p.parseInitItem()
		if it != nil {
			lt.init = append(lt.init, it)
		}
		if p.is("}") {
			break
		}
		if !p.accept(";") {
			if it != nil {
				p.errorf(p.peek().pos, "expected ';' or '}' in the init block, found %s", p.peek().describe())
			}
			p.skipTo(";", "}")
			if p.p == start && !p.is("}") && p.peek().kind != tEOF {
				p.next()
			}
		}
	}
	p.expect("}", "to close the init block")
}

// parseInitItem parses "[type] loc [= value]".
func (p *parser) parseInitItem() *initItem {
	it := &initItem{pos: p.peek().pos, thread: -1}
	if p.startsType() {
		it.typ = p.parseType()
		if it.typ == nil {
			return nil
		}
	}
	// Location.
	t := p.peek()
	switch {
	case t.isPunct("["):
		p.next()
		n := p.next()
		if n.kind != tIdent {
			p.errorf(n.pos, "expected a location name after '[', found %s", n.describe())
			return nil
		}
		it.name = n.text
		if !p.expect("]", "after the location") {
			return nil
		}
	case t.kind == tInt || t.kind == tIdent && p.peekN(1).isPunct(":"):
		th, ok := p.threadNum(t)
		p.next()
		if !ok || !p.expect(":", "after the thread number") {
			return nil
		}
		r := p.next()
		if r.kind != tIdent {
			p.errorf(r.pos, "expected a register name after '%s:', found %s", t.text, r.describe())
			return nil
		}
		it.thread, it.name = th, r.text
	case t.kind == tIdent:
		p.next()
		it.name = t.text
		if p.is("[") {
			p.errorf(p.peek().pos, "arrays are not supported")
			return nil
		}
	default:
		p.errorf(t.pos, "expected a location in the init block, found %s", t.describe())
		return nil
	}
	if p.accept("=") {
		it.val = p.parseInitVal()
		if it.val == nil {
			return nil
		}
	}
	return it
}

// threadNum reads the thread of a register "0:r" or "P0:r".
func (p *parser) threadNum(t token) (int, bool) {
	if t.kind == tInt {
		n, err := strconv.Atoi(t.text)
		if err == nil && n >= 0 && n < 1<<16 {
			return n, true
		}
	} else if n, ok := threadIndex(t.text); ok {
		return n, true
	}
	p.errorf(t.pos, "bad thread number %q", t.text)
	return 0, false
}

func (p *parser) parseInitVal() *initVal {
	t := p.peek()
	v := &initVal{pos: t.pos}
	switch {
	case t.kind == tIdent && t.text == "ATOMIC_INIT":
		p.next()
		if !p.expect("(", "after ATOMIC_INIT") {
			return nil
		}
		v = p.parseInitVal()
		if v == nil || !p.expect(")", "to close ATOMIC_INIT") {
			return nil
		}
		return v
	case t.isPunct("&"):
		p.next()
		n := p.next()
		if n.kind != tIdent {
			p.errorf(n.pos, "expected a location name after '&', found %s", n.describe())
			return nil
		}
		v.addr = n.text
	case t.kind == tIdent:
		p.next()
		v.addr = t.text
	default:
		n, ok := p.parseSignedNum()
		if !ok {
			return nil
		}
		v.num = n
	}
	return v
}

// parseSignedNum parses ['-'|'+'] number as a 64-bit value.
func (p *parser) parseSignedNum() (int64, bool) {
	neg := false
	if p.accept("-") {
		neg = true
	} else {
		p.accept("+")
	}
	t := p.next()
	if t.kind != tInt {
		p.errorf(t.pos, "expected a number, found %s", t.describe())
		return 0, false
	}
	u, ok := parseUint(t.text)
	if !ok || u > 1<<63 || u == 1<<63 && !neg {
		p.errorf(t.pos, "number %s out of range (values are limited to 64 bits)", t.text)
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// parseUint parses a C integer literal (decimal, hex, octal; an optional
// u/l suffix).
func parseUint(s string) (uint64, bool) {
	s = strings.TrimRight(s, "uUlL")
	var v uint64
	var err error
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		v, err = strconv.ParseUint(s[2:], 16, 64)
	case len(s) > 1 && s[0] == '0':
		v, err = strconv.ParseUint(s[1:], 8, 64)
	default:
		v, err = strconv.ParseUint(s, 10, 64)
	}
	return v, err == nil
}

// Types.

var baseTypes = map[string]bool{
	"int": true, "char": true, "short": true, "long": true, "unsigned": true, "signed": true,
	"_Bool": true, "bool": true, "const": true, "volatile": true, "_Atomic": true,
	"atomic_int": true, "atomic_uint": true, "atomic_long": true, "atomic_ulong": true,
	"atomic_llong": true, "atomic_ullong": true, "atomic_char": true, "atomic_uchar": true,
	"atomic_short": true, "atomic_ushort": true, "atomic_bool": true, "atomic_t": true,
	"atomic_intptr_t": true, "atomic_uintptr_t": true,
	"intptr_t": true, "uintptr_t": true,
	"int8_t": true, "int16_t": true, "int32_t": true, "int64_t": true,
	"uint8_t": true, "uint16_t": true, "uint32_t": true, "uint64_t": true,
	"__int128": true, "__int128_t": true, "__uint128_t": true,
	"void": true, "spinlock_t": true, "mtx_t": true,
}

func (p *parser) startsType() bool {
	t := p.peek()
	return t.kind == tIdent && baseTypes[t.text]
}

// parseType parses a declaration's type: qualifiers, base words and
// pointer stars.
func (p *parser) parseType() *ctype {
	start := p.peek()
	ty := &ctype{pos: start.pos}
	var words []string
	atomic := false
	var inner *ctype
	for {
		t := p.peek()
		if t.kind != tIdent || !baseTypes[t.text] {
			break
		}
		p.next()
		switch t.text {
		case "const", "volatile":
			continue
		case "_Atomic":
			atomic = true
			if p.is("(") {
				p.next()
				if !p.startsType() {
					p.errorf(p.peek().pos, "expected a type in _Atomic(...), found %s", p.peek().describe())
					return nil
				}
				if !p.enter(t.pos) {
					p.leave()
					return nil
				}
				inner = p.parseType()
				p.leave()
				if inner == nil || !p.expect(")", "to close _Atomic(...)") {
					return nil
				}
			}
			continue
		}
		words = append(words, t.text)
	}
	if inner != nil {
		if len(words) > 0 {
			p.errorf(start.pos, "unexpected type words after _Atomic(...)")
			return nil
		}
		*ty = *inner
		ty.atomic = true
	} else if !p.baseType(ty, words, start) {
		return nil
	} else if atomic {
		ty.atomic = true
	}
	for p.is("*") {
		p.next()
		ty = &ctype{elem: ty, bits: 64, pos: start.pos}
		for p.accept("const") || p.accept("volatile") {
		}
		if p.accept("_Atomic") {
			ty.atomic = true
		}
	}
	ty.name = strings.Join(strings.Fields(p.src[start.off:p.prevEnd()]), " ")
	return ty
}

// baseType fills ty from the base words of a type.
func (p *parser) baseType(ty *ctype, words []string, start token) bool {
	set := func(bits int, signed bool) { ty.bits, ty.signed = bits, signed }
	if len(words) == 1 {
		switch w := words[0]; w {
		case "int", "signed", "int32_t":
			set(32, true)
			return true
		case "unsigned", "uint32_t":
			set(32, false)
			return true
		case "char", "int8_t":
			set(8, true)
			return true
		case "uint8_t", "_Bool", "bool":
			if w == "_Bool" || w == "bool" {
				p.errorf(start.pos, "type %s is not supported", w)
				return false
			}
			set(8, false)
			return true
		case "short", "int16_t":
			set(16, true)
			return true
		case "uint16_t":
			set(16, false)
			return true
		case "long", "int64_t", "intptr_t":
			set(64, true)
			return true
		case "uint64_t", "uintptr_t":
			set(64, false)
			return true
		case "atomic_int", "atomic_t":
			set(32, true)
			ty.atomic = true
			return true
		case "atomic_uint":
			set(32, false)
			ty.atomic = true
			return true
		case "atomic_long", "atomic_llong", "atomic_intptr_t":
			set(64, true)
			ty.atomic = true
			return true
		case "atomic_ulong", "atomic_ullong", "atomic_uintptr_t":
			set(64, false)
			ty.atomic = true
			return true
		case "atomic_char":
			set(8, true)
			ty.atomic = true
			return true
		case "atomic_uchar":
			set(8, false)
			ty.atomic = true
			return true
		case "atomic_short":
			set(16, true)
			ty.atomic = true
			return true
		case "atomic_ushort":
			set(16, false)
			ty.atomic = true
			return true
		case "__int128", "__int128_t":
			set(64, true)
			ty.wide = true
			return true
		case "__uint128_t":
			set(64, false)
			ty.wide = true
			return true
		}
	}
	// Combinations of C's base words.
	unsigned, signed, longs, shorts, chars, ints, i128 := 0, 0, 0, 0, 0, 0, 0
	for _, w := range words {
		switch w {
		case "unsigned":
			unsigned++
		case "signed":
			signed++
		case "long":
			longs++
		case "short":
			shorts++
		case "char":
			chars++
		case "int":
			ints++
		case "__int128":
			i128++
		default:
			p.errorf(start.pos, "type '%s' is not supported", strings.Join(words, " "))
			return false
		}
	}
	if len(words) == 0 || unsigned+signed > 1 || ints > 1 || chars > 1 || longs > 2 || shorts > 1 ||
		(chars+shorts+min(longs, 1)+i128) > 1 || (chars > 0 || i128 > 0) && ints > 0 {
		if len(words) == 0 {
			p.errorf(start.pos, "expected a type, found %s", start.describe())
		} else {
			p.errorf(start.pos, "type '%s' is not supported", strings.Join(words, " "))
		}
		return false
	}
	sg := unsigned == 0
	switch {
	case i128 > 0:
		set(64, sg)
		ty.wide = true
	case chars > 0:
		set(8, sg)
	case shorts > 0:
		set(16, sg)
	case longs > 0:
		set(64, sg)
	default:
		set(32, sg)
	}
	return true
}

// Threads.

func (p *parser) parseThread(n int) *threadDecl {
	t := p.next()
	th := &threadDecl{index: n, pos: t.pos}
	p.next() // '('
	if !p.is(")") {
		for {
			pt := p.peek()
			if !p.startsType() {
				p.errorf(pt.pos, "expected a parameter type, found %s", pt.describe())
				p.skipTo(")", "{")
				break
			}
			ty := p.parseType()
			nm := p.peek()
			if ty == nil || nm.kind != tIdent {
				if ty != nil {
					p.errorf(nm.pos, "expected a parameter name, found %s", nm.describe())
				}
				p.skipTo(")", "{")
				break
			}
			p.next()
			if !ty.isPtr() {
				p.errorf(pt.pos, "parameter %s must be a pointer to a shared location (type %s)", nm.text, ty.name)
			} else {
				th.params = append(th.params, &param{typ: ty, name: nm.text, pos: nm.pos})
			}
			if !p.accept(",") {
				break
			}
		}
	}
	p.expect(")", "to close the parameter list")
	if !p.is("{") {
		p.errorf(p.peek().pos, "expected '{' to open the body of P%d, found %s", n, p.peek().describe())
		p.skipTo("{")
		if !p.is("{") {
			return th
		}
	}
	blk := p.parseBlock()
	th.body = blk.stmts
	return th
}

// parseBlock parses "{ stmt* }".
func (p *parser) parseBlock() *blockStmt {
	open := p.next() // '{'
	b := &blockStmt{pos: open.pos}
	for !p.is("}") && p.peek().kind != tEOF {
		start := p.p
		s := p.parseStmt()
		if s != nil {
			b.stmts = append(b.stmts, s)
		}
		if p.p == start {
			p.next()
		}
	}
	if !p.accept("}") {
		p.errorf(open.pos, "unclosed '{'")
	}
	return b
}

// parseStmt parses one statement; on error it reports, resynchronises and
// returns nil.
func (p *parser) parseStmt() stmt {
	t := p.peek()
	if !p.enter(t.pos) {
		p.leave()
		p.skipTo(";", "}")
		p.accept(";")
		return nil
	}
	defer p.leave()
	switch {
	case t.isPunct("{"):
		return p.parseBlock()
	case t.isPunct(";"):
		p.next()
		return &blockStmt{pos: t.pos}
	case t.kind == tIdent && t.text == "if":
		p.next()
		s := &ifStmt{pos: t.pos}
		if !p.expect("(", "after 'if'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		s.cond = p.parseExpr()
		if s.cond == nil || !p.expect(")", "to close the condition of 'if'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		s.then = p.parseStmt()
		if p.accept("else") {
			s.els_ = p.parseStmt()
		}
		if s.then == nil {
			return nil
		}
		return s
	case t.kind == tIdent && t.text == "while":
		p.next()
		s := &whileStmt{pos: t.pos}
		if !p.expect("(", "after 'while'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		s.cond = p.parseExpr()
		if s.cond == nil || !p.expect(")", "to close the condition of 'while'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		s.body = p.parseStmt()
		if s.body == nil {
			return nil
		}
		return s
	case t.kind == tIdent && t.text == "do":
		p.next()
		s := &whileStmt{pos: t.pos, do: true}
		s.body = p.parseStmt()
		if !p.expect("while", "after the body of 'do'") || !p.expect("(", "after 'while'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		s.cond = p.parseExpr()
		if s.cond == nil || !p.expect(")", "to close the condition of 'while'") || !p.expect(";", "after 'do ... while (...)'") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		if s.body == nil {
			return nil
		}
		return s
	case t.kind == tIdent && (t.text == "for" || t.text == "switch" || t.text == "goto" || t.text == "return" ||
		t.text == "break" || t.text == "continue"):
		p.errorf(t.pos, "'%s' statements are not supported", t.text)
		p.skipStmt()
		return nil
	case t.kind == tIdent && t.text == "else":
		p.errorf(t.pos, "'else' without 'if'")
		p.next()
		return nil
	case p.startsType():
		return p.parseDecl()
	}
	x := p.parseExpr()
	if x == nil {
		p.skipTo(";", "}")
		p.accept(";")
		return nil
	}
	if p.is("=") {
		p.next()
		rhs := p.parseExpr()
		if rhs == nil {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		if !p.expect(";", "after the assignment") {
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		return &assignStmt{pos: t.pos, lhs: x, rhs: rhs}
	}
	if !p.expect(";", "after the expression") {
		p.skipTo(";", "}")
		p.accept(";")
		return nil
	}
	return &exprStmt{pos: t.pos, x: x}
}

// skipStmt skips a statement we cannot handle: up to ';' or a whole block.
func (p *parser) skipStmt() {
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF || t.isPunct("}"):
			return
		case t.isPunct(";"):
			p.next()
			return
		case t.isPunct("{"):
			p.skipTo("}")
			p.accept("}")
			return
		}
		p.next()
	}
}

// parseDecl parses "type name [= expr] {, [*]name [= expr]} ;".
func (p *parser) parseDecl() stmt {
	ty := p.parseType()
	if ty == nil {
		p.skipTo(";", "}")
		p.accept(";")
		return nil
	}
	var out []stmt
	for {
		dt := ty
		for p.accept("*") {
			dt = &ctype{elem: dt, bits: 64, pos: ty.pos, name: dt.name + "*"}
		}
		nm := p.peek()
		if nm.kind != tIdent {
			p.errorf(nm.pos, "expected a name in the declaration, found %s", nm.describe())
			p.skipTo(";", "}")
			p.accept(";")
			return nil
		}
		p.next()
		d := &declStmt{pos: nm.pos, typ: dt, name: nm.text}
		if p.accept("=") {
			d.init = p.parseExpr()
			if d.init == nil {
				p.skipTo(";", "}")
				p.accept(";")
				return nil
			}
		}
		out = append(out, d)
		if !p.accept(",") {
			break
		}
	}
	if !p.expect(";", "after the declaration") {
		p.skipTo(";", "}")
		p.accept(";")
		return nil
	}
	if len(out) == 1 {
		return out[0]
	}
	return &blockStmt{pos: out[0].stmtPos(), stmts: out}
}

// Expressions.

var binPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

func (p *parser) parseExpr() expr {
	t := p.peek()
	if !p.enter(t.pos) {
		p.leave()
		return nil
	}
	defer p.leave()
	c := p.parseBinary(1)
	if c == nil {
		return nil
	}
	if p.is("?") {
		p.next()
		a := p.parseExpr()
		if a == nil || !p.expect(":", "in '?:'") {
			return nil
		}
		b := p.parseExpr()
		if b == nil {
			return nil
		}
		return &condExprC{span: span{pos: c.sp().pos, off: c.sp().off, end: b.sp().end}, c: c, a: a, b: b}
	}
	return c
}

func (p *parser) parseBinary(minPrec int) expr {
	x := p.parseUnary()
	if x == nil {
		return nil
	}
	for {
		t := p.peek()
		prec, ok := binPrec[t.text]
		if t.kind != tPunct || !ok || prec < minPrec {
			return x
		}
		p.next()
		y := p.parseBinary(prec + 1)
		if y == nil {
			return nil
		}
		x = &binaryExpr{span: span{pos: t.pos, off: x.sp().off, end: y.sp().end}, op: t.text, x: x, y: y}
	}
}

func (p *parser) parseUnary() expr {
	t := p.peek()
	if !p.enter(t.pos) {
		p.leave()
		return nil
	}
	defer p.leave()
	if t.kind == tPunct {
		switch t.text {
		case "-", "+", "!", "~", "*", "&":
			p.next()
			x := p.parseUnary()
			if x == nil {
				return nil
			}
			return &unaryExpr{span: span{pos: t.pos, off: t.off, end: x.sp().end}, op: t.text, x: x}
		case "(":
			// A cast "(type) x"?
			if n := p.peekN(1); n.kind == tIdent && baseTypes[n.text] {
				p.next()
				ty := p.parseType()
				if ty == nil || !p.expect(")", "to close the cast") {
					return nil
				}
				x := p.parseUnary()
				if x == nil {
					return nil
				}
				return &castExpr{span: span{pos: t.pos, off: t.off, end: x.sp().end}, typ: ty, x: x}
			}
		}
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() expr {
	t := p.next()
	switch t.kind {
	case tInt:
		v, ok := parseUint(t.text)
		if !ok {
			p.errorf(t.pos, "bad number %q", t.text)
			return nil
		}
		return &numExpr{span: span{pos: t.pos, off: t.off, end: t.end}, val: v}
	case tIdent:
		if p.is("(") || p.is("{") && p.peekN(1).kind == tIdent && (p.peekN(2).isPunct("}") || p.peekN(2).isPunct(",")) {
			c := &callExpr{span: span{pos: t.pos, off: t.off}, name: t.text}
			if p.accept("{") {
				for {
					a := p.next()
					if a.kind != tIdent {
						p.errorf(a.pos, "expected an annotation, found %s", a.describe())
						return nil
					}
					c.annots = append(c.annots, a.text)
					if !p.accept(",") {
						break
					}
				}
				if !p.expect("}", "to close the annotations") {
					return nil
				}
				if !p.is("(") {
					p.errorf(p.peek().pos, "expected '(' after %s{...}", t.text)
					return nil
				}
			}
			p.next() // '('
			if !p.is(")") {
				for {
					a := p.parseExpr()
					if a == nil {
						return nil
					}
					c.args = append(c.args, a)
					if !p.accept(",") {
						break
					}
				}
			}
			if !p.expect(")", "to close the argument list of "+t.text) {
				return nil
			}
			c.end = p.prevEnd()
			return c
		}
		return &identExpr{span: span{pos: t.pos, off: t.off, end: t.end}, name: t.text}
	case tPunct:
		if t.text == "(" {
			x := p.parseExpr()
			if x == nil || !p.expect(")", "to close '('") {
				return nil
			}
			// Widen the span to include the parentheses.
			sp := x.sp()
			sp.off, sp.end = t.off, p.prevEnd()
			return x
		}
	}
	p.errorf(t.pos, "expected an expression, found %s", t.describe())
	return nil
}

// The tail: locations, filter, and the final condition.

func (p *parser) parseTail(lt *litmus) {
	for p.peek().kind != tEOF {
		t := p.peek()
		start := p.p
		nerr := len(*p.errs)
		switch {
		case t.kind == tIdent && t.text == "locations":
			p.next()
			if lt.locPos.IsValid() {
				p.errorf(t.pos, "more than one 'locations' clause")
			}
			lt.locPos = t.pos
			p.parseLocations(lt)
		case t.kind == tIdent && t.text == "filter":
			p.next()
			if lt.filter != nil {
				p.errorf(t.pos, "more than one 'filter' clause")
			}
			lt.filterPos = t.pos
			lt.filter = p.parseProp()
		case t.kind == tIdent && t.text == "regions" && p.peekN(1).isPunct(":"):
			// Memory regions (GPU scopes) do not matter to the C11 models:
			// skip the rest of the line.
			for p.peek().kind != tEOF && p.peek().pos.Line == t.pos.Line {
				p.next()
			}
		case t.kind == tIdent && (t.text == "exists" || t.text == "forall" || t.text == "final"),
			t.isPunct("~") && p.peekN(1).kind == tIdent && p.peekN(1).text == "exists",
			t.isPunct("("):
			if lt.cond != nil {
				p.errorf(t.pos, "more than one final condition")
			}
			c := &condClause{pos: t.pos}
			switch {
			case t.isPunct("("):
				c.kind = "exists"
			case t.isPunct("~"):
				p.next()
				p.next()
				c.kind = "~exists"
			default:
				p.next()
				c.kind = t.text
			}
			c.x = p.parseProp()
			if c.x != nil && lt.cond == nil {
				lt.cond = c
			}
			p.accept(";")
			if p.is("with") {
				p.errorf(p.peek().pos, "herd's 'with' clause is not supported")
				return
			}
		case t.kind == tIdent && t.text == "observed":
			p.errorf(t.pos, "herd's 'observed' clause is not supported")
			return
		default:
			p.errorf(t.pos, "expected 'locations', 'filter', 'exists', '~exists' or 'forall', found %s", t.describe())
			return
		}
		if p.p == start {
			p.next()
		}
		if len(*p.errs) > nerr {
			// After a bad clause, resynchronise on the next keyword.
			for p.peek().kind != tEOF && !p.atClause() {
				p.next()
			}
		}
	}
}

func (p *parser) atClause() bool {
	t := p.peek()
	if t.kind == tIdent {
		switch t.text {
		case "locations", "filter", "exists", "forall", "final":
			return true
		}
	}
	return t.isPunct("~") && p.peekN(1).kind == tIdent && p.peekN(1).text == "exists"
}

func (p *parser) parseLocations(lt *litmus) {
	if !p.expect("[", "after 'locations'") {
		return
	}
	for !p.is("]") && p.peek().kind != tEOF {
		if p.accept(";") {
			continue
		}
		l := p.parseCondLoc()
		if l == nil {
			for !p.is("]") && !p.is(";") && p.peek().kind != tEOF {
				p.next()
			}
			continue
		}
		// A type annotation: "x*", "x int", "x int*".
		if p.peek().kind == tIdent && p.peek().text != "locations" {
			p.next()
		}
		p.accept("*")
		lt.locations = append(lt.locations, l)
		if !p.is("]") && !p.expect(";", "between locations") {
			for !p.is("]") && !p.is(";") && p.peek().kind != tEOF {
				p.next()
			}
		}
	}
	p.expect("]", "to close the locations list")
}

// parseCondLoc parses "0:r1", "P0:r1", "x" or "[x]".
func (p *parser) parseCondLoc() *condLoc {
	t := p.peek()
	switch {
	case t.isPunct("["):
		p.next()
		n := p.next()
		if n.kind != tIdent {
			p.errorf(n.pos, "expected a location name after '[', found %s", n.describe())
			return nil
		}
		if !p.expect("]", "after the location") {
			return nil
		}
		return &condLoc{pos: t.pos, thread: -1, name: n.text}
	case t.kind == tInt || t.kind == tIdent && p.peekN(1).isPunct(":"):
		th, ok := p.threadNum(t)
		p.next()
		if !ok {
			return nil
		}
		if !p.expect(":", "after the thread number") {
			return nil
		}
		r := p.next()
		if r.kind != tIdent {
			p.errorf(r.pos, "expected a register name, found %s", r.describe())
			return nil
		}
		return &condLoc{pos: t.pos, thread: th, name: r.text}
	case t.kind == tIdent:
		p.next()
		if p.is("[") {
			p.errorf(p.peek().pos, "arrays are not supported")
			return nil
		}
		return &condLoc{pos: t.pos, thread: -1, name: t.text}
	}
	p.errorf(t.pos, "expected a location or register, found %s", t.describe())
	p.next()
	return nil
}

// Propositions, loosest first: \/, /\, =>, ~.
func (p *parser) parseProp() condExpr {
	t := p.peek()
	if !p.enter(t.pos) {
		p.leave()
		return nil
	}
	defer p.leave()
	x := p.parseAnd()
	for x != nil && p.is("\\/") {
		op := p.next()
		y := p.parseAnd()
		if y == nil {
			return nil
		}
		x = &condBin{pos: op.pos, op: "\\/", x: x, y: y}
	}
	return x
}

func (p *parser) parseAnd() condExpr {
	x := p.parseImplies()
	for x != nil && p.is("/\\") {
		op := p.next()
		y := p.parseImplies()
		if y == nil {
			return nil
		}
		x = &condBin{pos: op.pos, op: "/\\", x: x, y: y}
	}
	return x
}

func (p *parser) parseImplies() condExpr {
	x := p.parseNot()
	if x != nil && p.is("=>") {
		op := p.next()
		if !p.enter(op.pos) {
			p.leave()
			return nil
		}
		y := p.parseImplies()
		p.leave()
		if y == nil {
			return nil
		}
		return &condBin{pos: op.pos, op: "=>", x: x, y: y}
	}
	return x
}

func (p *parser) parseNot() condExpr {
	t := p.peek()
	if t.isPunct("~") || t.kind == tIdent && t.text == "not" {
		p.next()
		if !p.enter(t.pos) {
			p.leave()
			return nil
		}
		x := p.parseNot()
		p.leave()
		if x == nil {
			return nil
		}
		return &condNot{pos: t.pos, x: x}
	}
	switch {
	case t.kind == tIdent && t.text == "true":
		p.next()
		return &condConst{pos: t.pos, val: true}
	case t.kind == tIdent && t.text == "false":
		p.next()
		return &condConst{pos: t.pos, val: false}
	case t.isPunct("("):
		p.next()
		x := p.parseProp()
		if x == nil || !p.expect(")", "to close '('") {
			return nil
		}
		return x
	}
	return p.parseAtom()
}

func (p *parser) parseAtom() condExpr {
	lhs := p.parseCondLoc()
	if lhs == nil {
		return nil
	}
	a := &condAtom{pos: lhs.pos, lhs: lhs}
	switch {
	case p.accept("="), p.accept("=="):
	case p.accept("!="):
		a.ne = true
	default:
		p.errorf(p.peek().pos, "expected '=' or '!=' after %s, found %s", lhs.name, p.peek().describe())
		return nil
	}
	t := p.peek()
	v := &condVal{pos: t.pos}
	switch {
	case t.isPunct("["), t.kind == tIdent && p.peekN(1).isPunct(":"),
		t.kind == tInt && p.peekN(1).isPunct(":"):
		v.loc = p.parseCondLoc()
		if v.loc == nil {
			return nil
		}
	case t.isPunct("*"):
		p.errorf(t.pos, "dereferences in conditions are not supported")
		return nil
	case t.kind == tIdent:
		p.next()
		v.addr = t.text
	default:
		n, ok := p.parseSignedNum()
		if !ok {
			return nil
		}
		v.num = n
	}
	a.rhs = v
	return a
}

package rustlit

import (
	"strings"

	"happens/source"
)

type parser struct {
	src  []byte
	toks []token
	i    int
	errs *source.ErrorList
}

const maxErrors = 25

func (p *parser) tok() token { return p.toks[p.i] }
func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *parser) is(text string) bool {
	t := p.tok()
	return (t.kind == tPunct || t.kind == tIdent) && t.text == text
}
func (p *parser) isPunct(text string) bool { t := p.tok(); return t.kind == tPunct && t.text == text }
func (p *parser) got(text string) bool {
	if p.isPunct(text) || (p.tok().kind == tIdent && p.tok().text == text) {
		p.next()
		return true
	}
	return false
}

// bail is raised (as a panic with this type) to abandon a construct after
// an error; the caller resynchronises.
type bail struct{}

func (p *parser) errorf(pos source.Pos, format string, args ...any) {
	p.errs.Add(pos, format, args...)
	if len(*p.errs) >= maxErrors {
		panic(tooMany{})
	}
}

type tooMany struct{}

func (p *parser) fail(format string, args ...any) {
	t := p.tok()
	found := t.text
	if t.kind == tEOF {
		found = "end of file"
	} else {
		found = "'" + found + "'"
	}
	p.errorf(t.pos, format+", found %s", append(args, found)...)
	panic(bail{})
}

func (p *parser) expect(text string) token {
	if !p.isPunct(text) && !(p.tok().kind == tIdent && p.tok().text == text) {
		p.fail("expected '%s'", text)
	}
	return p.next()
}

func (p *parser) ident() token {
	if p.tok().kind != tIdent {
		p.fail("expected a name")
	}
	return p.next()
}

// sync skips to just after the next ';' or over a balanced '}' at the
// current nesting level, guaranteeing progress.
func (p *parser) sync(stopAtBrace bool) {
	start := p.i
	depth := 0
	for p.tok().kind != tEOF {
		t := p.tok()
		if t.kind == tPunct {
			switch t.text {
			case "{", "(", "[":
				depth++
			case ")", "]":
				if depth > 0 {
					depth--
				}
			case "}":
				if depth == 0 {
					if stopAtBrace {
						if p.i == start {
							p.next()
						}
						return
					}
					p.next()
					return
				}
				depth--
				if depth == 0 && !stopAtBrace {
					p.next()
					return
				}
			case ";":
				if depth == 0 {
					p.next()
					return
				}
			}
		}
		p.next()
	}
}

func parseFile(filename string, src []byte, errs *source.ErrorList) (f *file) {
	toks, doc := lex(filename, src, errs)
	p := &parser{src: src, toks: toks, errs: errs}
	f = &file{doc: doc}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooMany); !ok {
				panic(r)
			}
		}
	}()
	for p.tok().kind != tEOF {
		p.item(f)
	}
	return f
}

// resync is deferred by item and stmt: after a bail it skips to the next
// ';' or '}' (over a balanced one when !stopAtBrace), always making
// progress from start. It must be the deferred call itself to recover.
func (p *parser) resync(start int, stopAtBrace bool) {
	if r := recover(); r != nil {
		if _, ok := r.(bail); !ok {
			panic(r)
		}
		if p.i == start {
			p.next()
		}
		p.sync(stopAtBrace)
	}
}

func (p *parser) item(f *file) {
	defer p.resync(p.i, false)
	t := p.tok()
	switch {
	case p.isPunct("#"):
		// #[attr] or #![attr]
		p.next()
		p.got("!")
		p.expect("[")
		p.skipBalanced("[", "]")
	case t.kind == tIdent && (t.text == "use" || t.text == "extern" || t.text == "mod"):
		for !p.isPunct(";") && p.tok().kind != tEOF {
			p.next()
		}
		p.expect(";")
	case t.kind == tIdent && t.text == "pub":
		p.next()
		if p.isPunct("(") {
			p.next()
			p.skipBalanced("(", ")")
		}
		p.item(f)
	case t.kind == tIdent && t.text == "static":
		p.next()
		s := &staticItem{p: t.pos}
		s.mut = p.got("mut")
		s.name = p.ident().text
		p.expect(":")
		s.typ = p.typ()
		p.expect("=")
		s.init = p.expr()
		p.expect(";")
		f.statics = append(f.statics, s)
	case t.kind == tIdent && t.text == "const":
		p.next()
		c := &constItem{p: t.pos}
		c.name = p.ident().text
		p.expect(":")
		c.typ = p.typ()
		p.expect("=")
		c.val = p.expr()
		p.expect(";")
		f.consts = append(f.consts, c)
	case t.kind == tIdent && (t.text == "fn" || t.text == "unsafe" && p.peek(1).text == "fn"):
		if t.text == "unsafe" {
			p.next()
		}
		p.next()
		fn := &fnItem{p: t.pos}
		fn.name = p.ident().text
		p.expect("(")
		for !p.isPunct(")") {
			pt := p.ident()
			p.expect(":")
			fn.params = append(fn.params, param{name: pt.text, typ: p.typ(), p: pt.pos})
			if !p.got(",") {
				break
			}
		}
		p.expect(")")
		if p.got("->") {
			fn.ret = p.typ()
		}
		fn.body = p.block()
		f.fns = append(f.fns, fn)
	case t.kind == tIdent && t.text == "thread":
		p.next()
		th := &threadItem{p: t.pos}
		th.name = p.ident().text
		if p.got("[") {
			th.famVar, th.lo, th.hi, th.incl = p.inRange()
			p.expect("]")
		}
		th.body = p.block()
		f.threads = append(f.threads, th)
	case t.kind == tIdent && (t.text == "exists" || t.text == "forall") || p.isPunct("~") || p.isPunct("!") && p.peek(1).text == "exists":
		kind := t.text
		if p.isPunct("~") || p.isPunct("!") {
			p.next()
			p.expect("exists")
			kind = "~exists"
		} else {
			p.next()
		}
		startOff := p.tok().off
		x := p.expr()
		text := strings.TrimSpace(string(p.src[startOff:p.toks[p.i-1].end]))
		p.got(";")
		if f.cond != nil {
			p.errorf(t.pos, "a test has one final condition; another was given at %s", f.cond.p)
		}
		f.cond = &condItem{kind: kind, x: x, p: t.pos, text: text}
	case t.kind == tIdent && t.text == "expect":
		p.next()
		v := p.ident()
		verdict := strings.ToLower(v.text)
		switch verdict {
		case "always", "sometimes", "never":
		default:
			p.errorf(v.pos, "expect takes always, sometimes or never, not %q", v.text)
		}
		p.got(";")
		f.expect = &expectItem{verdict: strings.ToUpper(verdict[:1]) + verdict[1:], p: t.pos}
	default:
		p.fail("expected an item (static, const, fn, thread, or a final exists/forall/~exists)")
	}
}

func (p *parser) skipBalanced(open, close string) {
	depth := 1
	for p.tok().kind != tEOF {
		t := p.next()
		if t.kind == tPunct && t.text == open {
			depth++
		} else if t.kind == tPunct && t.text == close {
			depth--
			if depth == 0 {
				return
			}
		}
	}
	p.fail("expected '%s'", close)
}

func (p *parser) typ() *typeExpr {
	t := p.tok()
	if p.got("[") {
		elem := p.typ()
		p.expect(";")
		n := p.expr()
		p.expect("]")
		return &typeExpr{elem: elem, len: n, p: t.pos}
	}
	name := p.ident().text
	for p.got("::") {
		name = p.ident().text // std::sync::atomic::AtomicU32 → AtomicU32
	}
	return &typeExpr{name: name, p: t.pos}
}

func (p *parser) block() *blockExpr {
	open := p.expect("{")
	b := &blockExpr{p: open.pos}
	for !p.isPunct("}") && p.tok().kind != tEOF {
		p.stmt(b)
	}
	p.expect("}")
	return b
}

// stmt parses one statement into b; a final expression without ';' becomes
// b.tail.
func (p *parser) stmt(b *blockExpr) {
	defer p.resync(p.i, true)
	if b.tail != nil {
		// The previous expression had no ';' but was not last.
		x := b.tail
		b.tail = nil
		if !blockLike(x) {
			p.errorf(p.tok().pos, "expected ';' after expression")
		}
		b.stmts = append(b.stmts, &exprStmt{x: x, p: x.exprPos()})
	}
	t := p.tok()
	if p.got(";") {
		return
	}
	if t.kind == tIdent && t.text == "let" {
		p.next()
		s := &letStmt{p: t.pos}
		s.mut = p.got("mut")
		nt := p.tok()
		if nt.kind == tIdent && nt.text == "_" {
			p.next()
			s.name = "_"
		} else {
			s.name = p.ident().text
		}
		if p.got(":") {
			s.typ = p.typ()
		}
		if p.got("=") {
			s.init = p.expr()
		}
		p.expect(";")
		b.stmts = append(b.stmts, s)
		return
	}
	x := p.expr()
	for _, op := range []string{"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="} {
		if p.isPunct(op) {
			p.next()
			v := p.expr()
			end := p.toks[p.i-1].end
			if !p.isPunct("}") { // an assignment may end a block without ';'
				p.expect(";")
			}
			b.stmts = append(b.stmts, &assignStmt{target: x, op: op, val: v, p: x.exprPos(), end: end})
			return
		}
	}
	if p.got(";") {
		b.stmts = append(b.stmts, &exprStmt{x: x, p: x.exprPos()})
		return
	}
	if p.isPunct("}") {
		b.tail = x
		return
	}
	if blockLike(x) {
		b.stmts = append(b.stmts, &exprStmt{x: x, p: x.exprPos()})
		return
	}
	p.fail("expected ';'")
}

func blockLike(x expr) bool {
	switch x.(type) {
	case *blockExpr, *ifExpr, *whileExpr, *loopExpr, *forExpr, *matchExpr:
		return true
	}
	return false
}

func (p *parser) expr() expr { return p.binary(0) }

// inRange parses "NAME in LO..HI" or "NAME in LO..=HI", the header of a
// for loop and of a thread family.
func (p *parser) inRange() (name string, lo, hi expr, incl bool) {
	name = p.ident().text
	p.expect("in")
	lo = p.expr()
	if p.got("..=") {
		incl = true
	} else {
		p.expect("..")
	}
	return name, lo, p.expr(), incl
}

var precedence = map[string]int{
	"||": 1, "&&": 2,
	"==": 3, "!=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3,
	"|": 4, "^": 5, "&": 6, "<<": 7, ">>": 7,
	"+": 8, "-": 8, "*": 9, "/": 9, "%": 9,
}

func (p *parser) binary(min int) expr {
	x := p.unary()
	for {
		t := p.tok()
		if t.kind == tIdent && t.text == "as" {
			p.next()
			x = &castExpr{x: x, typ: p.typ(), p: t.pos}
			continue
		}
		prec, ok := precedence[t.text]
		if t.kind != tPunct || !ok || prec <= min {
			return x
		}
		p.next()
		y := p.binary(prec)
		if prec == 3 {
			if bx, chained := x.(*binaryExpr); chained && !bx.paren && precedence[bx.op] == 3 {
				p.errorf(t.pos, "comparison operators cannot be chained")
			}
		}
		x = &binaryExpr{op: t.text, x: x, y: y, p: t.pos}
	}
}

func (p *parser) unary() expr {
	t := p.tok()
	if t.kind == tPunct && (t.text == "-" || t.text == "!" || t.text == "*" || t.text == "&") {
		p.next()
		if t.text == "&" {
			p.got("mut")
		}
		return &unaryExpr{op: t.text, x: p.unary(), p: t.pos}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x expr) expr {
	for {
		t := p.tok()
		switch {
		case p.isPunct("."):
			p.next()
			name := p.tok()
			if name.kind != tIdent && name.kind != tInt {
				p.fail("expected a method or field name after '.'")
			}
			p.next()
			if p.isPunct("(") {
				args := p.args("(", ")")
				x = &methodExpr{recv: x, name: name.text, args: args, p: name.pos, end: p.toks[p.i-1].end}
			} else {
				x = &fieldExpr{x: x, name: name.text, p: name.pos}
			}
		case p.isPunct("["):
			p.next()
			idx := p.expr()
			p.expect("]")
			x = &indexExpr{x: x, idx: idx, p: t.pos}
		case p.isPunct("("):
			args := p.args("(", ")")
			x = &callExpr{fn: x, args: args, p: t.pos}
		case p.isPunct("?"):
			p.fail("the '?' operator is not supported")
		default:
			return x
		}
	}
}

func (p *parser) args(open, close string) []expr {
	p.expect(open)
	var out []expr
	for !p.isPunct(close) && p.tok().kind != tEOF {
		out = append(out, p.expr())
		if !p.got(",") {
			break
		}
	}
	p.expect(close)
	return out
}

func (p *parser) primary() expr {
	t := p.tok()
	switch t.kind {
	case tInt:
		p.next()
		return &intLit{text: t.text, p: t.pos}
	case tString:
		p.next()
		return &strLit{val: t.text, p: t.pos}
	case tIdent:
		switch t.text {
		case "true", "false":
			p.next()
			return &boolLit{val: t.text == "true", p: t.pos}
		case "if":
			return p.ifExpr()
		case "while":
			p.next()
			w := &whileExpr{p: t.pos}
			if p.got("let") {
				w.pat = p.pattern()
				p.expect("=")
			}
			w.cond = p.expr()
			w.body = p.block()
			return w
		case "loop":
			p.next()
			return &loopExpr{body: p.block(), p: t.pos}
		case "for":
			p.next()
			f := &forExpr{p: t.pos}
			f.name, f.lo, f.hi, f.incl = p.inRange()
			f.body = p.block()
			return f
		case "match":
			p.next()
			m := &matchExpr{p: t.pos}
			m.x = p.expr()
			p.expect("{")
			for !p.isPunct("}") && p.tok().kind != tEOF {
				arm := matchArm{p: p.tok().pos}
				arm.pat = p.pattern()
				p.expect("=>")
				arm.body = p.expr()
				m.arms = append(m.arms, arm)
				if !p.got(",") && !p.isPunct("}") && !blockLike(arm.body) {
					p.fail("expected ',' or '}' after match arm")
				}
			}
			p.expect("}")
			return m
		case "unsafe":
			p.next()
			return p.block()
		case "break":
			p.next()
			if p.tok().kind == tPunct && p.tok().text == "'" {
				p.fail("labelled breaks are not supported")
			}
			return &breakExpr{p: t.pos}
		case "continue":
			p.next()
			return &continueExpr{p: t.pos}
		case "return":
			p.next()
			r := &returnExpr{p: t.pos}
			if !p.isPunct(";") && !p.isPunct("}") {
				r.x = p.expr()
			}
			return r
		}
		p.next()
		if p.isPunct("!") && p.peek(1).kind == tPunct && (p.peek(1).text == "(" || p.peek(1).text == "[") {
			p.next()
			close := ")"
			if p.isPunct("[") {
				close = "]"
			}
			args := p.args(p.tok().text, close)
			return &macroExpr{name: t.text, args: args, p: t.pos, end: p.toks[p.i-1].end}
		}
		if p.isPunct("::") {
			segs := []string{t.text}
			for p.got("::") {
				if p.isPunct("<") { // turbofish: skip generic arguments
					p.next()
					p.skipBalanced("<", ">")
					continue
				}
				segs = append(segs, p.ident().text)
			}
			return &pathExpr{segs: segs, p: t.pos}
		}
		return &identExpr{name: t.text, p: t.pos}
	case tPunct:
		switch t.text {
		case "(":
			p.next()
			if p.got(")") {
				return &blockExpr{p: t.pos} // unit
			}
			x := p.expr()
			p.expect(")")
			if bx, ok := x.(*binaryExpr); ok {
				bx.paren = true
			}
			return x
		case "{":
			return p.block()
		case "[":
			p.next()
			a := &arrayLit{p: t.pos}
			if p.got("]") {
				return a
			}
			first := p.expr()
			if p.got(";") {
				a.repeat = first
				a.count = p.expr()
				p.expect("]")
				return a
			}
			a.elems = append(a.elems, first)
			for p.got(",") && !p.isPunct("]") {
				a.elems = append(a.elems, p.expr())
			}
			p.expect("]")
			return a
		case "|":
			p.next()
			c := &closureExpr{p: t.pos}
			c.param = p.ident().text
			if p.got(":") {
				p.typ()
			}
			p.expect("|")
			c.body = p.expr()
			return c
		}
	}
	p.fail("expected an expression")
	return nil
}

func (p *parser) ifExpr() expr {
	t := p.expect("if")
	x := &ifExpr{p: t.pos}
	if p.got("let") {
		x.pat = p.pattern()
		p.expect("=")
	}
	x.cond = p.expr()
	x.then = p.block()
	if p.got("else") {
		if p.is("if") {
			x.els = p.ifExpr()
		} else {
			x.els = p.block()
		}
	}
	return x
}

func (p *parser) pattern() *pattern {
	t := p.tok()
	switch {
	case t.kind == tIdent && (t.text == "Ok" || t.text == "Err"):
		p.next()
		pat := &pattern{kind: t.text, p: t.pos}
		p.expect("(")
		b := p.tok()
		if b.kind == tIdent {
			p.next()
			pat.bind = b.text
		} else {
			p.fail("expected a name in %s(...)", t.text)
		}
		p.expect(")")
		return pat
	case t.kind == tIdent && t.text == "_":
		p.next()
		return &pattern{kind: "_", p: t.pos}
	case t.kind == tInt || t.kind == tIdent && (t.text == "true" || t.text == "false") || p.isPunct("-"):
		return &pattern{kind: "lit", lit: p.unary(), p: t.pos}
	case t.kind == tIdent:
		p.next()
		return &pattern{kind: "bind", bind: t.text, p: t.pos}
	}
	p.fail("expected a pattern (Ok(x), Err(x), _, a literal or a name)")
	return nil
}

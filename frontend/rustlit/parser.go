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
	// noStruct is set while parsing the head of if, while, match and for,
	// where `x {` starts the block rather than a struct literal (as in
	// Rust).
	noStruct bool
	// pending is the fn or thread item being parsed, once its name is
	// known.
	pending item
	// bails counts the constructs abandoned after a syntax error.
	bails int
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
func (p *parser) isIdent(text string) bool { t := p.tok(); return t.kind == tIdent && t.text == text }
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

func (p *parser) found() string {
	t := p.tok()
	switch t.kind {
	case tEOF:
		return "end of file"
	case tMark:
		return "the thread comment // " + t.text
	case tLabel:
		return "''" + t.text + "'"
	}
	return "'" + t.text + "'"
}

func (p *parser) fail(format string, args ...any) {
	p.errorf(p.tok().pos, format+", found %s", append(args, p.found())...)
	panic(bail{})
}

// failAt reports an error at pos and abandons the construct.
func (p *parser) failAt(pos source.Pos, format string, args ...any) {
	p.errorf(pos, format, args...)
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

// closeAngle consumes a '>' closing generic arguments, splitting '>>'.
func (p *parser) closeAngle() {
	t := p.tok()
	if t.kind == tPunct && strings.HasPrefix(t.text, ">") && len(t.text) > 1 {
		t.text = t.text[1:]
		t.pos.Col++
		t.off++
		p.toks[p.i] = t
		return
	}
	p.expect(">")
}

// sync skips to just after the next ';' or over a balanced '}' at the
// current nesting level, guaranteeing progress.
func (p *parser) sync(stopAtBrace bool) {
	start := p.i
	depth := 0
	for p.tok().kind != tEOF {
		t := p.tok()
		if t.kind == tMark && depth == 0 && p.i != start {
			return
		}
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
	toks, doc, hashes := lex(filename, src, errs)
	p := &parser{src: src, toks: toks, errs: errs}
	f = &file{doc: doc, hashes: hashes}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooMany); !ok {
				panic(r)
			}
		}
	}()
	for p.tok().kind != tEOF {
		p.topLevel(f)
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
		p.bails++
		if p.i == start {
			p.next()
		}
		p.sync(stopAtBrace)
	}
}

// resyncStmt is deferred by stmt: after a bail it skips from the start of
// the statement to its end by bracket balance (so that an error inside a
// match arm or a nested block does not end the enclosing block early), or
// from the error onwards when the statement's brackets do not balance.
func (p *parser) resyncStmt(start int) {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(bail); !ok {
		panic(r)
	}
	p.bails++
	errAt := p.i
	p.i = start
	blockStmt := false
	switch t := p.tok(); {
	case t.kind == tLabel, t.kind == tPunct && t.text == "{":
		blockStmt = true
	case t.kind == tIdent:
		switch t.text {
		case "if", "while", "loop", "for", "match", "unsafe", "fn", "struct", "impl":
			blockStmt = true
		}
	}
	depth := 0
	for p.tok().kind != tEOF {
		t := p.tok()
		if t.kind == tMark && depth == 0 && p.i > start {
			break
		}
		if t.kind != tPunct {
			p.next()
			continue
		}
		if t.text == "}" && depth == 0 {
			break // the enclosing block's end
		}
		p.next()
		switch t.text {
		case "{", "(", "[":
			depth++
		case ")", "]":
			if depth > 0 {
				depth--
			}
		case "}":
			depth--
			if depth == 0 && blockStmt && !p.isIdent("else") && !p.isPunct(".") {
				goto done
			}
		case ";":
			if depth == 0 {
				goto done
			}
		}
	}
done:
	if p.i < errAt {
		// The statement ended (by its brackets) before the error was
		// seen: skip from the error onwards instead.
		p.i = errAt
		if p.i == start {
			p.next()
		}
		p.sync(true)
	}
}

// itemStart reports whether the current token begins an item.
func (p *parser) itemStart() bool {
	t := p.tok()
	if t.kind == tPunct {
		return t.text == "#" || t.text == "~" || t.text == "!" && p.peek(1).text == "exists"
	}
	if t.kind != tIdent {
		return false
	}
	switch t.text {
	case "static", "fn", "pub", "struct", "enum", "impl", "use", "extern", "mod", "trait", "type", "union", "macro_rules":
		return !(t.text == "union" && p.peek(1).kind != tIdent)
	case "const":
		return p.peek(1).kind == tIdent && p.peek(1).text != "fn" || p.peek(1).text == "fn" || p.peek(1).text == "unsafe"
	case "unsafe":
		n := p.peek(1).text
		return n == "fn" || n == "impl" || n == "trait" || n == "extern"
	case "async":
		return p.peek(1).text == "fn"
	case "thread":
		return p.peek(1).kind == tIdent && (p.peek(2).text == "{" || p.peek(2).text == "[")
	case "final":
		return p.peek(1).text == "{"
	case "exists", "forall":
		return p.peek(1).text == "("
	case "expect":
		return p.peek(1).kind == tIdent
	}
	return false
}

// topLevel parses one item, or one statement written outside any function
// (book notation).
func (p *parser) topLevel(f *file) {
	if p.isPunct("}") {
		p.errorf(p.tok().pos, "unexpected '}': no block is open")
		p.next()
		return
	}
	if p.tok().kind == tMark || !p.itemStart() {
		b := &blockExpr{}
		p.stmt(b)
		if b.tail != nil {
			b.stmts = append(b.stmts, &exprStmt{x: b.tail, p: b.tail.exprPos()})
		}
		for _, s := range b.stmts {
			f.items = append(f.items, &topStmt{s: s})
		}
		return
	}
	if it := p.item(); it != nil {
		f.items = append(f.items, it)
	}
}

// item parses one item; it returns nil after an error it recovered from
// or for attributes that apply to nothing. A fn or thread whose name was
// read survives its errors (marked broken), so that its uses elsewhere
// report nothing false.
func (p *parser) item() (it item) {
	start := p.i
	nerr := p.bails
	saved := p.pending
	p.pending = nil
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bail); !ok {
				panic(r)
			}
			p.bails++
			p.skipItem(start)
			it = p.pending
		}
		p.pending = saved
		broken := p.bails > nerr
		switch x := it.(type) {
		case *fnItem:
			x.broken = x.broken || broken
			if x.body == nil {
				x.body = &blockExpr{p: x.p}
			}
		case *threadItem:
			x.broken = x.broken || broken
			if x.body == nil {
				x.body = &blockExpr{p: x.p}
			}
		}
		if it == nil {
			// Avoid a nil interface holding a nil pointer.
			it = nil
		}
	}()
	var attrs []string
	for p.isPunct("#") {
		attrs = append(attrs, p.attribute()...)
	}
	if p.tok().kind == tEOF || p.isPunct("}") {
		return nil
	}
	it = p.itemBody(attrs)
	return it
}

// itemAtLineStart reports whether the current token begins an item and
// the line it is on, in the first column.
func (p *parser) itemAtLineStart() bool {
	t := p.tok()
	if t.pos.Col != 1 || p.i > 0 && p.toks[p.i-1].pos.Line == t.pos.Line {
		return false
	}
	if t.kind == tPunct && t.text == "#" {
		return true
	}
	if t.kind != tIdent {
		return false
	}
	switch t.text {
	case "fn", "thread", "static", "const", "struct", "impl", "use", "final", "exists", "forall", "pub", "mod", "enum", "trait":
		return true
	}
	return false
}

// skipItem skips from the start of a failed item to its end: a ';' for
// statics, consts and uses, else the first balanced '}' (or ';').
func (p *parser) skipItem(start int) {
	errAt := p.i
	p.i = start
	semiOnly := false
	for k := start; k < len(p.toks); k++ {
		t := p.toks[k]
		if t.kind == tIdent && (t.text == "pub" || t.text == "unsafe") || t.kind == tPunct && t.text == "#" {
			break
		}
		semiOnly = t.kind == tIdent && (t.text == "static" || t.text == "const" && p.toks[k+1].text != "fn" || t.text == "use" || t.text == "type")
		break
	}
	depth := 0
	for p.tok().kind != tEOF {
		if p.i > start && p.itemAtLineStart() {
			// Brackets left open: the next item, at the start of a line,
			// ends the broken one anyway.
			goto done
		}
		t := p.next()
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "{", "(", "[":
			depth++
		case ")", "]":
			if depth > 0 {
				depth--
			}
		case "}":
			depth--
			if depth < 0 {
				// The enclosing block ends: leave its brace.
				p.i--
				depth = 0
				goto done
			}
			if depth == 0 && !semiOnly {
				goto done
			}
		case ";":
			if depth == 0 {
				goto done
			}
		}
	}
done:
	if p.i <= errAt && p.i <= start {
		p.i = errAt
		if p.i == start {
			p.next()
		}
		p.sync(false)
	}
}

// attribute parses #[...] or #![...] and returns the names it lists
// (test, should_panic, ...).
func (p *parser) attribute() []string {
	p.expect("#")
	p.got("!")
	p.expect("[")
	var names []string
	if p.tok().kind == tIdent {
		names = append(names, p.tok().text)
	}
	p.skipBalanced("[", "]")
	return names
}

func (p *parser) itemBody(attrs []string) item {
	t := p.tok()
	// Visibility.
	if p.isIdent("pub") {
		p.next()
		if p.isPunct("(") {
			p.next()
			p.skipBalanced("(", ")")
		}
		t = p.tok()
	}
	switch {
	case p.isIdent("use"):
		return p.useItem()
	case p.isIdent("extern") && p.peek(1).text == "crate":
		for !p.isPunct(";") && p.tok().kind != tEOF {
			p.next()
		}
		p.expect(";")
		return nil
	case p.isIdent("static"):
		p.next()
		s := &staticItem{p: t.pos}
		s.mut = p.got("mut")
		s.name = p.ident().text
		p.expect(":")
		s.typ = p.typ()
		p.expect("=")
		s.init = p.expr()
		p.expect(";")
		return s
	case p.isIdent("const") && p.peek(1).text != "fn" && p.peek(1).text != "unsafe":
		p.next()
		c := &constItem{p: t.pos}
		if p.isIdent("_") {
			p.next()
			c.name = "_"
		} else {
			c.name = p.ident().text
		}
		p.expect(":")
		c.typ = p.typ()
		p.expect("=")
		c.val = p.expr()
		p.expect(";")
		return c
	case p.isIdent("impl") || p.isIdent("unsafe") && p.peek(1).text == "impl":
		return p.implItem()
	case p.is("fn") || p.is("const") || p.is("unsafe") && p.peek(1).text != "trait" || p.is("async") || p.is("extern") && (p.peek(1).text == "fn" || p.peek(1).kind == tString && p.peek(2).text == "fn"):
		fn := p.fnItem("")
		fn.attrs = attrs
		return fn
	case p.isIdent("struct") || p.isIdent("union"):
		return p.structItem()
	case p.isIdent("impl") || p.isIdent("unsafe") && p.peek(1).text == "impl":
		return p.implItem()
	case p.isIdent("thread"):
		p.next()
		th := &threadItem{p: t.pos}
		th.name = p.ident().text
		p.pending = th
		if p.got("[") {
			th.famVar, th.lo, th.hi, th.incl = p.inRange()
			p.expect("]")
		}
		th.body = p.block()
		return th
	case p.isIdent("final"):
		p.next()
		return &finalItem{body: p.block(), p: t.pos}
	case p.isIdent("mod") && p.peek(1).kind == tIdent && p.peek(2).text == "{":
		// An inline module: its items belong to the file.
		p.next()
		p.next()
		p.expect("{")
		m := &modItem{p: t.pos}
		for !p.isPunct("}") && p.tok().kind != tEOF {
			if it := p.item(); it != nil {
				m.items = append(m.items, it)
			}
		}
		p.expect("}")
		return m
	case p.isIdent("exists") || p.isIdent("forall") || p.isPunct("~") || p.isPunct("!") && p.peek(1).text == "exists":
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
		return &condItem{kind: kind, x: x, p: t.pos, text: text}
	case p.isIdent("expect"):
		p.next()
		v := p.ident()
		verdict := strings.ToLower(v.text)
		switch verdict {
		case "always", "sometimes", "never":
		default:
			p.errorf(v.pos, "expect takes always, sometimes or never, not %q", v.text)
		}
		p.got(";")
		return &expectItem{verdict: strings.ToUpper(verdict[:1]) + verdict[1:], p: t.pos}
	case p.isIdent("enum") || p.isIdent("trait") || p.isIdent("mod") || p.isIdent("type") || p.isIdent("macro_rules") || p.isIdent("unsafe") && p.peek(1).text == "trait" || p.isIdent("extern"):
		kind := t.text
		if kind == "unsafe" {
			p.next()
			kind = p.tok().text
		}
		if kind == "extern" && p.peek(1).kind == tString {
			p.next()
		}
		p.next()
		p.got("!")
		name := ""
		if p.tok().kind == tIdent {
			name = p.next().text
		}
		// Skip to the end of the item: a ';' or a balanced block.
		for !p.isPunct(";") && !p.isPunct("{") && !p.isPunct("(") && p.tok().kind != tEOF {
			p.next()
		}
		switch {
		case p.got(";"):
		case p.isPunct("{"):
			p.next()
			p.skipBalanced("{", "}")
		case p.isPunct("("):
			p.next()
			p.skipBalanced("(", ")")
			p.got(";")
		}
		return &otherItem{kind: kind, name: name, p: t.pos}
	}
	p.fail("expected an item (static, const, fn, struct, impl, use, thread, or a final exists/forall/~exists)")
	return nil
}

// useItem parses use a::b::{c, d::*, self};
func (p *parser) useItem() item {
	t := p.expect("use")
	u := &useItem{p: t.pos}
	p.got("::")
	p.useTree(nil, u)
	p.expect(";")
	return u
}

func (p *parser) useTree(prefix []string, u *useItem) {
	path := append([]string(nil), prefix...)
	for {
		switch {
		case p.isPunct("*"):
			p.next()
			u.paths = append(u.paths, append(path, "*"))
			return
		case p.isPunct("{"):
			p.next()
			for !p.isPunct("}") && p.tok().kind != tEOF {
				p.useTree(path, u)
				if !p.got(",") {
					break
				}
			}
			p.expect("}")
			return
		}
		name := p.ident().text
		path = append(path, name)
		if !p.got("::") {
			break
		}
	}
	if p.got("as") {
		if p.isIdent("_") {
			p.next()
		} else {
			alias := p.ident().text
			path = append(path, "as", alias)
		}
	}
	u.paths = append(u.paths, path)
}

// fnItem parses a function; recv is the impl's type for methods.
func (p *parser) fnItem(recv string) *fnItem {
	t := p.tok()
	fn := &fnItem{p: t.pos, recv: recv}
	for p.isIdent("const") || p.isIdent("unsafe") || p.isIdent("async") || p.isIdent("extern") {
		if p.isIdent("const") {
			fn.isConst = true
		}
		if p.isIdent("async") {
			p.errorf(p.tok().pos, "async functions are not supported; write the threads' code as plain functions")
		}
		p.next()
		if p.tok().kind == tString {
			p.next()
		}
	}
	p.expect("fn")
	fn.name = p.ident().text
	if recv == "" {
		p.pending = fn
	}
	if p.isPunct("<") {
		p.next()
		p.skipGenerics()
		fn.generic = true
	}
	p.expect("(")
	for !p.isPunct(")") && p.tok().kind != tEOF {
		for p.isPunct("#") {
			p.attribute()
		}
		pt := p.tok()
		// self, &self, &mut self, mut self, self: Type
		if p.isPunct("&") && (p.peek(1).text == "self" || p.peek(1).text == "mut" && p.peek(2).text == "self" || p.peek(1).kind == tLabel) {
			p.next()
			if p.tok().kind == tLabel {
				p.next()
			}
			p.got("mut")
			p.expect("self")
			fn.self = true
		} else if p.isIdent("self") || p.isIdent("mut") && p.peek(1).text == "self" {
			p.got("mut")
			p.next()
			fn.self = true
			if p.got(":") {
				p.typ()
			}
		} else {
			pat := p.pattern()
			p.expect(":")
			pr := param{pat: pat, typ: p.typ(), p: pt.pos}
			if pat.kind == pBind && pat.sub == nil {
				pr.name = pat.name
			}
			fn.params = append(fn.params, pr)
		}
		if !p.got(",") {
			break
		}
	}
	p.expect(")")
	if p.got("->") {
		fn.ret = p.typ()
	}
	if p.isIdent("where") {
		for !p.isPunct("{") && !p.isPunct(";") && p.tok().kind != tEOF {
			p.next()
		}
		fn.generic = true
	}
	if p.got(";") {
		p.failAt(t.pos, "fn %s has no body", fn.name)
	}
	fn.body = p.block()
	return fn
}

func (p *parser) structItem() item {
	t := p.next()
	s := &structItem{p: t.pos}
	if t.text == "union" {
		p.errorf(t.pos, "unions are not supported; use a struct")
	}
	s.name = p.ident().text
	if p.isPunct("<") {
		p.next()
		p.skipGenerics()
		s.generic = true
	}
	if p.isIdent("where") {
		for !p.isPunct("{") && !p.isPunct(";") && !p.isPunct("(") && p.tok().kind != tEOF {
			p.next()
		}
	}
	switch {
	case p.got(";"):
	case p.isPunct("("):
		p.next()
		s.tuple = true
		for k := 0; !p.isPunct(")") && p.tok().kind != tEOF; k++ {
			for p.isPunct("#") {
				p.attribute()
			}
			pt := p.tok()
			if p.isIdent("pub") {
				p.next()
				if p.isPunct("(") {
					p.next()
					p.skipBalanced("(", ")")
				}
			}
			s.fields = append(s.fields, param{name: itoa(k), typ: p.typ(), p: pt.pos})
			if !p.got(",") {
				break
			}
		}
		p.expect(")")
		p.expect(";")
	default:
		p.expect("{")
		for !p.isPunct("}") && p.tok().kind != tEOF {
			for p.isPunct("#") {
				p.attribute()
			}
			if p.isIdent("pub") {
				p.next()
				if p.isPunct("(") {
					p.next()
					p.skipBalanced("(", ")")
				}
			}
			ft := p.ident()
			p.expect(":")
			s.fields = append(s.fields, param{name: ft.text, typ: p.typ(), p: ft.pos})
			if !p.got(",") {
				break
			}
		}
		p.expect("}")
	}
	return s
}

func (p *parser) implItem() item {
	t := p.tok()
	p.got("unsafe")
	p.expect("impl")
	im := &implItem{p: t.pos}
	if p.isPunct("<") {
		p.next()
		p.skipGenerics()
	}
	p.got("!")
	first := p.typ()
	if p.got("for") {
		im.trait = first.name
		im.typ = p.typ().name
	} else {
		im.typ = first.name
	}
	if p.isIdent("where") {
		for !p.isPunct("{") && p.tok().kind != tEOF {
			p.next()
		}
	}
	p.expect("{")
	for !p.isPunct("}") && p.tok().kind != tEOF {
		func() {
			start := p.i
			nerr := p.bails
			var fn *fnItem
			defer func() {
				if fn != nil && p.bails > nerr {
					fn.broken = true
				}
			}()
			defer p.resync(start, true)
			var attrs []string
			for p.isPunct("#") {
				attrs = append(attrs, p.attribute()...)
			}
			if p.isIdent("pub") {
				p.next()
				if p.isPunct("(") {
					p.next()
					p.skipBalanced("(", ")")
				}
			}
			switch {
			case p.isIdent("const") && p.peek(1).text != "fn" && p.peek(1).text != "unsafe", p.isIdent("type"):
				it := p.itemBody(attrs)
				if it != nil {
					im.items = append(im.items, it)
				}
			default:
				fn = p.fnItem(im.typ)
				fn.attrs = attrs
				im.fns = append(im.fns, fn)
			}
		}()
	}
	p.expect("}")
	return im
}

// skipGenerics skips generic parameters or arguments after their '<'.
func (p *parser) skipGenerics() {
	depth := 1
	for p.tok().kind != tEOF {
		t := p.tok()
		if t.kind == tPunct {
			switch t.text {
			case "<":
				depth++
			case "<<":
				depth += 2
			case "->":
			case ">", ">=":
				depth--
			case ">>", ">>=":
				if depth == 1 {
					p.closeAngle()
					return
				}
				depth -= 2
			case "{", ";":
				p.fail("expected '>'")
			}
		}
		p.next()
		if depth == 0 {
			return
		}
	}
	p.fail("expected '>'")
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

// typ parses a type.
func (p *parser) typ() *typeExpr {
	t := p.tok()
	switch {
	case p.isPunct("&") || p.isPunct("&&"):
		p.next()
		if p.tok().kind == tLabel {
			p.next()
		}
		r := &typeExpr{kind: tyRef, p: t.pos}
		r.mut = p.got("mut")
		r.elem = p.typ()
		if t.text == "&&" {
			return &typeExpr{kind: tyRef, elem: r, p: t.pos}
		}
		return r
	case p.isPunct("*"):
		p.next()
		r := &typeExpr{kind: tyPtr, p: t.pos}
		if !p.got("const") {
			p.expect("mut")
			r.mut = true
		}
		r.elem = p.typ()
		return r
	case p.isPunct("["):
		p.next()
		elem := p.typ()
		if p.got("]") {
			return &typeExpr{kind: tySlice, elem: elem, p: t.pos}
		}
		p.expect(";")
		n := p.expr()
		p.expect("]")
		return &typeExpr{kind: tyArray, elem: elem, len: n, p: t.pos}
	case p.isPunct("("):
		p.next()
		tt := &typeExpr{kind: tyTuple, p: t.pos}
		for !p.isPunct(")") && p.tok().kind != tEOF {
			tt.args = append(tt.args, p.typ())
			if !p.got(",") {
				if len(tt.args) == 1 {
					// (T) is T.
					p.expect(")")
					return tt.args[0]
				}
				break
			}
		}
		p.expect(")")
		return tt
	case p.isPunct("!"):
		p.next()
		return &typeExpr{kind: tyNever, p: t.pos}
	case p.isIdent("_"):
		p.next()
		return &typeExpr{kind: tyInfer, p: t.pos}
	case p.isIdent("impl") || p.isIdent("dyn"):
		p.next()
		p.bounds()
		return &typeExpr{kind: tyOther, name: t.text, p: t.pos}
	case p.isIdent("fn") || p.isIdent("unsafe") || p.isIdent("extern"):
		for !p.isIdent("fn") && p.tok().kind != tEOF {
			p.next()
		}
		p.expect("fn")
		p.expect("(")
		p.skipBalanced("(", ")")
		if p.got("->") {
			p.typ()
		}
		return &typeExpr{kind: tyOther, name: "fn", p: t.pos}
	}
	tt := &typeExpr{kind: tyPath, p: t.pos}
	p.got("::")
	for {
		seg := p.ident().text
		tt.path = append(tt.path, seg)
		tt.name = seg
		if p.isPunct("<") || p.isPunct("::") && p.peek(1).text == "<" {
			p.got("::")
			p.next()
			tt.args = p.typeArgs()
		}
		if !p.isPunct("::") {
			break
		}
		p.next()
	}
	if tt.name == "Fn" || tt.name == "FnMut" || tt.name == "FnOnce" {
		if p.isPunct("(") {
			p.next()
			p.skipBalanced("(", ")")
			if p.got("->") {
				p.typ()
			}
		}
	}
	return tt
}

// typeArgs parses generic arguments after their '<'.
func (p *parser) typeArgs() []*typeExpr {
	var args []*typeExpr
	for p.tok().kind != tEOF {
		if strings.HasPrefix(p.tok().text, ">") && p.tok().kind == tPunct {
			break
		}
		switch {
		case p.tok().kind == tLabel:
			p.next()
		case p.tok().kind == tInt || p.isPunct("{"):
			// A const argument.
			if p.got("{") {
				p.skipBalanced("{", "}")
			} else {
				p.next()
			}
		case p.tok().kind == tIdent && p.peek(1).text == "=":
			// An associated type binding: Item = T.
			p.next()
			p.next()
			p.typ()
		default:
			args = append(args, p.typ())
		}
		if !p.got(",") {
			break
		}
	}
	p.closeAngle()
	return args
}

// bounds skips trait bounds: Trait + 'a + Other<T>.
func (p *parser) bounds() {
	for {
		switch {
		case p.tok().kind == tLabel:
			p.next()
		case p.isPunct("?"):
			p.next()
			continue
		default:
			p.typ()
		}
		if !p.got("+") {
			return
		}
	}
}

func (p *parser) block() *blockExpr {
	open := p.expect("{")
	b := &blockExpr{p: open.pos}
	for !p.isPunct("}") && p.tok().kind != tEOF {
		p.stmt(b)
	}
	b.end = p.tok().pos
	p.expect("}")
	return b
}

// stmt parses one statement into b; a final expression without ';' becomes
// b.tail.
func (p *parser) stmt(b *blockExpr) {
	defer p.resyncStmt(p.i)
	if b.tail != nil {
		// The previous expression had no ';' but was not last.
		x := b.tail
		b.tail = nil
		if !blockLike(x) {
			p.errorf(p.tok().pos, "expected ';' after expression, found %s", p.found())
		}
		b.stmts = append(b.stmts, &exprStmt{x: x, p: x.exprPos()})
	}
	for p.isPunct("#") {
		p.attribute()
	}
	t := p.tok()
	if t.kind == tMark {
		p.next()
		b.stmts = append(b.stmts, &markStmt{name: t.text, p: t.pos})
		return
	}
	if p.got(";") {
		return
	}
	if p.isPunct("}") || t.kind == tEOF {
		return
	}
	if p.itemStart() && !p.isPunct("!") && !p.isPunct("~") && !(t.text == "exists" || t.text == "forall" || t.text == "expect" || t.text == "thread" || t.text == "final") {
		if it := p.item(); it != nil {
			b.stmts = append(b.stmts, &itemStmt{it: it, p: t.pos})
		}
		return
	}
	if t.kind == tIdent && t.text == "let" {
		p.next()
		s := &letStmt{p: t.pos}
		s.pat = p.pattern()
		if p.got(":") {
			s.typ = p.typ()
		}
		if p.got("=") {
			s.init = p.expr()
			if p.isIdent("else") {
				p.next()
				s.els = p.block()
			}
		}
		p.expect(";")
		b.stmts = append(b.stmts, s)
		return
	}
	var x expr
	if p.blockLikeStart() {
		// An if, match, loop, while, for or block statement ends at its
		// closing brace, unless a method call or operator continues it.
		x = p.primary()
		if p.isPunct(".") || p.isPunct("?") || p.isIdent("as") {
			x = p.postfix(x)
			x = p.continueBinary(x)
		}
	} else {
		x = p.expr()
	}
	if a := p.assignment(x); a != nil {
		if !p.isPunct("}") { // an assignment may end a block without ';'
			p.expect(";")
		}
		b.stmts = append(b.stmts, a)
		return
	}
	if p.got(";") {
		b.stmts = append(b.stmts, &exprStmt{x: x, semi: true, p: x.exprPos()})
		return
	}
	if p.isPunct("}") || p.tok().kind == tEOF {
		b.tail = x
		return
	}
	if blockLike(x) || p.tok().kind == tMark {
		b.stmts = append(b.stmts, &exprStmt{x: x, p: x.exprPos()})
		return
	}
	p.fail("expected ';'")
}

var assignOps = []string{"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}

// assignment parses "= value" (or a compound assignment) after target x,
// or returns nil when none follows.
func (p *parser) assignment(x expr) *assignStmt {
	for _, op := range assignOps {
		if p.isPunct(op) {
			p.next()
			v := p.expr()
			end := p.toks[p.i-1].end
			return &assignStmt{target: x, op: op, val: v, p: x.exprPos(), end: end}
		}
	}
	return nil
}

// exprOrAssign parses an expression, or an assignment wrapped in a block
// (the body of a match arm or a closure: `Err(x) => old = x,`).
func (p *parser) exprOrAssign() expr {
	x := p.expr()
	if a := p.assignment(x); a != nil {
		return &blockExpr{stmts: []stmt{a}, p: x.exprPos()}
	}
	return x
}

func blockLike(x expr) bool {
	switch x.(type) {
	case *blockExpr, *ifExpr, *whileExpr, *loopExpr, *forExpr, *matchExpr:
		return true
	}
	return false
}

// expr parses an expression, ranges included.
func (p *parser) expr() expr {
	t := p.tok()
	if p.isPunct("..") || p.isPunct("..=") {
		p.next()
		r := &rangeExpr{incl: t.text == "..=", p: t.pos}
		if p.exprStarts() {
			r.hi = p.binary(0)
		}
		return r
	}
	x := p.binary(0)
	if p.isPunct("..") || p.isPunct("..=") {
		op := p.next()
		r := &rangeExpr{lo: x, incl: op.text == "..=", p: op.pos}
		if p.exprStarts() {
			r.hi = p.binary(0)
		}
		return r
	}
	return x
}

// blockLikeStart reports whether the current token begins a block-like
// expression (if, match, loop, while, for, unsafe { }, a block, a label).
func (p *parser) blockLikeStart() bool {
	t := p.tok()
	switch {
	case t.kind == tLabel:
		return true
	case t.kind == tPunct:
		return t.text == "{"
	case t.kind == tIdent:
		switch t.text {
		case "if", "match", "loop", "while", "for":
			return true
		case "unsafe":
			return p.peek(1).text == "{"
		}
	}
	return false
}

// continueBinary parses binary operators after an already parsed operand.
func (p *parser) continueBinary(x expr) expr {
	for {
		t := p.tok()
		if t.kind == tIdent && t.text == "as" {
			p.next()
			x = &castExpr{x: x, typ: p.typ(), p: t.pos}
			continue
		}
		prec, ok := precedence[t.text]
		if t.kind != tPunct || !ok {
			return x
		}
		p.next()
		y := p.binary(prec)
		x = &binaryExpr{op: t.text, x: x, y: y, p: t.pos}
	}
}

// exprStarts reports whether the current token can begin an expression.
func (p *parser) exprStarts() bool {
	t := p.tok()
	switch t.kind {
	case tInt, tString, tChar, tLabel:
		return true
	case tIdent:
		return t.text != "as" && t.text != "else"
	case tPunct:
		switch t.text {
		case "(", "[", "-", "!", "*", "&", "&&", "|", "||":
			return true
		case "{":
			return !p.noStruct
		}
	}
	return false
}

// inRange parses "NAME in LO..HI" or "NAME in LO..=HI", the header of a
// thread family.
func (p *parser) inRange() (name string, lo, hi expr, incl bool) {
	name = p.ident().text
	p.expect("in")
	lo = p.binary(0)
	if p.got("..=") {
		incl = true
	} else {
		p.expect("..")
	}
	return name, lo, p.binary(0), incl
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
	if t.kind == tPunct && (t.text == "-" || t.text == "!" || t.text == "*" || t.text == "&" || t.text == "&&") {
		p.next()
		if t.text == "&" || t.text == "&&" {
			p.got("mut")
			x := p.unary()
			if t.text == "&&" {
				x = &unaryExpr{op: "&", x: x, p: t.pos}
			}
			return &unaryExpr{op: "&", x: x, p: t.pos}
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
			if name.kind == tIdent && name.text == "await" {
				p.failAt(name.pos, ".await is not supported: async code cannot be explored; use threads")
			}
			if p.isPunct("::") && p.peek(1).text == "<" {
				p.next()
				p.next()
				p.skipGenerics()
			}
			if p.isPunct("(") && name.kind == tIdent {
				args := p.args("(", ")")
				x = &methodExpr{recv: x, name: name.text, args: args, p: name.pos, end: p.toks[p.i-1].end}
			} else {
				x = &fieldExpr{x: x, name: name.text, p: name.pos}
			}
		case p.isPunct("["):
			p.next()
			save := p.noStruct
			p.noStruct = false
			idx := p.expr()
			p.noStruct = save
			p.expect("]")
			x = &indexExpr{x: x, idx: idx, p: t.pos}
		case p.isPunct("("):
			args := p.args("(", ")")
			x = &callExpr{fn: x, args: args, p: t.pos, end: p.toks[p.i-1].end}
		case p.isPunct("?"):
			p.fail("the '?' operator is not supported (match on the Result, or unwrap it)")
		default:
			return x
		}
	}
}

func (p *parser) args(open, close string) []expr {
	p.expect(open)
	save := p.noStruct
	p.noStruct = false
	defer func() { p.noStruct = save }()
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

// label parses an optional 'label: before a loop or block.
func (p *parser) labelled() expr {
	l := p.next()
	p.expect(":")
	switch {
	case p.isIdent("loop"), p.isIdent("while"), p.isIdent("for"):
		x := p.primary()
		switch x := x.(type) {
		case *loopExpr:
			x.label = l.text
		case *whileExpr:
			x.label = l.text
		case *forExpr:
			x.label = l.text
		}
		return x
	case p.isPunct("{"):
		b := p.block()
		b.label = l.text
		return b
	}
	p.fail("expected a loop or a block after the label '%s", l.text)
	return nil
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
	case tChar:
		p.failAt(t.pos, "char literals are not supported; use an integer")
	case tLabel:
		return p.labelled()
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
			save := p.noStruct
			p.noStruct = true
			if p.got("let") {
				w.pat = p.pattern()
				p.expect("=")
			}
			w.cond = p.expr()
			p.noStruct = save
			w.body = p.block()
			return w
		case "loop":
			p.next()
			return &loopExpr{body: p.block(), p: t.pos}
		case "for":
			p.next()
			f := &forExpr{p: t.pos}
			f.pat = p.pattern()
			p.expect("in")
			save := p.noStruct
			p.noStruct = true
			f.iter = p.expr()
			p.noStruct = save
			f.body = p.block()
			return f
		case "match":
			p.next()
			m := &matchExpr{p: t.pos}
			save := p.noStruct
			p.noStruct = true
			m.x = p.expr()
			p.noStruct = save
			p.expect("{")
			for !p.isPunct("}") && p.tok().kind != tEOF {
				for p.isPunct("#") {
					p.attribute()
				}
				arm := matchArm{p: p.tok().pos}
				arm.pat = p.pattern()
				if p.got("if") {
					arm.guard = p.expr()
				}
				p.expect("=>")
				if p.isPunct("{") {
					// A block ends its arm: `{ .. } (a, b) => ..` is two arms.
					arm.body = p.block()
				} else {
					arm.body = p.exprOrAssign()
				}
				m.arms = append(m.arms, arm)
				if !p.got(",") && !p.isPunct("}") && !blockLike(arm.body) {
					p.fail("expected ',' or '}' after match arm")
				}
			}
			p.expect("}")
			return m
		case "unsafe":
			p.next()
			b := p.block()
			b.unsafe = true
			return b
		case "const":
			if p.peek(1).text == "{" {
				p.next()
				b := p.block()
				b.konst = true
				return b
			}
		case "async":
			p.failAt(t.pos, "async blocks are not supported; use threads")
		case "move":
			if p.peek(1).text == "|" || p.peek(1).text == "||" {
				p.next()
				c := p.closure()
				c.move = true
				c.p = t.pos
				return c
			}
		case "break":
			p.next()
			b := &breakExpr{p: t.pos}
			if p.tok().kind == tLabel {
				b.label = p.next().text
			}
			if p.exprStarts() && !p.isPunct("{") {
				b.x = p.expr()
			}
			return b
		case "continue":
			p.next()
			c := &continueExpr{p: t.pos}
			if p.tok().kind == tLabel {
				c.label = p.next().text
			}
			return c
		case "return":
			p.next()
			r := &returnExpr{p: t.pos}
			if p.exprStarts() {
				r.x = p.expr()
			}
			return r
		case "let":
			p.failAt(t.pos, "let is a statement here; use `if let` or `matches!`")
		}
		p.next()
		if p.isPunct("!") && p.peek(1).kind == tPunct && (p.peek(1).text == "(" || p.peek(1).text == "[" || p.peek(1).text == "{") {
			return p.macro(t)
		}
		segs := []string{t.text}
		for p.isPunct("::") {
			p.next()
			if p.isPunct("<") { // turbofish: skip generic arguments
				p.next()
				p.skipGenerics()
				continue
			}
			segs = append(segs, p.ident().text)
		}
		if p.isPunct("<") && len(segs) == 1 && isTypeName(t.text) && p.genericPath() {
			// Vec<u32>::new(), Arc<T>::new: skip the arguments.
			p.next()
			p.skipGenerics()
			for p.got("::") {
				segs = append(segs, p.ident().text)
			}
		}
		if p.isPunct("{") && !p.noStruct && p.structAhead() {
			return p.structLit(segs, t.pos)
		}
		if len(segs) > 1 {
			return &pathExpr{segs: segs, p: t.pos}
		}
		return &identExpr{name: t.text, p: t.pos}
	case tPunct:
		switch t.text {
		case "(":
			p.next()
			save := p.noStruct
			p.noStruct = false
			defer func() { p.noStruct = save }()
			if p.got(")") {
				return &tupleExpr{p: t.pos} // unit
			}
			x := p.expr()
			if p.isPunct(",") {
				tu := &tupleExpr{elems: []expr{x}, p: t.pos}
				for p.got(",") && !p.isPunct(")") {
					tu.elems = append(tu.elems, p.expr())
				}
				p.expect(")")
				return tu
			}
			p.expect(")")
			if bx, ok := x.(*binaryExpr); ok {
				bx.paren = true
			}
			return x
		case "{":
			return p.block()
		case "[":
			p.next()
			save := p.noStruct
			p.noStruct = false
			defer func() { p.noStruct = save }()
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
		case "|", "||":
			return p.closure()
		}
	}
	p.fail("expected an expression")
	return nil
}

// genericPath reports whether a '<' after a type name opens generic
// arguments followed by '::' (Vec::<u32>::new written as Vec<u32>::new is
// not Rust, but AtomicPtr<T>::new-like paths are).
func (p *parser) genericPath() bool {
	depth := 0
	for k := 0; p.i+k < len(p.toks); k++ {
		t := p.peek(k)
		if t.kind != tPunct {
			if t.kind == tEOF {
				return false
			}
			continue
		}
		switch t.text {
		case "<":
			depth++
		case ">":
			depth--
		case ">>":
			depth -= 2
		case ";", "{", "}", "(", ")", "==", "&&", "||", "=":
			return false
		}
		if depth <= 0 {
			return p.peek(k+1).text == "::"
		}
	}
	return false
}

func isTypeName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// structAhead reports whether '{' after a path begins a struct literal:
// `{ }`, `{ name: `, `{ name, `, `{ name }` or `{ ..`.
func (p *parser) structAhead() bool {
	a, b := p.peek(1), p.peek(2)
	switch {
	case a.kind == tPunct && a.text == "}":
		return true
	case a.kind == tPunct && a.text == "..":
		return true
	case a.kind == tIdent || a.kind == tInt:
		return b.kind == tPunct && (b.text == ":" && p.peek(3).text != ":" || b.text == "," || b.text == "}")
	}
	return false
}

func (p *parser) structLit(segs []string, pos source.Pos) expr {
	s := &structLit{name: segs[len(segs)-1], p: pos}
	p.expect("{")
	for !p.isPunct("}") && p.tok().kind != tEOF {
		if p.got("..") {
			s.base = p.expr()
			break
		}
		f := p.next()
		if f.kind != tIdent && f.kind != tInt {
			p.failAt(f.pos, "expected a field name")
		}
		fi := fieldInit{name: f.text, p: f.pos}
		if p.got(":") {
			fi.x = p.expr()
		} else {
			fi.x = &identExpr{name: f.text, p: f.pos}
		}
		s.fields = append(s.fields, fi)
		if !p.got(",") {
			break
		}
	}
	p.expect("}")
	return s
}

func (p *parser) closure() *closureExpr {
	t := p.tok()
	c := &closureExpr{p: t.pos}
	if p.got("||") {
		// no parameters
	} else {
		p.expect("|")
		for !p.isPunct("|") && p.tok().kind != tEOF {
			pat := p.patternNoAlt()
			if p.got(":") {
				pat.typ = p.typ()
			}
			c.params = append(c.params, pat)
			if !p.got(",") {
				break
			}
		}
		p.expect("|")
	}
	if p.got("->") {
		p.typ()
		c.body = p.block()
		return c
	}
	save := p.noStruct
	p.noStruct = false
	c.body = p.exprOrAssign()
	p.noStruct = save
	return c
}

// macro parses NAME!(...) after NAME.
func (p *parser) macro(name token) expr {
	p.expect("!")
	open := p.tok().text
	close := map[string]string{"(": ")", "[": "]", "{": "}"}[open]
	m := &macroExpr{name: name.text, p: name.pos}
	switch name.text {
	case "println", "print", "eprintln", "eprint", "format", "write", "writeln", "format_args", "dbg", "debug_assert_matches", "thread_local", "lazy_static", "compile_error", "include", "concat", "stringify", "env", "line", "file", "column", "module_path", "cfg":
		// No effect on memory: skip the arguments.
		p.next()
		p.skipBalanced(open, close)
		m.end = p.toks[p.i-1].end
		return m
	case "matches":
		p.next()
		save := p.noStruct
		p.noStruct = false
		defer func() { p.noStruct = save }()
		m.args = []expr{p.expr()}
		p.expect(",")
		m.pat = p.pattern()
		if p.got("if") {
			m.guard = p.expr()
		}
		p.got(",")
		p.expect(close)
		m.end = p.toks[p.i-1].end
		return m
	case "vec":
		p.next()
		save := p.noStruct
		p.noStruct = false
		defer func() { p.noStruct = save }()
		a := &arrayLit{p: name.pos}
		if !p.got(close) {
			first := p.expr()
			if p.got(";") {
				a.repeat = first
				a.count = p.expr()
			} else {
				a.elems = append(a.elems, first)
				for p.got(",") && !p.isPunct(close) {
					a.elems = append(a.elems, p.expr())
				}
			}
			p.expect(close)
		}
		m.args = []expr{a}
		m.end = p.toks[p.i-1].end
		return m
	}
	// The required arguments are expressions; a message after them is
	// format text that has no effect.
	required := map[string]int{"assert": 1, "debug_assert": 1, "assume": 1, "assert_eq": 2, "assert_ne": 2,
		"debug_assert_eq": 2, "debug_assert_ne": 2, "panic": 0, "unreachable": 0, "todo": 0, "unimplemented": 0}
	n, known := required[name.text]
	if !known {
		n = 1 << 30
	}
	p.next()
	save := p.noStruct
	p.noStruct = false
	defer func() { p.noStruct = save }()
	for !p.isPunct(close) && p.tok().kind != tEOF {
		if len(m.args) >= n {
			p.skipBalanced(open, close)
			m.end = p.toks[p.i-1].end
			return m
		}
		m.args = append(m.args, p.expr())
		if !p.got(",") {
			break
		}
	}
	p.expect(close)
	m.end = p.toks[p.i-1].end
	return m
}

func (p *parser) ifExpr() expr {
	t := p.expect("if")
	x := &ifExpr{p: t.pos}
	save := p.noStruct
	p.noStruct = true
	if p.got("let") {
		x.pat = p.pattern()
		p.expect("=")
	}
	x.cond = p.expr()
	p.noStruct = save
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

// pattern parses a pattern, or-patterns included.
func (p *parser) pattern() *pattern {
	t := p.tok()
	p.got("|")
	first := p.patternNoAlt()
	if !p.isPunct("|") {
		return first
	}
	or := &pattern{kind: pOr, elems: []*pattern{first}, p: t.pos}
	for p.got("|") {
		or.elems = append(or.elems, p.patternNoAlt())
	}
	return or
}

// patLitStarts reports whether the current token begins a literal
// pattern.
func (p *parser) patLitStarts() bool {
	t := p.tok()
	return t.kind == tInt || t.kind == tChar || t.kind == tString || t.kind == tIdent && (t.text == "true" || t.text == "false") || p.isPunct("-")
}

func (p *parser) patLit() expr {
	t := p.tok()
	if t.kind == tChar {
		p.failAt(t.pos, "char patterns are not supported; use integers")
	}
	if t.kind == tString {
		p.failAt(t.pos, "string patterns are not supported")
	}
	if p.isPunct("-") {
		p.next()
		return &unaryExpr{op: "-", x: p.patLit(), p: t.pos}
	}
	if t.kind == tInt {
		p.next()
		return &intLit{text: t.text, p: t.pos}
	}
	if t.kind == tIdent && (t.text == "true" || t.text == "false") {
		p.next()
		return &boolLit{val: t.text == "true", p: t.pos}
	}
	// A path constant: u32::MAX, N.
	segs := []string{p.ident().text}
	for p.got("::") {
		segs = append(segs, p.ident().text)
	}
	if len(segs) == 1 {
		return &identExpr{name: segs[0], p: t.pos}
	}
	return &pathExpr{segs: segs, p: t.pos}
}

// rangeTail parses the rest of a range pattern after its low bound.
func (p *parser) rangeTail(lo expr, pos source.Pos) *pattern {
	op := p.next()
	r := &pattern{kind: pRange, lo: lo, incl: op.text != "..", p: pos}
	if op.text == "..." {
		r.incl = true
	}
	if p.patLitStarts() || p.tok().kind == tIdent && !p.isIdent("if") {
		r.hi = p.patLit()
	} else if r.incl {
		p.fail("expected the upper bound of the range pattern")
	}
	return r
}

func (p *parser) patternNoAlt() *pattern {
	t := p.tok()
	switch {
	case p.isPunct("&") || p.isPunct("&&"):
		p.next()
		p.got("mut")
		return &pattern{kind: pRef, sub: p.patternNoAlt(), p: t.pos}
	case p.isPunct(".."):
		p.next()
		return &pattern{kind: pRest, p: t.pos}
	case p.isPunct("..="):
		p.next()
		return &pattern{kind: pRange, hi: p.patLit(), incl: true, p: t.pos}
	case p.isPunct("("):
		p.next()
		tu := &pattern{kind: pTuple, p: t.pos}
		for !p.isPunct(")") && p.tok().kind != tEOF {
			tu.elems = append(tu.elems, p.pattern())
			if !p.got(",") {
				if len(tu.elems) == 1 {
					p.expect(")")
					return tu.elems[0] // (p) is p
				}
				break
			}
		}
		p.expect(")")
		return tu
	case p.isIdent("_"):
		p.next()
		return &pattern{kind: pWild, p: t.pos}
	case p.patLitStarts():
		lo := p.patLit()
		if p.isPunct("..=") || p.isPunct("..") || p.isPunct("...") {
			return p.rangeTail(lo, t.pos)
		}
		return &pattern{kind: pLit, lit: lo, p: t.pos}
	case p.isIdent("ref") || p.isIdent("mut"):
		b := &pattern{kind: pBind, p: t.pos}
		if p.got("ref") {
			p.got("mut")
		} else {
			p.next()
			b.mut = true
		}
		b.name = p.ident().text
		if p.got("@") {
			b.sub = p.patternNoAlt()
		}
		return b
	case t.kind == tIdent:
		segs := []string{p.next().text}
		for p.isPunct("::") {
			p.next()
			if p.isPunct("<") {
				p.next()
				p.skipGenerics()
				continue
			}
			segs = append(segs, p.ident().text)
		}
		last := segs[len(segs)-1]
		switch {
		case p.isPunct("("):
			p.next()
			v := &pattern{kind: pVariant, name: last, p: t.pos}
			for !p.isPunct(")") && p.tok().kind != tEOF {
				v.elems = append(v.elems, p.pattern())
				if !p.got(",") {
					break
				}
			}
			p.expect(")")
			return v
		case p.isPunct("{"):
			p.next()
			s := &pattern{kind: pStruct, name: last, p: t.pos}
			for !p.isPunct("}") && p.tok().kind != tEOF {
				if p.got("..") {
					break
				}
				ft := p.tok()
				isRef := p.got("ref")
				mut := p.got("mut")
				f := p.ident()
				var sub *pattern
				if !isRef && !mut && p.got(":") {
					sub = p.pattern()
				} else {
					sub = &pattern{kind: pBind, name: f.text, mut: mut, p: ft.pos}
				}
				s.fields = append(s.fields, f.text)
				s.elems = append(s.elems, sub)
				if !p.got(",") {
					break
				}
			}
			p.expect("}")
			return s
		case p.isPunct("..=") || p.isPunct("..") && len(segs) > 1 || p.isPunct("..."):
			var lo expr = &identExpr{name: segs[0], p: t.pos}
			if len(segs) > 1 {
				lo = &pathExpr{segs: segs, p: t.pos}
			}
			return p.rangeTail(lo, t.pos)
		case p.isPunct("@") && len(segs) == 1:
			p.next()
			return &pattern{kind: pBind, name: last, sub: p.patternNoAlt(), p: t.pos}
		}
		if len(segs) > 1 || last == "None" {
			if last == "None" || last == "Some" || last == "Ok" || last == "Err" {
				return &pattern{kind: pVariant, name: last, p: t.pos}
			}
			return &pattern{kind: pLit, lit: &pathExpr{segs: segs, p: t.pos}, p: t.pos}
		}
		return &pattern{kind: pBind, name: last, p: t.pos}
	}
	p.fail("expected a pattern")
	return nil
}

func itoa(k int) string {
	if k < 10 {
		return string(rune('0' + k))
	}
	return itoa(k/10) + itoa(k%10)
}

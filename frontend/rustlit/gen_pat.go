package rustlit

import (
	"happens/prog"
	"happens/source"
)

// Patterns: matchPat tests a value against a pattern, binding names in the
// current scope; on a mismatch it jumps to a location appended to fail.
// Or-patterns bind each name into the same registers in every
// alternative (shared).

func (g *gen) matchPat(p *pattern, v value, fail *[]int, shared map[string]value) {
	if v.k == vNever {
		return
	}
	switch p.kind {
	case pWild, pRest:
	case pRef:
		g.matchPat(p.sub, v, fail, shared)
	case pBind:
		if p.sub != nil {
			g.matchPat(p.sub, v, fail, shared)
		}
		// A name that is a constant (or None, a unit struct) is a
		// constant pattern, as in Rust.
		if g.lookup(p.name) == nil && p.sub == nil {
			if d := g.c.consts[p.name]; d != nil {
				g.matchPat(&pattern{kind: pLit, lit: &identExpr{name: p.name, p: p.p}, p: p.p}, v, fail, shared)
				return
			}
		}
		if s, ok := shared[p.name]; ok {
			g.move(s, g.coerce(v, s.typ(), p.p))
			g.bind(p.name, s, p.mut)
			return
		}
		switch v.k {
		case vPlace, vGuard, vClosure, vHandle, vRange:
			g.bind(p.name, v, p.mut)
		default:
			g.bind(p.name, g.copyValue(v), p.mut)
		}
	case pLit:
		if v.k != vScalar {
			g.errorf(p.p, "a literal pattern matches a number or bool, found %s", v)
		}
		l := g.exprWant(p.lit, &ty{k: vScalar, t: v.t})
		c := g.binop(prog.Eq, v, l, p.p)
		*fail = append(*fail, g.branchFalse(c.reg))
	case pRange:
		if v.k != vScalar || !v.t.IsInt() {
			g.errorf(p.p, "a range pattern matches an integer, found %s", v)
		}
		if p.lo != nil {
			lo := g.exprWant(p.lo, &ty{k: vScalar, t: v.t})
			c := g.binop(prog.Ge, v, lo, p.p)
			*fail = append(*fail, g.branchFalse(c.reg))
		}
		if p.hi != nil {
			hi := g.exprWant(p.hi, &ty{k: vScalar, t: v.t})
			op := prog.Lt
			if p.incl {
				op = prog.Le
			}
			c := g.binop(op, v, hi, p.p)
			*fail = append(*fail, g.branchFalse(c.reg))
		}
	case pOr:
		// Bind each name once, into registers shared by the alternatives.
		inner := shared
		names := patNames(p.elems[0], nil)
		if len(names) > 0 {
			inner = map[string]value{}
			for k, v := range shared {
				inner[k] = v
			}
			for _, n := range names {
				if _, ok := inner[n]; ok {
					continue
				}
				t := g.bindType(p.elems[0], n, v)
				if t == nil {
					g.errorf(p.p, "cannot bind %s in an or-pattern here", n)
				}
				inner[n] = g.alloc(t)
			}
		}
		var matched []int
		for i, alt := range p.elems {
			var next []int
			if i > 0 {
				alt := alt
				if !sameNames(patNames(alt, nil), names) {
					g.errorf(alt.p, "each alternative of an or-pattern must bind the same names")
				}
			}
			g.matchPat(alt, v, &next, inner)
			if i == len(p.elems)-1 {
				*fail = append(*fail, next...)
				break
			}
			matched = append(matched, g.jump())
			g.patch(next, g.here())
		}
		g.patch(matched, g.here())
		for _, n := range names {
			g.bind(n, inner[n], false)
		}
	case pTuple:
		if v.k != vTuple {
			g.errorf(p.p, "a tuple pattern matches a tuple, found %s", v)
		}
		elems := expandRest(p.elems, len(v.elems))
		if elems == nil {
			g.errorf(p.p, "mismatched types: expected a tuple with %d elements, found one with %d", len(p.elems), len(v.elems))
		}
		for i, e := range elems {
			g.matchPat(e, v.elems[i], fail, shared)
		}
	case pStruct:
		if v.k != vStruct || v.sname != p.name && g.c.typeName(p.name) != v.sname {
			g.errorf(p.p, "a %s pattern cannot match %s", p.name, v)
		}
		st := g.c.structs[v.sname]
		for i, f := range p.fields {
			k := fieldIndex(st, f)
			if k < 0 {
				g.errorf(p.elems[i].p, "struct %s has no field %s", v.sname, f)
			}
			g.matchPat(p.elems[i], v.elems[k], fail, shared)
		}
	case pVariant:
		g.matchVariant(p, v, fail, shared)
	}
}

func (g *gen) matchVariant(p *pattern, v value, fail *[]int, shared map[string]value) {
	if v.k == vJoined && (p.name == "Ok" || p.name == "Err") {
		// A join's result: the final code runs only when every thread
		// finished without panicking, so it is always Ok.
		if p.name == "Err" {
			*fail = append(*fail, g.jump())
			return
		}
		if len(p.elems) == 1 {
			g.matchPat(p.elems[0], v.elems[0], fail, shared)
		}
		return
	}
	switch p.name {
	case "Ok", "Err":
		if v.k != vResult {
			g.errorf(p.p, "%s(...) matches a Result (from compare_exchange), found %s", p.name, v)
		}
		if len(p.elems) != 1 {
			g.errorf(p.p, "%s takes one pattern", p.name)
		}
		if p.name == "Ok" {
			*fail = append(*fail, g.branchFalse(v.reg+1))
		} else {
			*fail = append(*fail, g.branchTrue(v.reg+1))
		}
		g.matchPat(p.elems[0], scalar(v.reg, v.t), fail, shared)
	case "Some", "None":
		if v.k != vOption {
			g.errorf(p.p, "%s matches an Option, found %s", p.name, v)
		}
		if p.name == "None" {
			if len(p.elems) != 0 {
				g.errorf(p.p, "None takes no pattern")
			}
			*fail = append(*fail, g.branchTrue(v.reg))
			return
		}
		if len(p.elems) != 1 {
			g.errorf(p.p, "Some takes one pattern")
		}
		*fail = append(*fail, g.branchFalse(v.reg))
		g.matchPat(p.elems[0], v.elems[0], fail, shared)
	default:
		if st := g.c.structs[g.c.typeName(p.name)]; st != nil && st.tuple && v.k == vStruct {
			for i, e := range p.elems {
				if i < len(v.elems) {
					g.matchPat(e, v.elems[i], fail, shared)
				}
			}
			return
		}
		g.errorf(p.p, "unsupported pattern %s(...): enums other than Option and Result are not supported", p.name)
	}
}

// expandRest replaces a .. in a tuple pattern by wildcards, for n
// elements; nil when the counts cannot match.
func expandRest(elems []*pattern, n int) []*pattern {
	rest := -1
	for i, e := range elems {
		if e.kind == pRest {
			rest = i
		}
	}
	if rest < 0 {
		if len(elems) != n {
			return nil
		}
		return elems
	}
	if len(elems)-1 > n {
		return nil
	}
	out := append([]*pattern(nil), elems[:rest]...)
	for k := 0; k < n-(len(elems)-1); k++ {
		out = append(out, &pattern{kind: pWild, p: elems[rest].p})
	}
	return append(out, elems[rest+1:]...)
}

func fieldIndex(st *structItem, name string) int {
	if st == nil {
		return -1
	}
	for i, f := range st.fields {
		if f.name == name {
			return i
		}
	}
	return -1
}

// patNames lists the names a pattern binds.
func patNames(p *pattern, into []string) []string {
	switch p.kind {
	case pBind:
		into = append(into, p.name)
		if p.sub != nil {
			into = patNames(p.sub, into)
		}
	case pTuple, pStruct, pVariant:
		for _, e := range p.elems {
			into = patNames(e, into)
		}
	case pOr:
		if len(p.elems) > 0 {
			into = patNames(p.elems[0], into)
		}
	case pRef:
		into = patNames(p.sub, into)
	}
	return into
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// bindType is the type of the value name binds when p matches v.
func (g *gen) bindType(p *pattern, name string, v value) *ty {
	switch p.kind {
	case pBind:
		if p.name == name {
			return v.typ()
		}
		if p.sub != nil {
			return g.bindType(p.sub, name, v)
		}
	case pRef:
		return g.bindType(p.sub, name, v)
	case pTuple:
		if v.k != vTuple {
			return nil
		}
		elems := expandRest(p.elems, len(v.elems))
		for i, e := range elems {
			if t := g.bindType(e, name, v.elems[i]); t != nil {
				return t
			}
		}
	case pStruct:
		if v.k != vStruct {
			return nil
		}
		st := g.c.structs[v.sname]
		for i, f := range p.fields {
			if k := fieldIndex(st, f); k >= 0 {
				if t := g.bindType(p.elems[i], name, v.elems[k]); t != nil {
					return t
				}
			}
		}
	case pVariant:
		if len(p.elems) != 1 {
			return nil
		}
		switch {
		case v.k == vResult:
			return g.bindType(p.elems[0], name, scalar(0, v.t))
		case v.k == vOption:
			return g.bindType(p.elems[0], name, v.elems[0])
		}
	case pOr:
		if len(p.elems) > 0 {
			return g.bindType(p.elems[0], name, v)
		}
	}
	return nil
}

// Exhaustiveness: a match whose arms cannot be shown to cover every value
// is rejected (Rust rejects it too); the check is conservative but covers
// what programs write: _, a binding, Ok/Err, Some/None, true/false,
// integer literals and ranges covering the type, and tuples of these.

type space struct {
	v    value
	c    *compiler
	arms []*pattern
}

// covers reports whether the patterns cover every value of v's type.
func (g *gen) covers(pats []*pattern, v value) bool {
	var flat []*pattern
	for _, p := range pats {
		flat = append(flat, orAlts(p)...)
	}
	for _, p := range flat {
		if g.catchAll(p, v) {
			return true
		}
	}
	switch v.k {
	case vJoined:
		for _, p := range flat {
			if p.kind == pVariant && p.name == "Ok" && len(p.elems) == 1 && g.catchAll(p.elems[0], v.elems[0]) {
				return true
			}
		}
		return false
	case vResult:
		var ok, err []*pattern
		for _, p := range flat {
			if p.kind == pVariant && len(p.elems) == 1 {
				switch p.name {
				case "Ok":
					ok = append(ok, p.elems[0])
				case "Err":
					err = append(err, p.elems[0])
				}
			}
		}
		sub := scalar(v.reg, v.t)
		return g.covers(ok, sub) && g.covers(err, sub)
	case vOption:
		var some []*pattern
		none := false
		for _, p := range flat {
			if p.kind == pVariant {
				switch p.name {
				case "None":
					none = true
				case "Some":
					if len(p.elems) == 1 {
						some = append(some, p.elems[0])
					}
				}
			}
		}
		return none && g.covers(some, v.elems[0])
	case vScalar:
		return g.coversScalar(flat, v.t)
	case vTuple:
		// Column by column: the first column's patterns must cover it, and
		// for each of its distinct constructors, the rest must be covered.
		// Conservatively: every arm is catch-all except in one column.
		for col := range v.elems {
			ok := true
			var colPats []*pattern
			for _, p := range flat {
				if p.kind != pTuple {
					ok = false
					break
				}
				elems := expandRest(p.elems, len(v.elems))
				if elems == nil {
					ok = false
					break
				}
				for k, e := range elems {
					if k != col && !g.catchAll(e, v.elems[k]) {
						ok = false
					}
				}
				colPats = append(colPats, elems[col])
			}
			if ok && g.covers(colPats, v.elems[col]) {
				return true
			}
		}
	}
	return false
}

func orAlts(p *pattern) []*pattern {
	if p.kind == pOr {
		var out []*pattern
		for _, e := range p.elems {
			out = append(out, orAlts(e)...)
		}
		return out
	}
	if p.kind == pBind && p.sub != nil {
		return orAlts(p.sub)
	}
	if p.kind == pRef {
		return orAlts(p.sub)
	}
	return []*pattern{p}
}

// catchAll reports whether p matches every value.
func (g *gen) catchAll(p *pattern, v value) bool {
	switch p.kind {
	case pWild, pRest:
		return true
	case pBind:
		if p.sub != nil {
			return g.catchAll(p.sub, v)
		}
		return g.lookup(p.name) != nil || g.c.consts[p.name] == nil
	case pRef:
		return g.catchAll(p.sub, v)
	case pTuple:
		if v.k != vTuple {
			return false
		}
		elems := expandRest(p.elems, len(v.elems))
		if elems == nil {
			return false
		}
		for i, e := range elems {
			if !g.catchAll(e, v.elems[i]) {
				return false
			}
		}
		return true
	case pStruct:
		st := g.c.structs[v.sname]
		for i, f := range p.fields {
			k := fieldIndex(st, f)
			if k < 0 || k >= len(v.elems) || !g.catchAll(p.elems[i], v.elems[k]) {
				return false
			}
		}
		return true
	case pOr:
		for _, e := range p.elems {
			if g.catchAll(e, v) {
				return true
			}
		}
	}
	return false
}

// coversScalar checks integer and bool coverage by intervals.
func (g *gen) coversScalar(pats []*pattern, t prog.Type) bool {
	type iv struct{ lo, hi int64 } // over the type's values (signed order)
	var min, max int64
	unsigned64 := false
	switch {
	case t.Kind == prog.KindBool:
		min, max = 0, 1
	case t.IsInt() && t.Signed && !t.Flexible:
		min, max = -1<<(t.Bits-1), 1<<(t.Bits-1)-1
	case t.IsInt() && !t.Flexible && t.Bits < 64:
		min, max = 0, 1<<t.Bits-1
	case t.IsInt() && !t.Flexible:
		// u64: compare in unsigned order, mapped onto int64 by flipping
		// the sign bit.
		unsigned64 = true
		min, max = -1<<63, 1<<63-1
	default:
		return false
	}
	conv := func(x uint64) int64 {
		if unsigned64 {
			return int64(x ^ 1<<63)
		}
		return int64(x)
	}
	var ivs []iv
	for _, p := range pats {
		switch p.kind {
		case pLit:
			cv, ok := g.c.constEval(p.lit, true)
			if !ok {
				return false
			}
			x := conv(t.Wrap(cv.v))
			ivs = append(ivs, iv{x, x})
		case pRange:
			lo, hi := min, max
			if p.lo != nil {
				cv, ok := g.c.constEval(p.lo, true)
				if !ok {
					return false
				}
				lo = conv(t.Wrap(cv.v))
			}
			if p.hi != nil {
				cv, ok := g.c.constEval(p.hi, true)
				if !ok {
					return false
				}
				hi = conv(t.Wrap(cv.v))
				if !p.incl {
					if hi == min {
						continue
					}
					hi--
				}
			}
			if lo <= hi {
				ivs = append(ivs, iv{lo, hi})
			}
		case pBind:
			if d := g.c.consts[p.name]; d != nil && g.lookup(p.name) == nil {
				cv, ok := g.c.constValue(d, true)
				if !ok {
					return false
				}
				x := conv(t.Wrap(cv.v))
				ivs = append(ivs, iv{x, x})
			}
		}
	}
	// Sweep from min.
	next := min
	for {
		progress := false
		for _, x := range ivs {
			if x.lo <= next && x.hi >= next {
				if x.hi == max {
					return true
				}
				next = x.hi + 1
				progress = true
			}
		}
		if !progress {
			return false
		}
	}
}

var _ = source.Pos{}

package rustlit

import (
	"happens/prog"
	"happens/source"
)

// ParseOutcome reads a Rust boolean expression over a resolved program's
// thread locals (t1.a, w[0].a, P0.r0) and final memory (X, A[2]), as
// explain and compare take it on the command line. The program may come
// from either front end. name is used for positions.
func ParseOutcome(p *prog.Program, name, src string) (prog.Expr, []prog.Observable, error) {
	var errs source.ErrorList
	toks, _, _ := lex(name, []byte(src), &errs)
	ps := &parser{src: []byte(src), toks: toks, errs: &errs}
	var x expr
	func() {
		defer func() {
			if r := recover(); r != nil {
				switch r.(type) {
				case bail, tooMany:
				default:
					panic(r)
				}
			}
		}()
		x = ps.expr()
		if ps.tok().kind != tEOF {
			ps.fail("unexpected text after the outcome")
		}
	}()
	if x == nil || len(errs) > 0 {
		return nil, nil, errs.Err()
	}
	c := newCompiler(name, []byte(src), &errs, Options{})
	c.p = p
	var obs []prog.Observable
	seen := map[string]bool{}
	e, t, ok := c.condExpr(x, func(o prog.Observable) {
		if !seen[o.Name] {
			seen[o.Name] = true
			obs = append(obs, o)
		}
	})
	if ok && t.Kind != prog.KindBool {
		errs.Add(x.exprPos(), "the outcome must be a bool, found %s", t)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	return e, obs, nil
}

package rustlit

import (
	"happens/prog"
	"happens/source"
)

// Whole programs: fn main, #[test] functions and loom models.

// main compiles a program from its fn main.
func (c *compiler) main(fn *fnItem, h *hoisted) {
	body := fn.body
	for _, s := range body.stmts {
		if _, ok := s.(*markStmt); ok {
			// Book notation inside fn main (as mdBook wraps the book's
			// snippets).
			c.book(body.stmts, nil)
			return
		}
	}
	c.book(body.stmts, nil)
}

// tests compiles the #[test] function chosen by Options.Test (or the only
// one).
func (c *compiler) tests(tests []*fnItem, h *hoisted) {
	pick := tests[0]
	if c.opts.Test != "" {
		pick = nil
		for _, t := range tests {
			if t.name == c.opts.Test {
				pick = t
			}
		}
		if pick == nil {
			c.errorf(source.Pos{File: c.filename, Line: 1, Col: 1}, "no #[test] fn named %s", c.opts.Test)
			return
		}
	}
	c.p.Name = pick.name
	c.main(pick, h)
}

var _ = prog.Unit

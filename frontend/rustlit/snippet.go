package rustlit

import (
	"fmt"
	"sort"
	"strings"

	"happens/source"
)

// Snippets as articles print them: statements with no declarations
// around them (seed 000 prints `let x = X.load(Ordering::Acquire);
// X.store(val | x, Ordering::Release);` and nothing else). Pasted as
// printed, such a snippet is read by one rule, said in the output:
//
//   - a name the snippet never declares that receives an atomic method
//     (X.load(..), X.store(..), X.fetch_add(..)) is an atomic, as if
//     declared static X: AtomicU32 = AtomicU32::new(0);
//   - any other undeclared name used as a value is a parameter, as if
//     declared const val: u32 = 0; -D val=V sets it;
//   - `# text` after code on a line is a comment (the seed annotates its
//     lines so); in other program forms it is an error.
//
// The rule applies only when the file declares nothing at all (no use,
// static, const, fn, struct, thread): a file that declares some of its
// names must declare all of them, and gets rustc's "cannot find value".

// snippetImplicit adds the implicit declarations of a header-less
// snippet to h, and describes them for the output.
func (c *compiler) snippetImplicit(f *file, h *hoisted, hadSyntaxErrors bool) {
	snippet := len(h.top) > 0
	for _, it := range f.items {
		switch it := it.(type) {
		case *topStmt:
			if _, ok := it.s.(*itemStmt); ok {
				snippet = false
			}
		case *condItem, *expectItem:
		default:
			snippet = false
		}
	}
	if !snippet {
		if len(f.hashes) > 0 && !hadSyntaxErrors {
			c.errorf(f.hashes[0], "# does not start a comment in Rust; write // (a # comment after code is read only in a snippet of bare statements)")
		}
		return
	}
	if len(f.hashes) > 0 {
		c.snippetNotes = append(c.snippetNotes, "`# text` after code read as a comment.")
	}
	declared := map[string]bool{}
	atomics := map[string]source.Pos{}
	plain := map[string]source.Pos{}
	addPat := func(p *pattern) {
		if p != nil {
			for _, n := range patNames(p, nil) {
				declared[n] = true
			}
		}
	}
	var visit func(s stmt)
	f2 := func(x expr, _ int) bool {
		switch x := x.(type) {
		case *blockExpr:
			for _, s := range x.stmts {
				visit(s)
			}
		case *forExpr:
			addPat(x.pat)
		case *ifExpr:
			addPat(x.pat)
		case *whileExpr:
			addPat(x.pat)
		case *matchExpr:
			for _, a := range x.arms {
				addPat(a.pat)
			}
		case *closureExpr:
			for _, p := range x.params {
				addPat(p)
			}
		case *macroExpr:
			addPat(x.pat)
		case *methodExpr:
			if id, ok := x.recv.(*identExpr); ok && atomicMethod(x.name) {
				if _, seen := atomics[id.name]; !seen {
					atomics[id.name] = id.p
				}
			}
		case *identExpr:
			if _, seen := plain[x.name]; !seen {
				plain[x.name] = x.p
			}
		}
		return true
	}
	visit = func(s stmt) {
		if ls, ok := s.(*letStmt); ok {
			addPat(ls.pat)
		}
	}
	for _, s := range h.top {
		visit(s)
		walkStmt(s, f2)
	}
	// Called functions' names were recorded as plain: drop them.
	for _, s := range h.top {
		walkStmt(s, func(x expr, _ int) bool {
			if ce, ok := x.(*callExpr); ok {
				if id, ok := ce.fn.(*identExpr); ok {
					delete(plain, id.name)
				}
			}
			return true
		})
	}
	implicit := func(name string) bool {
		if declared[name] || !isPlainName(name) {
			return false
		}
		switch name {
		case "None", "Some", "Ok", "Err", "self", "_", "true", "false":
			return false
		}
		if _, ok := orderingName(&identExpr{name: name}); ok {
			return false
		}
		return true
	}
	var atomNames, plainNames []string
	for n := range atomics {
		if implicit(n) {
			atomNames = append(atomNames, n)
		}
	}
	for n := range plain {
		if _, isAtomic := atomics[n]; !isAtomic && implicit(n) {
			plainNames = append(plainNames, n)
		}
	}
	sort.Strings(atomNames)
	sort.Strings(plainNames)
	for _, n := range atomNames {
		p := atomics[n]
		{
			h.statics = append(h.statics, &staticItem{name: n, typ: &typeExpr{kind: tyPath, name: "AtomicU32", path: []string{"AtomicU32"}, p: p},
				init: &callExpr{fn: &pathExpr{segs: []string{"AtomicU32", "new"}, p: p}, args: []expr{&intLit{text: "0", p: p}}, p: p}, p: p})
		}
	}
	for _, n := range plainNames {
		p := plain[n]
		h.consts = append(h.consts, &constItem{name: n, typ: &typeExpr{kind: tyPath, name: "u32", path: []string{"u32"}, p: p}, val: &intLit{text: "0", p: p}, p: p})
	}
	var notes []string
	if len(atomNames) > 0 {
		notes = append(notes, fmt.Sprintf("Undeclared in the snippet, read as atomics (AtomicU32, starting at 0): %s.", strings.Join(atomNames, ", ")))
	}
	if len(plainNames) > 0 {
		var sets []string
		for _, n := range plainNames {
			v := "0"
			if d, ok := c.defines[n]; ok {
				v = d
			}
			sets = append(sets, fmt.Sprintf("%s = %s", n, v))
		}
		notes = append(notes, fmt.Sprintf("Undeclared in the snippet, read as u32 parameters: %s (set with -D %s=V).", strings.Join(sets, ", "), plainNames[0]))
	}
	c.snippetNotes = append(notes, c.snippetNotes...)
}

// atomicMethod reports whether a method is one of the atomic types'.
func atomicMethod(name string) bool {
	if _, ok := rmwMethods[name]; ok {
		return true
	}
	switch name {
	case "load", "store", "swap", "fetch_update", "compare_exchange", "compare_exchange_weak", "compare_and_swap":
		return true
	}
	return strings.HasPrefix(name, "fetch_")
}

func isPlainName(n string) bool {
	if n == "" {
		return false
	}
	for i, r := range n {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

package printer

import (
	"fmt"
	"sort"
)

// The third step: where each variable is declared. A declaration decides
// which registers a loop's spin check compares (the registers allocated
// before the loop), so a variable written in a loop is declared before the
// loop exactly when its register was allocated before it in the original;
// otherwise it is declared inside. Exported registers are declared at the
// thread's top level (Rust exports top-level lets), herd C registers are
// all of the thread's.

type blk struct {
	parent *blk
	pidx   int // index, in the parent's list, of the statement holding this block
	loop   *loopInfo
	list   *[]*stmt
}

type site struct {
	b *blk
	i int
}

type occur struct {
	path []site // from the thread's top block down to the statement
	def  bool   // an assignment to the variable
	self bool   // the assignment also reads the variable
}

func (b *builder) collect(list *[]*stmt, bk *blk, path []site, occ map[int][]occur) {
	for i, s := range *list {
		here := append(append([]site(nil), path...), site{bk, i})
		add := func(r int, def, self bool) {
			occ[r] = append(occ[r], occur{path: here, def: def, self: self})
		}
		vars := map[int]bool{}
		varsRead(s.x, vars)
		varsRead(s.idx, vars)
		for _, h := range s.hdr {
			varsRead(h, vars)
		}
		if s.k == sAssign {
			add(s.reg, true, vars[s.reg])
			delete(vars, s.reg)
		}
		for r := range vars {
			if b.isVar[r] && r < b.a.th.NumRegs {
				add(r, false, false)
			}
		}
		for _, sub := range []*[]*stmt{&s.then, &s.els, &s.body} {
			if len(*sub) == 0 && sub != &s.body {
				continue
			}
			child := &blk{parent: bk, pidx: i, list: sub}
			if s.k == sLoop && sub == &s.body {
				child.loop = s.loop
			}
			b.collect(sub, child, here, occ)
		}
	}
}

// place decides declarations: it inserts sDecl statements and marks
// declaring assignments. exported lists the registers that must be
// declared at the top level (Rust); in C every register is.
func (b *builder) place(top *[]*stmt, exported map[int]bool) {
	a := b.a
	root := &blk{pidx: -1, list: top}
	occ := map[int][]occur{}
	b.collect(top, root, nil, occ)
	type ins struct {
		b   *blk
		i   int
		reg int
	}
	var inserts []ins
	var regs []int
	for r := range b.isVar {
		if r < a.th.NumRegs && !b.forVar[r] {
			regs = append(regs, r)
		}
	}
	sort.Ints(regs)
	for _, r := range regs {
		os := occ[r]
		if len(os) == 0 {
			if exported[r] || b.t == tC {
				inserts = append(inserts, ins{root, 0, r})
			}
			continue
		}
		// The innermost block holding every occurrence.
		common := os[0].path
		for _, o := range os[1:] {
			n := 0
			for n < len(common) && n < len(o.path) && common[n].b == o.path[n].b {
				n++
			}
			common = common[:n]
		}
		depth := len(common) - 1 // common[depth].b is the block
		hoisted := false
		topLevel := b.t == tC || exported[r]
		if topLevel && depth > 0 {
			depth, hoisted = 0, true
		}
		// Loops that write the variable.
		for _, o := range os {
			if !o.def {
				continue
			}
			for k, st := range o.path {
				l := st.b.loop
				if l == nil {
					continue
				}
				live := r < l.live
				switch {
				case live && depth >= k:
					// Declared before the loop: in the block holding it.
					depth, hoisted = k-1, true
				case !live && b.t == tC:
					a.fail(o.path[len(o.path)-1].b.stmtPC(o.path[len(o.path)-1].i),
						"a value computed inside a loop that cannot be written as an expression has no exact herd C equivalent (a herd register would be compared by the loop's spin check)")
				case !live && depth < k:
					a.fail(o.path[len(o.path)-1].b.stmtPC(o.path[len(o.path)-1].i),
						"cannot print this thread: a value computed inside a loop is used outside it")
				}
			}
		}
		if depth < 0 {
			depth = 0
		}
		bk := common[depth].b
		// The first statement of bk holding an occurrence.
		first := -1
		for _, o := range os {
			if len(o.path) > depth && o.path[depth].b == bk {
				if i := o.path[depth].i; first < 0 || i < first {
					first = i
				}
			}
		}
		if !hoisted {
			s := (*bk.list)[first]
			direct := false
			for _, o := range os {
				if o.def && !o.self && len(o.path) == depth+1 && o.path[depth].i == first {
					direct = true
				}
			}
			if direct && s.k == sAssign && s.reg == r {
				s.decl = true
				continue
			}
		}
		inserts = append(inserts, ins{bk, first, r})
	}
	// Insert from the back so that indices stay valid.
	// (At one index, the later register first: each insertion goes in
	// front, so the declarations end up in register order, the order the
	// thread declared its variables.)
	sort.SliceStable(inserts, func(i, j int) bool {
		if inserts[i].i != inserts[j].i {
			return inserts[i].i > inserts[j].i
		}
		return inserts[i].reg > inserts[j].reg
	})
	for _, in := range inserts {
		l := in.b.list
		d := &stmt{k: sDecl, reg: in.reg, pc: -1}
		*l = append(*l, nil)
		copy((*l)[in.i+1:], (*l)[in.i:])
		(*l)[in.i] = d
	}
}

func (bk *blk) stmtPC(i int) int {
	if i < len(*bk.list) {
		return (*bk.list)[i].pc
	}
	return -1
}

// countDefs counts the assignments of each variable.
func countDefs(list []*stmt, into map[int]int) {
	for _, s := range list {
		if s.k == sAssign {
			into[s.reg]++
		}
		countDefs(s.then, into)
		countDefs(s.els, into)
		countDefs(s.body, into)
	}
}

// names gives every variable of the thread a name: exported ones their
// own, the others tN (Result variables casN), distinct from taken.
func (b *builder) names(taken map[string]bool) map[int]string {
	names := map[int]string{}
	used := map[string]bool{}
	for n := range taken {
		used[n] = true
	}
	for _, l := range b.a.th.Locals {
		names[l.Reg] = l.Name
		used[l.Name] = true
	}
	fresh := func(base string) string {
		n := base
		for k := 1; used[n] || b.a.pr.badName(n) != ""; k++ {
			n = fmt.Sprintf("%s_%d", base, k)
		}
		used[n] = true
		return n
	}
	var regs []int
	for r := range b.isVar {
		if _, ok := names[r]; !ok {
			regs = append(regs, r)
		}
	}
	for r := b.a.th.NumRegs; r < b.nregs; r++ {
		regs = append(regs, r)
	}
	sort.Ints(regs)
	for _, r := range regs {
		if k := r - b.a.th.NumRegs; k >= 0 {
			if k == 0 {
				names[r] = fresh("cas")
			} else {
				names[r] = fresh(fmt.Sprintf("cas%d", k))
			}
		} else {
			names[r] = fresh(fmt.Sprintf("t%d", r))
		}
	}
	return names
}

package model

import "happens/graph"

// C11 is C++11's model before P0668 (Batty, Owens, Sarkar, Sewell, Weber,
// "Mathematizing C++ Concurrency", POPL 2011), as herd7's c11_orig.cat
// encodes it: release sequences are mo-contiguous runs of same-thread
// writes and RMWs, synchronisation is between threads, initial writes
// happen before everything, plain reads read a visible side effect, and a
// total order S over SeqCst events is consistent with happens-before while
// SeqCst fences constrain only through sequenced-before (axioms S1–S7).
//
// Two differences from c11_orig.cat: like c20 it forbids cycles in sb ∪ rf
// (no-thin-air; herd's C++11 models allow load buffering), so comparing c11
// with c20 isolates the change to SeqCst; and consume reads order no more
// than relaxed ones (dependencies are not tracked).
var C11 = &Model{
	Name: "c11",
	Doc:  "C++11 (Batty et al., POPL 2011; herd7's c11_orig.cat) with no-thin-air",
	Axioms: []Axiom{
		{Name: "atomicity", Text: "empty(rmw ∩ (rb ; mo))", check: atomicity},
		{Name: "hb", Text: "acyclic(hb)", check: func(d *derived) []int { return acyclicOrCycle(d.hb()) }},
		{Name: "coherence", Text: "irreflexive((rf⁻¹)? ; mo ; rf? ; hb) and irreflexive(rf ; hb)", check: c11Coherence},
		{Name: "visible", Text: "a plain read reads a visible side effect (hb-latest write)", check: c11Visible},
		{Name: "no-thin-air", Text: "acyclic(sb ∪ rf)", check: noThinAir},
		{Name: "sc", Text: "S ⊇ hb ∪ fsb?;mo;sbf? ∪ rf⁻¹;[SC];mo ∪ fsb;fr ∪ fr;sbf ∪ fsb;fr;sbf on SC events (S1–S3, S5–S7)", check: c11SCOrder},
		{Name: "sc-reads", Text: "some such S lets every SC read read the last SC write before it (S4: irreflexive(Simm ; rf⁻¹ ; hbl ; [W]))", check: c11SCReads, Final: true},
	},
	derive: func(x *Exec) *derived { return &derived{x: x, swf: swC11, initHB: true} },
}

// swC11: ext ∩ ([crel] ; fsb? ; [A∩W] ; rs? ; rf ; [R∩A] ; sbf? ; [cacq]),
// where rs relates a write to the mo-later writes that continue its
// release sequence: same-thread writes and RMWs, contiguous in mo.
func swC11(d *derived) Rel {
	x := d.x
	g := x.G
	rs := x.empty.like()
	for _, mo := range g.MO {
		for a := range mo {
			da := x.dense[mo[a]]
			if da < 0 {
				continue
			}
			ea := &g.Events[mo[a]]
			for b := a + 1; b < len(mo); b++ {
				eb := &g.Events[mo[b]]
				if eb.Kind != graph.RMW && (eb.Thread != ea.Thread || ea.Kind == graph.Init) {
					break // the run ends at the first write that cannot continue it
				}
				rs.Add(da, x.dense[mo[b]])
			}
		}
	}
	wat := x.and(x.W, x.AT)
	left := Union(x.id(x.REL), x.SB.Restrict(x.and(x.REL, x.F), nil)).Restrict(nil, wat)
	right := Union(x.id(x.ACQ), x.SB.Restrict(nil, x.and(x.F, x.ACQ)))
	sw := Seq(Seq(Seq(left, rs.Opt()), x.RF.Restrict(nil, x.RLXR)), right)
	// ext: only between different threads.
	for i := 0; i < x.N; i++ {
		ti := x.Event(i).Thread
		row := sw.Row(i)
		for j := 0; j < x.N; j++ {
			if row.Has(j) && x.Event(j).Thread == ti {
				row[j>>6] &^= 1 << (uint(j) & 63)
			}
		}
	}
	return sw
}

func c11Coherence(d *derived) []int {
	x := d.x
	hb := d.hb()
	rfOpt := x.RF.Opt()
	coh := Seq(Seq(Seq(x.RF.Inverse().Opt(), x.MO), rfOpt), hb)
	if i := coh.Reflexive(); i >= 0 {
		return []int{i}
	}
	if i := Seq(x.RF, hb).Reflexive(); i >= 0 {
		return []int{i}
	}
	return nil
}

// c11Visible: a plain read reads a write that happens before it, with no
// other write to the location happening in between.
func c11Visible(d *derived) []int {
	x := d.x
	hb := d.hb()
	for r := 0; r < x.N; r++ {
		if !x.R.Has(r) || !x.NA.Has(r) {
			continue
		}
		w := x.dense[x.Event(r).RF]
		if !hb.Has(w, r) {
			return []int{w, r}
		}
		for m := 0; m < x.N; m++ {
			if m != w && x.W.Has(m) && x.Loc.Has(m, r) && hb.Has(w, m) && hb.Has(m, r) {
				return []int{w, m, r}
			}
		}
	}
	return nil
}

// c11SC is the relation every S must contain, on SC events.
func c11SC(d *derived) Rel {
	x := d.x
	hb := d.hb()
	fsb := x.SB.Restrict(x.F, nil)
	sbf := x.SB.Restrict(nil, x.F)
	fr := x.RB
	scRF := x.RF.Restrict(x.SC, nil).Inverse() // rf⁻¹ ; [SC]
	// An SC read comes before the SC writes mo-after the write it reads;
	// a read-modify-write is not before its own write half: \ id.
	scRFMO := Seq(scRF, x.MO).Minus(x.id(x.RMW))
	u := Union(hb,
		Seq(Seq(fsb.Opt(), x.MO), sbf.Opt()),
		scRFMO,
		Seq(fsb, fr),
		Seq(fr, sbf),
		Seq(Seq(fsb, fr), sbf))
	return u.Restrict(x.SC, x.SC)
}

func c11SCOrder(d *derived) []int {
	if !d.x.hasSC {
		return nil
	}
	return acyclicOrCycle(c11SC(d))
}

// c11SCReads searches the linearisations S of c11SC for one satisfying S4:
// no SC read y reads from a write w when an SC write x to the location with
// w hb x precedes y in S and no write mo-after x comes between them in S.
func c11SCReads(d *derived) []int {
	x := d.x
	if !x.hasSC {
		return nil
	}
	u := c11SC(d)
	if !u.Acyclic() {
		return u.Cycle()
	}
	hb := d.hb()
	var sc []int
	for i := 0; i < x.N; i++ {
		if x.SC.Has(i) {
			sc = append(sc, i)
		}
	}
	// r4(y, x): y reads from w, w hb x, x a write to the same location.
	r4 := func(y, xw int) bool {
		if !x.R.Has(y) || !x.W.Has(xw) || !x.Loc.Has(y, xw) {
			return false
		}
		w := x.dense[x.Event(y).RF]
		return hb.Has(w, xw)
	}
	pos := make([]int, x.N)
	order := make([]int, 0, len(sc))
	placed := make([]bool, x.N)
	ok := func() bool {
		for i, p := range order {
			pos[p] = i
		}
		for yi, y := range order {
			for xi := 0; xi < yi; xi++ {
				xw := order[xi]
				if !r4(y, xw) {
					continue
				}
				// Simm(x, y): no z with x mo z and z before y in S.
				imm := true
				for zi := 0; zi < yi; zi++ {
					if x.MO.Has(xw, order[zi]) {
						imm = false
						break
					}
				}
				if imm {
					return false
				}
			}
		}
		return true
	}
	var search func() bool
	search = func() bool {
		if len(order) == len(sc) {
			return ok()
		}
		for _, c := range sc {
			if placed[c] {
				continue
			}
			ready := true
			for _, p := range sc {
				if !placed[p] && p != c && u.Has(p, c) {
					ready = false
					break
				}
			}
			if !ready {
				continue
			}
			placed[c] = true
			order = append(order, c)
			if search() {
				return true
			}
			order = order[:len(order)-1]
			placed[c] = false
		}
		return false
	}
	if search() {
		return nil
	}
	return sc
}

package model

// SC is sequential consistency: every execution is an interleaving, so
// program order, reads-from, modification order and reads-before together
// are acyclic. Data races are judged with C++20's happens-before.
var SC = &Model{
	Name:       "sc",
	Extensible: true,
	Doc:        "sequential consistency (Lamport 1979): acyclic(sb ∪ rf ∪ mo ∪ rb)",
	Axioms: []Axiom{
		{Name: "atomicity", Text: "empty(rmw ∩ (rb ; mo))", check: atomicity},
		{Name: "sc", Text: "acyclic(sb ∪ rf ∪ mo ∪ rb)", check: func(d *derived) []int {
			return acyclicOrCycle(Union(d.x.SB, d.x.RF, d.x.MO, d.x.RB))
		}},
	},
	derive: func(x *Exec) *derived { return &derived{x: x, swf: swC20} },
}

// RC11 is the model of Lahav, Vafeiadis, Kang, Hur and Dreyer, "Repairing
// Sequential Consistency in C/C++11" (PLDI 2017), as herd7's rc11.cat
// writes it. Its release sequences include later stores of the same thread
// to the same location (C++11's rule).
var RC11 = &Model{
	Name:       "rc11",
	Extensible: true,
	Doc:        "RC11 (Lahav et al., PLDI 2017), as herd7's rc11.cat",
	Axioms: []Axiom{
		{Name: "atomicity", Text: "empty(rmw ∩ (rb ; mo))", check: atomicity},
		{Name: "coherence", Text: "irreflexive(hb ; eco?)", check: coherence},
		{Name: "no-thin-air", Text: "acyclic(sb ∪ rf)", check: noThinAir},
		{Name: "sc", Text: "acyclic(psc)", check: pscRC11},
	},
	derive: func(x *Exec) *derived { return &derived{x: x, swf: swRC11} },
}

// C20 is the C++20 standard's model ([intro.races], [atomics.order] after
// P0668R5 and P0982R1), which Rust follows. It keeps RC11's coherence,
// atomicity and no-thin-air axioms (the standard only recommends
// no-thin-air); release sequences are continued by RMWs only; and the single
// total order S over SeqCst operations must contain strongly-happens-before,
// coherence order between SeqCst accesses, and the three fence rules.
var C20 = &Model{
	Name:       "c20",
	Extensible: true,
	Doc:        "C++20 / Rust (P0668R5, P0982R1), with RC11's no-thin-air",
	Axioms: []Axiom{
		{Name: "atomicity", Text: "empty(rmw ∩ (rb ; mo))", check: atomicity},
		{Name: "coherence", Text: "irreflexive(hb ; eco?)", check: coherence},
		{Name: "no-thin-air", Text: "acyclic(sb ∪ rf)", check: noThinAir},
		{Name: "sc", Text: "acyclic([SC];(shb ∪ eco);[SC] ∪ [SC];eco;hb;[Fsc] ∪ [Fsc];hb;eco;[SC] ∪ [Fsc];hb;eco;hb;[Fsc])", check: pscC20},
	},
	derive: func(x *Exec) *derived { return &derived{x: x, swf: swC20} },
}

// swRC11: rs = [W] ; (sb ∩ loc)? ; [W atomic] ; (rf ; rmw)*.
func swRC11(d *derived) Rel {
	x := d.x
	wat := x.and(x.W, x.AT)
	head := Union(x.id(wat), x.SB.Inter(x.Loc).Restrict(x.W, wat))
	return x.sw(Seq(head, x.rfRMWStar()))
}

// swC20: rs = [W atomic] ; (rf ; rmw)* (P0982R1).
func swC20(d *derived) Rel {
	x := d.x
	return x.sw(Seq(x.id(x.and(x.W, x.AT)), x.rfRMWStar()))
}

// pscRC11 is RC11's partial SC order:
//
//	scb  = sb ∪ (sb\loc) ; hb ; (sb\loc) ∪ (hb ∩ loc) ∪ mo ∪ rb
//	psc  = ([SC] ∪ [Fsc];hb?) ; scb ; ([SC] ∪ hb?;[Fsc])
//	     ∪ [Fsc] ; (hb ∪ hb;eco;hb) ; [Fsc]
func pscRC11(d *derived) []int {
	x := d.x
	if !x.hasSC {
		return nil
	}
	hb := d.hb()
	sbl := x.SB.Minus(x.Loc)
	scb := Union(x.SB, Seq(Seq(sbl, hb), sbl), hb.Inter(x.Loc), x.MO, x.RB)
	left := Union(x.id(x.SC), hb.Restrict(x.FSC, nil))
	right := Union(x.id(x.SC), hb.Restrict(nil, x.FSC))
	psc := Seq(Seq(left, scb), right).Restrict(x.SC, x.SC)
	if x.FSC.intersects(x.FSC) {
		eco := d.getECO()
		psc = Union(psc, Union(hb, Seq(Seq(hb, eco), hb)).Restrict(x.FSC, x.FSC))
	}
	return acyclicOrCycle(psc)
}

// pscC20 is the standard's constraints on S:
//
//	shb = (sb ∪ [SC];sw;[SC] ∪ sb;hb;sb)⁺
//	S ⊇ [SC];(shb ∪ eco);[SC] ∪ [SC];eco;hb;[Fsc] ∪ [Fsc];hb;eco;[SC] ∪ [Fsc];hb;eco;hb;[Fsc]
func pscC20(d *derived) []int {
	x := d.x
	if !x.hasSC {
		return nil
	}
	hb := d.hb()
	eco := d.getECO()
	shb := Union(x.SB, d.getSW().Restrict(x.SC, x.SC), Seq(Seq(x.SB, hb), x.SB)).Plus()
	s := Union(shb, eco).Restrict(x.SC, x.SC)
	if x.FSC.intersects(x.FSC) {
		ecoHB := Seq(eco, hb)
		hbEco := Seq(hb, eco)
		s = Union(s,
			ecoHB.Restrict(x.SC, x.FSC),
			hbEco.Restrict(x.FSC, x.SC),
			Seq(hbEco, hb).Restrict(x.FSC, x.FSC))
	}
	return acyclicOrCycle(s)
}

// Coherent requires only what every model here requires of a consistent
// execution: atomic read-modify-writes, coherence (no access sequenced
// before another can see the location's writes in the opposite order:
// irreflexive(sb ; eco?), implied by each model's own coherence axiom) and
// no-thin-air. Its executions are the candidates explanations judge first:
// a rejection then names what the model adds to coherence.
var Coherent = &Model{
	Name:       "coherent",
	Extensible: true,
	Doc:        "atomicity, coherence with hb = sb, no-thin-air: what every model here requires",
	Axioms: []Axiom{
		{Name: "atomicity", Text: "empty(rmw ∩ (rb ; mo))", check: atomicity},
		{Name: "coherence", Text: "irreflexive(sb ; eco?)", check: coherence},
		{Name: "no-thin-air", Text: "acyclic(sb ∪ rf)", check: noThinAir},
	},
	derive: func(x *Exec) *derived { return &derived{x: x} },
}

// CoherentCycles is Coherent without no-thin-air, for models that allow
// cycles in sb ∪ rf (ARMv8).
var CoherentCycles = &Model{
	Name:   "coherent-cycles",
	Doc:    "atomicity and coherence with hb = sb",
	Axioms: Coherent.Axioms[:2],
	Cycles: true,
	derive: Coherent.derive,
}

// BaseOf is the weakest base model whose executions include all of ms':
// Coherent, or CoherentCycles when one of them allows sb ∪ rf cycles.
func BaseOf(ms ...*Model) *Model {
	for _, m := range ms {
		if m.Cycles {
			return CoherentCycles
		}
	}
	return Coherent
}

// Candidates has no axioms: every graph the explorer can build (reads from
// writes already present, RMWs directly after the write they read) is
// accepted. Exploring with it enumerates the candidate executions that
// explanations judge with a real model.
var Candidates = &Model{
	Name:   "candidates",
	Doc:    "no axioms: every candidate execution",
	derive: func(x *Exec) *derived { return &derived{x: x, swf: swC20} },
}

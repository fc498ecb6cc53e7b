// Package model holds memory models as values: each is a list of named
// axioms over relations derived from an execution graph. A model judges a
// graph and, when it rejects it, names the axiom and shows the cycle that
// breaks it.
package model

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"

	"happens/graph"
)

// Axiom is one named constraint of a model.
type Axiom struct {
	Name string // "coherence"
	Text string // the formula, e.g. "irreflexive(hb ; eco?)"
	// check returns nil when the axiom holds, else a witness: the events of
	// a cycle (dense indices), in order.
	check func(d *derived) []int
	// Final marks an axiom that is not preserved by taking prefixes of a
	// graph (or too costly to test at every step): it is checked only on
	// complete graphs, by CheckFinal.
	Final bool
}

// Model is a memory model.
type Model struct {
	Name   string
	Doc    string
	Axioms []Axiom
	// Hardware marks a model of a CPU running the compiled program: data
	// races are not undefined behaviour there, so none are reported.
	Hardware bool
	// StrongCAS marks a CPU whose compare-exchange never fails spuriously,
	// even for compare_exchange_weak: x86's lock cmpxchg, AArch64's LSE
	// cas. (The language models, and AArch64's exclusive pairs, let it
	// fail.)
	StrongCAS bool
	// Extensible marks a model TruSt can explore (explore.Explore):
	// consistency is closed under po ∪ rf prefixes, and reading from the
	// last write in modification order, or writing after it, keeps a
	// consistent graph consistent. C++11's visible-side-effect rule
	// breaks the second (a plain read of the last write may not be
	// visible), so c11 is explored by explore.Canonical.
	Extensible bool
	// Cycles marks a model that allows cycles in po ∪ rf (load
	// buffering): armv8's executions are enumerated by revisits that
	// follow dependencies (explore.HMC), other such models' by value
	// speculation (explore.Speculate).
	Cycles bool
	// derive computes the model's relations lazily over a base Exec.
	derive func(x *Exec) *derived
}

// Violation says why a model rejects a graph.
type Violation struct {
	Axiom string
	Text  string
	Cycle []graph.ID
}

func (v *Violation) String() string {
	return fmt.Sprintf("%s: %s", v.Axiom, v.Text)
}

// Check judges a complete graph g with every axiom. It returns nil when g
// is consistent.
func (m *Model) Check(g *graph.Graph) *Violation {
	return m.CheckFinal(NewExec(g))
}

// CheckExec judges a prefix of an execution, as the explorer builds it:
// every axiom except the Final ones.
func (m *Model) CheckExec(x *Exec) *Violation { return m.check(x, false) }

// CheckFinal judges a complete graph with every axiom.
func (m *Model) CheckFinal(x *Exec) *Violation { return m.check(x, true) }

// HasFinal reports whether m has axioms only CheckFinal tests.
func (m *Model) HasFinal() bool {
	for _, a := range m.Axioms {
		if a.Final {
			return true
		}
	}
	return false
}

func (m *Model) check(x *Exec, final bool) *Violation {
	d := m.relations(x)
	for _, a := range m.Axioms {
		if a.Final && !final {
			continue
		}
		if c := a.check(d); c != nil {
			v := &Violation{Axiom: a.Name, Text: a.Text}
			for _, i := range c {
				v.Cycle = append(v.Cycle, x.IDs[i])
			}
			return v
		}
	}
	return nil
}

// HB returns happens-before under m over x's dense indices (x.ID maps
// them back to graph events), for renderers and explanations.
func (m *Model) HB(x *Exec) Rel { return m.relations(x).hb() }

// SW returns synchronises-with under m over x's dense indices; empty for
// models without it.
func (m *Model) SW(x *Exec) Rel {
	d := m.relations(x)
	if d.swf == nil {
		return x.empty.like()
	}
	return d.getSW()
}

// Dense returns the dense index of graph event id in x, or -1.
func (x *Exec) Dense(id graph.ID) int { return x.dense[id] }

// Race is a data race: two conflicting accesses, at least one of them
// non-atomic, that happens-before does not order.
type Race struct {
	A, B graph.ID
}

// Races returns the data races of g under m's happens-before.
func (m *Model) Races(x *Exec) []Race {
	if m.Hardware || !x.NA.intersects(x.NA) {
		return nil
	}
	hb := m.relations(x).hb()
	var out []Race
	for i := 0; i < x.N; i++ {
		a := x.Event(i)
		if a.Kind == graph.Init || a.Kind == graph.Fence {
			continue
		}
		for j := i + 1; j < x.N; j++ {
			b := x.Event(j)
			if b.Kind == graph.Init || b.Kind == graph.Fence || a.Thread == b.Thread || a.Loc != b.Loc {
				continue
			}
			if !a.IsWrite() && !b.IsWrite() {
				continue
			}
			if x.AT.Has(i) && x.AT.Has(j) {
				continue
			}
			if hb.Has(i, j) || hb.Has(j, i) {
				continue
			}
			out = append(out, Race{A: x.IDs[i], B: x.IDs[j]})
		}
	}
	return out
}

// derived holds a model's relations for one graph, computed on demand.
type derived struct {
	x        *Exec
	swf      func(d *derived) Rel
	hbv, eco *Rel
	sw       *Rel
	arm      *armRels // armv8's relations over the split graph
	// initHB makes the initial writes happen before every other event
	// (C++11's additional synchronises-with from initialisation).
	initHB bool
}

func (d *derived) hb() Rel {
	if d.hbv == nil {
		var hb Rel
		if d.swf == nil {
			hb = d.x.SB
		} else {
			hb = Union(d.x.SB, d.getSW()).Plus()
		}
		if d.initHB {
			hb = hb.clone()
			for i := 0; i < d.x.N; i++ {
				if d.x.IW.Has(i) {
					row := hb.Row(i)
					for j := 0; j < d.x.N; j++ {
						if !d.x.IW.Has(j) {
							row.Add(j)
						}
					}
				}
			}
		}
		d.hbv = &hb
	}
	return *d.hbv
}

func (d *derived) getSW() Rel {
	if d.sw == nil {
		sw := d.swf(d)
		d.sw = &sw
	}
	return *d.sw
}

func (d *derived) getECO() Rel {
	if d.eco == nil {
		eco := Union(d.x.RF, d.x.MO, d.x.RB).Plus()
		d.eco = &eco
	}
	return *d.eco
}

// Shared axioms.

func coherence(d *derived) []int {
	hb := d.hb()
	if i := hb.Reflexive(); i >= 0 {
		return hb.Cycle()
	}
	eco := d.getECO()
	for a := 0; a < d.x.N; a++ {
		for wi, word := range hb.Row(a) {
			for word != 0 {
				b := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				if eco.Has(b, a) {
					return []int{a, b}
				}
			}
		}
	}
	return nil
}

// atomicity: an RMW reads from the write immediately before it in
// modification order: empty(rmw ∩ (rb ; mo)), and irreflexive(rmw ; eco).
func atomicity(d *derived) []int {
	x := d.x
	for i := 0; i < x.N; i++ {
		if !x.RMW.Has(i) {
			continue
		}
		e := x.Event(i)
		w := x.dense[e.RF]
		// Some write strictly between rf(e) and e in mo?
		for j := 0; j < x.N; j++ {
			if x.MO.Has(w, j) && x.MO.Has(j, i) {
				return []int{i, j}
			}
		}
		if d.getECO().Has(i, i) {
			return []int{i}
		}
	}
	return nil
}

func noThinAir(d *derived) []int {
	r := Union(d.x.SB, d.x.RF)
	if r.Acyclic() {
		return nil
	}
	return r.Cycle()
}

func acyclicOrCycle(r Rel) []int {
	if r.Acyclic() {
		return nil
	}
	return r.Cycle()
}

// Names lists the built-in models.
func Names() []string {
	var out []string
	for n := range builtin {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ByName returns a built-in model.
func ByName(name string) (*Model, error) {
	m, ok := builtin[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return m, nil
}

var builtin = map[string]*Model{
	"sc":    SC,
	"rc11":  RC11,
	"c20":   C20,
	"c11":   C11,
	"x86":   X86,
	"armv8": ARMv8,
}

// EdgeLabel names the most basic relation of m that holds from a to b
// (dense indices), for printing a cycle: sb, rf, mo, fr (reads-before),
// sw, hb, eco; fallback when none does (the axiom's own relation).
func (m *Model) EdgeLabel(x *Exec, a, b int, fallback string) string {
	switch {
	case x.SB.Has(a, b):
		return "sb"
	case x.RF.Has(a, b):
		return "rf"
	case x.MO.Has(a, b):
		return "mo"
	case x.RB.Has(a, b):
		return "fr"
	}
	d := m.relations(x)
	if d.swf != nil && d.getSW().Has(a, b) {
		return "sw"
	}
	if d.hb().Has(a, b) {
		return "hb"
	}
	if d.getECO().Has(a, b) {
		return "eco"
	}
	return fallback
}

// Path justifies a derived edge a → b with a path of basic relations:
// through sb ∪ sw when hb holds (hb = (sb ∪ sw)⁺), through rf ∪ mo ∪ rb when
// eco holds (eco = (rf ∪ mo ∪ rb)⁺), else as hb? ; eco ; hb? (the shape of
// the SeqCst fence rules). It returns the intermediate events and the label
// of every step, or nil when no such path exists.
func (m *Model) Path(x *Exec, a, b int) (mid []int, labels []string) {
	d := m.relations(x)
	sw := x.empty.like()
	if d.swf != nil {
		sw = d.getSW()
	}
	hbBase := []namedRel{{"sb", x.SB}, {"sw", sw}}
	ecoBase := []namedRel{{"rf", x.RF}, {"mo", x.MO}, {"fr", x.RB}}
	hb, eco := d.hb(), d.getECO()
	if hb.Has(a, b) {
		if p, l := bfs(x.N, hbBase, a, b); p != nil {
			return p, l
		}
	}
	if eco.Has(a, b) {
		if p, l := bfs(x.N, ecoBase, a, b); p != nil {
			return p, l
		}
	}
	// hb? ; eco ; hb?
	for m1 := 0; m1 < x.N; m1++ {
		if m1 != a && !hb.Has(a, m1) {
			continue
		}
		for m2 := 0; m2 < x.N; m2++ {
			if !eco.Has(m1, m2) || (m2 != b && !hb.Has(m2, b)) {
				continue
			}
			var mid []int
			var labels []string
			if m1 != a {
				p, l := bfs(x.N, hbBase, a, m1)
				mid, labels = append(mid, p...), append(labels, l...)
				mid = append(mid, m1)
			}
			p, l := bfs(x.N, ecoBase, m1, m2)
			mid, labels = append(mid, p...), append(labels, l...)
			if m2 != b {
				mid = append(mid, m2)
				p, l := bfs(x.N, hbBase, m2, b)
				mid, labels = append(mid, p...), append(labels, l...)
			}
			return mid, labels
		}
	}
	return nil, nil
}

type namedRel struct {
	name string
	r    Rel
}

// bfs finds a shortest path a → b in the union of rels, returning the
// events strictly between and the relation name of each step.
func bfs(n int, rels []namedRel, a, b int) ([]int, []string) {
	prev := make([]int, n)
	via := make([]string, n)
	for i := range prev {
		prev[i] = -2
	}
	prev[a] = -1
	queue := []int{a}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, nr := range rels {
			for v := 0; v < n; v++ {
				if prev[v] != -2 || !nr.r.Has(u, v) {
					continue
				}
				prev[v], via[v] = u, nr.name
				if v == b {
					var mid []int
					var labels []string
					for x := b; x != a; x = prev[x] {
						labels = append([]string{via[x]}, labels...)
						if prev[x] != a {
							mid = append([]int{prev[x]}, mid...)
						}
					}
					return mid, labels
				}
				queue = append(queue, v)
			}
		}
	}
	return nil, nil
}

// relations returns m's derived relations over x, computed once per graph:
// x keeps those of the last model that asked, until Reset.
func (m *Model) relations(x *Exec) *derived {
	if x.derivedBy != m {
		x.derivedBy, x.derived = m, m.derive(x)
	}
	return x.derived
}

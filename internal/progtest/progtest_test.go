package progtest

import (
	"math/rand/v2"
	"testing"

	"happens/model"
	"happens/prog"
)

func spec(nlocs int, threads ...[]Op) *Spec { return &Spec{NumLocs: nlocs, Threads: threads} }

func st(loc int, v uint64, o prog.Ordering) Op { return Op{Kind: Store, Loc: loc, Val: v, Ord: o} }
func ld(loc int, o prog.Ordering) Op           { return Op{Kind: Load, Loc: loc, Ord: o} }

// Counts known from the literature (and herd7) for classic shapes.
func TestKnownCounts(t *testing.T) {
	R, A, L, S := prog.Relaxed, prog.Acquire, prog.Release, prog.SeqCst
	cases := []struct {
		name          string
		s             *Spec
		sc, rc11, c20 int
	}{
		// SB: X=1; r0=Y || Y=1; r0=X. Four rf combinations; SC forbids 0/0.
		{"SB+rlx", spec(2, []Op{st(0, 1, R), ld(1, R)}, []Op{st(1, 1, R), ld(0, R)}), 3, 4, 4},
		{"SB+sc", spec(2, []Op{st(0, 1, S), ld(1, S)}, []Op{st(1, 1, S), ld(0, S)}), 3, 3, 3},
		// MP: X=1; Y=1 || r0=Y; r1=X.
		{"MP+rlx", spec(2, []Op{st(0, 1, R), st(1, 1, R)}, []Op{ld(1, R), ld(0, R)}), 3, 4, 4},
		{"MP+rel+acq", spec(2, []Op{st(0, 1, R), st(1, 1, L)}, []Op{ld(1, A), ld(0, R)}), 3, 3, 3},
		// LB: r0=X; Y=1 || r0=Y; X=1. No-thin-air forbids 1/1 (po ∪ rf cycle).
		{"LB+rlx", spec(2, []Op{ld(0, R), st(1, 1, R)}, []Op{ld(1, R), st(0, 1, R)}), 3, 3, 3},
		// 2+2W: X=1; Y=2 || Y=1; X=2: mo of X and Y, 4 combinations.
		{"2+2W+rlx", spec(2, []Op{st(0, 1, R), st(1, 2, R)}, []Op{st(1, 1, R), st(0, 2, R)}), 3, 4, 4},
		// Two fetch_adds: each reads 0 or the other; atomicity leaves 2.
		{"2xFAA", spec(1, []Op{{Kind: FetchAdd, Loc: 0, Val: 1}}, []Op{{Kind: FetchAdd, Loc: 0, Val: 1}}), 2, 2, 2},
		// CoRR: X=1; X=2 || r0=X; r1=X. 6 of the 9 rf pairs are coherent.
		{"CoRR", spec(1, []Op{st(0, 1, R), st(0, 2, R)}, []Op{ld(0, R), ld(0, R)}), 6, 6, 6},
	}
	for _, c := range cases {
		p := c.s.Build()
		for _, mc := range []struct {
			m    *model.Model
			want int
		}{{model.SC, c.sc}, {model.RC11, c.rc11}, {model.C20, c.c20}} {
			xs, _, err := BruteForce(p, mc.m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != mc.want {
				t.Errorf("%s under %s: %d executions, want %d\n%s", c.name, mc.m.Name, len(xs), mc.want, c.s)
			}
		}
		il, err := Interleavings(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(il) != c.sc {
			t.Errorf("%s: %d interleaved executions, want %d", c.name, len(il), c.sc)
		}
	}
}

// A weak compare-exchange that can match has one more outcome.
func TestWeakCAS(t *testing.T) {
	cas := Op{Kind: CAS, Loc: 0, Exp: 0, Val: 1, Ord: prog.SeqCst, Ord2: prog.SeqCst}
	weak := cas
	weak.Weak = true
	for _, c := range []struct {
		op   Op
		want int
	}{{cas, 1}, {weak, 2}} {
		xs, _, err := BruteForce(spec(1, []Op{c.op}).Build(), model.RC11, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(xs) != c.want {
			t.Errorf("%v: %d executions, want %d", c.op, len(xs), c.want)
		}
	}
}

// The atomicity shortcut of BruteForce changes nothing.
func TestPruneIsSound(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 30
	}
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < n; {
		s := Random(r)
		p := s.Build()
		if Estimate(p) > 3000 {
			continue
		}
		i++
		for _, m := range []*model.Model{model.SC, model.RC11, model.C20} {
			a, _, err := BruteForce(p, m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := BruteForce(p, m, Options{NoPrune: true})
			if err != nil {
				t.Fatal(err)
			}
			ka, kb := keys(a), keys(b)
			if x, y := Diff(ka, kb); len(x)+len(y) > 0 {
				t.Fatalf("%s: pruning changed the result\n%s\nonly pruned: %q\nonly unpruned: %q", m.Name, s, x, y)
			}
		}
	}
}

// The sc model, applied by brute force, agrees with interleaving semantics.
func TestSCModelIsInterleaving(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 40
	}
	r := rand.New(rand.NewPCG(11, 3))
	for i := 0; i < n; {
		s := Random(r)
		p := s.Build()
		if Estimate(p) > 20000 {
			continue
		}
		i++
		xs, _, err := BruteForce(p, model.SC, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var bf []string
		for _, x := range xs {
			bf = append(bf, Canon(x.G))
		}
		if d := Duplicates(bf); len(d) > 0 {
			t.Fatalf("brute force produced duplicates:\n%s\n%q", s, d)
		}
		il, err := Interleavings(p)
		if err != nil {
			t.Fatal(err)
		}
		if x, y := Diff(bf, il); len(x)+len(y) > 0 {
			t.Errorf("model sc vs interleavings\n%s\nonly model:\n%s\nonly interleavings:\n%s", s, lines(x), lines(y))
		}
	}
}

func keys(xs []Execution) []string {
	var out []string
	for _, x := range xs {
		if err := x.G.Validate(); err != nil {
			panic(err)
		}
		out = append(out, x.G.Key())
	}
	return out
}

func lines(xs []string) string {
	s := ""
	for _, x := range xs {
		s += Indent(x, "    ") + "    --\n"
	}
	return s
}

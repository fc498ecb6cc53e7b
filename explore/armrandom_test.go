package explore_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"happens/explore"
	"happens/internal/progtest"
	"happens/model"
)

// TestCrossCheckARMRandom compares, under armv8, exploration by revisits
// (explore.HMC) with value speculation on random programs aimed at
// ARMv8's subtle orderings (progtest.RandomARM: load-buffering rings with
// data and address dependencies, stores read back within a thread,
// release stores followed by another store to the same location,
// read-modify-writes, fences). It is opt-in (CI does not run it):
//
//	go test ./explore -run TestCrossCheckARMRandom -args -crosscheck.arm=2000
//	go test ./explore -run TestCrossCheckARMRandom -args -crosscheck.arm=2000 -crosscheck.armout=/tmp/armfound
//	go test ./explore -run TestCrossCheckARMRandom -args -crosscheck.arm=2000 -crosscheck.only=17
//
// Programs speculation does not finish within -crosscheck.armspec are
// skipped. A mismatching program is printed, shrunk (unless
// -crosscheck.armshrink=false) to one that still differs the same way
// (executions missing, extra, or both), and, with -crosscheck.armout,
// the shrunk program is written there as a litmus file.
var (
	ccARM       = flag.Int("crosscheck.arm", 0, "random ARM-shaped programs for TestCrossCheckARMRandom (0: skip the test)")
	ccARMSpec   = flag.Duration("crosscheck.armspec", 2*time.Second, "time speculation gets per program in TestCrossCheckARMRandom (slower ones are skipped)")
	ccARMShrink = flag.Bool("crosscheck.armshrink", true, "shrink the programs TestCrossCheckARMRandom finds")
	ccARMOut    = flag.String("crosscheck.armout", "", "directory TestCrossCheckARMRandom writes shrunk mismatches into, as litmus files")
	ccARMAlone  = flag.Bool("crosscheck.armalone", false, "TestCrossCheckARMRandom: compare speculation with the revisit engine alone (RevisitsOnly, no HMCBlind fallback)")
	ccARMMax    = flag.Int("crosscheck.armmax", 20, "mismatching programs TestCrossCheckARMRandom reports (and shrinks) before it only counts them")
)

// armDiff is how HMC and speculation compare on one program.
type armDiff struct {
	skip        bool // speculation did not finish, or the program does not build
	blind       bool // HMCBlind: HMC explores by speculation itself
	hmc, spec   int
	stopped     string // HMC stopped, and why
	partial     bool   // HMC said it may have missed some (CutRevisits)
	only, extra []string
}

func (d armDiff) differs() bool { return !d.skip && len(d.only)+len(d.extra) > 0 }

// same says whether e differs from HMC's answer the way d does.
func (d armDiff) same(e armDiff) bool {
	return e.differs() && (len(d.only) > 0) == (len(e.only) > 0) && (len(d.extra) > 0) == (len(e.extra) > 0)
}

func compareARM(s *progtest.ARMSpec, spec time.Duration) armDiff {
	p, err := s.Build()
	if err != nil {
		return armDiff{skip: true}
	}
	b, sb := engineRunFor(spec, explore.Speculate, p, model.ARMv8)
	if sb.Stopped {
		return armDiff{skip: true}
	}
	run := explore.HMC
	if *ccARMAlone {
		run = explore.RevisitsOnly
	}
	a, sa := engineRunFor(30*time.Second, run, p, model.ARMv8)
	d := armDiff{blind: explore.HMCBlind(p), hmc: len(a), spec: len(b)}
	d.only, d.extra = diffSorted(b, a)
	switch {
	case sa.Stopped && sa.Cut == explore.CutRevisits:
		d.only = nil // it says it may have missed some
		d.partial = true
	case sa.Stopped:
		d.stopped = sa.Cut.String()
		d.only = append(d.only, "(stopped: "+d.stopped+")")
	}
	return d
}

func (d armDiff) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HMC %d executions, speculation %d: %d missing from HMC, %d extra in HMC", d.hmc, d.spec, len(d.only), len(d.extra))
	if d.stopped != "" {
		fmt.Fprintf(&b, " (HMC stopped: %s)", d.stopped)
	}
	b.WriteString("\n")
	for j, x := range d.only {
		if j < 2 {
			fmt.Fprintf(&b, "HMC misses:\n%s", progtest.Indent(x, "    "))
		}
	}
	for j, x := range d.extra {
		if j < 2 {
			fmt.Fprintf(&b, "HMC has more of:\n%s", progtest.Indent(x, "    "))
		}
	}
	return b.String()
}

func TestCrossCheckARMRandom(t *testing.T) {
	n := *ccARM
	if n <= 0 {
		t.Skip("opt-in: -crosscheck.arm=N to cross-check HMC against speculation on N random ARM-shaped programs")
	}
	if *ccARMOut != "" {
		if err := os.MkdirAll(*ccARMOut, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	compared, skipped, blind, partial, failed := 0, 0, 0, 0, 0
	start := time.Now()
	for i := range n {
		if *ccOnly >= 0 && i != *ccOnly {
			continue
		}
		s := progtest.RandomARM(rand.New(rand.NewPCG(*ccSeed, uint64(400)<<32|uint64(i))))
		d := compareARM(s, *ccARMSpec)
		if d.skip {
			skipped++
			continue
		}
		compared++
		if d.blind {
			blind++
		}
		if d.partial {
			partial++
		}
		if !d.differs() {
			continue
		}
		failed++
		if failed > *ccARMMax {
			continue
		}
		msg := fmt.Sprintf("program %d (rerun: -crosscheck.seed=%d -crosscheck.only=%d):\n%s%s",
			i, *ccSeed, i, progtest.Indent(s.Source(), "    "), d.describe())
		if *ccARMShrink {
			small := progtest.ShrinkARM(s, func(c *progtest.ARMSpec) bool { return d.same(compareARM(c, *ccARMSpec)) })
			sd := compareARM(small, *ccARMSpec)
			msg += fmt.Sprintf("shrunk:\n%s%s", progtest.Indent(small.Source(), "    "), sd.describe())
			if *ccARMOut != "" {
				file := filepath.Join(*ccARMOut, fmt.Sprintf("arm-s%d-%d.litmus", *ccSeed, i))
				head := fmt.Sprintf("//! TestCrossCheckARMRandom program %d (-crosscheck.seed=%d), shrunk.\n//! %s", i, *ccSeed,
					strings.ReplaceAll(strings.TrimRight(sd.describe(), "\n"), "\n", "\n//! "))
				if err := os.WriteFile(file, []byte(head+"\n"+small.Source()), 0o644); err != nil {
					t.Error(err)
				}
			}
		}
		t.Error(msg)
	}
	t.Logf("%d programs compared (%d explored by speculation because HMCBlind, %d partial: CutRevisits), %d skipped (speculation slower than %v), %d differ; %v",
		compared, blind, partial, skipped, *ccARMSpec, failed, time.Since(start).Round(time.Second))
}

package happens_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"happens"
	"happens/result"
	"happens/source"
)

// TestGolden runs every testdata/*.litmus (and examples/*.rs) under the
// models its want lines name. A want line reads
//
//	// want MODEL: VERDICT [unroll=N] [executions=N] [blocked=N] [bounded=N] [stuck=N]
//	//             [outcomes=N] [positive=N] [race] [norace] [races=N] [raceloc=LOC]
//	//             [raceincomplete=N] [assert] [noassert] [liveness] [noliveness] [partial]
//
// where VERDICT is always, sometimes, never or - (no condition, or no
// execution ran to its end). unroll=N runs with that loop bound; races=N
// is the number of complete executions showing the first race,
// raceincomplete the number of the others (blocked, stuck, cut) that show
// it, raceloc its location; partial says the run must be partial (every other run must be
// complete). The expected values come from the issue tables, herd7 and
// GenMC numbers, or hand derivation, as each file's comments say; never
// from happens' output.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.litmus")
	// The Rust programs of examples/ (one per program form) too.
	rs, _ := filepath.Glob("examples/*.rs")
	files = append(files, rs...)
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	wantRE := regexp.MustCompile(`(?m)^\s*//\s*want\s+(\w+)\s*:\s*(.*)$`)
	for _, file := range files {
		file := file
		t.Run(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wants := wantRE.FindAllStringSubmatch(string(src), -1)
			if len(wants) == 0 {
				t.Fatalf("%s has no want lines", file)
			}
			p, err := happens.Parse(file, src, nil)
			if err != nil {
				t.Fatalf("parse:\n%s", source.Format(err, src))
			}
			for _, w := range wants {
				m, spec := w[1], strings.Fields(w[2])
				opts := happens.Options{Model: m}
				for _, s := range spec {
					if v, ok := strings.CutPrefix(s, "unroll="); ok {
						opts.Unroll, _ = strconv.Atoi(v)
					}
				}
				res, err := happens.Run(context.Background(), p, opts)
				if err != nil {
					t.Fatalf("%s: %v", m, err)
				}
				checkWant(t, m, spec, res)
			}
		})
	}
}

func checkWant(t *testing.T, m string, spec []string, r *result.Result) {
	t.Helper()
	if len(spec) == 0 {
		t.Errorf("%s: empty want", m)
		return
	}
	verdict := spec[0]
	got := strings.ToLower(r.Verdict)
	if got == "" {
		got = "-"
	}
	if verdict != got {
		t.Errorf("%s: verdict %s, want %s (positive %d, negative %d)", m, got, verdict, r.Positive, r.Negative)
	}
	wantPartial := false
	for _, s := range spec[1:] {
		wantPartial = wantPartial || s == "partial"
	}
	if r.Complete() == wantPartial {
		t.Errorf("%s: complete %v, want %v (%v)", m, r.Complete(), !wantPartial, r.Partial())
	}
	for _, s := range spec[1:] {
		k, v, _ := strings.Cut(s, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "unroll", "partial":
		case "bounded":
			if r.Stats.Bounded != n {
				t.Errorf("%s: %d bounded, want %d", m, r.Stats.Bounded, n)
			}
		case "stuck":
			if r.Stats.Stuck != n {
				t.Errorf("%s: %d stuck, want %d", m, r.Stats.Stuck, n)
			}
		case "liveness":
			if len(r.Hangs) == 0 {
				t.Errorf("%s: no liveness violation, want one", m)
			}
		case "noliveness":
			if len(r.Hangs) != 0 {
				t.Errorf("%s: unexpected liveness violation: %s at %s", m, r.Hangs[0].Thread, r.Hangs[0].Pos)
			}
		case "races":
			if len(r.Races) == 0 || r.Races[0].Count != n {
				t.Errorf("%s: races %v, want the first in %d executions", m, r.Races, n)
			}
		case "raceincomplete":
			if len(r.Races) == 0 || r.Races[0].Incomplete != n {
				t.Errorf("%s: races %v, want the first in %d executions that did not complete", m, r.Races, n)
			}
		case "raceloc":
			if len(r.Races) == 0 || strings.Join(r.Races[0].Locs, ",") != v {
				t.Errorf("%s: race locations %v, want %s", m, r.Races, v)
			}
		case "executions":
			if r.Stats.Complete != n {
				t.Errorf("%s: %d executions, want %d", m, r.Stats.Complete, n)
			}
		case "blocked":
			if r.Stats.Blocked != n {
				t.Errorf("%s: %d blocked, want %d", m, r.Stats.Blocked, n)
			}
		case "outcomes":
			if len(r.Outcomes) != n {
				t.Errorf("%s: %d outcomes, want %d", m, len(r.Outcomes), n)
			}
		case "positive":
			if r.Positive != n {
				t.Errorf("%s: %d positive, want %d", m, r.Positive, n)
			}
		case "race":
			if len(r.Races) == 0 {
				t.Errorf("%s: no data race found, want one", m)
			}
		case "norace":
			if len(r.Races) != 0 {
				t.Errorf("%s: unexpected data race %v", m, r.Races[0].A)
			}
		case "assert":
			if len(r.Failures) == 0 {
				t.Errorf("%s: no assertion failure, want one", m)
			}
		case "noassert":
			if len(r.Failures) != 0 {
				t.Errorf("%s: unexpected assertion failure: %s", m, r.Failures[0].Msg)
			}
		default:
			t.Errorf("%s: unknown want item %q", m, s)
		}
	}
}

// TestErrors checks that every error in testdata/errors/*.litmus is
// reported on a line carrying an // ERROR "regexp" comment that matches it,
// and that every such comment gets its error.
func TestErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.litmus")
	errRE := regexp.MustCompile(`//\s*ERROR\s+"([^"]*)"`)
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]*regexp.Regexp{}
			for i, line := range strings.Split(string(src), "\n") {
				if m := errRE.FindStringSubmatch(line); m != nil {
					want[i+1] = regexp.MustCompile(m[1])
				}
			}
			_, err = happens.Parse(file, src, nil)
			if err == nil {
				t.Fatalf("no errors; want %d", len(want))
			}
			list, ok := err.(source.ErrorList)
			if !ok {
				t.Fatalf("error is %T, not a positioned list: %v", err, err)
			}
			matched := map[int]bool{}
			for _, e := range list {
				re, ok := want[e.Pos.Line]
				if !ok {
					t.Errorf("unexpected error at %s: %s", e.Pos, e.Msg)
					continue
				}
				if !re.MatchString(e.Msg) {
					t.Errorf("%s: error %q does not match %q", e.Pos, e.Msg, re)
				}
				matched[e.Pos.Line] = true
			}
			for line, re := range want {
				if !matched[line] {
					t.Errorf("line %d: missing error matching %q", line, re)
				}
			}
		})
	}
}

package stress

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"happens"
	"happens/prog"
	"happens/result"
	"happens/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func load(t *testing.T, file string) *prog.Program {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := happens.Parse(filepath.Base(file), src, nil)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return p
}

func model(t *testing.T, p *prog.Program) *result.Result {
	t.Helper()
	res, err := happens.Run(context.Background(), p, happens.Options{Model: "c20"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGoldenSource keeps the generated C of a small test in
// testdata/sb.c.golden (go test -run GoldenSource -update rewrites it).
func TestGoldenSource(t *testing.T) {
	test, err := Generate(load(t, "testdata/sb.litmus"), Options{Iterations: 100000, Batch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/sb.c.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(test.Source), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if test.Source != string(want) {
		t.Errorf("the generated C differs from %s; rerun with -update and review the diff", golden)
	}
	for _, want := range []string{
		"atomic_store_explicit(&m->v_X.v, (uint32_t)r2, memory_order_relaxed)",
		"pthread_setaffinity_np",
		"_Alignas(LINE)",
		"barrier(&sense)",
	} {
		if !strings.Contains(test.Source, want) {
			t.Errorf("the generated C lacks %q", want)
		}
	}
}

// TestRejects checks that what the C test cannot run is reported at its
// position, naming the construct.
func TestRejects(t *testing.T) {
	_, err := Generate(load(t, "testdata/pointer.litmus"), Options{})
	var list source.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("want positioned errors, got %v", err)
	}
	for _, e := range list {
		if !e.Pos.IsValid() || !strings.Contains(e.Msg, "pointer") {
			t.Errorf("want a positioned error about pointers, got %v", e)
		}
	}
	if list[0].Pos.Line != 2 {
		t.Errorf("first error at line %d, want 2 (the init block that stores an address)", list[0].Pos.Line)
	}
}

func TestParse(t *testing.T) {
	test, err := Generate(load(t, "testdata/sb.litmus"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := "happens-stress 1 2 2\niterations 10\ncpus 2\noutcome 7 0 0 1 0\noutcome 3 0 0 0 0\nend\n"
	h, err := test.Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if h.Iterations != 10 || h.CPUs != 2 || len(h.Lines) != 2 || h.Lines[0].Count != 7 || h.Lines[0].Values[0] != 1 {
		t.Errorf("parsed %+v", h)
	}
	for _, bad := range []string{
		"",
		"happens-stress 1 3 2\niterations 0\nend\n",                                    // another test
		"happens-stress 1 2 2\niterations 10\noutcome 7 0 0 1\nend\n",                  // short line
		"happens-stress 1 2 2\niterations 10\noutcome 7 0 0 1 0\nend\n",                // counts do not add up
		"happens-stress 1 2 2\niterations 7\noutcome 7 0 0 1 0\n",                      // no end
		"happens-stress 1 2 2\niterations 7\noutcome 7 0 0 1 x\nend\n",                 // not a number
		"happens-stress 1 2 2\niterations 7\nsegfault\noutcome 7 0 0 1 0\nend\n",       // noise
		"happens-stress 1 2 2\niterations 7\noutcome 7 0 0 1 0 0\nend\n",               // long line
		"happens-stress 1 2 2\niterations 7\noutcome -7 0 0 1 0\noutcome 14 0 0 1 0\n", // no end
	} {
		if _, err := test.Parse([]byte(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

// TestCompare feeds a made-up histogram: the SB outcomes of an x86 run
// against the all-SeqCst test, whose weak outcome c20 forbids.
func TestCompare(t *testing.T) {
	p := load(t, "testdata/sb-sc.litmus")
	test, err := Generate(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &Histogram{Iterations: 100, CPUs: 2, Lines: []Line{
		{Count: 40, Status: []int{0, 0}, Values: []uint64{0, 1}},
		{Count: 30, Status: []int{0, 0}, Values: []uint64{1, 0}},
		{Count: 17, Status: []int{0, 0}, Values: []uint64{0, 0}}, // forbidden
		{Count: 10, Status: []int{0, 0}, Values: []uint64{1, 1}},
		{Count: 3, Status: []int{StatusStuck, 0}, Values: []uint64{0, 0}},
	}}
	r := Compare(test, h, model(t, p))
	if r.Forbidden != 17 || r.Counted != 97 || r.Stuck != 3 || r.Satisfied != 17 {
		t.Errorf("forbidden %d counted %d stuck %d satisfied %d, want 17 97 3 17", r.Forbidden, r.Counted, r.Stuck, r.Satisfied)
	}
	var b strings.Builder
	if err := WriteReport(&b, r, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"! t1.a=0 t2.b=0", "FORBIDDEN by c20", "FORBIDDEN: 17 of 97 iterations", "Stuck: 3 iterations"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// compileAndRun builds and runs a generated test with the system's cc.
func compileAndRun(t *testing.T, test *Test) *Histogram {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) on PATH")
	}
	dir := t.TempDir()
	cfile, bin := filepath.Join(dir, "test.c"), filepath.Join(dir, "test")
	if err := os.WriteFile(cfile, []byte(test.Source), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O2", "-pthread", "-Wall", "-Werror", "-o", bin, cfile).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	h, err := test.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRunSequential runs single-threaded programs, whose one outcome must
// be exactly the interpreter's: every operator, width and
// read-modify-write of arith.litmus computes the same values in C.
func TestRunSequential(t *testing.T) {
	p := load(t, "testdata/arith.litmus")
	test, err := Generate(p, Options{Iterations: 200, Batch: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := compileAndRun(t, test)
	r := Compare(test, h, model(t, p))
	if len(r.Rows) != 1 || r.Rows[0].Seen != 200 || r.Rows[0].Executions != 1 {
		var b strings.Builder
		WriteReport(&b, r, ReportOptions{})
		t.Errorf("want the model's single outcome in all 200 iterations:\n%s", b.String())
	}
}

// TestRunConcurrent runs two small tests for a few thousand iterations:
// every iteration is accounted for, no outcome is forbidden, and panics
// and assume! are reported. Which outcomes show depends on timing and is
// not checked.
func TestRunConcurrent(t *testing.T) {
	for _, file := range []string{"testdata/sb-sc.litmus", "testdata/panic.litmus"} {
		p := load(t, file)
		test, err := Generate(p, Options{Iterations: 4000, Batch: 1000})
		if err != nil {
			t.Fatal(err)
		}
		h := compileAndRun(t, test)
		r := Compare(test, h, model(t, p))
		if h.Iterations != 4000 || r.Counted+r.Blocked+r.Stuck+r.Filtered != 4000 {
			t.Errorf("%s: %d iterations, %d counted + %d blocked + %d stuck + %d filtered", file, h.Iterations, r.Counted, r.Blocked, r.Stuck, r.Filtered)
		}
		if r.Forbidden > 0 {
			var b strings.Builder
			WriteReport(&b, r, ReportOptions{})
			t.Errorf("%s: outcomes c20 forbids:\n%s", file, b.String())
		}
		if len(test.Panics) == 0 && strings.Contains(file, "panic") {
			t.Errorf("%s: no panic site recorded", file)
		}
	}
}

// TestRunFinal runs a whole program whose main computes after the join:
// its one outcome, with main's values, is the hand-derived one of the
// file's comment, and its failing assertion (not the one that holds) is
// counted in every iteration, in main.
func TestRunFinal(t *testing.T) {
	p := load(t, "testdata/final-seq.rs")
	test, err := Generate(p, Options{Iterations: 300, Batch: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := compileAndRun(t, test)
	r := Compare(test, h, model(t, p))
	var names []string
	for _, o := range r.Observed {
		names = append(names, o.Name)
	}
	if got, want := strings.Join(names, " "), "h.old main.v main.w main.n"; got != want {
		t.Fatalf("observed %q, want %q", got, want)
	}
	want := []uint64{5, 10, 33, 40}
	if len(r.Rows) != 1 || r.Rows[0].Seen != 300 || fmt.Sprint(r.Rows[0].Values) != fmt.Sprint(want) {
		var b strings.Builder
		WriteReport(&b, r, ReportOptions{})
		t.Fatalf("want %v in all 300 iterations:\n%s", want, b.String())
	}
	if len(r.Panics) != 1 || r.Panics[0].ThreadName != "main" || r.Panics[0].Pos.Line != 24 || r.Panics[0].Count != 300 {
		t.Errorf("want the assertion of line 24 failing in main in 300 iterations, got %+v", r.Panics)
	}
}

// TestRunFinalSB stresses store buffering written with fn main: every
// iteration is counted, no outcome is forbidden, main's assertion fails
// exactly in the iterations whose loads both read 0 (sum = 2), and with
// two CPUs or more that weak outcome shows.
func TestRunFinalSB(t *testing.T) {
	p := load(t, "testdata/final-sb.rs")
	test, err := Generate(p, Options{Iterations: 20000, Batch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	h := compileAndRun(t, test)
	r := Compare(test, h, model(t, p))
	var b strings.Builder
	WriteReport(&b, r, ReportOptions{})
	if r.Counted != 20000 || r.Forbidden > 0 {
		t.Fatalf("%d counted of 20000, %d forbidden:\n%s", r.Counted, r.Forbidden, b.String())
	}
	weak := 0
	for _, row := range r.Rows {
		// main.a, main.b, main.sum: sum is a + b + 2 in every iteration.
		if len(row.Values) != 3 || row.Values[2] != row.Values[0]+row.Values[1]+2 {
			t.Errorf("row %v: want main.a, main.b and main.sum = a + b + 2", row.Values)
		}
		if row.Values[0] == 0 && row.Values[1] == 0 {
			weak = row.Seen
		}
	}
	failed := 0
	for _, pc := range r.Panics {
		failed += pc.Count
	}
	if failed != weak {
		t.Errorf("main's assertion failed in %d iterations, want %d (those with a = b = 0):\n%s", failed, weak, b.String())
	}
	if h.CPUs >= 2 && weak == 0 {
		t.Errorf("the weak outcome a = b = 0 never showed on %d CPUs:\n%s", h.CPUs, b.String())
	}
	t.Logf("\n%s", b.String())
}

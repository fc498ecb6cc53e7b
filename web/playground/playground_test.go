package playground

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func example(t *testing.T, name string) Source {
	t.Helper()
	src, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return Source{Src: string(src), Name: name}
}

// Store buffering, counted by hand: each thread's load reads the initial
// value or the other thread's store, four combinations; c20 allows all four
// (one execution each), sc forbids both loads reading 0.
func TestRunStoreBuffering(t *testing.T) {
	s := NewSession()
	for _, tc := range []struct {
		model    string
		execs    int
		verdict  string
		outcomes int
	}{
		{"c20", 4, "Sometimes", 4},
		{"sc", 3, "Never", 3},
		{"x86", 4, "Sometimes", 4},
	} {
		r := s.Run(context.Background(), RunRequest{Source: example(t, "sb.litmus"), Model: tc.model}, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", tc.model, r.Errors)
		}
		if r.Stats.Executions != tc.execs || r.Cond == nil || r.Cond.Verdict != tc.verdict || len(r.Outcomes) != tc.outcomes {
			t.Errorf("%s: %d executions, %d outcomes, cond %+v; want %d, %d, %s", tc.model, r.Stats.Executions, len(r.Outcomes), r.Cond, tc.execs, tc.outcomes, tc.verdict)
		}
		if !r.Complete || len(r.Partial) != 0 || r.Kept != tc.execs {
			t.Errorf("%s: complete %v, partial %v, kept %d", tc.model, r.Complete, r.Partial, r.Kept)
		}
		if !slices.Equal(r.Observed, []string{"t1.a", "t2.b"}) {
			t.Errorf("%s: observed %v", tc.model, r.Observed)
		}
		for i, o := range r.Outcomes {
			if o.Exec < 0 {
				t.Errorf("%s: outcome %d has no execution to show", tc.model, i)
				continue
			}
			d := s.Draw(DrawRequest{Run: r.Run, Kind: "outcome", Index: i})
			if d.Unavailable != "" || !strings.Contains(d.SVG, "<svg") || d.Exec != o.Exec || d.Outcome != i {
				t.Errorf("%s: drawing outcome %d: exec %d outcome %d error %q", tc.model, i, d.Exec, d.Outcome, d.Unavailable)
			}
			// Lines 8, 9, 13, 14 of sb.litmus hold the four accesses.
			if !slices.Equal(d.Lines, []int{8, 9, 13, 14}) {
				t.Errorf("%s: lines %v", tc.model, d.Lines)
			}
		}
	}
}

// TestRunMachine runs the mailbox example on the MESI machines: McKenney's
// invalidate queues allow the stale read; x86-like caches do not.
func TestRunMachine(t *testing.T) {
	s := NewSession()
	for model, verdict := range map[string]string{"mesi-weak": "Sometimes", "mesi-strong": "Never"} {
		r := s.Run(context.Background(), RunRequest{Source: example(t, "stale-read.litmus"), Model: model}, nil)
		if !r.Machine || r.Cond == nil || r.Cond.Verdict != verdict || !r.Complete || r.Stats.States == 0 {
			t.Errorf("%s: %+v", model, r)
		}
		if d := s.Draw(DrawRequest{Run: r.Run, Kind: "exec"}); d.Unavailable == "" {
			t.Errorf("%s: drawing a machine run should say there is no graph", model)
		}
	}
}

// TestRunCancelled: a run cancelled before it starts stops at its first
// check and says it is partial.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src, err := os.ReadFile("../../testdata/fadd-5.litmus")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession()
	r := s.Run(ctx, RunRequest{Source: Source{Src: string(src)}, Model: "c20"}, nil)
	if r.Complete || !r.Cancelled || len(r.Partial) == 0 || !strings.Contains(s.Text(TextRequest{Run: r.Run}).Text, "PARTIAL") {
		t.Errorf("cancelled run: complete %v cancelled %v partial %v", r.Complete, r.Cancelled, r.Partial)
	}
}

func TestRunLimit(t *testing.T) {
	r := NewSession().Run(context.Background(), RunRequest{Source: example(t, "iriw.litmus"), MaxExecutions: 2}, nil)
	if r.Complete || r.Cancelled || r.Stats.Executions != 2 || len(r.Partial) != 1 || !strings.Contains(r.Partial[0], "limit") {
		t.Errorf("limited run: %+v", r)
	}
}

// TestDiagnostics: positions are 1-based lines and UTF-16 columns, and
// offsets count UTF-16 units, as JavaScript strings do.
func TestDiagnostics(t *testing.T) {
	// "é" is one UTF-16 unit and two bytes, "𝄞" two units and four bytes.
	src := "//! é𝄞\nstatic X: AtomicU32 = AtomicU32::new(0);\nthread t1 { let a = X.lod(Ordering::Relaxed); }\n"
	r := Check(Source{Src: src})
	if len(r.Errors) == 0 {
		t.Fatal("no error")
	}
	d := r.Errors[0]
	if d.Line != 3 {
		t.Fatalf("error %+v: want line 3", d)
	}
	// The first line is 7 UTF-16 units and a newline; the second is ASCII.
	lineStart := 8 + len("static X: AtomicU32 = AtomicU32::new(0);\n")
	if d.From != lineStart+d.Col-1 {
		t.Errorf("from %d, col %d: inconsistent (line starts at %d)", d.From, d.Col, lineStart)
	}
	if got := src[len("//! é𝄞\n")+len("static X: AtomicU32 = AtomicU32::new(0);\n")+d.Col-1:]; !strings.HasPrefix(got, "X.lod") && !strings.HasPrefix(got, "lod") {
		t.Errorf("col %d points at %.10q", d.Col, got)
	}
	if line, col, from := utf16Pos("é𝄞x\ny", 1, 7); line != 1 || col != 4 || from != 3 {
		t.Errorf("utf16Pos: %d %d %d", line, col, from)
	}
	if c := Check(example(t, "sb.litmus")); len(c.Errors) != 0 || c.Format != "rust" || c.Cond == "" {
		t.Errorf("sb: %+v", c)
	}
	herd := "C sb\n{ }\nP0(atomic_int* x, atomic_int* y) { atomic_store_explicit(x, 1, memory_order_relaxed); int r0 = atomic_load_explicit(y, memory_order_relaxed); }\nP1(atomic_int* x, atomic_int* y) { atomic_store_explicit(y, 1, memory_order_relaxed); int r0 = atomic_load_explicit(x, memory_order_relaxed); }\nexists (0:r0=0 /\\ 1:r0=0)\n"
	if c := Check(Source{Src: herd}); c.Format != "c" || len(c.Errors) != 0 {
		t.Errorf("herd: %+v", c)
	}
}

// TestExplainStoreBuffering: under sc, both loads reading 0 needs each
// load before the other thread's store, and each store before its own
// thread's load: a cycle through all four accesses.
func TestExplainStoreBuffering(t *testing.T) {
	src := example(t, "sb.litmus")
	a := Explain(context.Background(), ExplainRequest{Source: src, Model: "sc"}, nil)
	if a.Possible || a.Candidates != 1 || len(a.Reasons) != 1 || a.Answer != "no" || !strings.HasPrefix(a.Lead, "No: 1 ") {
		t.Fatalf("sc: %+v", a)
	}
	if a.Question != "Can (t1.a == 0 && t2.b == 0) happen in sb.litmus under sc?" && !strings.HasPrefix(a.Question, "Can (t1.a == 0 && t2.b == 0) happen in sb") {
		t.Errorf("question %q", a.Question)
	}
	r := a.Reasons[0]
	if r.Axiom != "sc" || len(r.Cycle) != 4 || !strings.Contains(r.SVG, "cycle") {
		t.Errorf("reason %+v", r)
	}
	got := slices.Clone(r.Lines)
	slices.Sort(got)
	if !slices.Equal(got, []int{8, 9, 13, 14}) {
		t.Errorf("cycle lines %v", r.Lines)
	}
	a = Explain(context.Background(), ExplainRequest{Source: src, Model: "c20", Question: Question{Raw: []string{"0", "0"}}}, nil)
	if !a.Possible || a.Witness == "" || a.Outcome != "t1.a=0 t2.b=0" || a.Answer != "yes" || !strings.HasPrefix(a.Lead, "Yes") {
		t.Errorf("c20: %+v", a)
	}
	a = Explain(context.Background(), ExplainRequest{Source: src, Model: "sc", Question: Question{Outcome: "t1.a == 1 && t2.b == 1"}}, nil)
	if !a.Possible || len(a.Interleaving) != 4 {
		t.Errorf("sc 1,1: %+v", a)
	}
	a = Explain(context.Background(), ExplainRequest{Source: src, Model: "sc", Question: Question{Outcome: "t1.zz == 1"}}, nil)
	if len(a.OutcomeErrors) == 0 {
		t.Errorf("bad outcome accepted: %+v", a)
	}
	if a := Explain(context.Background(), ExplainRequest{Source: src, Model: "mesi-weak"}, nil); a.Unsupported == "" {
		t.Errorf("mesi: %+v", a)
	}
}

func TestOutcomesAndCompare(t *testing.T) {
	src := example(t, "sb.litmus")
	o := Outcomes(context.Background(), OutcomesRequest{Source: src, Model: "sc"}, nil)
	forbidden := 0
	for _, c := range o.Outcomes {
		if !c.Allowed {
			forbidden++
			if !slices.Equal(c.Values, []string{"0", "0"}) || c.Axiom != "sc" {
				t.Errorf("forbidden %+v", c)
			}
		}
	}
	if len(o.Outcomes) != 4 || forbidden != 1 {
		t.Errorf("outcomes %+v", o)
	}
	c := Compare(context.Background(), CompareRequest{Source: src}, nil)
	if !slices.Equal(c.Models, []string{"sc", "c11", "rc11", "c20"}) || len(c.Rows) != 4 || !slices.Equal(c.Totals, []int{3, 4, 4, 4}) {
		t.Fatalf("compare %+v", c)
	}
	if len(c.Diffs) != 1 || c.Diffs[0].Forbidden != "sc" || c.Diffs[0].Allowed != "c11" || len(c.Diffs[0].Cycle) == 0 {
		t.Errorf("diffs %+v", c.Diffs)
	}
}

func TestAsmAndTrace(t *testing.T) {
	src := example(t, "sb.litmus")
	a := Asm(AsmRequest{Source: src})
	if len(a.Listings) != 5 || a.Listings[0].Arch != "x86-64" || !strings.Contains(a.Listings[0].Text, "mov") {
		t.Errorf("asm %+v", a)
	}
	if a := Asm(AsmRequest{Source: src, Arch: "vax"}); len(a.Errors) == 0 {
		t.Error("vax accepted")
	}
	tr := Trace(context.Background(), TraceRequest{Source: example(t, "stale-read.litmus"), Model: "mesi-weak"}, nil)
	if !tr.Found || len(tr.Rows) < 2 || !tr.Mailboxes || !slices.Equal(tr.CoreNames, []string{"w", "r"}) {
		t.Errorf("trace %+v", tr)
	}
	tr = Trace(context.Background(), TraceRequest{Source: example(t, "stale-read.litmus"), Model: "mesi-strong"}, nil)
	if tr.Found || tr.Partial != "" {
		t.Errorf("mesi-strong trace %+v", tr)
	}
}

func TestCall(t *testing.T) {
	s := NewSession()
	var progressed bool
	out := s.Call(context.Background(), "run", []byte(`{"src":"static X: AtomicU32 = AtomicU32::new(0);\nthread a { X.store(1, Ordering::Relaxed); }\nthread b { let r = X.load(Ordering::Relaxed); }\n","model":"sc"}`), func(Progress) { progressed = true })
	var r RunResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	// b reads the initial 0 or a's 1: two executions.
	if r.Stats.Executions != 2 || r.Run == 0 || progressed {
		t.Errorf("run: %s", out)
	}
	out = s.Call(context.Background(), "draw", []byte(fmt.Sprintf(`{"run":%d,"kind":"exec","index":1}`, r.Run)), nil)
	var d DrawResponse
	if err := json.Unmarshal(out, &d); err != nil || d.Exec != 1 || d.Total != 2 {
		t.Errorf("draw: %v %.200s", err, out)
	}
	for _, bad := range []struct{ method, req, want string }{
		{"nope", `{}`, "unknown method"},
		{"run", `{"src": 3}`, "bad run request"},
	} {
		var e Error
		if err := json.Unmarshal(s.Call(context.Background(), bad.method, []byte(bad.req), nil), &e); err != nil || !strings.Contains(e.Error, bad.want) {
			t.Errorf("%s %s: %q, want %q", bad.method, bad.req, e.Error, bad.want)
		}
	}
	for _, m := range Methods {
		if strings.Contains(string(s.Call(context.Background(), m, []byte(`{"src":""}`), nil)), "unknown method") {
			t.Errorf("%s not served", m)
		}
	}
}

// TestRunHang: a thread waiting for a flag nobody sets reads false for
// ever, by hand one stuck execution and a liveness violation in that
// thread, drawn on request.
func TestRunHang(t *testing.T) {
	s := NewSession()
	src := "static F: AtomicBool = AtomicBool::new(false);\nthread w {\n    while !F.load(Ordering::Acquire) {}\n}\n"
	r := s.Run(context.Background(), RunRequest{Source: Source{Src: src}, Model: "c20"}, nil)
	if len(r.Hangs) != 1 || r.Hangs[0].Thread != "w" || r.Hangs[0].Line != 3 || r.Stats.Stuck != 1 || !r.Failed {
		t.Fatalf("hangs %+v, stats %+v", r.Hangs, r.Stats)
	}
	if !slices.Equal(r.Hangs[0].Reads, []string{"F=false"}) {
		t.Errorf("reads %v", r.Hangs[0].Reads)
	}
	if d := s.Draw(DrawRequest{Run: r.Run, Kind: "hang", Index: 0}); d.Unavailable != "" || !strings.Contains(d.SVG, "<svg") {
		t.Errorf("draw hang: %+v", d.Unavailable)
	}
}

// TestNoNulls: lists are [] in JSON, never null, so the page can iterate
// them without checks; a program that observes nothing has empty lists.
func TestNoNulls(t *testing.T) {
	src := Source{Src: "static F: AtomicBool = AtomicBool::new(false);\nthread w { F.store(true, Ordering::Relaxed); }\n"}
	s := NewSession()
	r := s.Run(context.Background(), RunRequest{Source: src}, nil)
	for _, out := range [][]byte{
		s.Call(context.Background(), "run", encode(RunRequest{Source: src}), nil),
		s.Call(context.Background(), "draw", encode(DrawRequest{Run: r.Run}), nil),
		s.Call(context.Background(), "explain", encode(ExplainRequest{Source: src, Question: Question{Outcome: "F == true"}}), nil),
		s.Call(context.Background(), "outcomes", encode(OutcomesRequest{Source: src}), nil),
		s.Call(context.Background(), "compare", encode(CompareRequest{Source: src}), nil),
		s.Call(context.Background(), "asm", encode(AsmRequest{Source: src}), nil),
		s.Call(context.Background(), "trace", encode(TraceRequest{Source: src, Question: Question{Outcome: "F == true"}}), nil),
		s.Call(context.Background(), "check", encode(Source{Src: "nonsense"}), nil),
		s.Call(context.Background(), "draw", encode(DrawRequest{Run: 12345}), nil),
	} {
		// A top-level "error" is the bridge's own failure (Error), which
		// the page treats as a failed request: no response may use it.
		var top map[string]any
		if err := json.Unmarshal(out, &top); err != nil || top["error"] != nil {
			t.Errorf("top-level error in %.200s", out)
		}
		// cond and expect are null when the program has none: that is their
		// meaning.
		clean := strings.NewReplacer(`"cond":null`, "", `"expect":null`, "").Replace(string(out))
		if strings.Contains(clean, "null") {
			t.Errorf("null in %.300s", out)
		}
	}
}

// TestRustTests: loom's test is a #[should_panic] test whose assertion
// fails (two threads' Acquire load then Release store can both read 0, by
// hand), so the expectation is met; a file with two tests runs the one
// named.
func TestRustTests(t *testing.T) {
	s := NewSession()
	r := s.Run(context.Background(), RunRequest{Source: example(t, "loom-test.rs")}, nil)
	if len(r.Errors) > 0 || len(r.Failures) == 0 || r.Expect == nil || r.Expect.Claim != "Panics" || !r.Expect.Met || r.Failed {
		t.Errorf("loom test: %+v", r)
	}
	two := "use std::sync::atomic::{AtomicU32, Ordering};\n" +
		"#[test]\nfn one() { let x = AtomicU32::new(0); x.store(1, Ordering::Relaxed); assert_eq!(x.load(Ordering::Relaxed), 1); }\n" +
		"#[test]\nfn two() { let x = AtomicU32::new(0); assert_eq!(x.load(Ordering::Relaxed), 1); }\n"
	if c := Check(Source{Src: two}); !slices.Equal(c.Tests, []string{"one", "two"}) {
		t.Errorf("tests %v (errors %v)", c.Tests, c.Errors)
	}
	if r := s.Run(context.Background(), RunRequest{Source: Source{Src: two, Test: "one"}}, nil); len(r.Failures) != 0 {
		t.Errorf("test one: %+v", r.Failures)
	}
	if r := s.Run(context.Background(), RunRequest{Source: Source{Src: two, Test: "two"}}, nil); len(r.Failures) != 1 {
		t.Errorf("test two: %+v", r.Failures)
	}
}

// TestTablePaging: fetch_add with 5 threads, each keeping what it read,
// has 5! candidate executions and as many outcomes (each thread reads a
// distinct count, in any order). Asked with Rows, the comparison and the
// candidate list send their first rows; tableRows pages in the rest, and
// text gives the comparison's command-line text.
func TestTablePaging(t *testing.T) {
	var b strings.Builder
	b.WriteString("static C: AtomicU32 = AtomicU32::new(0);\n")
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "thread t%d { let r = C.fetch_add(1, Ordering::Relaxed); }\n", i)
	}
	src := Source{Src: b.String()}
	s := NewSession()
	var c CompareResponse
	if err := json.Unmarshal(s.Call(context.Background(), "compare", encode(CompareRequest{Source: src, Models: []string{"sc", "c20"}, Rows: 50}), nil), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Rows) != 50 || c.TotalRows != 120 || c.Table == 0 || c.Text != "" {
		t.Fatalf("compare: %d rows of %d, table %d, text %q", len(c.Rows), c.TotalRows, c.Table, c.Text)
	}
	all := Compare(context.Background(), CompareRequest{Source: src, Models: []string{"sc", "c20"}}, nil)
	var rest TableRowsResponse
	json.Unmarshal(s.Call(context.Background(), "tableRows", encode(TableRowsRequest{Table: c.Table, From: 50}), nil), &rest)
	got := append(c.Rows, rest.Rows...)
	if rest.Total != 120 || rest.From != 50 || len(got) != 120 || fmt.Sprint(got) != fmt.Sprint(all.Rows) {
		t.Errorf("paged rows differ from the whole table (%d rows, total %d)", len(got), rest.Total)
	}
	var text TextResponse
	json.Unmarshal(s.Call(context.Background(), "text", encode(TextRequest{Table: c.Table}), nil), &text)
	if text.Text != all.Text || text.Text == "" {
		t.Errorf("text %q, want %q", text.Text, all.Text)
	}

	var o OutcomesResponse
	json.Unmarshal(s.Call(context.Background(), "outcomes", encode(OutcomesRequest{Source: src, Model: "c20", Rows: 100}), nil), &o)
	if len(o.Outcomes) != 100 || o.Total != 120 || o.Table == 0 {
		t.Fatalf("outcomes: %d of %d, table %d", len(o.Outcomes), o.Total, o.Table)
	}
	var more TableRowsResponse
	json.Unmarshal(s.Call(context.Background(), "tableRows", encode(TableRowsRequest{Table: o.Table, From: 100, Count: 500}), nil), &more)
	if len(more.Candidates) != 20 || more.Total != 120 || len(more.Rows) != 0 {
		t.Errorf("more candidates: %d of %d", len(more.Candidates), more.Total)
	}
	if r := s.TableRows(TableRowsRequest{Table: 9999}); r.Unavailable == "" {
		t.Error("an unknown table answered")
	}
}

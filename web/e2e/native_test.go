package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"happens/web"
	"happens/web/playground"
)

type catalog struct {
	Examples []struct {
		Group, Name, File, Model, Src string
	}
}

func readCatalog(t *testing.T) catalog {
	files, err := web.Files()
	if err != nil {
		t.Fatal(err)
	}
	var c catalog
	if err := json.Unmarshal(files["catalog.json"], &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExamplesMatchNative runs every example of the menu in the browser,
// as a visitor would pick it, and checks its outcomes, counts and verdict
// against the same engine compiled natively: the WebAssembly build, the
// worker and the page must not change an answer.
func TestExamplesMatchNative(t *testing.T) {
	cat := readCatalog(t)
	b := sharedTab(t)
	s := playground.NewSession()
	for i, e := range cat.Examples {
		n := b.runNumber()
		b.pick("example", fmt.Sprint(i))
		got := b.awaitRun(n, long)
		want := s.Run(context.Background(), playground.RunRequest{Source: playground.Source{Src: e.Src, Name: e.File}, Model: e.Model}, nil)
		var w []string
		for _, o := range want.Outcomes {
			w = append(w, fmt.Sprintf("%s:%d", strings.Join(o.Values, ","), o.Count))
		}
		var g []string
		for _, r := range got.Rows {
			g = append(g, fmt.Sprintf("%s:%d", strings.Join(r.Values, ","), r.Count))
		}
		wantVerdict := ""
		if want.Cond != nil {
			wantVerdict = want.Cond.Verdict
		}
		if strings.Join(g, " ") != strings.Join(w, " ") || got.Verdict != wantVerdict || got.Partial {
			t.Errorf("%s under %s: browser %v %q partial=%v, native %v %q", e.File, e.Model, g, got.Verdict, got.Partial, w, wantVerdict)
		}
	}
}

// benchProgram is one program timed in the browser and natively.
type benchProgram struct {
	name, model, src string
}

func benchPrograms(t *testing.T) []benchProgram {
	var out []benchProgram
	for _, e := range readCatalog(t).Examples {
		out = append(out, benchProgram{e.File, e.Model, e.Src})
	}
	fadd := func(n int) string {
		return fmt.Sprintf("static X: AtomicU32 = AtomicU32::new(0);\nthread t[i in 0..%d] { X.fetch_add(1, Ordering::Relaxed); }\nforall (X == %d)\n", n, n)
	}
	out = append(out, benchProgram{"fadd, 7 threads (5040 executions)", "c20", fadd(7)}, benchProgram{"fadd, 8 threads (40320 executions)", "c20", fadd(8)},
		benchProgram{"fadd, 8 threads, each keeps its value (40320 outcomes)", "c20", faddLet(8)})
	for _, f := range []string{"cas-rotation-6.litmus", "readers-5.litmus", "iriw-fence-sc.litmus"} {
		src, err := os.ReadFile(filepath.Join("..", "..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, benchProgram{"testdata/" + f, "c20", string(src)})
	}
	// HAPPENS_BENCH_ONLY, a regular expression, keeps the programs whose
	// name and model ("sb.litmus c20") it matches: a quick measurement
	// while working on one part.
	if only := os.Getenv("HAPPENS_BENCH_ONLY"); only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			t.Fatalf("HAPPENS_BENCH_ONLY: %v", err)
		}
		out = slices.DeleteFunc(out, func(p benchProgram) bool { return !re.MatchString(p.name + " " + p.model) })
	}
	return out
}

// faddLet is fetch_add with n threads, each keeping what it read: n!
// executions, each its own outcome.
func faddLet(n int) string {
	var b strings.Builder
	b.WriteString("static C: AtomicU32 = AtomicU32::new(0);\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "thread t%d { let r = C.fetch_add(1, Ordering::Relaxed); }\n", i)
	}
	return b.String()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// TestBenchmark measures what BENCHMARKS.md records: the page's load
// times on localhost, and each program's exploration time in the browser
// (timed from the page around the request, so the trip to the worker and
// back and the decoding of the answer are in it; drawing the result is
// not) against native code twice over: the same bridge function called in
// this process (the stricter comparison: the same work, no process to
// start), and the command line as a user runs it (`happens run --model M
// FILE`, the wall time of the process). It runs only with HAPPENS_BENCH=1,
// and writes artifacts/bench.md.
func TestBenchmark(t *testing.T) {
	if os.Getenv("HAPPENS_BENCH") != "1" {
		t.Skip("a measurement, not a check: HAPPENS_BENCH=1 runs it")
	}
	var out strings.Builder
	files, _ := web.Files()
	fmt.Fprintf(&out, "happens.wasm.gz: %d bytes (%.2f MB); app.js %d bytes\n\n", len(files["happens.wasm.gz"]), float64(len(files["happens.wasm.gz"]))/1e6, len(files["app.js"]))

	// Page loads: a first visit (nothing cached) and repeat visits.
	type load struct{ Interactive, Ready, Result float64 }
	var loads []load
	for i := 0; i < 6; i++ {
		b := newTab(t)
		b.open(srcLink("static X: AtomicU32 = AtomicU32::new(0);\nthread a { X.store(1, Ordering::Relaxed); }\nthread b { let r = X.load(Ordering::Relaxed); }\n", "c20"))
		b.awaitRun(0, long)
		l := eval[load](b, `({Interactive: happensPage.marks.interactive, Ready: happensPage.marks.engineReady, Result: happensPage.marks.firstResult})`)
		loads = append(loads, l)
	}
	fmt.Fprintf(&out, "Page load on localhost (ms from navigation start): first visit: interactive %.0f, engine ready %.0f, first result %.0f\n",
		loads[0].Interactive, loads[0].Ready, loads[0].Result)
	var li, lr, lres []float64
	for _, l := range loads[1:] {
		li, lr, lres = append(li, l.Interactive), append(lr, l.Ready), append(lres, l.Result)
	}
	fmt.Fprintf(&out, "repeat visits (median of %d): interactive %.0f, engine ready %.0f, first result %.0f\n\n", len(li), median(li), median(lr), median(lres))

	b := newTabFor(t, time.Hour)
	b.open("/")
	s := playground.NewSession()
	cli := buildCLI(t)
	fmt.Fprintf(&out, "| program | model | executions | native Call ms | native CLI ms | browser ms | browser / Call | browser / CLI |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range benchPrograms(t) {
		file := writeBenchFile(t, p)
		// Rows: as the page asks.
		req := playground.RunRequest{Source: playground.Source{Src: p.src, Name: "bench.litmus"}, Model: p.model, Rows: 200}
		body, _ := json.Marshal(req)
		// Native: the same request through the same bridge function,
		// repeated until it has taken a quarter of a second; the browser
		// the same number of times, timed around the calls from the page.
		// The machine is shared, so the three (with the command line)
		// alternate for benchRounds rounds and each keeps its best round:
		// what an idle machine would show.
		r := s.Run(context.Background(), req, nil)
		execs := r.Stats.Executions + r.Stats.States
		reps, start := 0, time.Now()
		for reps < 3 || time.Since(start) < 250*time.Millisecond {
			s.Call(context.Background(), "run", body, nil)
			reps++
		}
		// The browser warms up as the native side did above, with as many
		// calls: V8 first runs the engine's code compiled quickly, and
		// compiles the functions that turn out hot again, optimised, as
		// they run (with one warm-up call, the first programs measured
		// ran partly on the quick code).
		chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(async () => {
		  for (let i = 0; i < %d; i++) await happensPage.engine.call("run", %s).promise;
		})()`, reps, body), chromedp.EvalAwaitPromise))
		nat, br, proc := math.Inf(1), math.Inf(1), math.Inf(1)
		for round := 0; round < benchRounds(); round++ {
			proc = min(proc, cli.best(t, p.model, file))
			start := time.Now()
			for i := 0; i < reps; i++ {
				s.Call(context.Background(), "run", body, nil)
			}
			nat = min(nat, float64(time.Since(start).Microseconds())/1000/float64(reps))
			total, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(async () => {
			  const t0 = performance.now();
			  for (let i = 0; i < %d; i++) await happensPage.engine.call("run", %s).promise;
			  return performance.now() - t0;
			})()`, reps, body), chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			br = min(br, total/float64(reps))
		}
		fmt.Fprintf(&out, "| %s | %s | %d | %.3f | %.1f | %.3f | %.1f× | %.2f× |\n", p.name, p.model, execs, nat, proc, br, br/nat, br/proc)
	}

	// What a visitor waits for: from Run to the result drawn, through the
	// page (request, answer, table), for the run with the most outcomes.
	big := faddLet(8)
	b.do(chromedpEval(fmt.Sprintf(`happensPage.editor.text = %q`, big)))
	var page []float64
	for i := 0; i < 3; i++ {
		ms, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`(async () => {
		  const n = happensPage.runCount;
		  const t0 = performance.now();
		  document.getElementById("run").click();
		  while (happensPage.runCount === n) await new Promise((r) => setTimeout(r, 5));
		  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
		  return performance.now() - t0;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		page = append(page, ms)
	}
	rows := eval[int](b, `document.querySelectorAll("#outcomes tbody tr").length`)
	fmt.Fprintf(&out, "\nfadd, 8 threads, each keeps its value, through the page (Run to the table drawn, %d rows): best of 3 %.0f ms (all: %.0f)\n", rows, slices.Min(page), page)
	t.Log("\n" + out.String())
	os.MkdirAll(artifacts(), 0o755)
	os.WriteFile(filepath.Join(artifacts(), "bench.md"), []byte(out.String()), 0o644)
}

// TestBenchmarkRoundTrip breaks the browser's time on the millisecond
// examples down: the trip to the worker, the worker's own work around the
// engine, the engine (the bridge's Call in WebAssembly: decode, explore,
// encode), the trip back, and the page drawing the result; with the same
// Call natively beside it. HAPPENS_BENCH=1 runs it; it writes
// artifacts/roundtrip.md.
func TestBenchmarkRoundTrip(t *testing.T) {
	if os.Getenv("HAPPENS_BENCH") != "1" {
		t.Skip("a measurement, not a check: HAPPENS_BENCH=1 runs it")
	}
	b := newTabFor(t, time.Hour)
	b.open("/")
	s := playground.NewSession()
	var out strings.Builder
	fmt.Fprintf(&out, "medians of 40 calls, ms\n\n| program | native Call | browser total | to worker | worker | engine | of which Call | worker out | to page | page parse | Run to drawn | of which drawing |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	type timing struct{ Total, ToWorker, Worker, Engine, Call, WorkerOut, ToPage, Parse, Page, Draw, Click, Request float64 }
	var ratios []float64
	for _, p := range benchPrograms(t) {
		if strings.HasPrefix(p.name, "fadd") || strings.Contains(p.name, "iriw") && p.model == "mesi-weak" {
			continue
		}
		req := playground.RunRequest{Source: playground.Source{Src: p.src, Name: "bench.litmus"}, Model: p.model, Rows: 200}
		body, _ := json.Marshal(req)
		var nat []float64
		for i := 0; i < 40; i++ {
			start := time.Now()
			s.Call(context.Background(), "run", body, nil)
			nat = append(nat, float64(time.Since(start).Microseconds())/1000)
		}
		ts, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]timing](fmt.Sprintf(`(async () => {
		  const e = happensPage.engine, out = [];
		  for (let i = 0; i < 45; i++) {
		    const t0 = performance.now();
		    await e.call("run", %s, null, { timing: true }).promise;
		    const tm = e.timing;
		    if (i >= 5) out.push({ Total: performance.now() - t0, ToWorker: tm.toWorker, Worker: tm.worker, Engine: tm.engine, Call: tm.call, WorkerOut: tm.workerOut, ToPage: tm.toPage, Parse: tm.parse, Page: 0 });
		  }
		  // Through the page: Run to the result drawn (after the editor's
		  // own check of the new text).
		  happensPage.editor.text = %q;
		  document.getElementById("model").value = %q;
		  await new Promise((r) => setTimeout(r, 600));
		  for (let i = 0; i < 10; i++) {
		    const n = happensPage.runCount;
		    const t0 = performance.now();
		    document.getElementById("run").click();
		    while (happensPage.runCount === n) await new Promise((r) => setTimeout(r, 0));
		    out[i].Page = happensPage.marks.shown - t0;
		    out[i].Draw = happensPage.marks.shown - happensPage.marks.received;
		    out[i].Click = happensPage.marks.run - t0;
		    out[i].Request = happensPage.marks.received - happensPage.marks.run;
		  }
		  return out;
		})()`, body, p.src, p.model), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		col := func(f func(timing) float64, n int) float64 {
			var xs []float64
			for _, x := range ts[:n] {
				xs = append(xs, f(x))
			}
			return median(xs)
		}
		t.Logf("%s through the page: %+v", p.name, ts[:3])
		tot := col(func(x timing) float64 { return x.Total }, len(ts))
		ratios = append(ratios, tot/median(nat))
		fmt.Fprintf(&out, "| %s %s | %.3f | %.3f (%.1f×) | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f |\n", p.name, p.model, median(nat), tot, tot/median(nat),
			col(func(x timing) float64 { return x.ToWorker }, len(ts)), col(func(x timing) float64 { return x.Worker }, len(ts)),
			col(func(x timing) float64 { return x.Engine }, len(ts)), col(func(x timing) float64 { return x.Call }, len(ts)), col(func(x timing) float64 { return x.WorkerOut }, len(ts)),
			col(func(x timing) float64 { return x.ToPage }, len(ts)), col(func(x timing) float64 { return x.Parse }, len(ts)),
			col(func(x timing) float64 { return x.Page }, 10), col(func(x timing) float64 { return x.Draw }, 10))
	}
	fmt.Fprintf(&out, "\nbrowser / native: median %.1f×, range %.1f–%.1f×\n", median(ratios), slices.Min(ratios), slices.Max(ratios))
	t.Log("\n" + out.String())
	os.MkdirAll(artifacts(), 0o755)
	os.WriteFile(filepath.Join(artifacts(), "roundtrip.md"), []byte(out.String()), 0o644)
}

// benchRounds is how many rounds TestBenchmark alternates: 3, or
// HAPPENS_BENCH_ROUNDS (more find more quiet moments on a loaded machine).
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("HAPPENS_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// cliBinary is happens built for this machine, as `go install` builds it.
type cliBinary string

func buildCLI(t *testing.T) cliBinary {
	bin := filepath.Join(t.TempDir(), "happens")
	cmd := exec.Command("go", "build", "-o", bin, "happens/cmd/happens")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the command line: %v\n%s", err, out)
	}
	return cliBinary(bin)
}

// writeBenchFile writes p where the command line can read it, under the
// example's own file name when it has one (the name, like the extension,
// only names the test: the format is read from the content).
func writeBenchFile(t *testing.T, p benchProgram) string {
	name := filepath.Base(p.name)
	if !strings.HasSuffix(name, ".litmus") && !strings.HasSuffix(name, ".rs") {
		name = "bench.litmus"
	}
	dir := filepath.Join(t.TempDir(), fmt.Sprint(len(p.src)))
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte(p.src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// best runs `happens run --model model file` a few times (for about a
// quarter of a second, at least twice) and returns the shortest wall time
// of one process in ms, start to exit, its output read and discarded.
func (c cliBinary) best(t *testing.T, model, file string) float64 {
	best, start := math.Inf(1), time.Now()
	for n := 0; n < 2 || n < 20 && time.Since(start) < 250*time.Millisecond; n++ {
		cmd := exec.Command(string(c), "run", "--model", model, file)
		cmd.Stdout = io.Discard
		t0 := time.Now()
		err := cmd.Run()
		d := float64(time.Since(t0).Microseconds()) / 1000
		// 1: the program fails (an assertion, a race: part of the
		// answer); 3: a bound cut it. Anything else is not a run.
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && (ee.ExitCode() == 1 || ee.ExitCode() == 3)) {
			t.Fatalf("happens run --model %s %s: %v", model, file, err)
		}
		best = min(best, d)
	}
	return best
}

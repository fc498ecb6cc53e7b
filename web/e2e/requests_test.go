package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// holdAnswers makes the page's engine lose every answer while
// window.__hold is set, as a worker stuck in a long computation does: a
// Cancel then goes unanswered, and after the grace (shortened here) the
// engine restarts its worker. The restart path is then taken for any
// request, however quick.
const holdAnswers = `(() => {
  const e = happensPage.engine;
  e.cancelGrace = 300;
  if (!e.held) {
    const receive = e.receive.bind(e);
    e.receive = (m) => { if (!(window.__hold && m.type === "done")) receive(m); };
    e.held = true;
  }
  window.__hold = true;
  return true;
})()`

// stopHeld cancels the request in flight, which the engine cannot answer,
// and waits for the page to give it up.
func (b *tab) stopHeld(what string) {
	b.t.Helper()
	b.wait(`!!happensPage.fg && !document.getElementById("cancel").disabled`, long, what+" to start")
	b.do(chromedpClick("#cancel"))
	b.wait(`!happensPage.fg`, long, what+" to be given up")
	b.do(chromedpEval(`window.__hold = false`))
	b.wait(`happensPage.engine.isReady`, long, "the engine to restart")
}

// TestCancelRestart: every kind of request, cancelled when the engine
// cannot answer (so its worker is restarted), says "cancelled" in its own
// panel and status line; the page throws nothing (newTab checks
// happensPage.errors) and goes on working.
func TestCancelRestart(t *testing.T) {
	b := newTab(t)
	b.open(srcLink(readExample(t, "sb.litmus"), "sc"))
	r := b.awaitRun(0, long)
	eval[bool](b, holdAnswers)

	// Each case starts one request; the panel where it answers must say
	// it was cancelled, and the status line too.
	cases := []struct {
		name, start, panel string
	}{
		{"draw", `document.getElementById("tab-executions").click()`, "exec-caption"},
		{"outcomes", `document.getElementById("tab-why").click()`, "why-candidates"},
		{"compare", `document.getElementById("tab-compare").click()`, "compare-out"},
		{"asm", `document.getElementById("tab-asm").click()`, "asm-out"},
		{"trace", `document.getElementById("tab-trace").click()`, "trace-out"},
	}
	for _, c := range cases {
		eval[bool](b, holdAnswers)
		b.do(chromedpEval(c.start))
		b.stopHeld(c.name)
		got := eval[string](b, fmt.Sprintf(`document.getElementById(%q).textContent`, c.panel))
		st := eval[string](b, `document.getElementById("status").textContent`)
		if !strings.Contains(got, "Cancelled.") || !strings.HasSuffix(st, ": cancelled") {
			t.Errorf("%s cancelled: panel %q, status %q", c.name, got, st)
		}
	}
	// An explanation asked from the Why not? tab.
	b.do(chromedpClick("#tab-why"))
	b.wait(`document.querySelectorAll("#why-chips button").length === 4 && !happensPage.fg`, long, "the candidate outcomes")
	eval[bool](b, holdAnswers)
	b.do(chromedpClick("#why-chips button.forbidden"))
	b.stopHeld("explain")
	if got := eval[string](b, `document.getElementById("why-answer").textContent`); !strings.Contains(got, "Cancelled.") {
		t.Errorf("explain cancelled: %q", got)
	}
	// A run: the counts it reported are all that is known.
	eval[bool](b, holdAnswers)
	n := b.runNumber()
	b.do(chromedpClick("#run"))
	b.stopHeld("run")
	r = b.awaitRun(n, long)
	if !strings.HasPrefix(r.Status, "PARTIAL: cancelled") {
		t.Errorf("run cancelled: %+v", r)
	}
	// The restarted engine works.
	b.do(chromedpClick("#run"))
	r = b.awaitRun(r.Run, long)
	if r.executions() != 3 || r.Verdict != "Never" {
		t.Errorf("after the restarts: %+v", r)
	}
	b.shot("cancel-restart")
}

// TestCancelCompare: a comparison of 9! candidate executions, cancelled,
// answers with the table so far marked PARTIAL and cancelled, in its panel
// and its status line (or, if the engine did not stop in time, says it was
// cancelled).
func TestCancelCompare(t *testing.T) {
	b := sharedTab(t)
	// The run stops at 20 executions; the comparison, asked with no limit,
	// would enumerate all 362,880.
	b.awaitRun(b.prepare(faddLet(9), "c20", 20), long)
	b.do(chromedpEval(`document.getElementById("max").value = "0"`))
	b.do(chromedpClick("#tab-compare"))
	b.wait(`/Comparing.*[1-9][0-9,]* executions/.test(document.getElementById("status").textContent)`, long, "the comparison's progress")
	b.do(chromedpClick("#cancel"))
	b.wait(`!happensPage.fg && document.getElementById("compare-out").hasChildNodes()`, long, "the cancelled comparison")
	out := eval[string](b, `document.getElementById("compare-out").textContent`)
	st := eval[string](b, `document.getElementById("status").textContent`)
	switch {
	case strings.Contains(out, "PARTIAL: cancelled"):
		if !strings.HasPrefix(st, "PARTIAL") || !strings.Contains(st, "cancelled") {
			t.Errorf("status %q", st)
		}
	case strings.Contains(out, "Cancelled."):
		t.Logf("the engine did not stop in time (a loaded machine?): %q", out)
		if !strings.HasSuffix(st, ": cancelled") {
			t.Errorf("status %q", st)
		}
	default:
		t.Errorf("cancelled comparison: %q (status %q)", out, st)
	}
	b.shot("cancel-compare")

	// The Why not? tab's candidate list, cancelled, says so (not that a
	// bound cut it).
	b.do(chromedpClick("#tab-why"))
	b.wait(`/Listing candidate outcomes.*[1-9][0-9,]* executions/.test(document.getElementById("status").textContent)`, long, "the candidates' progress")
	b.do(chromedpClick("#cancel"))
	b.wait(`!happensPage.fg && document.getElementById("why-candidates").hasChildNodes()`, long, "the cancelled candidates")
	out = eval[string](b, `document.getElementById("why-candidates").textContent`)
	if !strings.Contains(out, "PARTIAL: cancelled") && !strings.Contains(out, "Cancelled.") {
		t.Errorf("cancelled candidates: %q", out)
	}
	if strings.Contains(out, "bound") {
		t.Errorf("a cancelled list blames a bound: %q", out)
	}
}

// TestCompareLimit: compare and the Why not? tab use the run's bounds; a
// comparison cut by the execution limit says PARTIAL in the status line.
// Store buffering with a limit of 2: 2 candidate executions are judged.
func TestCompareLimit(t *testing.T) {
	b := sharedTab(t)
	r := b.awaitRun(b.prepare(readExample(t, "sb.litmus"), "c20", 2), long)
	if !r.Partial || r.executions() != 2 {
		t.Errorf("run with max=2: %+v", r)
	}
	b.do(chromedpClick("#tab-compare"))
	b.wait(`!!document.getElementById("compare-table") && !happensPage.fg`, long, "the comparison")
	st := eval[string](b, `document.getElementById("status").textContent`)
	if !strings.HasPrefix(st, "PARTIAL") || !strings.Contains(st, "execution limit (2)") {
		t.Errorf("compare status %q", st)
	}
	// The last row is each model's total: at most the 2 judged.
	totals := eval[[]string](b, `[...document.querySelectorAll("#compare-table tbody tr:last-child td.num")].map((x) => x.textContent)`)
	for _, n := range totals {
		if n != "2" && n != "1" && n != "0" {
			t.Errorf("totals %v with a limit of 2", totals)
			break
		}
	}
	// Back on the Result tab, the status line is the run's again.
	b.do(chromedpClick("#tab-result"))
	if st := eval[string](b, `document.getElementById("status").textContent`); !strings.HasPrefix(st, "PARTIAL · Explored 2 executions") {
		t.Errorf("the Result tab's status %q", st)
	}
}

// settled waits until the page has done all it does by itself on opening
// (main has returned, the engine is ready): a run it started would be
// running now, or over.
func (b *tab) settled() {
	b.t.Helper()
	b.wait(`!!happensPage.marks.interactive && happensPage.engine.isReady`, long, "the page to settle")
}

// TestBrokenLinks: a link whose program does not decode, or that names an
// unknown model, says so and keeps saying so once the engine is ready; it
// runs nothing.
func TestBrokenLinks(t *testing.T) {
	b := newTab(t)
	b.openURL(serverURL + "/?src=AAAA%%%&model=c20")
	b.settled()
	st := eval[string](b, `document.getElementById("status").textContent`)
	note := eval[string](b, `document.getElementById("notice").hidden ? "" : document.getElementById("notice").textContent`)
	if !strings.Contains(st, "could not be decoded") || !strings.Contains(note, "could not be decoded") || !strings.Contains(note, "default program") {
		t.Errorf("broken src: status %q, notice %q", st, note)
	}
	if n := b.runNumber(); n != 0 {
		t.Errorf("a broken link ran %d times", n)
	}
	b.shot("broken-link")

	c := newTab(t)
	c.open(srcLink(readExample(t, "sb.litmus"), "bogus"))
	c.settled()
	note = eval[string](c, `document.getElementById("notice").hidden ? "" : document.getElementById("notice").textContent`)
	if !strings.Contains(note, `"bogus"`) || !strings.Contains(note, "does not know") {
		t.Errorf("unknown model: notice %q", note)
	}
	if n := c.runNumber(); n != 0 {
		t.Errorf("a link with an unknown model ran %d times", n)
	}
	// Picking a model runs nothing by itself (there is no result yet);
	// Run does, and the notice goes.
	c.pick("model", "sc")
	c.do(chromedpClick("#run"))
	r := c.awaitRun(0, long)
	if r.Verdict != "Never" || !eval[bool](c, `document.getElementById("notice").hidden`) {
		t.Errorf("after picking sc: %+v", r)
	}
}

// TestWhyStaysBehind: leaving the Why not? tab at once, before its
// requests come back, leaves the user where they went.
func TestWhyStaysBehind(t *testing.T) {
	b := sharedTab(t)
	b.awaitRun(b.prepare(readExample(t, "iriw.litmus"), "c20", 0), long)
	b.do(chromedpEval(`document.getElementById("tab-why").click(); document.getElementById("tab-result").click()`))
	b.wait(`!!document.getElementById("why-lead") && !happensPage.fg`, long, "the explanation, in the background")
	if tab := eval[string](b, `document.querySelector("[role=tab][aria-selected=true]").id`); tab != "tab-result" {
		t.Errorf("the page switched to %s", tab)
	}
	if st := eval[string](b, `document.getElementById("status").textContent`); !strings.HasPrefix(st, "Explored ") {
		t.Errorf("the Result tab shows another view's status: %q", st)
	}
}

// TestBigResult: fetch_add with 8 threads, each keeping what it read, has
// 8! = 40,320 executions, each its own outcome. The answer lists the first
// rows only, and the page offers the rest.
func TestBigResult(t *testing.T) {
	b := sharedTab(t)
	r := b.awaitRun(b.prepare(faddLet(8), "c20", 0), long)
	if len(r.Rows) != 200 || !strings.HasPrefix(eval[string](b, `document.querySelector("#panel-result h3:nth-of-type(2)").textContent`), "40320 outcomes") {
		t.Errorf("%d rows shown; heading %q", len(r.Rows), eval[string](b, `document.querySelector("#panel-result h3:nth-of-type(2)").textContent`))
	}
	if more := eval[string](b, `document.getElementById("more-rows").textContent`); !strings.Contains(more, "first 200 of 40,320") {
		t.Errorf("more rows: %q", more)
	}
	b.do(chromedpClick("#more-rows-button"))
	b.wait(`document.querySelectorAll("#outcomes tbody tr").length === 700`, long, "500 more rows")
	// The answer the page receives is small.
	size, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`(async () => {
	  const { promise } = happensPage.engine.call("run", { src: happensPage.editor.text, model: "c20", rows: 200 });
	  return JSON.stringify(await promise).length;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("%v", err)
	}
	if size > 100_000 {
		t.Errorf("the run's answer is %d bytes", size)
	}
	// Drawing an outcome beyond the first rows works.
	b.do(chromedpClick(`#outcomes tbody tr:nth-child(650) button`))
	b.wait(`document.getElementById("exec-caption").textContent.includes("1 execution with this outcome")`, long, "the drawing")
	b.shot("big-result")
}

// TestShareTest: the #[test] picked in a file with several goes into the
// link, and the link runs it.
func TestShareTest(t *testing.T) {
	b := sharedTab(t)
	r := b.awaitRun(b.prepare(twoTests, "c20", 0), long)
	b.wait(`!document.getElementById("test-pick").hidden`, long, "the #[test] menu")
	b.pick("test", "two")
	b.awaitRun(r.Run, long)
	b.do(chromedpClick("#share"))
	b.wait(`document.getElementById("share-url").value.includes("src=")`, 5*time.Second, "the share link")
	link := eval[string](b, `document.getElementById("share-url").value`)
	if !strings.Contains(link, "test=two") {
		t.Fatalf("share link %s names no test", link)
	}
	c := newTab(t)
	c.open(strings.TrimPrefix(link, serverURL))
	c.awaitRun(0, long)
	if n := eval[int](c, `document.querySelectorAll("#failures li").length`); n != 1 {
		t.Errorf("the link ran a test with %d failures, want two's 1", n)
	}
	c.wait(`document.getElementById("test").value === "two"`, long, "the menu to show two")
}

// TestTablePages: fetch_add with 6 threads, each keeping what it read, has
// 6! = 720 candidate executions, each its own outcome. The comparison and
// the Why not? tab's candidate list show the first 200 and page in the
// rest, as the run's outcomes do.
func TestTablePages(t *testing.T) {
	b := sharedTab(t)
	b.awaitRun(b.prepare(faddLet(6), "c20", 0), long)
	b.do(chromedpClick("#tab-compare"))
	b.wait(`!!document.getElementById("compare-table") && !happensPage.fg`, long, "the comparison")
	// 200 outcomes and the totals.
	if n := eval[int](b, `document.querySelectorAll("#compare-table tbody tr").length`); n != 201 {
		t.Errorf("the comparison shows %d rows, want 200 and the totals", n)
	}
	if more := eval[string](b, `document.getElementById("compare-more").textContent`); !strings.Contains(more, "first 200 of 720") {
		t.Errorf("compare's more rows: %q", more)
	}
	b.do(chromedpClick("#compare-more-button"))
	b.wait(`document.querySelectorAll("#compare-table tbody tr").length === 701`, long, "500 more rows")
	if last := eval[string](b, `document.querySelector("#compare-table tbody tr:last-child th").textContent`); last != "executions" {
		t.Errorf("the last row is %q, not the totals", last)
	}
	// The command line's text comes when asked for.
	b.do(chromedpEval(`document.querySelector("#compare-out details").open = true`))
	b.wait(`document.querySelector("#compare-out details pre").textContent.includes("c20")`, long, "compare's command-line text")

	b.do(chromedpClick("#tab-why"))
	b.wait(`document.querySelectorAll("#why-chips button").length > 0 && !happensPage.fg`, long, "the candidate outcomes")
	if n := eval[int](b, `document.querySelectorAll("#why-chips button").length`); n != 200 {
		t.Errorf("%d candidate outcomes shown, want 200", n)
	}
	b.do(chromedpClick("#why-more-button"))
	b.wait(`document.querySelectorAll("#why-chips button").length === 700`, long, "500 more candidates")
	b.shot("table-pages")
}

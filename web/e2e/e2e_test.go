package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"happens/internal/cli"
)

var (
	once      sync.Once
	teardown  []func()
	setupErr  error
	serverURL string
	browser   context.Context // one browser for every test; each test opens tabs in it
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(teardown) - 1; i >= 0; i-- {
		teardown[i]()
	}
	os.Exit(code)
}

// long bounds each wait for the page: generous, because CI machines are
// shared and a loaded one can take seconds where an idle one takes
// milliseconds. A wait that passes returns as soon as its condition holds.
const long = 90 * time.Second

// findBrowser returns the Chromium to drive.
func findBrowser() (string, error) {
	if p := os.Getenv("HAPPENS_CHROME"); p != "" {
		return p, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set HAPPENS_CHROME to a Chrome or Chromium binary")
}

func setup() {
	path, err := findBrowser()
	if err != nil {
		setupErr = err
		return
	}
	h, err := cli.SiteHandler()
	if err != nil {
		setupErr = err
		return
	}
	srv := httptest.NewServer(h)
	serverURL = srv.URL
	teardown = append(teardown, srv.Close)
	// Chromium now and then crashes while it starts on a loaded machine
	// (seen in CI: SIGSEGV in its D-Bus thread, with no bus to talk to,
	// while other packages' tests ran beside it). A crash at start says
	// nothing about the page, so start it again, a few times, each with a
	// fresh profile; the error names every attempt when all fail.
	var errs []string
	for attempt := 1; attempt <= 4; attempt++ {
		err := startBrowser(path)
		if err == nil {
			return
		}
		errs = append(errs, fmt.Sprintf("attempt %d: %v", attempt, err))
		time.Sleep(time.Duration(attempt) * time.Second)
	}
	setupErr = fmt.Errorf("starting %s failed %d times:\n%s", path, len(errs), strings.Join(errs, "\n"))
}

// startBrowser starts one headless Chromium with a new profile and, when it
// answers, makes it the browser of every test.
func startBrowser(path string) error {
	dir, err := os.MkdirTemp("", "happens-e2e-chrome-")
	if err != nil {
		return err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// The first context starts the browser; tabs are new contexts from it.
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		return err
	}
	browser = ctx
	// Closing the browser context stops Chromium; the allocator waits for
	// it; then the profile goes.
	teardown = append(teardown, func() { os.RemoveAll(dir) }, cancelAlloc, cancelBrowser)
	return nil
}

// tab is one browser tab on the playground.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func newTab(t *testing.T) *tab { return newTabFor(t, 5*time.Minute) }

// newTabFor opens a tab that closes after d.
func newTabFor(t *testing.T, d time.Duration) *tab {
	t.Helper()
	if os.Getenv("HAPPENS_E2E") == "skip" {
		t.Skip("HAPPENS_E2E=skip: the browser tests are skipped on purpose")
	}
	once.Do(setup)
	if setupErr != nil {
		t.Fatalf("the browser tests need Chromium: %v", setupErr)
	}
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, d)
	t.Cleanup(cancel2)
	b := &tab{t: t, ctx: ctx}
	// Last of all (cleanups run in reverse): the page reported no error.
	t.Cleanup(func() {
		errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.happensPage ? happensPage.errors : []`))
		if err == nil && len(errs) > 0 {
			t.Errorf("the page reported errors: %q", errs)
		}
	})
	return b
}

// shared is the one tab most tests use: loading the page (and compiling
// the engine) takes seconds on a loaded machine, so tests that neither
// open links nor tamper with the engine start from this page, as a
// visitor picking another program would (sharedTab, prepare).
var shared struct {
	sync.Mutex
	ctx context.Context
}

// sharedTab returns the shared tab, opened at "/" the first time, with the
// result tab in front, nothing running, the default viewport and no errors
// recorded.
func sharedTab(t *testing.T) *tab {
	t.Helper()
	if os.Getenv("HAPPENS_E2E") == "skip" {
		t.Skip("HAPPENS_E2E=skip: the browser tests are skipped on purpose")
	}
	once.Do(setup)
	if setupErr != nil {
		t.Fatalf("the browser tests need Chromium: %v", setupErr)
	}
	shared.Lock()
	t.Cleanup(shared.Unlock)
	fresh := shared.ctx == nil
	if fresh {
		ctx, cancel := chromedp.NewContext(browser)
		teardown = append(teardown, cancel)
		// The first action opens the tab, which then lives as long as the
		// context it was given: this one, not a test's.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatalf("opening the shared tab: %v", err)
		}
		shared.ctx = ctx
	}
	// Each test has its own deadline on the same tab.
	ctx, cancel := context.WithTimeout(shared.ctx, 5*time.Minute)
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx}
	if fresh {
		b.open("/")
	}
	// The window's own size again (TestPhoneAndThemes emulates a phone).
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}))
	// Whatever a previous test left running stops.
	b.do(chromedpEval(`happensPage.fg && document.getElementById("cancel").click(); happensPage.errors.length = 0`))
	b.wait(`!happensPage.fg && happensPage.engine.isReady`, long, "the shared page to be idle")
	b.do(chromedpEval(`document.getElementById("tab-result").click()`))
	t.Cleanup(func() {
		errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.happensPage ? happensPage.errors : []`))
		if err == nil && len(errs) > 0 {
			t.Errorf("the page reported errors: %q", errs)
		}
	})
	return b
}

// prepare puts a program in the editor with a model and an execution limit
// (0: none), as a visitor typing them would, and runs it; it returns the
// number of the run it started (awaitRun(n) reads it).
func (b *tab) prepare(src, model string, max int) int {
	b.t.Helper()
	n := b.runNumber()
	b.do(chromedpEval(fmt.Sprintf(`(() => {
	  const p = happensPage;
	  p.name = "program.litmus";
	  p.wantTest = null;
	  document.getElementById("test-pick").hidden = true;
	  p.editor.text = %q;
	  document.getElementById("model").value = %q;
	  document.getElementById("max").value = %q;
	  document.getElementById("unroll").value = "8";
	  document.getElementById("run").click();
	})()`, src, model, fmt.Sprint(max))))
	return n
}

// open loads a page of the playground and waits until the engine is ready.
func (b *tab) open(path string) {
	b.t.Helper()
	b.openURL(serverURL + path)
}

func (b *tab) openURL(url string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("open %s: %v", url, err)
	}
	b.wait("window.happensPage && happensPage.engine && happensPage.engine.isReady", long, "the engine to load")
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail("%v", err)
	}
}

func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript predicate.
func (b *tab) wait(expr string, timeout time.Duration, what string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.fail("waiting for %s: %v", what, err)
	}
}

// fail stops the test with a screenshot and the page's status line.
func (b *tab) fail(format string, args ...any) {
	b.t.Helper()
	b.shot("FAILED-" + strings.ReplaceAll(b.t.Name(), "/", "-"))
	st, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("status") ? document.getElementById("status").textContent : document.title`))
	errs, _ := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`window.happensPage ? happensPage.errors : []`))
	b.t.Fatalf(format+"\n(page status: %q; page errors: %q)", append(args, st, errs)...)
}

func artifacts() string {
	if d := os.Getenv("HAPPENS_ARTIFACTS"); d != "" {
		return d
	}
	return "artifacts"
}

// shot saves a screenshot of the viewport in the artifacts directory.
func (b *tab) shot(name string) { b.save(name, chromedp.CaptureScreenshot()) }

// fullShot saves a screenshot of the whole page.
func (b *tab) fullShot(name string) { b.save(name, chromedp.FullScreenshot(100)) }

func (b *tab) save(name string, a chromedp.Action[[]byte]) {
	png, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(artifacts(), 0o755); err == nil {
		ext := ".png"
		if len(png) > 2 && png[0] == 0xff && png[1] == 0xd8 {
			ext = ".jpg"
		}
		os.WriteFile(filepath.Join(artifacts(), name+ext), png, 0o644)
	}
}

// result is what the Result tab shows.
type result struct {
	Run      int
	Test     string
	Verdict  string
	Partial  bool
	Status   string
	Explored string
	Rows     []struct {
		Values []string
		Count  int
		Sat    bool
	}
}

func (r result) executions() int {
	n := 0
	for _, row := range r.Rows {
		n += row.Count
	}
	return n
}

const readResult = `(() => {
  const q = (s) => document.querySelector(s);
  const rows = [...document.querySelectorAll("#outcomes tbody tr")].map((r) => ({
    Values: [...r.querySelectorAll("td.val")].map((td) => td.textContent),
    Count: parseInt(r.querySelector("td.count").textContent.replace(/,/g, ""), 10),
    Sat: r.classList.contains("sat"),
  }));
  return {
    Run: parseInt(q("#panel-result").dataset.run || "0", 10),
    Test: q(".test-title") ? q(".test-title").textContent : "",
    Verdict: q("#verdict") ? q("#verdict").textContent : "",
    Partial: !!q("#partial"),
    Status: q("#status").textContent,
    Explored: q("#explored") ? q("#explored").textContent : "",
    Rows: rows,
  };
})()`

// runNumber is the number of the last run shown.
func (b *tab) runNumber() int {
	return eval[int](b, `parseInt(document.getElementById("panel-result").dataset.run || "0", 10)`)
}

// awaitRun waits for a run newer than after to be shown, and reads it.
func (b *tab) awaitRun(after int, timeout time.Duration) result {
	b.t.Helper()
	b.wait(fmt.Sprintf(`parseInt(document.getElementById("panel-result").dataset.run || "0", 10) > %d && !happensPage.fg`, after), timeout, "a result")
	return eval[result](b, readResult)
}

// pick selects an option of a <select> by its text and fires change, as
// choosing it with the keyboard does.
func (b *tab) pick(id, text string) {
	b.t.Helper()
	ok := eval[bool](b, fmt.Sprintf(`(() => {
	  const s = document.getElementById(%q);
	  const o = [...s.options].find((o) => o.textContent === %q || o.value === %q);
	  if (!o) return false;
	  s.focus();
	  s.value = o.value;
	  s.dispatchEvent(new Event("change", { bubbles: true }));
	  return true;
	})()`, id, text, text))
	if !ok {
		b.fail("no option %q in #%s", text, id)
	}
}

func srcLink(src, model string) string {
	return "/?src=" + base64.RawURLEncoding.EncodeToString([]byte(src)) + "&model=" + model
}

func readExample(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The happens playground page. The engine runs in a Web Worker
// (engine.js, worker.js); this file is the page: editor, menus, results and
// the views of a result (executions, why not, compare, compiled code, MESI
// trace).
import { Engine } from "./engine.js";
import { createEditor } from "./editor.js";
import { readLink, makeLink } from "./share.js";
import { $, el, clear, plural, fmtMs, fmtCount, showSVG } from "./dom.js";

const defaultProgram = `//! Store buffering: can both threads read 0?
use std::sync::atomic::{AtomicU32, Ordering};

static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);

thread t1 {
    X.store(1, Ordering::Relaxed);
    let a = Y.load(Ordering::Relaxed);
}

thread t2 {
    Y.store(1, Ordering::Relaxed);
    let b = X.load(Ordering::Relaxed);
}

exists (t1.a == 0 && t2.b == 0)
`;

const page = {
  catalog: { groups: [], examples: [], models: [], arches: [] },
  engine: null,
  editor: null,
  name: "sb.litmus", // the file name the program came from, for its test name
  runCount: 0, // runs shown, for tests (panel-result's data-run)
  fg: null, // the foreground request: {id, label, token}
  token: 0,
  run: null, // the last RunResponse
  runModel: null,
  exec: { kind: "exec", index: 0 },
  dirty: { why: true, compare: true, asm: true, trace: true },
  ticker: null,
  tabStatus: {}, // each view's last message: [text, {error}]
  wantTest: null, // the #[test] a link names, until the menu offers it
  marks: { timeOrigin: performance.timeOrigin },
};

// How many outcomes a run's answer lists, and how many more each "Show
// more" fetches: a run can have tens of thousands, and the page would
// spend seconds receiving and drawing rows nobody reads.
const firstRows = 200;
const moreRows = 500;

// How long a request runs before the status line says so (ms).
const busyAfter = 100;

// ---- status line ----------------------------------------------------------

function status(text, { busy = false, error = false } = {}) {
  const s = $("status");
  s.classList.toggle("busy", busy);
  s.classList.toggle("error", error);
  clear(s, text);
}

// The status line speaks for the tab shown: each view keeps its own last
// message, and switching tabs shows that one, never another view's news.
// The Executions tab shares the Result tab's.
function statusTab(t) { return t === "executions" ? "result" : t; }

function viewStatus(tab, text, opts = {}) {
  page.tabStatus[tab] = [text, opts];
  showTabStatus();
}

function showTabStatus() {
  if (page.fg) return;
  const s = page.tabStatus[statusTab(currentTab())] || page.tabStatus.result;
  if (s) status(s[0], s[1]);
}

// ---- the foreground request ----------------------------------------------

// request runs one engine request in the foreground: the status line shows
// its progress and Cancel stops it. A newer request supersedes (cancels) an
// older one, whose answer is then ignored. Resolves to the response, or
// null when superseded; rejects when the engine failed.
async function request(method, req, label) {
  if (page.fg && page.fg.method === "run" && method !== "run") {
    // A run is in progress: the views wait for its result, and refresh
    // themselves when it arrives (runProgram marks them all stale).
    return null;
  }
  if (page.fg) {
    page.engine.cancel(page.fg.id);
    page.fg.superseded = true;
  }
  const token = ++page.token;
  const started = performance.now();
  let last = null;
  const show = () => {
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    let text = label + "… " + secs + " s";
    if (last) {
      text += " · " + plural(last.executions, "execution");
      if (last.states) text += ", " + fmtCount(last.states) + " machine states";
      if (last.blocked) text += ", " + fmtCount(last.blocked) + " blocked";
      if (last.stuck) text += ", " + fmtCount(last.stuck) + " stuck";
    }
    status(text, { busy: true });
  };
  const { id, promise } = page.engine.call(method, req, (p) => { last = p; show(); });
  const fg = { id, method, label, token, superseded: false, progress: () => last, started };
  page.fg = fg;
  // Most answers come back in a few ms: the page shows that a request is
  // under way (and enables Cancel; Esc works at once) only when it has not
  // answered within busyAfter, so a quick answer is drawn once, with no
  // redraw of the busy state before it.
  clearInterval(page.ticker);
  clearTimeout(page.busyTimer);
  page.busyTimer = setTimeout(() => {
    if (page.fg !== fg) return;
    $("cancel").disabled = false;
    show();
    page.ticker = setInterval(show, 250);
  }, busyAfter);
  const done = () => {
    if (page.fg === fg) {
      page.fg = null;
      clearTimeout(page.busyTimer);
      clearInterval(page.ticker);
      $("cancel").disabled = true;
      showTabStatus();
    }
  };
  try {
    const res = await promise;
    done();
    return fg.superseded ? null : res;
  } catch (err) {
    done();
    if (fg.superseded) return null;
    err.progress = err.progress || last;
    throw err;
  }
}

function cancel() {
  if (!page.fg) return;
  page.fg.cancelled = true;
  status(page.fg.label + ": cancelling…", { busy: true });
  page.engine.cancel(page.fg.id);
}

// ask runs a view's request in the foreground (request), and when it
// fails shows why in the view's panel (out) and status: cancelled, when
// the engine had to be restarted because it did not stop in time, or the
// engine's failure. Resolves to the response, or null.
async function ask(tab, out, method, req, label) {
  try {
    return await request(method, req, label);
  } catch (err) {
    requestFailed(tab, out, err, label);
    // Coming back to the view asks again.
    if (tab in page.dirty) page.dirty[tab] = true;
    if (method === "draw") page.execShown = false;
    return null;
  }
}

function requestFailed(tab, out, err, label) {
  if (err.killed) {
    const p = err.progress;
    viewStatus(tab, label + ": cancelled", { error: true });
    clear(out, el("div", { class: "partial-box cancelled", role: "alert" }, el("strong", {}, "Cancelled. "),
      "The engine did not stop in time and was restarted, so nothing of this answer is known",
      p && p.executions ? " (it had enumerated " + plural(p.executions, "candidate execution") + ")" : "",
      ". Ask again, or set an execution limit to get a partial answer quickly."));
    return;
  }
  viewStatus(tab, err.message, { error: true });
  clear(out, el("p", { class: "problem", role: "alert" }, err.message));
}

// partialNote says in a status line what cut an answer short.
function partialNote(res) {
  return res.cancelled ? "cancelled" : (res.why || []).join("; ") || "a bound cut it short";
}

// ---- run -----------------------------------------------------------------

function currentSource() {
  const src = { src: page.editor.text, name: page.name };
  if (!$("test-pick").hidden && $("test").value) src.test = $("test").value;
  else if (page.wantTest) src.test = page.wantTest;
  return src;
}

// showTests offers the #[test] functions of a Rust file with several.
function showTests(tests) {
  const pick = $("test-pick");
  const sel = $("test");
  const names = [...sel.options].map((o) => o.value);
  if ((tests || []).join("\n") !== names.join("\n")) {
    const keep = page.wantTest || sel.value;
    clear(sel, (tests || []).map((n) => el("option", { value: n }, n)));
    if (tests.includes(keep)) sel.value = keep;
  }
  page.wantTest = null;
  pick.hidden = !tests || tests.length < 2;
}

function bounds() {
  const unroll = parseInt($("unroll").value, 10);
  const max = parseInt($("max").value, 10);
  return { unroll: unroll > 0 ? unroll : 8, maxExecutions: max > 0 ? max : 0 };
}

async function runProgram() {
  page.marks.run = performance.now();
  const model = $("model").value;
  const req = { ...currentSource(), model, ...bounds(), rows: firstRows };
  notice(null);
  page.editor.highlight({});
  let res;
  try {
    res = await request("run", req, "Running under " + model);
  } catch (err) {
    showFailedRun(err, model);
    $("panel-result").dataset.run = String(++page.runCount);
    return;
  }
  if (!res) return;
  page.marks.received = performance.now();
  page.marks.firstResult = page.marks.firstResult || page.marks.received;
  // An outcome typed or picked for another program means nothing in
  // this one (and would not parse): the views ask about the new program's
  // condition instead.
  if (page.runSource !== undefined && page.runSource !== req.src) $("why-outcome").value = $("trace-outcome").value = "";
  page.run = res;
  page.runModel = model;
  page.runSource = req.src;
  page.dirty = { why: true, compare: true, asm: true, trace: true };
  page.exec = { kind: "exec", index: 0 };
  page.execShown = false;
  for (const id of ["why-answer", "why-candidates", "compare-out", "trace-out", "asm-out"]) clear($(id));
  showSVG($("drawing"), "");
  clear($("exec-caption"));
  clear($("exec-pos"));
  setPlaceholders(res.cond ? res.cond.text : "", res.observed);
  forgetViewStatus();
  renderRun(res);
  $("panel-result").dataset.run = String(++page.runCount);
  refreshTab();
  page.marks.shown = performance.now();
}

// showFailedRun: the engine was restarted after a Cancel it did not answer,
// or failed. The counts it reported are all that is known.
function showFailedRun(err, model) {
  const p = err.progress;
  forgetViewStatus();
  const panel = $("panel-result");
  if (err.killed) {
    viewStatus("result", "PARTIAL: cancelled", { error: true });
    clear(panel,
      el("div", { class: "partial-box", role: "alert" },
        el("strong", {}, "PARTIAL: cancelled. "),
        "The engine did not stop in time and was restarted, so only the counts it last reported are known: ",
        p ? plural(p.executions, "execution") + (p.blocked ? ", " + p.blocked + " blocked" : "") + " under " + model : "none yet",
        ". Outcomes are not available; set an execution limit to get a partial result."));
    return;
  }
  viewStatus("result", err.message, { error: true });
  clear(panel, el("p", { class: "problem" }, err.message));
}

// forgetViewStatus drops the views' messages when a run replaces what they
// were about: their tabs show the run's until they answer again.
function forgetViewStatus() {
  for (const t of ["why", "compare", "asm", "trace"]) delete page.tabStatus[t];
}

// setPlaceholders fills the outcome fields' examples with the program's
// own names: its condition, or its first observed values.
function setPlaceholders(cond, observed) {
  let text = cond;
  if (!text && observed && observed.length) text = observed.slice(0, 2).map((n) => n + " == 0").join(" && ");
  if (!text) return;
  $("why-outcome").placeholder = text;
  $("trace-outcome").placeholder = text;
}

function outcomeText(names, values) {
  return names.map((n, i) => n + "=" + values[i]).join(" ");
}

function lineButton(line, col, text) {
  return el("button", { type: "button", class: "link", onclick: () => page.editor.goToLine(line, col), title: "Go to line " + line }, text || "line " + line);
}

function renderErrors(errors, panel) {
  page.editor.showDiagnostics(errors);
  const list = $("diagnostics");
  clear(list, errors.map((d) => el("li", {}, d.line ? lineButton(d.line, d.col, d.line + ":" + d.col) : "", d.line ? ": " : "", d.msg)));
  viewStatus("result", plural(errors.length, "error") + " in the program", { error: true });
  clear(panel, el("p", { class: "problem" }, "The program does not parse; the errors are underlined in the editor."),
    el("ul", { class: "problems" }, errors.map((d) => el("li", {}, d.line ? lineButton(d.line, d.col) : "", d.line ? ": " : "", d.msg))));
}

function renderRun(res) {
  const panel = $("panel-result");
  if (res.errors.length) {
    renderErrors(res.errors, panel);
    return;
  }
  clear($("diagnostics"));
  const s = res.stats;
  const where = "in your browser";
  const summary = res.machine
    ? `${plural(s.executions, "final state")} of the machine (${fmtCount(s.states)} states) ${where} in ${fmtMs(s.elapsedMs)}`
    : `Explored ${plural(s.executions, "execution")}${s.blocked ? ", " + fmtCount(s.blocked) + " blocked" : ""}${s.stuck ? ", " + fmtCount(s.stuck) + " stuck" : ""}${s.bounded ? ", " + fmtCount(s.bounded) + " cut by the loop bound" : ""} ${where} in ${fmtMs(s.elapsedMs)}`;
  viewStatus("result", (res.complete ? "" : "PARTIAL · ") + summary, { error: !res.complete });

  const parts = [];
  parts.push(el("h3", { class: "test-title" }, "Test ", el("code", {}, res.test), " under ", el("code", {}, res.model)));
  if (res.doc) parts.push(el("p", { class: "doc" }, res.doc));
  if (!res.complete) {
    parts.push(el("div", { class: "partial-box", role: "alert", id: "partial" },
      el("strong", {}, "PARTIAL"), ": the result covers only what was explored.",
      el("ul", {}, res.partial.map((p) => el("li", {}, p)))));
  }
  if (res.cond) {
    const c = res.cond;
    const total = c.positive + c.negative;
    const failing = !c.holds && c.kind !== "exists";
    const verdict = el("div", { class: "verdict" },
      el("span", { class: "badge " + (c.verdict || "none") + (failing ? " fails" : ""), id: "verdict" }, c.verdict || "No verdict"),
      !res.complete ? el("span", { class: "badge partial" }, "PARTIAL") : null,
      el("span", {}, el("code", {}, c.kind === "not-exists" ? "~exists" : c.kind, " ", c.text)),
      el("span", { class: "muted" }, c.verdict ? `${c.positive} of ${plural(total, res.machine ? "final state" : "execution")} satisfy it` : "no execution runs to its end"),
      failing ? el("span", { class: "no" }, "the condition does not hold") : null);
    parts.push(verdict);
  }
  if (res.expect) {
    const e = res.expect;
    let text;
    if (e.claim === "Panics") {
      text = e.met ? "#[should_panic]: expected failure found" : e.known ? "#[should_panic]: MISMATCH: no execution fails an assertion or panics" : "#[should_panic]: no failure found so far (the run is partial)";
    } else {
      text = "expected " + e.claim + (e.met ? ": ok" : e.known ? ": MISMATCH" : " (the run is partial, so this is not known)");
    }
    parts.push(el("p", { class: e.met ? "yes" : e.known ? "no" : "muted", id: "expectation" }, text));
  }

  // Outcomes.
  const head = el("tr", {}, res.observed.map((n) => el("th", { scope: "col" }, n)),
    // On a phone the header says "count" (the full word is still read).
    el("th", { scope: "col", class: "num" }, el("span", { class: "long-label" }, res.machine ? "final states" : "executions"), el("span", { class: "short-label", "aria-hidden": "true" }, "count")),
    res.cond ? el("th", { scope: "col" }, el("span", { title: "satisfies the condition" }, "cond.")) : null,
    el("th", { scope: "col" }, el("span", { class: "sr" }, "")));
  const rows = outcomeRows(res, res.outcomes, 0);
  parts.push(el("h3", {}, plural(res.totalOutcomes, "outcome"), res.machine ? " (counts are distinct final machine states)" : ""));
  if (res.observed.length === 0) {
    parts.push(el("p", { class: "muted" }, "Nothing is observed: add a condition, or bind values with let at a thread's top level."));
  }
  parts.push(el("div", { class: "table-wrap" }, el("table", { id: "outcomes" }, el("thead", {}, head), el("tbody", {}, rows))));
  parts.push(el("p", { class: "more-rows", id: "more-rows" }));

  if (res.failures.length) {
    const expected = res.expect && res.expect.claim === "Panics";
    parts.push(el("h3", { class: expected ? "" : "problem" }, plural(res.failures.length, "failed assertion"), expected ? " (what #[should_panic] expects)" : ""));
    parts.push(el("ul", { class: "problems", id: "failures" }, res.failures.map((f, i) => el("li", {},
      el("span", { class: "problem" }, "Assertion failure"), " in ", el("code", {}, f.thread), " at ", lineButton(f.line, f.col), ": ", f.msg,
      " (", plural(f.count, "execution"), ") ",
      res.machine ? null : el("button", { type: "button", onclick: () => showExecution("failure", i, [f.line]) }, "Show")))));
  }
  if (res.races.length) {
    parts.push(el("h3", { class: "problem" }, plural(res.races.length, "data race"), " (undefined behaviour)"));
    parts.push(el("ul", { class: "problems", id: "races" }, res.races.map((r, i) => el("li", {},
      el("span", { class: "problem" }, "Data race"), " on ", el("code", {}, r.a.loc), ": ",
      el("code", {}, r.a.thread), " ", r.a.kind, " at ", lineButton(r.a.line, r.a.col), " and ",
      el("code", {}, r.b.thread), " ", r.b.kind, " at ", lineButton(r.b.line, r.b.col),
      " (", plural(r.count, "execution"), ") ",
      el("button", { type: "button", onclick: () => showExecution("race", i, [r.a.line, r.b.line]) }, "Show")))));
  }
  if (res.hangs.length) {
    parts.push(el("h3", { class: "problem" }, plural(res.hangs.length, "liveness violation")));
    parts.push(el("ul", { class: "problems", id: "hangs" }, res.hangs.map((h, i) => el("li", {},
      el("span", { class: "problem" }, "Spins for ever"), ": ", el("code", {}, h.thread), " in the loop at ", lineButton(h.line, h.col),
      h.reads.length ? [", reading ", el("code", {}, h.reads.join(" ")), ", which no write changes"] : "",
      " (", plural(h.count, "execution"), ") ",
      res.machine ? null : el("button", { type: "button", onclick: () => showExecution("hang", i, [h.line]) }, "Show")))));
  }
  if (res.hardware) parts.push(el("p", { class: "muted small" }, res.model + " runs the compiled program on a CPU model: data races are not undefined behaviour there and are not reported."));
  parts.push(el("p", { class: "muted small", id: "explored" }, summary + "."));
  if (res.dropped) parts.push(el("p", { class: "muted small" }, `The first ${fmtCount(res.kept)} executions are kept for drawing; ${fmtCount(res.dropped)} more are counted only.`));
  const text = el("pre", { class: "plain", id: "cli-text" });
  const details = el("details", {}, el("summary", {}, "As the command line prints it"), text);
  // Fetched when opened: for a big result it is megabytes.
  details.addEventListener("toggle", () => { if (details.open && !text.hasChildNodes()) fetchText({ run: res.run }, text); });
  parts.push(details);
  clear(panel, parts);

  // The executions view's outcome menu.
  const sel = $("exec-outcome");
  clear(sel, el("option", { value: "" }, "(any outcome)"), outcomeOptions(res, res.outcomes, 0));
  showMoreRows(res);
}

// outcomeRows makes the table rows of outcomes[from...].
function outcomeRows(res, outcomes, from) {
  return outcomes.map((o, k) => {
    const i = from + k;
    const what = outcomeText(res.observed, o.values);
    return el("tr", { class: o.satisfies ? "sat" : "", "data-outcome": i },
      o.values.map((v) => el("td", { class: "val" }, v)),
      el("td", { class: "num count" }, fmtCount(o.count)),
      res.cond ? el("td", {}, o.satisfies ? el("span", { class: "yes", title: "satisfies the condition" }, "✓ *") : "") : null,
      el("td", { class: "actions" },
        res.machine ? null : el("button", { type: "button", onclick: () => showExecution("outcome", i), "aria-label": "Show an execution with " + what }, "Show"),
        res.machine ? el("button", { type: "button", onclick: () => traceOutcome(o), "aria-label": "A run of the machine reaching " + what }, "Trace")
          : el("button", { type: "button", class: "why", onclick: () => explainOutcome({ raw: o.raw }, { user: true }), "aria-label": "Why does " + what + " happen?" }, "Why?")));
  });
}

function outcomeOptions(res, outcomes, from) {
  return outcomes.map((o, k) => el("option", { value: from + k }, outcomeText(res.observed, o.values) + (o.satisfies ? " *" : "")));
}

// showMoreRows offers the outcomes the answer did not list.
function showMoreRows(res) {
  const p = $("more-rows");
  if (!p) return;
  const shown = res.outcomes.length;
  const left = res.totalOutcomes - shown;
  if (left <= 0) { clear(p); return; }
  clear(p, el("span", { class: "muted" }, `Showing the first ${fmtCount(shown)} of ${fmtCount(res.totalOutcomes)} outcomes. `),
    el("button", { type: "button", id: "more-rows-button", onclick: () => loadMoreRows(res) }, `Show ${fmtCount(Math.min(moreRows, left))} more`));
}

async function loadMoreRows(res) {
  if (page.run !== res) return;
  const from = res.outcomes.length;
  const more = await ask("result", $("more-rows"), "rows", { run: res.run, from, count: moreRows }, "Listing outcomes");
  if (!more || page.run !== res) return;
  if (more.unavailable) { clear($("more-rows"), el("span", { class: "muted" }, more.unavailable)); return; }
  res.outcomes.push(...more.outcomes);
  $("outcomes").tBodies[0].append(...outcomeRows(res, more.outcomes, from));
  $("exec-outcome").append(...outcomeOptions(res, more.outcomes, from));
  showMoreRows(res);
}

// fetchText fills pre with the command line's text of a kept run or table
// (req: {run} or {table}), or with text when there is no req.
async function fetchText(req, pre, text) {
  if (!req) { clear(pre, text || ""); return; }
  clear(pre, "…");
  try {
    const { promise } = page.engine.call("text", req);
    const t = await promise;
    clear(pre, t.unavailable || t.text);
  } catch (err) {
    clear(pre, err.message);
  }
}

// ---- tabs ----------------------------------------------------------------

const tabs = ["result", "executions", "why", "compare", "asm", "trace"];

function currentTab() {
  return tabs.find((t) => $("tab-" + t).getAttribute("aria-selected") === "true");
}

function selectTab(name, focus) {
  for (const t of tabs) {
    const on = t === name;
    const tab = $("tab-" + t);
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    $("panel-" + t).hidden = !on;
    if (on && focus) tab.focus();
  }
  showTabStatus();
  refreshTab();
}

function refreshTab() {
  switch (currentTab()) {
    case "executions": if (page.run && !page.execShown) showExecution(page.exec.kind, page.exec.index); break;
    case "why": if (page.dirty.why) openWhy(); break;
    case "compare": if (page.dirty.compare) runCompare(); break;
    case "asm": if (page.dirty.asm) runAsm(); break;
    case "trace": if (page.dirty.trace) openTrace(); break;
  }
}

function setupTabs() {
  const list = document.querySelector("[role=tablist]");
  for (const t of tabs) $("tab-" + t).addEventListener("click", () => selectTab(t));
  list.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(currentTab());
    let j = null;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") j = (i + tabs.length - 1) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    if (j === null) return;
    e.preventDefault();
    selectTab(tabs[j], true);
  });
}

// ---- executions ----------------------------------------------------------

function drawWidth(host) {
  // Split the threads into groups only where a whole drawing would be too
  // small to read (phones); elsewhere it scales to fit.
  const w = host.clientWidth || 600;
  return w < 520 ? Math.max(24, Math.floor((w - 12) / 10)) : 0;
}

async function showExecution(kind, index, lines) {
  if (!page.run) return;
  page.exec = { kind, index };
  page.execShown = true;
  if (currentTab() !== "executions") selectTab("executions");
  const host = $("drawing");
  if (page.run.machine) {
    showSVG(host, "");
    clear($("exec-caption"), "The MESI machine builds no execution graphs: the MESI trace tab shows a run of the machine instead.");
    clear($("exec-pos"));
    $("prev").disabled = $("next").disabled = true;
    return;
  }
  const res = await ask("result", $("exec-caption"), "draw", { run: page.run.run, kind, index, labels: $("labels").value, width: drawWidth(host) }, "Drawing");
  if (!res) return;
  if (res.unavailable) {
    clear($("exec-caption"), res.unavailable);
    return;
  }
  showSVG(host, res.svg, { legend: false });
  const total = res.total;
  if (res.exec >= 0) page.exec = { kind: "exec", index: res.exec };
  clear($("exec-pos"), res.exec >= 0 ? `Execution ${res.exec + 1} of ${fmtCount(total)}` : notListed(kind, total));
  $("prev").disabled = !(res.exec > 0);
  $("next").disabled = !(res.exec >= 0 && res.exec < total - 1);
  const cap = [];
  const what = { race: "the data race", failure: "the assertion failure", hang: "a thread that spins for ever" }[kind];
  if (what) cap.push("An execution with " + what + ". ");
  const o = res.outcome >= 0 ? page.run.outcomes[res.outcome] : null;
  if (o) {
    cap.push("Outcome ", el("code", {}, outcomeText(page.run.observed, o.values)), o.satisfies ? " (satisfies the condition)" : "",
      " · ", plural(o.count, "execution"), " with this outcome");
    $("exec-outcome").value = String(res.outcome);
  } else if (kind === "exec") {
    $("exec-outcome").value = "";
  }
  clear($("exec-caption"), cap);
  host.setAttribute("aria-label", "Execution graph" + (res.exec >= 0 ? " " + (res.exec + 1) + " of " + total : ""));
  page.editor.highlight(lines ? { focus: lines } : {});
}

// notListed says where a drawn execution stands when it is not one of the
// executions the Previous/Next list walks through.
function notListed(kind, total) {
  switch (kind) {
    case "hang": return "A stuck execution: it never ends, so it is not among the " + plural(total, "complete execution") + " listed";
    case "failure": return "An execution that fails: it stops at the failure, so it is not among the " + plural(total, "complete execution") + " listed";
  }
  return page.run && page.run.dropped ? `Not among the first ${fmtCount(total)} executions kept for drawing` : "Not among the " + plural(total, "execution") + " listed";
}

function setupExecutions() {
  $("prev").addEventListener("click", () => showExecution("exec", page.exec.index - 1));
  $("next").addEventListener("click", () => showExecution("exec", page.exec.index + 1));
  $("exec-outcome").addEventListener("change", (e) => {
    if (e.target.value !== "") showExecution("outcome", parseInt(e.target.value, 10));
  });
  $("labels").addEventListener("change", () => showExecution(page.exec.kind, page.exec.index));
  $("drawing").addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft" && !$("prev").disabled) showExecution("exec", page.exec.index - 1);
    if (e.key === "ArrowRight" && !$("next").disabled) showExecution("exec", page.exec.index + 1);
  });
  $("drawing").tabIndex = 0;
}

// ---- why not? ------------------------------------------------------------

function isMachine(model) {
  const m = page.catalog.models.find((x) => x.name === model);
  return m && m.machine;
}

// openWhy fills the Why not? tab: the candidate outcomes, then, when
// nothing has been asked yet, the answer for the program's condition.
async function openWhy() {
  page.dirty.why = false;
  if (!(await loadCandidates())) return;
  if (!$("why-answer").hasChildNodes() && (page.run && page.run.cond || $("why-outcome").value)) explainOutcome({ outcome: $("why-outcome").value }, { user: false });
}

// loadCandidates lists every coherent candidate outcome as a button.
async function loadCandidates() {
  const model = $("model").value;
  const cands = $("why-candidates");
  if (isMachine(model)) {
    clear(cands, el("p", { class: "muted" }, model + " is an operational machine, not a set of axioms: it has no cycles to show. The MESI trace tab shows a run of the machine that reaches an outcome."));
    clear($("why-answer"));
    return false;
  }
  const res = await ask("why", cands, "outcomes", { ...currentSource(), model, ...bounds(), rows: firstRows }, "Listing candidate outcomes");
  if (!res) return false;
  if (res.errors.length) { renderErrors(res.errors, $("panel-result")); clear(cands, el("p", { class: "problem" }, res.errors[0].msg)); return false; }
  page.candidates = res;
  if (res.partial) viewStatus("why", "PARTIAL · candidate outcomes listed: " + partialNote(res), { error: true });
  else viewStatus("why", "Candidate outcomes listed");
  clear(cands,
    el("p", { class: "muted small" }, "Every outcome of a coherent candidate execution (atomic, coherent, no values out of thin air: what every model requires). ",
      "✓: ", model, " allows it; ✗: it forbids it. Pick one to ask why."),
    el("div", { class: "chips", id: "why-chips" }, candidateChips(res, res.outcomes)),
    el("p", { class: "more-rows", id: "why-more" }),
    res.partial ? el("div", { class: "partial-box", id: "why-candidates-partial" }, el("strong", {}, "PARTIAL"),
      res.cancelled ? ": cancelled. The list covers only the candidates enumerated before Cancel." : ": the list covers only the candidates enumerated.",
      res.why.length ? el("ul", {}, res.why.map((w) => el("li", {}, w))) : null) : null);
  showMoreTable("why-more", res, res.outcomes.length, res.total, "outcomes", () => moreCandidates(res));
  return true;
}

function candidateChips(res, outcomes) {
  return outcomes.map((o) => el("button", {
    type: "button", class: o.allowed ? "allowed" : "forbidden",
    onclick: () => explainOutcome({ raw: o.raw }, { user: true }),
    "aria-label": (o.allowed ? "allowed: " : "forbidden: ") + outcomeText(res.observed, o.values),
    title: o.allowed ? plural(o.count, "execution") : "breaks " + o.axiom,
  }, (o.allowed ? "✓ " : "✗ ") + outcomeText(res.observed, o.values)));
}

async function moreCandidates(res) {
  if (page.candidates !== res) return;
  const more = await moreTable("why", "why-more", res, res.outcomes.length);
  if (!more || page.candidates !== res) return;
  res.outcomes.push(...more.candidates);
  $("why-chips").append(...candidateChips(res, more.candidates));
  showMoreTable("why-more", res, res.outcomes.length, res.total, "outcomes", () => moreCandidates(res));
}

// explainOutcome asks about an outcome (q.raw, from a list) or a condition
// (q.outcome) and shows the answer in the Why not? tab. Only a user's
// action (user: true) brings that tab to the front: an answer that comes
// back after the user went elsewhere waits in its tab.
async function explainOutcome(q, { user }) {
  const model = $("model").value;
  const needCandidates = page.dirty.why;
  if (user && currentTab() !== "why") {
    page.dirty.why = false; // this call fills the tab; selecting it must not
    selectTab("why");
  }
  if (q.raw && page.run) $("why-outcome").value = page.run.observed.map((n, i) => n + " == " + rawToText(page.run, q.raw, i)).join(" && ");
  const res = await ask("why", $("why-answer"), "explain", { ...currentSource(), model, ...bounds(), outcome: q.outcome || "", raw: q.raw, labels: $("labels").value, width: drawWidth($("why-answer")) }, "Explaining");
  if (!res) return;
  renderExplanation(res);
  if (needCandidates) loadCandidates();
}

// rawToText writes an outcome's value as the condition language reads it.
function rawToText(run, raw, i) {
  const o = run.outcomes.find((x) => x.raw.every((v, k) => v === raw[k]));
  return o ? o.values[i] : raw[i];
}

function renderExplanation(res) {
  const out = $("why-answer");
  if (res.errors.length) { renderErrors(res.errors, $("panel-result")); return; }
  if (res.unsupported) { clear(out, el("p", { class: "muted" }, res.unsupported)); viewStatus("why", "No explanation for a machine"); return; }
  if (res.outcomeErrors.length) {
    clear(out, el("p", { class: "problem", role: "alert" }, "The outcome does not parse: ", res.outcomeErrors.map((d) => (d.col ? "column " + d.col + ": " : "") + d.msg).join("; ")));
    viewStatus("why", "The outcome does not parse", { error: true });
    return;
  }
  const answer = res.answer === "yes" ? "It can happen" : res.answer === "no" ? "It cannot happen" : "Unknown: the search was cut short";
  if (res.partial) viewStatus("why", "PARTIAL · " + answer + " (" + partialNote(res) + ")", { error: true });
  else viewStatus("why", answer);
  const parts = [el("h3", { id: "why-question" }, res.question)];
  parts.push(el("p", { class: "lead " + res.answer, id: "why-lead" }, res.lead));
  if (res.possible && res.racy) {
    parts.push(el("p", { class: "problem" }, res.racy === res.consistent
      ? "But every one of them has a data race: the program's behaviour is undefined there, so this outcome needs undefined behaviour."
      : `(${res.racy} of them have a data race.)`));
  }
  if (res.incoherent) {
    parts.push(el("p", { class: "muted small" }, "No execution that respects coherence and atomicity produces it; the reasons below are about candidates that break them."));
  }
  const allLines = [];
  const drawings = [];
  if (res.witness) {
    parts.push(el("h4", {}, "One of them:"));
    const host = el("div", { class: "drawing", role: "img", "aria-label": "A consistent execution with the outcome" });
    parts.push(host);
    drawings.push([host, res.witness]);
    if (res.interleaving.length) {
      parts.push(el("h4", {}, "An interleaving that produces it:"), el("ol", {}, res.interleaving.map((s) => el("li", {}, el("code", {}, s)))));
    }
  }
  res.reasons.forEach((r, i) => {
    const who = r.count === res.candidates ? (r.count === 1 ? "It" : "All " + r.count) : r.count + " of them";
    parts.push(el("h4", {}, who, ": ", r.sentence));
    parts.push(el("p", { class: "small" }, "Axiom ", el("code", {}, r.axiom), ": ", el("code", {}, r.rule), ". Shortest cycle found:"));
    const rows = r.cycle.map((s, k) => el("tr", {},
      el("td", { class: "rel" }, k === 0 ? "" : r.cycle[k - 1].rel),
      el("td", {}, el("code", {}, s.event)),
      el("td", {}, s.line ? lineButton(s.line, s.col) : "")));
    if (r.cycle.length) rows.push(el("tr", {}, el("td", { class: "rel" }, r.cycle[r.cycle.length - 1].rel), el("td", { class: "muted" }, el("code", {}, r.cycle[0].event), " (the first again)"), el("td", {})));
    parts.push(el("div", { class: "table-wrap" }, el("table", { class: "cycle" }, el("tbody", {}, rows))));
    if (r.svg) {
      const host = el("div", { class: "drawing cycle-drawing", role: "img", "aria-label": "The candidate execution, the cycle drawn heavy" });
      parts.push(host);
      drawings.push([host, r.svg]);
    }
    if (i === 0) allLines.push(...r.lines);
  });
  if (res.partial) {
    parts.push(el("div", { class: "partial-box", role: "alert", id: "why-partial" }, el("strong", {}, "PARTIAL"), res.cancelled ? ": cancelled. " : ": ",
      "The answer covers only what was explored.", res.why.length ? el("ul", {}, res.why.map((w) => el("li", {}, w))) : null));
  }
  if (drawings.length) parts.push(el("p", { class: "muted small" }, "In the drawings, a line joins every access to the value it writes or reads; ⇓ is sequenced-before, a red arrow synchronises-with; the cycle's events are drawn heavy."));
  parts.push(el("details", {}, el("summary", {}, "As the command line prints it"), el("pre", { class: "plain" }, res.text)));
  clear(out, parts);
  for (const [host, svg] of drawings) showSVG(host, svg, { legend: false });
  page.editor.highlight(allLines.length ? { cycle: allLines } : { focus: res.witnessLines });
}

// ---- compare ---------------------------------------------------------------

async function runCompare() {
  page.dirty.compare = false;
  const models = [...document.querySelectorAll("#compare-models input:checked")].map((i) => i.value);
  const out = $("compare-out");
  if (models.length === 0) { clear(out, el("p", { class: "muted" }, "Pick at least one model.")); return; }
  const res = await ask("compare", out, "compare", { ...currentSource(), models, ...bounds(), rows: firstRows }, "Comparing " + models.join(", "));
  if (!res) return;
  if (res.errors.length) { renderErrors(res.errors, $("panel-result")); clear(out, el("p", { class: "problem" }, res.errors[0].msg)); return; }
  page.compare = res;
  if (res.partial) viewStatus("compare", "PARTIAL · compared " + models.join(", ") + ": " + partialNote(res), { error: true });
  else viewStatus("compare", "Compared " + models.join(", "));
  const head = el("tr", {}, res.observed.map((n) => el("th", { scope: "col" }, n)), res.models.map((m) => el("th", { scope: "col", class: "num" }, m)));
  const rows = compareRows(res, res.rows);
  rows.push(el("tr", { class: "totals" }, el("th", { scope: "row", colspan: res.observed.length || 1 }, "executions"), res.totals.map((t) => el("td", { class: "num" }, fmtCount(t)))));
  const diffs = compareDiffs(res, res.diffs);
  const text = el("pre", { class: "plain" });
  const details = el("details", {}, el("summary", {}, "As the command line prints it"), text);
  // Fetched when opened: for a big table it is megabytes.
  details.addEventListener("toggle", () => { if (details.open && !text.hasChildNodes()) fetchText(res.table ? { table: res.table } : null, text, res.text); });
  clear(out,
    el("div", { class: "table-wrap" }, el("table", { id: "compare-table" }, el("thead", {}, head), el("tbody", {}, rows))),
    el("p", { class: "more-rows", id: "compare-more" }),
    el("h3", { id: "compare-diffs-head", hidden: !diffs.length }, "Where neighbouring models differ"),
    el("ul", { class: "diffs", id: "compare-diffs" }, diffs),
    el("p", { class: "muted", id: "compare-agree", hidden: !!diffs.length }, res.rows.length < res.totalRows ? "These models agree on every outcome listed so far." : "These models agree on every outcome."),
    res.partial ? el("div", { class: "partial-box", id: "compare-partial" }, el("strong", {}, "PARTIAL"), res.cancelled ? ": cancelled. " : ": ", "The table covers only what was explored.", el("ul", {}, res.why.map((w) => el("li", {}, w)))) : null,
    details);
  showMoreTable("compare-more", res, res.rows.length, res.totalRows, "outcomes", () => moreCompare(res));
}

function compareRows(res, rows) {
  return rows.map((r) => el("tr", {}, r.values.map((v) => el("td", { class: "val" }, v)),
    r.cells.map((c, j) => el("td", { class: "num" }, c.allowed
      ? el("span", { class: "yes", title: plural(c.count, "execution"), "aria-label": "allowed by " + res.models[j] + ", " + plural(c.count, "execution") }, "✓ " + c.count)
      : el("span", { class: "no", title: c.axiom ? "breaks " + c.axiom : "", "aria-label": "forbidden by " + res.models[j] }, "✗")))));
}

function compareDiffs(res, diffs) {
  return diffs.map((d) => el("li", {},
    el("code", {}, outcomeText(res.observed, res.rows[d.row].values)), ": allowed by ", el("b", {}, d.allowed), ", forbidden by ", el("b", {}, d.forbidden),
    d.sentence ? ", because " + d.sentence : ".",
    d.cycle.length ? el("table", { class: "cycle small" }, el("tbody", {}, d.cycle.map((s, k) => el("tr", {},
      el("td", { class: "rel" }, k === 0 ? "" : d.cycle[k - 1].rel), el("td", {}, el("code", {}, s.event)), el("td", {}, s.line ? lineButton(s.line, s.col) : ""))))) : null));
}

// showMoreTable offers the rows of a paged answer that it did not list, in
// the paragraph id: "Showing the first N of M things. [Show K more]".
function showMoreTable(id, res, shown, total, what, more) {
  const p = $(id);
  if (!p) return;
  const left = total - shown;
  if (left <= 0 || !res.table) { clear(p); return; }
  clear(p, el("span", { class: "muted" }, `Showing the first ${fmtCount(shown)} of ${fmtCount(total)} ${what}. `),
    el("button", { type: "button", id: id + "-button", onclick: more }, `Show ${fmtCount(Math.min(moreRows, left))} more`));
}

// moreTable fetches the next rows of a paged comparison or candidate list.
async function moreTable(tab, id, res, from) {
  const more = await ask(tab, $(id), "tableRows", { table: res.table, from, count: moreRows }, "Listing outcomes");
  if (more && more.unavailable) { clear($(id), el("span", { class: "muted" }, more.unavailable)); return null; }
  return more;
}

async function moreCompare(res) {
  if (page.compare !== res) return;
  const more = await moreTable("compare", "compare-more", res, res.rows.length);
  if (!more || page.compare !== res) return;
  res.rows.push(...more.rows);
  const body = $("compare-table").tBodies[0];
  body.lastElementChild.before(...compareRows(res, more.rows));
  $("compare-diffs").append(...compareDiffs(res, more.diffs));
  const any = $("compare-diffs").hasChildNodes();
  $("compare-diffs-head").hidden = !any;
  $("compare-agree").hidden = any;
  if (res.rows.length >= res.totalRows) clear($("compare-agree"), "These models agree on every outcome.");
  showMoreTable("compare-more", res, res.rows.length, res.totalRows, "outcomes", () => moreCompare(res));
}

// ---- compiled code -------------------------------------------------------

async function runAsm() {
  page.dirty.asm = false;
  const res = await ask("asm", $("asm-out"), "asm", { ...currentSource(), arch: $("arch").value }, "Compiling");
  if (!res) return;
  if (res.errors.length) { clear($("asm-out"), res.errors.map((d) => d.msg).join("\n")); viewStatus("asm", "The program does not compile", { error: true }); return; }
  viewStatus("asm", "Compiled for " + $("arch").value);
  const l = res.listings[0];
  clear($("asm-out"), l.error ? l.error : l.text);
}

// ---- MESI trace ----------------------------------------------------------

function openTrace() {
  page.dirty.trace = false;
  const model = $("model").value;
  if (isMachine(model)) $("trace-model").value = model;
  runTrace({ outcome: $("trace-outcome").value });
}

function traceOutcome(o) {
  if (page.run) $("trace-outcome").value = page.run.observed.map((n, i) => n + " == " + o.values[i]).join(" && ");
  page.dirty.trace = false;
  selectTab("trace");
  runTrace({ raw: o.raw });
}

async function runTrace(q) {
  const out = $("trace-out");
  const model = $("trace-model").value;
  const res = await ask("trace", out, "trace", { ...currentSource(), model, outcome: q.outcome || "", raw: q.raw, unroll: bounds().unroll }, "Searching the " + model + " machine");
  if (!res) return;
  if (res.errors.length) { clear(out, el("p", { class: "problem" }, res.errors.map((d) => d.msg).join("; "))); viewStatus("trace", res.errors[0].msg, { error: true }); return; }
  if (res.outcomeErrors.length) { clear(out, el("p", { class: "problem" }, "The outcome does not parse: ", res.outcomeErrors.map((d) => d.msg).join("; "))); viewStatus("trace", "The outcome does not parse", { error: true }); return; }
  const found = res.found ? "A run reaches it" : res.partial ? "No run found so far" : "No run reaches it";
  if (res.partial) viewStatus("trace", "PARTIAL · " + found + " (" + (res.cancelled ? "cancelled" : res.partial) + ")", { error: true });
  else viewStatus("trace", found);
  const parts = [];
  if (!res.found) {
    parts.push(el("p", { class: "lead", id: "trace-lead" }, res.partial ? "No run of " + model + " found so far reaches " : "No run of " + model + " reaches ", el("code", {}, res.outcome), ` (searched ${fmtCount(res.states)} machine states).`));
  } else {
    parts.push(el("p", { class: "lead", id: "trace-lead" }, "A shortest run of ", model, " reaching ", el("code", {}, res.outcome), ` (${plural(res.rows.length - 1, "step")}):`));
    parts.push(el("p", { class: "muted small" }, "Cache lines are location:state=value (M, E, S, I); store buffers and mailboxes list their oldest entry first.",
      res.mailboxes ? " Invalidations wait in each core's mailbox, acknowledged before they are applied." : " Invalidations are applied when they arrive (no mailbox)."));
    const head = el("tr", {}, el("th", { scope: "col", class: "num" }, "step"), el("th", { scope: "col" }, "core"), el("th", { scope: "col" }, "action"),
      res.coreNames.map((n) => [el("th", { scope: "col" }, n + " cache"), el("th", { scope: "col" }, n + " store buffer"), res.mailboxes ? el("th", { scope: "col" }, n + " mailbox") : null]),
      el("th", { scope: "col" }, "memory"), el("th", { scope: "col" }, "in flight"));
    const rows = res.rows.map((r) => el("tr", {}, el("td", { class: "num" }, r.step), el("td", {}, r.core), el("td", { class: "action" }, r.action),
      r.cores.map((c) => [el("td", {}, c.cache), el("td", {}, c.storeBuffer), res.mailboxes ? el("td", {}, c.mailbox) : null]),
      el("td", {}, r.memory), el("td", {}, r.flight)));
    parts.push(el("div", { class: "table-wrap" }, el("table", { class: "trace", id: "trace-table" }, el("thead", {}, head), el("tbody", {}, rows))));
    parts.push(el("p", {}, "Final: ", el("code", {}, res.final.join(" "))));
  }
  if (res.partial) parts.push(el("p", { class: "partial-box", id: "trace-partial" }, "PARTIAL: " + res.partial));
  clear(out, parts);
}

// ---- share -----------------------------------------------------------------

async function share() {
  const url = await makeLink(location.origin + location.pathname, {
    src: page.editor.text, model: $("model").value, unroll: $("unroll").value, max: $("max").value,
    test: !$("test-pick").hidden ? $("test").value : "",
  });
  history.replaceState(null, "", url);
  $("share-box").hidden = false;
  const input = $("share-url");
  input.value = url;
  input.focus();
  input.select();
  let note = "Select the link and copy it.";
  try {
    await navigator.clipboard.writeText(url);
    note = "Copied to the clipboard.";
  } catch (e) { /* not allowed here: the link is selected */ }
  clear($("share-note"), note);
}

// ---- setup -------------------------------------------------------------

function fillMenus() {
  const c = page.catalog;
  const ex = $("example");
  for (const g of c.groups) {
    ex.append(el("optgroup", { label: g }, c.examples.map((e, i) => e.group === g ? el("option", { value: i, title: e.doc }, e.name) : null)));
  }
  const model = $("model");
  clear(model, c.models.map((m) => el("option", { value: m.name, title: m.doc }, m.name)));
  model.value = "c20";
  clear($("compare-models"), c.models.filter((m) => !m.machine).map((m) => el("label", {},
    el("input", { type: "checkbox", value: m.name, checked: ["sc", "c11", "rc11", "c20"].includes(m.name) }), " ", m.name)));
  clear($("arch"), c.arches.map((a) => el("option", { value: a }, a)));
}

function loadExample(i) {
  const e = page.catalog.examples[i];
  if (!e) return;
  page.name = e.file;
  page.editor.text = e.src;
  $("model").value = e.model;
  $("example").value = String(i);
  runProgram();
}

// notice shows what was wrong with the link that opened the page, above
// the results (null hides it).
function notice(problems, after) {
  const n = $("notice");
  if (!problems) { n.hidden = true; return; }
  clear(n, el("strong", {}, "This link does not work. "), problems.join(" "), after ? " " + after : "");
  n.hidden = false;
}

function setTheme(t) {
  document.documentElement.dataset.theme = t;
  try { localStorage.setItem("happens-theme", t); } catch (e) { /* private mode */ }
  $("theme").setAttribute("aria-label", t === "dark" ? "Light theme" : "Dark theme");
}

async function main() {
  page.marks.scriptStart = performance.now();
  setTheme(document.documentElement.dataset.theme === "dark" ? "dark" : "light");
  $("theme").addEventListener("click", () => setTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark"));

  page.engine = new Engine({
    onReady: (ms) => {
      page.marks.engineReady = performance.now();
      // Says so only when nothing more important is on the line (a run's
      // result, or what was wrong with the link that opened the page).
      if (!page.tabStatus.result) viewStatus("result", `Ready: the engine loaded in ${fmtMs(ms)}. Run with Ctrl+Enter.`);
    },
    onFailed: (msg) => viewStatus("result", msg, { error: true }),
  });

  const link = await readLink(location.search);
  let text = link.src;
  // happens serve and happens site write the catalog into the page; a page
  // opened some other way fetches it.
  let catalogP;
  try {
    const inline = JSON.parse($("catalog").textContent);
    if (inline && inline.examples) catalogP = Promise.resolve(inline);
  } catch (e) { /* fetch it */ }
  catalogP = catalogP || fetch("catalog.json").then((r) => r.json()).catch(() => null);
  page.editor = createEditor($("editor"), {
    text: text !== null ? text : defaultProgram,
    label: "Program",
    onRun: () => runProgram(),
    onChange: () => {
      page.dirty = { why: true, compare: true, asm: true, trace: true };
      notice(null);
      if ($("example").value !== "") $("example").value = "";
    },
    check: async (src) => {
      try {
        const { promise } = page.engine.call("check", { src, name: page.name });
        const res = await promise;
        clear($("format"), res.format === "c" ? "herd7 C format" : "Rust-style format");
        showTests(res.tests);
        if (!res.errors.length) setPlaceholders(res.cond, res.observed);
        clear($("diagnostics"), res.errors.map((d) => el("li", {}, d.line ? lineButton(d.line, d.col, d.line + ":" + d.col) : "", d.line ? ": " : "", d.msg)));
        return res;
      } catch (e) {
        return null;
      }
    },
  });
  clear($("format"), page.editor.format === "c" ? "herd7 C format" : "Rust-style format");
  page.marks.editorReady = performance.now();

  page.catalog = (await catalogP) || page.catalog;
  fillMenus();
  const problems = [];
  if (link.error) problems.push(link.error);
  if (link.model) {
    if ([...$("model").options].some((o) => o.value === link.model)) $("model").value = link.model;
    else problems.push(`The link names the model "${link.model}", which happens does not know; the models are ${page.catalog.models.map((m) => m.name).join(", ")}. Pick one and Run.`);
  }
  for (const [key, id, what] of [["unroll", "unroll", "loop bound"], ["max", "max", "execution limit"]]) {
    if (!link[key]) continue;
    if (/^[0-9]+$/.test(link[key])) $(id).value = link[key];
    else problems.push(`The link's ${what} (${key}=${link[key]}) is not a number.`);
  }
  page.wantTest = link.test || null;
  if (text === null && link.example) {
    const i = page.catalog.examples.findIndex((e) => e.file === link.example || e.file === link.example + ".litmus");
    if (i >= 0) { page.name = page.catalog.examples[i].file; page.editor.text = page.catalog.examples[i].src; $("example").value = String(i); if (!link.model) $("model").value = page.catalog.examples[i].model; text = page.editor.text; }
  }
  if (text === null) {
    const i = page.catalog.examples.findIndex((e) => e.file === "sb.litmus" && e.model === "c20");
    if (i >= 0) $("example").value = String(i);
  } else {
    page.name = link.src !== null ? "program.litmus" : page.name;
  }

  $("run").disabled = false;
  $("run").addEventListener("click", () => runProgram());
  $("cancel").addEventListener("click", cancel);
  $("share").addEventListener("click", share);
  $("example").addEventListener("change", (e) => { if (e.target.value !== "") { notice(null); loadExample(parseInt(e.target.value, 10)); } });
  $("model").addEventListener("change", () => {
    notice(null);
    page.dirty = { why: true, compare: true, asm: true, trace: true };
    if (page.run) runProgram();
  });
  $("why-form").addEventListener("submit", (e) => { e.preventDefault(); explainOutcome({ outcome: $("why-outcome").value }, { user: true }); });
  $("trace-form").addEventListener("submit", (e) => { e.preventDefault(); runTrace({ outcome: $("trace-outcome").value }); });
  $("compare-run").addEventListener("click", runCompare);
  $("arch").addEventListener("change", runAsm);
  $("test").addEventListener("change", () => {
    page.dirty = { why: true, compare: true, asm: true, trace: true };
    if (page.run) runProgram();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && page.fg) { e.preventDefault(); cancel(); }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); runProgram(); }
  });
  setupTabs();
  setupExecutions();
  page.marks.interactive = performance.now();
  if (problems.length) {
    // A broken link runs nothing: the page says what is wrong, and keeps
    // saying it until the user edits or picks something.
    notice(problems, link.error ? "The editor holds the default program instead." : "Nothing was run.");
    viewStatus("result", problems[0], { error: true });
  } else if (link.src !== null || link.example) runProgram();
  else if (!page.engine.isReady) status("Loading the engine… (you can edit meanwhile)", { busy: true });
}

// For tests and benchmarks: what happened when, and any error.
page.errors = [];
window.addEventListener("error", (e) => page.errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => page.errors.push(String(e.reason && e.reason.stack || e.reason)));
window.happensPage = page;
main();

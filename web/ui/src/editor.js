// The program editor: CodeMirror 6 with the two formats' highlighting,
// diagnostics underlined where the engine reports them, and line
// highlights for the source of a cycle or of a problem.
import { EditorState, Compartment, StateField, StateEffect, RangeSetBuilder } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, Decoration } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { linter, lintGutter, setDiagnostics, forEachDiagnostic } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { rustLanguage, cLanguage, highlighting, detectFormat } from "./lang.js";

const setLines = StateEffect.define();

// Highlighted lines: {cycle: [n...], focus: [n...]}.
const lineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setLines)) continue;
      const b = new RangeSetBuilder();
      const marks = [];
      for (const [cls, lines] of Object.entries(e.value)) {
        for (const n of lines || []) {
          if (n >= 1 && n <= tr.state.doc.lines) marks.push([tr.state.doc.line(n).from, cls]);
        }
      }
      marks.sort((a, b) => a[0] - b[0]);
      for (const [from, cls] of marks) b.add(from, from, Decoration.line({ class: "hl-" + cls }));
      deco = b.finish();
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// The end of the token an error points at, for the underline.
function tokenEnd(doc, from) {
  const line = doc.lineAt(from);
  const rest = line.text.slice(from - line.from);
  const m = rest.match(/^([A-Za-z_0-9:.!]+|"[^"]*"?|\S)/);
  return Math.min(line.to, from + (m ? m[0].length : 0));
}

export function toDiagnostics(doc, diags) {
  const out = [];
  for (const d of diags || []) {
    if (d.from < 0) { out.push({ from: 0, to: 0, severity: "error", message: d.msg }); continue; }
    const from = Math.min(d.from, doc.length);
    out.push({ from, to: Math.max(tokenEnd(doc, from), from), severity: "error", message: d.msg });
  }
  return out;
}

export function createEditor(parent, { text, onRun, onChange, check, label }) {
  const language = new Compartment();
  let format = detectFormat(text);
  const lint = linter(async (view) => {
    const res = await check(view.state.doc.toString());
    if (!res) return [];
    return toDiagnostics(view.state.doc, res.errors);
  }, { delay: 350 });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
        bracketMatching(), highlightActiveLine(), highlightSelectionMatches(),
        language.of(format === "c" ? cLanguage : rustLanguage), highlighting,
        lint, lintGutter(), lineField,
        keymap.of([
          { key: "Mod-Enter", run: () => { onRun(); return true; } },
          { key: "Shift-Enter", run: () => { onRun(); return true; } },
          ...defaultKeymap, ...historyKeymap, ...searchKeymap,
          // Tab indents, but Escape then Tab leaves the editor (CodeMirror's
          // accessible tab handling).
          indentWithTab,
        ]),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          const f = detectFormat(u.state.doc.toString());
          if (f !== format) {
            format = f;
            view.dispatch({ effects: language.reconfigure(f === "c" ? cLanguage : rustLanguage) });
          }
          onChange(u.state.doc.toString(), format);
        }),
        EditorView.contentAttributes.of({ "aria-label": label || "Program", spellcheck: "false", autocapitalize: "off" }),
      ],
    }),
  });

  return {
    view,
    get text() { return view.state.doc.toString(); },
    get format() { return format; },
    set text(t) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t }, effects: setLines.of({}) });
    },
    showDiagnostics(diags) {
      view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, diags)));
    },
    diagnosticCount() {
      let n = 0;
      forEachDiagnostic(view.state, () => n++);
      return n;
    },
    highlight(lines) {
      // Nothing to clear is no transaction (a run clears the highlights
      // first: the editor need not be redrawn before its answer).
      const none = !lines || Object.values(lines).every((v) => !v || !v.length);
      if (none && view.state.field(lineField).size === 0) return;
      view.dispatch({ effects: setLines.of(lines) });
    },
    goToLine(n, col) {
      if (n < 1 || n > view.state.doc.lines) return;
      const line = view.state.doc.line(n);
      const pos = Math.min(line.to, line.from + Math.max(0, (col || 1) - 1));
      view.dispatch({ selection: { anchor: pos }, effects: [EditorView.scrollIntoView(pos, { y: "center" })] });
      view.focus();
    },
    focus() { view.focus(); },
  };
}

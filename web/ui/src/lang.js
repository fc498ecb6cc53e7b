// Highlighting for the two input formats: the Rust-style language
// (Rust's syntax plus thread blocks and a final condition) and herd7's C
// litmus format. Both are small stream tokenizers; the engine's parser
// remains the one judge of what is valid (its errors are underlined).
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const orderings = /^(Relaxed|Acquire|Release|AcqRel|SeqCst|Consume)\b/;
const rustKeywords = new Set(("static const thread fn let mut if else while loop for in match break continue return unsafe use pub as " +
  "true false exists forall expect never always sometimes impl struct enum where ref move self Self crate super mod type").split(" "));
const rustTypes = /^(Atomic(Bool|U8|U16|U32|U64|Usize|I8|I16|I32|I64|Isize|Ptr)|u8|u16|u32|u64|usize|i8|i16|i32|i64|isize|bool|Ordering|Ok|Err|Some|None)\b/;

function rustToken(stream, state) {
  if (state.block) {
    if (stream.match(/^.*?\*\//)) state.block = false; else stream.skipToEnd();
    return "comment";
  }
  if (stream.eatSpace()) return null;
  if (stream.match("//!")) { stream.skipToEnd(); return "doc"; }
  if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
  if (stream.match("/*")) { state.block = true; return rustToken(stream, state) || "comment"; }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
  if (stream.match(/^(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*)([ui](8|16|32|64|size))?/)) return "number";
  if (stream.match(/^~exists\b/)) return "keyword";
  if (stream.match(orderings)) return "atom";
  if (stream.match(rustTypes)) return "type";
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  if (word) {
    const w = word[0];
    if (stream.peek() === "!" && /^(assert|assert_eq|assert_ne|panic|assume|unreachable)$/.test(w)) { stream.next(); return "macro"; }
    if (rustKeywords.has(w)) {
      state.afterDef = w === "thread" || w === "fn" || w === "static" || w === "const";
      return "keyword";
    }
    if (state.afterDef) { state.afterDef = false; return "def"; }
    if (state.lastDot) { state.lastDot = false; return "prop"; }
    return "variable";
  }
  const ch = stream.next();
  state.lastDot = ch === ".";
  if (ch !== ".") state.afterDef = false;
  return /[+\-*/%=<>!&|^~]/.test(ch) ? "operator" : null;
}

const cKeywords = new Set(("int long short char unsigned signed void const volatile if else while for do return break continue " +
  "exists forall filter locations atomic_int atomic_long atomic_bool atomic_uint intptr_t true false").split(" "));

function cToken(stream, state) {
  if (state.block) {
    if (stream.match(/^.*?(\*\/|\*\))/)) state.block = false; else stream.skipToEnd();
    return "comment";
  }
  if (stream.sol() && state.first) {
    state.first = false;
    if (stream.match(/^C\b/)) { stream.skipToEnd(); return "doc"; }
  }
  if (stream.eatSpace()) return null;
  if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
  if (stream.match("/*") || stream.match("(*")) { state.block = true; return cToken(stream, state) || "comment"; }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "doc";
  if (stream.match(/^~exists\b/)) return "keyword";
  if (stream.match(/^P[0-9]+\b/)) return "def";
  if (stream.match(/^[0-9]+:[A-Za-z_][A-Za-z0-9_]*/)) return "variable";
  if (stream.match(/^(0x[0-9a-fA-F]+|[0-9]+)/)) return "number";
  if (stream.match(/^memory_order_(relaxed|consume|acquire|release|acq_rel|seq_cst)\b/)) return "atom";
  if (stream.match(/^(atomic_[a-z_]+|smp_[a-z_]+|READ_ONCE|WRITE_ONCE)\b/)) return "prop";
  if (stream.match(/^(\/\\|\\\/)/)) return "operator";
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  if (word) return cKeywords.has(word[0]) ? "keyword" : "variable";
  const ch = stream.next();
  return /[+\-*/%=<>!&|^~]/.test(ch) ? "operator" : null;
}

const tokenTable = {
  doc: tags.docComment, type: tags.typeName, prop: tags.propertyName, macro: tags.macroName,
  def: tags.definition(tags.variableName), variable: tags.variableName,
};

export const rustLanguage = StreamLanguage.define({
  name: "happens-rust",
  startState: () => ({ block: false, afterDef: false, lastDot: false }),
  token: rustToken,
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
  tokenTable,
});

export const cLanguage = StreamLanguage.define({
  name: "happens-c",
  startState: () => ({ block: false, first: true }),
  token: cToken,
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
  tokenTable,
});

export const highlighting = syntaxHighlighting(HighlightStyle.define([
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: tags.atom, class: "tok-atom" },
  { tag: tags.number, class: "tok-number" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.comment, class: "tok-comment" },
  { tag: tags.docComment, class: "tok-doc" },
  { tag: tags.typeName, class: "tok-type" },
  { tag: tags.propertyName, class: "tok-prop" },
  { tag: tags.macroName, class: "tok-macro" },
  { tag: tags.definition(tags.variableName), class: "tok-def" },
]));

// detectFormat follows the command line: a herd7 test opens with "C name".
export function detectFormat(text) {
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "") continue;
    return t === "C" || t.startsWith("C ") ? "c" : "rust";
  }
  return "rust";
}

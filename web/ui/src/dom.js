// A few DOM helpers.

export const $ = (id) => document.getElementById(id);

// el builds an element: el("td", {class: "num"}, "4").
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

export function plural(n, word) {
  return n + " " + word + (n === 1 ? "" : "s");
}

export function fmtMs(ms) {
  if (ms < 1) return (ms * 1000).toFixed(0) + " µs";
  if (ms < 1000) return ms.toFixed(ms < 10 ? 1 : 0) + " ms";
  return (ms / 1000).toFixed(1) + " s";
}

export function fmtCount(n) {
  return n.toLocaleString("en-US");
}

// The drawing's colours come from the page's theme variables, which cross
// into the shadow root where each SVG lives (its own <style> and marker ids
// stay scoped to it).
const drawingCSS = `
:host { display: block; }
svg { display: block; max-width: 100%; height: auto; }
svg > rect:first-of-type { fill: var(--d-bg, white); }
text { fill: var(--d-text, #1d1d1f); }
.event rect { fill: var(--d-event, #eef3fb); stroke: var(--d-event-stroke, #37507a); }
.value rect { fill: var(--d-value, #fbf7ee); stroke: var(--d-value-stroke, #7a6337); }
.cycle rect { fill: var(--d-cycle, #fdecea); stroke: var(--d-cycle-stroke, #c62828); }
.link { stroke: var(--d-link, #555); }
.link.sync { stroke: var(--d-sync, #c62828); }
.po { stroke: var(--d-event-stroke, #37507a); }
.po-inner { stroke: var(--d-event, #eef3fb); }
.down { stroke: var(--d-value-stroke, #7a6337); }
.legend { fill: var(--d-muted, #555); }
.footer { fill: var(--d-sync, #c62828); }
`;

// showSVG puts a drawing in host. With legend false, the renderer's legend
// lines are dropped (the page explains the notation beside the drawing) and
// the picture is cropped to what remains, so that on a narrow screen it is
// scaled down no more than its content needs.
export function showSVG(host, svg, { legend = true } = {}) {
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  root.innerHTML = (svg || "").replace(/^<\?xml[^>]*>\s*/, "") + "<style>" + drawingCSS + "</style>";
  const pic = root.querySelector("svg");
  if (!pic || legend) return;
  for (const t of pic.querySelectorAll("text.legend")) t.remove();
  const bg = pic.querySelector(":scope > rect");
  if (bg) bg.remove();
  let box;
  try { box = pic.getBBox(); } catch (e) { box = null; }
  if (bg) pic.insertBefore(bg, pic.querySelector(":scope > rect, :scope > g, :scope > polyline, :scope > text"));
  if (!box || box.width === 0) return;
  const pad = 10;
  const x = Math.floor(box.x - pad), y = Math.floor(box.y - pad);
  const w = Math.ceil(box.width + 2 * pad), h = Math.ceil(box.height + 2 * pad);
  pic.setAttribute("viewBox", `${x} ${y} ${w} ${h}`);
  pic.setAttribute("width", w);
  pic.setAttribute("height", h);
  if (bg) {
    bg.setAttribute("x", x); bg.setAttribute("y", y);
    bg.setAttribute("width", w); bg.setAttribute("height", h);
  }
}

// The engine's Web Worker: Go's wasm_exec.js, then happens.wasm.gz,
// decompressed as it streams in. Messages from the page:
//   {type: "call", id, method, request}  {type: "cancel", id}
// Messages to the page:
//   {type: "ready", ms}  {type: "failed", message}
//   {type: "progress", id, progress}  {type: "done", id, response}
/* global Go, happens */

async function load() {
  const start = performance.now();
  importScripts("wasm_exec.js");
  const resp = await fetch("happens.wasm.gz");
  if (!resp.ok) throw new Error("happens.wasm.gz: " + resp.status + " " + resp.statusText);
  // A host may already have undone the gzip (Content-Encoding): look at the
  // first bytes before deciding to decompress.
  const reader = resp.body.getReader();
  const first = await reader.read();
  const head = first.value || new Uint8Array(0);
  const body = new ReadableStream({
    start(c) { if (head.length) c.enqueue(head); if (first.done) c.close(); },
    async pull(c) {
      const { done, value } = await reader.read();
      if (done) c.close(); else c.enqueue(value);
    },
  });
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  if (gzipped && typeof DecompressionStream === "undefined") {
    throw new Error("this browser cannot decompress the engine (no DecompressionStream); a browser from 2023 or later is needed");
  }
  const wasm = new Response(gzipped ? body.pipeThrough(new DecompressionStream("gzip")) : body, { headers: { "Content-Type": "application/wasm" } });
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(wasm, go.importObject);
  go.run(instance).then(() => postMessage({ type: "failed", message: "the engine stopped" }));
  if (typeof happens === "undefined") throw new Error("the engine did not start");
  postMessage({ type: "ready", ms: performance.now() - start });
}

const queued = [];
let ready = false;

function serve(msg) {
  if (msg.type === "cancel") {
    happens.cancel(msg.id);
    return;
  }
  // The request and the answers cross as JSON text, decoded once, by the
  // page: a string is copied as it is, where an object would be encoded
  // and decoded again by postMessage. With timing set, the answer also
  // says when the worker received the request, called the engine and had
  // its answer (absolute ms, comparable with the page's), and how long
  // the engine's Call took, for the benchmark.
  const t = msg.timing ? [performance.timeOrigin + performance.now()] : null;
  if (t) t.push(t[0]);
  happens.call(msg.id, msg.method, msg.request,
    (p) => postMessage({ type: "progress", id: msg.id, progress: p }),
    (r, ms) => {
      if (t) { const now = performance.timeOrigin + performance.now(); t.push(now, now, ms); }
      postMessage({ type: "done", id: msg.id, response: r, timing: t });
    });
}

onmessage = (e) => {
  if (ready) serve(e.data);
  else queued.push(e.data);
};

load().then(() => {
  ready = true;
  for (const m of queued.splice(0)) serve(m);
}, (err) => postMessage({ type: "failed", message: String(err && err.message || err) }));

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
  // With timing set, the answer says when the worker received the request,
  // called the engine, and had its answer (absolute ms: performance.timeOrigin
  // + now, comparable with the page's), for the benchmark.
  const t = msg.timing ? [performance.timeOrigin + performance.now()] : null;
  const req = JSON.stringify(msg.request);
  if (t) t.push(performance.timeOrigin + performance.now());
  happens.call(msg.id, msg.method, req,
    (p) => postMessage({ type: "progress", id: msg.id, progress: JSON.parse(p) }),
    (r) => {
      if (t) t.push(performance.timeOrigin + performance.now());
      const response = JSON.parse(r);
      if (t) t.push(performance.timeOrigin + performance.now());
      postMessage({ type: "done", id: msg.id, response, timing: t });
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

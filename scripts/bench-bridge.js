// Times the playground's engine as its worker calls it, in Node (the same
// V8 as Chromium, with a clock that is not coarsened to 0.1 ms as a page's
// is): happens.call from JavaScript, with the time the engine's own Call
// took beside it, so the difference is the bridge (syscall/js, strings in
// and out, the goroutine). BENCHMARKS.md quotes it.
//
//   node scripts/bench-bridge.js [DIST] FILE [MODEL]
//
// DIST holds happens.wasm.gz and wasm_exec.js (default web/dist); FILE is
// the program, run under MODEL (default c20) as the page asks (200 rows).
// It warms up (V8 compiles the engine's hot functions again, optimised,
// after a few thousand calls), then prints three rounds of 2,000 calls:
// the mean time around one call and the mean time of the engine's Call.
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const args = process.argv.slice(2);
const dist = args.length >= 2 && fs.existsSync(path.join(args[0], "happens.wasm.gz")) ? args.shift() : path.join(__dirname, "..", "web", "dist");
const [file, model = "c20"] = args;
if (!file) {
  console.error("usage: node scripts/bench-bridge.js [DIST] FILE [MODEL]");
  process.exit(2);
}
globalThis.performance ??= require("perf_hooks").performance;
globalThis.crypto ??= require("crypto").webcrypto;
require(path.resolve(dist, "wasm_exec.js"));

(async () => {
  const wasm = zlib.gunzipSync(fs.readFileSync(path.join(dist, "happens.wasm.gz")));
  const go = new Go();
  const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
  go.run(instance);
  const request = JSON.stringify({ src: fs.readFileSync(file, "utf8"), name: path.basename(file), model, rows: 200 });
  let id = 0;
  const call = () => new Promise((resolve) => happens.call(++id, "run", request, null, (out, ms) => resolve(ms)));
  for (let i = 0; i < 3000; i++) await call();
  const n = 2000;
  for (let round = 1; round <= 3; round++) {
    let around = 0, engine = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      engine += await call();
      around += performance.now() - t0;
    }
    console.log(`${path.basename(file)} ${model} round ${round}: ${(around / n * 1000).toFixed(1)} µs around happens.call, ${(engine / n * 1000).toFixed(1)} µs in the engine's Call`);
  }
  process.exit(0);
})();

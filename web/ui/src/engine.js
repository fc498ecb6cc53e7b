// The page's side of the engine: one Web Worker running happens.wasm,
// requests by id, progress, and cancellation. A cancelled request answers
// with its partial result; if the worker does not answer soon after a
// Cancel, it is stopped and started again, and the request fails (with
// killed set and the last progress it reported, so the page can still show
// what is known). Every other request in flight is sent again to the new
// worker: only the cancelled one is lost.


export class Engine {
  constructor({ onReady, onFailed } = {}) {
    this.onReady = onReady || (() => {});
    this.onFailed = onFailed || (() => {});
    this.nextId = 1;
    this.pending = new Map();
    this.loadMs = null;
    this.cancelGrace = 3000; // ms to wait for a cancelled request's answer
    this.start();
  }

  start() {
    this.isReady = false;
    this.ready = new Promise((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject; });
    this.ready.catch(() => {});
    this.worker = new Worker("worker.js");
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => this.fail(e.message || "the engine's worker failed to load");
  }

  fail(message) {
    this.rejectReady(new Error(message));
    this.onFailed(message);
    for (const [, p] of this.pending) p.reject(Object.assign(new Error(message), { progress: p.progress }));
    this.pending.clear();
  }

  receive(m) {
    switch (m.type) {
      case "ready":
        this.isReady = true;
        this.loadMs = m.ms;
        this.resolveReady();
        this.onReady(m.ms);
        return;
      case "failed":
        this.fail("the engine failed: " + m.message);
        return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "progress") {
      p.progress = JSON.parse(m.progress);
      p.onProgress(p.progress);
    } else if (m.type === "done") {
      const arrived = performance.timeOrigin + performance.now();
      const response = JSON.parse(m.response);
      if (m.timing) {
        // The benchmark's breakdown of one round trip (ms).
        const [recv, called, answered, encoded, call] = m.timing;
        this.timing = { toWorker: recv - p.sentAt, worker: called - recv, engine: answered - called, call, workerOut: encoded - answered, toPage: arrived - encoded, parse: performance.timeOrigin + performance.now() - arrived };
      }
      this.pending.delete(m.id);
      clearTimeout(p.killer);
      if (response && response.error) p.reject(new Error(response.error));
      else p.resolve(response);
    }
  }

  // call sends a request; it returns {id, promise}.
  // With timing set (for the benchmark), engine.timing breaks the round
  // trip down when the answer arrives.
  call(method, request, onProgress, { timing = false } = {}) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { method, request: JSON.stringify(request), resolve, reject, onProgress: onProgress || (() => {}), progress: null, started: performance.now() });
    });
    if (timing) this.pending.get(id).sentAt = performance.timeOrigin + performance.now();
    this.worker.postMessage({ type: "call", id, method, request: this.pending.get(id).request, timing });
    return { id, promise };
  }

  // cancel asks the request to stop and answer with what it found.
  cancel(id) {
    const p = this.pending.get(id);
    if (!p || p.killer) return;
    this.worker.postMessage({ type: "cancel", id });
    p.killer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      // The engine did not answer: stop the worker, keep what we know.
      this.worker.terminate();
      const err = Object.assign(new Error("the engine did not answer the Cancel in time and was restarted"), { killed: true, progress: p.progress, elapsed: performance.now() - p.started });
      this.pending.delete(id);
      this.start();
      // The others start again in the new worker (which queues them until
      // it is ready); their progress starts again too.
      for (const [qid, q] of this.pending) {
        if (q.killer) {
          // Cancelled too, and waiting for its answer: it will not come.
          clearTimeout(q.killer);
          this.pending.delete(qid);
          q.reject(Object.assign(new Error("the engine was restarted"), { killed: true, progress: q.progress, elapsed: performance.now() - q.started }));
          continue;
        }
        q.progress = null;
        this.worker.postMessage({ type: "call", id: qid, method: q.method, request: q.request });
      }
      p.reject(err);
    }, this.cancelGrace);
  }
}

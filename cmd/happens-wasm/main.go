//go:build js && wasm

// Command happens-wasm is the engine of the web playground: happens
// compiled to WebAssembly (GOOS=js GOARCH=wasm), run by the page's Web
// Worker. It installs one object on the global scope,
//
//	happens.call(id, method, requestJSON, onProgress, onDone)
//	happens.cancel(id)
//
// and waits. call serves web/playground's Session.Call in a goroutine and
// returns at once; onProgress(json) is called about every second during a
// long run and onDone(json, ms) once with the answer and the time the
// request took in the engine. cancel stops the request
// with that id, which then answers with what it found so far, marked
// partial.
//
// scripts/build-web.sh builds it into web/dist/happens.wasm.gz.
package main

import (
	"runtime/debug"
	"syscall/js"
)

func main() {
	// The collector runs on the worker's one thread, not beside the
	// explorer on another core as natively: collecting half as often made
	// fetch_add with 7 threads three times faster under Node (BENCHMARKS.md).
	debug.SetGCPercent(200)
	newBridge().install(js.Global())
	select {}
}

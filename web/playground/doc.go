// Package playground is the engine behind the web page, as plain data:
// each function takes a request and returns a response that encodes to
// JSON, so the WebAssembly bridge (cmd/happens-wasm) only moves JSON
// between JavaScript and Go, and every answer can be tested natively.
//
// It adds no semantics of its own: runs go through the library facade
// (happens.Run, or the MESI machine), explanations through package
// explain, drawings through render/diagram and listings through hw/asm,
// exactly as the command line does.
//
// A Session keeps the last few results, so the page can ask for one
// execution's drawing at a time instead of receiving every drawing at once.
// Source positions are sent as 1-based lines and UTF-16 columns, the units
// of JavaScript strings.
package playground

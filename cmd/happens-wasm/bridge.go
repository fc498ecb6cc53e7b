//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"sync"
	"syscall/js"
	"time"

	"happens/web/playground"
)

// yieldEvery is how long a request computes before it lets JavaScript's
// event loop run (to deliver a Cancel, or another request).
const yieldEvery = 200 * time.Millisecond

type bridge struct {
	session *playground.Session
	mu      sync.Mutex
	cancels map[int]context.CancelFunc
	funcs   []js.Func // kept for the life of the program
	// Requests run on goroutines the bridge keeps (see spawn): idle
	// counts those waiting for one on work.
	work chan func()
	idle int
}

func newBridge() *bridge {
	return &bridge{session: playground.NewSession(), cancels: map[int]context.CancelFunc{}, work: make(chan func(), 16)}
}

// spawn runs f on a goroutine of the bridge's: one an earlier request left
// idle when there is one, else a new one. A request on a new goroutine
// grows its stack from the smallest size again (the parser recurses),
// copying it at each doubling; a kept goroutine has grown it already.
// That, with starting the goroutine, was a sixth of a small request's cost
// in the engine's worker (BENCHMARKS.md).
func (b *bridge) spawn(f func()) {
	b.mu.Lock()
	reuse := b.idle > 0
	if reuse {
		b.idle--
	}
	b.mu.Unlock()
	if reuse {
		// An idle goroutine waits on work, so this does not block.
		b.work <- f
		return
	}
	go b.serve(f)
}

// serve runs f, then every request handed to it, for ever.
func (b *bridge) serve(f func()) {
	for {
		f()
		b.mu.Lock()
		b.idle++
		b.mu.Unlock()
		f = <-b.work
	}
}

// install puts the happens object on global.
func (b *bridge) install(global js.Value) {
	obj := js.Global().Get("Object").New()
	call := js.FuncOf(b.call)
	cancel := js.FuncOf(b.cancel)
	b.funcs = append(b.funcs, call, cancel)
	obj.Set("call", call)
	obj.Set("cancel", cancel)
	obj.Set("methods", toJS(playground.Methods))
	global.Set("happens", obj)
}

func toJS(ss []string) js.Value {
	a := js.Global().Get("Array").New()
	for _, s := range ss {
		a.Call("push", s)
	}
	return a
}

// call(id, method, requestJSON, onProgress, onDone).
func (b *bridge) call(this js.Value, args []js.Value) any {
	if len(args) < 5 {
		panic("happens.call(id, method, request, onProgress, onDone)")
	}
	id, method, req, onProgress, onDone := args[0].Int(), args[1].String(), args[2].String(), args[3], args[4]
	ctx, cancel := context.WithCancel(context.Background())
	b.mu.Lock()
	b.cancels[id] = cancel
	b.mu.Unlock()
	// A js.Func must not block: the request runs on another goroutine.
	b.spawn(func() {
		defer func() {
			b.mu.Lock()
			delete(b.cancels, id)
			b.mu.Unlock()
			cancel()
		}()
		progress := func(p playground.Progress) {
			if onProgress.Type() == js.TypeFunction {
				out, _ := json.Marshal(p)
				onProgress.Invoke(string(out))
			}
			// A turn for the event loop here too, in case the context
			// the explorer polls is not the one given (see yielding).
			time.Sleep(time.Millisecond)
		}
		start := time.Now()
		out := b.session.Call(&yielding{Context: ctx, every: yieldEvery, last: start}, method, []byte(req), progress)
		// The second argument is the time Call took, in ms (the page's
		// benchmark tells it from the trip to and from the worker).
		onDone.Invoke(string(out), float64(time.Since(start).Microseconds())/1000)
	})
	return nil
}

// cancel(id).
func (b *bridge) cancel(this js.Value, args []js.Value) any {
	if len(args) < 1 {
		return false
	}
	b.mu.Lock()
	cancel, ok := b.cancels[args[0].Int()]
	b.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}

// yielding is a context whose Err, which the explorers poll as they work,
// also gives JavaScript's event loop a turn every so often. Go on
// WebAssembly runs on the worker's one thread and returns control to
// JavaScript only when every goroutine is blocked: without these pauses a
// Cancel message could not arrive until the run was over. The sleep makes
// the scheduler idle, so the runtime returns to the event loop, which
// delivers pending messages before the timer that resumes the run.
//
// Only the request's own goroutine calls Err, so last needs no lock.
type yielding struct {
	context.Context
	every time.Duration
	last  time.Time
}

func (y *yielding) Err() error {
	if now := time.Now(); now.Sub(y.last) >= y.every {
		time.Sleep(time.Millisecond)
		y.last = time.Now()
	}
	return y.Context.Err()
}

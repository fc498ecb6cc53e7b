//go:build js && wasm

package main

import (
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"syscall/js"
	"testing"
	"time"

	"happens/web/playground"
)

var installed = func() js.Value {
	newBridge().install(js.Global())
	return js.Global().Get("happens")
}()

var nextID atomic.Int64

// call runs one request through the JavaScript object, as the worker does,
// and returns its answer and the progress reports.
func call(t *testing.T, method string, req any, during func(id int)) (string, []string) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	id := int(nextID.Add(1))
	done := make(chan string, 1)
	var progress []string
	onProgress := js.FuncOf(func(this js.Value, args []js.Value) any {
		progress = append(progress, args[0].String())
		return nil
	})
	onDone := js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- args[0].String()
		return nil
	})
	defer onProgress.Release()
	defer onDone.Release()
	installed.Call("call", id, method, string(body), onProgress, onDone)
	if during != nil {
		during(id)
	}
	select {
	case out := <-done:
		return out, progress
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: no answer", method)
	}
	return "", nil
}

func example(t *testing.T, name string) playground.Source {
	src, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return playground.Source{Src: string(src), Name: name}
}

// Store buffering by hand: four executions under c20 (each load reads 0 or
// the other thread's 1), three under sc (not both 0).
func TestRunThroughJS(t *testing.T) {
	for _, tc := range []struct {
		model   string
		execs   int
		verdict string
	}{{"c20", 4, "Sometimes"}, {"sc", 3, "Never"}} {
		out, _ := call(t, "run", playground.RunRequest{Source: example(t, "sb.litmus"), Model: tc.model}, nil)
		var r playground.RunResponse
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Stats.Executions != tc.execs || r.Cond == nil || r.Cond.Verdict != tc.verdict || !r.Complete {
			t.Errorf("%s: %.300s", tc.model, out)
		}
		out, _ = call(t, "draw", playground.DrawRequest{Run: r.Run, Kind: "exec", Index: 0}, nil)
		if !strings.Contains(out, `\u003csvg`) && !strings.Contains(out, "<svg") {
			t.Errorf("%s: draw %.200s", tc.model, out)
		}
	}
}

// long has 10 threads that each add 1 to X: 10! orders of the RMWs, far
// more executions than any test waits for.
const long = `static X: AtomicU32 = AtomicU32::new(0);
thread t[i in 0..10] { X.fetch_add(1, Ordering::Relaxed); }
forall (X == 10)
`

// TestCancelFromTheEventLoop cancels a long run from a JavaScript timer:
// the timer can only fire if the run gives the event loop turns while it
// computes. The run must then answer at once, partial, with the executions
// it found, after reporting progress.
func TestCancelFromTheEventLoop(t *testing.T) {
	start := time.Now()
	out, progress := call(t, "run", playground.RunRequest{Source: playground.Source{Src: long}, Model: "c20"}, func(id int) {
		js.Global().Call("setTimeout", installed.Get("cancel"), 1500, id)
	})
	elapsed := time.Since(start)
	var r playground.RunResponse
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Complete || !r.Cancelled || len(r.Partial) == 0 || r.Stats.Executions == 0 {
		t.Errorf("cancelled run: %.400s", out)
	}
	if elapsed > 5*time.Second {
		t.Errorf("the run answered %v after it started; cancel came at 1.5s", elapsed)
	}
	if len(progress) == 0 {
		t.Error("no progress reported in 1.5s")
	}
	t.Logf("cancelled after %v with %d executions, %d progress reports", elapsed, r.Stats.Executions, len(progress))
}

func TestCancelUnknown(t *testing.T) {
	if installed.Call("cancel", 99999).Bool() {
		t.Error("cancel of an unknown id said it cancelled something")
	}
}

func TestBadMethod(t *testing.T) {
	out, _ := call(t, "frobnicate", struct{}{}, nil)
	if !strings.Contains(out, "unknown method") {
		t.Errorf("got %s", out)
	}
}

// TestRequestDuringRun asks for a quick check while a long run computes:
// the check is served on another goroutine (the run's is busy) and answers
// before the run is cancelled; after both, requests are served again on
// the goroutines they left idle.
func TestRequestDuringRun(t *testing.T) {
	id := int(nextID.Add(1))
	done := make(chan string, 1)
	onDone := js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- args[0].String()
		return nil
	})
	defer onDone.Release()
	body, _ := json.Marshal(playground.RunRequest{Source: playground.Source{Src: long}, Model: "c20"})
	installed.Call("call", id, "run", string(body), js.Null(), onDone)
	out, _ := call(t, "check", example(t, "sb.litmus"), nil)
	select {
	case <-done:
		t.Fatal("the long run answered before the check")
	default:
	}
	if !strings.Contains(out, `"format":"rust"`) {
		t.Errorf("check during a run: %.300s", out)
	}
	installed.Call("cancel", id)
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the cancelled run did not answer")
	}
	for i := 0; i < 3; i++ {
		if out, _ := call(t, "check", example(t, "sb.litmus"), nil); !strings.Contains(out, `"format":"rust"`) {
			t.Errorf("check %d after: %.300s", i, out)
		}
	}
}

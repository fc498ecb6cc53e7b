// Package examples holds the example programs and the menu the playground
// shows them in, grouped the way the seed articles are: memory orderings
// ("Explaining Atomics in Rust"), fences (the "Fences" chapter), and
// hardware (the CPU caches section: the programs on the hardware models and
// the MESI machine); then Rust programs as Rust users write them.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.litmus *.rs
var files embed.FS

// Groups, in menu order.
const (
	Orderings = "Memory orderings"
	Fences    = "Fences"
	Hardware  = "Hardware"
	Rust      = "Rust programs"
)

// Example is one entry of the menu: a program and the model to run it
// under. A program may appear more than once, under different models.
type Example struct {
	Group string `json:"group"`
	Name  string `json:"name"`  // the menu's label
	File  string `json:"file"`  // the file in examples/
	Model string `json:"model"` // the model to select with it
	Doc   string `json:"doc"`   // the program's //! lines
	Src   string `json:"src"`
}

// menu lists every entry; its test checks that it names every file.
var menu = []struct{ group, file, model, name string }{
	{Orderings, "sb.litmus", "c20", "Store buffering (Relaxed)"},
	{Orderings, "mp.litmus", "c20", "Message passing"},
	{Orderings, "lb.litmus", "c20", "Load buffering: no thin air"},
	{Orderings, "iriw.litmus", "c20", "Independent reads of independent writes"},
	{Orderings, "acqrel-vs-seqcst.litmus", "c20", "Acquire/Release versus SeqCst"},
	{Orderings, "spinlock.litmus", "c20", "A compare_and_swap spinlock"},
	{Orderings, "release-sequence.litmus", "c20", "Release sequences (C++20 vs C++11)"},
	{Fences, "acquire-fence.litmus", "c20", "Acquire fence"},
	{Fences, "acquire-fence-two-locations.litmus", "c20", "One acquire fence, two locations"},
	{Fences, "release-fence.litmus", "c20", "Release fence"},
	{Fences, "fence-fence.litmus", "c20", "Fence-fence synchronisation"},
	{Fences, "acqrel-fence.litmus", "c20", "An AcqRel fence carries happens-before"},
	{Fences, "seqcst-fences.litmus", "c20", "SeqCst fences and store buffering"},
	{Hardware, "stale-read.litmus", "mesi-weak", "A stale read from the mailbox (MESI)"},
	{Hardware, "sb.litmus", "x86", "Store buffering on x86-TSO"},
	{Hardware, "seqcst-fences.litmus", "x86", "SeqCst fences as mfence on x86"},
	{Hardware, "mp.litmus", "armv8", "Message passing on ARMv8"},
	{Hardware, "lb.litmus", "armv8", "Load buffering on ARMv8"},
	{Hardware, "iriw.litmus", "mesi-weak", "IRIW on the MESI machine with mailboxes"},
	{Rust, "scoped-threads.rs", "c20", "Scoped threads: store buffering as a program"},
	{Rust, "book-notation.rs", "c20", "The atomics book's notation (t_1, t_2)"},
	{Rust, "spawn-arc.rs", "c20", "thread::spawn with Arc and a Mutex"},
	{Rust, "loom-test.rs", "c20", "loom's README test (#[should_panic])"},
	{Rust, "struct-queue.rs", "c20", "A ring-buffer queue as a struct of atomics"},
}

// docs describe the files that must stay as their authors wrote them,
// without //! lines.
var docs = map[string]string{
	"book-notation.rs": "Declarations, then // t_1 and // t_2 comments, as the Rust atomics book prints its examples: message passing with a Release store and an Acquire load.",
	"loom-test.rs":     "loom's README test, unchanged: two threads increment with an Acquire load and a Release store, so an increment can be lost and the assertion fail, which #[should_panic] expects.",
}

// Menu returns every example in menu order. Files that the menu does not
// name yet come last, in a group of their own, so none is ever hidden.
func Menu() []Example {
	var out []Example
	named := map[string]bool{}
	for _, m := range menu {
		src, err := files.ReadFile(m.file)
		if err != nil {
			continue // the menu test reports it
		}
		named[m.file] = true
		out = append(out, Example{Group: m.group, Name: m.name, File: m.file, Model: m.model, Doc: doc(m.file, src), Src: string(src)})
	}
	for _, f := range Files() {
		if named[f] {
			continue
		}
		src, _ := files.ReadFile(f)
		name := strings.TrimSuffix(strings.TrimSuffix(path.Base(f), ".litmus"), ".rs")
		out = append(out, Example{Group: "More", Name: name, File: f, Model: "c20", Doc: doc(f, src), Src: string(src)})
	}
	return out
}

// Files lists the example files.
func Files() []string {
	names, _ := fs.Glob(files, "*.litmus")
	rs, _ := fs.Glob(files, "*.rs")
	return append(names, rs...)
}

// doc is the text of a program's leading //! lines, or its entry in docs.
func doc(file string, src []byte) string {
	if d, ok := docs[file]; ok {
		return d
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "//!") {
			if len(lines) > 0 {
				break
			}
			continue
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "//!")))
	}
	return strings.Join(lines, " ")
}

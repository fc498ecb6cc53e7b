package asm

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"happens/frontend"
	"happens/hw"
	"happens/prog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden lists every testdata/*.litmus for every architecture and
// compares with testdata/NAME.golden, which holds one "-- ARCH --" section
// per architecture. go test -run Golden -update rewrites them.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.litmus")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".litmus")
		t.Run(name, func(t *testing.T) {
			p := parseFile(t, file)
			var b strings.Builder
			for _, a := range hw.Archs {
				b.WriteString("-- " + string(a) + " --\n")
				if err := Write(&b, p, a); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			got := b.String()
			golden := strings.TrimSuffix(file, ".litmus") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (-want +got):\n%s", golden, diff(string(want), got))
			}
		})
	}
}

func parseFile(t *testing.T, file string) *prog.Program {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := frontend.Parse(filepath.Base(file), src, frontend.Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return p
}

// diff shows the first lines that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("-" + a + "\n+" + c + "\n")
			if shown++; shown == 10 {
				break
			}
		}
	}
	return b.String()
}

func listing(t *testing.T, src string, arch hw.Arch) string {
	t.Helper()
	p, err := frontend.Parse("t.litmus", []byte(src), frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Write(&b, p, arch); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWeakCAS checks what the issue asks the listing to say about
// compare_exchange_weak: on AArch64 v8.0 a single ldxr/stxr attempt that
// can fail spuriously, with no retry branch.
func TestWeakCAS(t *testing.T) {
	src := `
use std::sync::atomic::{AtomicU32, Ordering};
static X: AtomicU32 = AtomicU32::new(0);
thread t1 {
    let r = X.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed);
}
`
	got := listing(t, src, hw.AArch64)
	for _, want := range []string{"ldaxr   w0, [X]", "b.ne    2f", "stxr    w3, w2, [X]", "fails spuriously", "2:"} {
		if !strings.Contains(got, want) {
			t.Errorf("listing lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "cbnz    w3, 1b") {
		t.Errorf("a weak compare-exchange must not retry:\n%s", got)
	}
	strong := listing(t, strings.Replace(src, "_weak", "", 1), hw.AArch64)
	if !strings.Contains(strong, "cbnz    w3, 1b") || strings.Contains(strong, "spuriously") {
		t.Errorf("a strong compare-exchange retries and never fails spuriously:\n%s", strong)
	}
}

// TestEveryAccessListed checks, over the repository's examples and tests,
// that every reachable memory instruction of every thread appears in the
// listing, on every architecture, and that every branch goes to a label
// the listing has.
func TestEveryAccessListed(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../examples/*.litmus", "../../testdata/*.litmus", "testdata/*.litmus"} {
		more, _ := filepath.Glob(glob)
		files = append(files, more...)
	}
	for _, file := range files {
		p := parseFile(t, file)
		for _, a := range hw.Archs {
			var b strings.Builder
			if err := Write(&b, p, a); err != nil {
				t.Fatalf("%s %s: %v", file, a, err)
			}
			out := b.String()
			labels := map[string]bool{}
			for _, ln := range strings.Split(out, "\n") {
				if strings.HasPrefix(ln, ".L") && strings.HasSuffix(ln, ":") {
					labels[strings.TrimSuffix(ln, ":")] = true
				}
			}
			for _, ln := range strings.Split(out, "\n") {
				code, _, _ := strings.Cut(ln, dialects[a].comment)
				f := strings.Fields(code)
				if len(f) > 1 && strings.HasPrefix(f[len(f)-1], ".L") && !labels[f[len(f)-1]] {
					t.Errorf("%s %s: %q goes to a label the listing lacks:\n%s", file, a, ln, out)
				}
			}
			for _, th := range p.Threads {
				reach := reachable(th.Code)
				for pc, in := range th.Code {
					if !reach[pc] || !in.Op.IsMemory() || in.Text == "" {
						continue
					}
					if !strings.Contains(out, in.Text) {
						t.Errorf("%s %s: %s's %q is missing:\n%s", file, a, th.Name, in.Text, out)
					}
				}
			}
		}
	}
}

func TestUnknownArch(t *testing.T) {
	p := parseFile(t, "testdata/sb.litmus")
	if err := Write(&strings.Builder{}, p, "vax"); err == nil {
		t.Error("want an error for an unknown architecture")
	}
	if err := WriteTable(&strings.Builder{}, "vax"); err == nil {
		t.Error("want an error for an unknown architecture")
	}
}

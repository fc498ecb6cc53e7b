package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

var updateStamp = flag.Bool("update-stamp", false, "rewrite dist/happens.wasm.stamp (scripts/build-web.sh does, after building the engine)")

// TestSite checks the site's files refer to each other and the catalog
// decodes.
func TestSite(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"index.html", "app.js", "worker.js", "style.css", "wasm_exec.js", "happens.wasm.gz", "catalog.json", "licenses.txt"} {
		if len(files[name]) == 0 {
			t.Errorf("the site has no %s", name)
		}
	}
	index := string(files["index.html"])
	if !strings.Contains(index, `<script id="catalog" type="application/json">{"groups":`) {
		t.Error("index.html does not carry the catalog")
	}
	for _, ref := range []string{`src="app.js"`, `href="style.css"`} {
		if !strings.Contains(index, ref) {
			t.Errorf("index.html does not load %s", ref)
		}
	}
	for _, ref := range []string{"wasm_exec.js", "happens.wasm.gz"} {
		if !bytes.Contains(files["worker.js"], []byte(ref)) {
			t.Errorf("worker.js does not load %s", ref)
		}
	}
	var cat struct {
		Examples []struct{ File, Src, Model string }
		Models   []struct{ Name string }
	}
	if err := json.Unmarshal(files["catalog.json"], &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Examples) == 0 || len(cat.Models) != 8 {
		t.Errorf("catalog: %d examples, %d models", len(cat.Examples), len(cat.Models))
	}
	zr, err := gzip.NewReader(bytes.NewReader(files["happens.wasm.gz"]))
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(zr, head); err != nil || string(head) != "\x00asm" {
		t.Errorf("happens.wasm.gz does not hold WebAssembly: %q %v", head, err)
	}
}

// TestWasmStamp fails when the committed engine is older than its Go
// sources. The stamp holds a hash of every file the engine is built from
// (the module's Go files and embedded files that cmd/happens-wasm depends on
// for GOOS=js GOARCH=wasm, go.mod, go.sum and the build script) and a hash
// of happens.wasm.gz as built from them. Checking the hash of the sources
// costs one `go list`, where rebuilding the engine would take a minute.
func TestWasmStamp(t *testing.T) {
	sources, err := sourceHash()
	if err != nil {
		t.Fatal(err)
	}
	gz, err := os.ReadFile("dist/happens.wasm.gz")
	if err != nil {
		t.Fatal(err)
	}
	stamp := fmt.Sprintf("# scripts/build-web.sh built happens.wasm.gz from the sources with this hash; go test ./web compares.\nsources %s\nwasm.gz %x\ngo %s\n",
		sources, sha256.Sum256(gz), runtime.Version())
	if *updateStamp {
		if err := os.WriteFile("dist/happens.wasm.stamp", []byte(stamp), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile("dist/happens.wasm.stamp")
	if err != nil {
		t.Fatalf("%v: run scripts/build-web.sh --wasm", err)
	}
	want := map[string]string{}
	for _, l := range strings.Split(string(old), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok && !strings.HasPrefix(l, "#") {
			want[k] = v
		}
	}
	if want["sources"] != sources {
		t.Errorf("web/dist/happens.wasm.gz is stale: the Go sources of the engine changed since it was built. Run scripts/build-web.sh --wasm and commit web/dist.")
	}
	if want["wasm.gz"] != fmt.Sprintf("%x", sha256.Sum256(gz)) {
		t.Errorf("web/dist/happens.wasm.gz is not the file scripts/build-web.sh stamped: run scripts/build-web.sh --wasm and commit web/dist.")
	}
}

// sourceHash hashes the files the engine is built from.
func sourceHash() (string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles,EmbedFiles,Module", "../cmd/happens-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir        string
			GoFiles    []string
			EmbedFiles []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); err != nil {
			return "", err
		}
		if p.Module == nil || p.Module.Path != "happens" {
			continue
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			files = append(files, filepath.Join(p.Dir, f))
		}
	}
	files = append(files, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"), filepath.Join(root, "scripts", "build-web.sh"))
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// TestDistFiles: web/dist holds what scripts/build-web.sh builds and
// nothing else. Every file there is embedded and served, so a stale one
// left by an old build would ship unnoticed (the script's --check, which
// CI runs, fails on it too).
func TestDistFiles(t *testing.T) {
	entries, err := os.ReadDir("dist")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"app.js", "happens.wasm.gz", "happens.wasm.stamp", "index.html", "licenses.txt", "style.css", "wasm_exec.js", "worker.js"}
	if !slices.Equal(got, want) {
		t.Errorf("web/dist holds %v, want %v: remove what no build makes (or, for a new built file, add it here)", got, want)
	}
}

func TestCatalog(t *testing.T) {
	c := NewCatalog()
	var models []string
	for _, m := range c.Models {
		models = append(models, m.Name)
	}
	want := []string{"sc", "c11", "rc11", "c20", "x86", "armv8", "mesi-strong", "mesi-weak"}
	if !slices.Equal(models, want) {
		t.Errorf("models %v, want %v", models, want)
	}
	if !slices.Equal(c.Groups, []string{"Memory orderings", "Fences", "Hardware", "Rust programs"}) {
		t.Errorf("groups %v", c.Groups)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Error(err)
	}
}

package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSiteHandler(t *testing.T) {
	h, err := SiteHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path, enc, etag string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	r := get("/", "identity", "")
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "happens playground") {
		t.Errorf("/: %d %s %.80q", r.StatusCode, r.Header.Get("Content-Type"), body)
	}
	r = get("/app.js", "gzip", "")
	zr, err := gzip.NewReader(r.Body)
	if err != nil || r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("app.js gzip: %v %q", err, r.Header.Get("Content-Encoding"))
	}
	if b, _ := io.ReadAll(zr); len(b) < 1000 {
		t.Errorf("app.js: %d bytes", len(b))
	}
	r.Body.Close()
	etag := r.Header.Get("ETag")
	if r = get("/app.js", "gzip", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", r.StatusCode)
	}
	// The engine is gzipped already and goes out as it is.
	if r = get("/happens.wasm.gz", "gzip", ""); r.Header.Get("Content-Encoding") != "" || r.Header.Get("Content-Type") != "application/gzip" {
		t.Errorf("wasm: %v", r.Header)
	}
	if r = get("/catalog.json", "", ""); r.StatusCode != 200 {
		t.Errorf("catalog: %d", r.StatusCode)
	}
	if r = get("/nope", "", ""); r.StatusCode != 404 {
		t.Errorf("/nope: %d", r.StatusCode)
	}
	if r = get("/../go.mod", "", ""); r.StatusCode != 404 {
		t.Errorf("/../go.mod: %d", r.StatusCode)
	}
}

func TestServeCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	status := make(chan int, 1)
	go func() {
		status <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, nil, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("serve printed %q", line)
	}
	url := strings.Fields(line[i:])[0]
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("%s: %d", url, resp.StatusCode)
	}
	cancel()
	select {
	case st := <-status:
		if st != ExitOK {
			t.Errorf("serve exited %d", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	if st := Run(context.Background(), []string{"serve", "extra"}, nil, io.Discard, io.Discard); st != ExitUsage {
		t.Errorf("serve extra: %d", st)
	}
}

func TestSiteCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	var out strings.Builder
	if st := Run(context.Background(), []string{"site", dir}, nil, &out, io.Discard); st != ExitOK {
		t.Fatalf("site: %d", st)
	}
	for _, f := range []string{"index.html", "app.js", "worker.js", "wasm_exec.js", "happens.wasm.gz", "catalog.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if st := Run(context.Background(), []string{"site"}, nil, io.Discard, io.Discard); st != ExitUsage {
		t.Errorf("site without DIR: %d", st)
	}
}

package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"happens/web"
)

// serveCommand is `happens serve [--addr 127.0.0.1:8080]`: the playground,
// from the files embedded in the binary. Every exploration runs in the
// visitor's browser; the server only hands out files.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: happens serve [--addr 127.0.0.1:8080]")
		return ExitUsage
	}
	h, err := SiteHandler()
	if err != nil {
		fmt.Fprintf(stderr, "happens serve: %v\n", err)
		return ExitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "happens serve: %v\n", err)
		return ExitUsage
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "happens playground: http://%s/  (Ctrl-C stops it)\n", displayAddr(ln.Addr()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "happens serve: %v\n", err)
		return ExitUsage
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return ExitOK
	}
}

// displayAddr names a listening address the way a browser wants it.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

type siteFile struct {
	body, gz []byte
	etag     string
	ctype    string
}

// SiteHandler serves the playground's files: / is index.html; text files
// go out gzipped to clients that accept it; every file carries a content
// hash as its ETag and must be revalidated, so a new binary's page is
// never mixed with an old cached engine.
func SiteHandler() (http.Handler, error) {
	files, err := web.Files()
	if err != nil {
		return nil, err
	}
	site := map[string]*siteFile{}
	for name, b := range files {
		f := &siteFile{body: b, ctype: web.ContentType(name), etag: etag(b)}
		if strings.HasPrefix(f.ctype, "text/") || f.ctype == "application/json" {
			var z bytes.Buffer
			w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			w.Write(b)
			w.Close()
			f.gz = z.Bytes()
		}
		site[name] = f
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		f := site[name]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		hd := w.Header()
		hd.Set("Content-Type", f.ctype)
		hd.Set("Cache-Control", "no-cache")
		hd.Set("X-Content-Type-Options", "nosniff")
		body, etag := f.body, f.etag
		if f.gz != nil {
			hd.Set("Vary", "Accept-Encoding")
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				hd.Set("Content-Encoding", "gzip")
				body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			}
		}
		hd.Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	}), nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return fmt.Sprintf(`"%x"`, sum[:8])
}

// siteCommand is `happens site DIR`: the playground's files, for any static
// file host.
func siteCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: happens site DIR")
		return ExitUsage
	}
	dir := fs.Arg(0)
	files, err := web.Files()
	if err != nil {
		fmt.Fprintf(stderr, "happens site: %v\n", err)
		return ExitUsage
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "happens site: %v\n", err)
		return ExitUsage
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			fmt.Fprintf(stderr, "happens site: %v\n", err)
			return ExitUsage
		}
	}
	fmt.Fprintf(stdout, "wrote the playground (%d files) to %s; serve the directory with any static file server and open index.html through it\n", len(names), dir)
	return ExitOK
}

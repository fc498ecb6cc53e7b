// Package web is the playground's static site, embedded: the page and its
// script (bundled from web/ui), the engine compiled to WebAssembly
// (cmd/happens-wasm, gzipped), Go's JavaScript glue for it, and the
// examples catalog. The one binary is the whole site: `happens serve`
// serves these files and `happens site DIR` writes them out; nothing here
// touches the network or the file system.
//
// The files in dist are built by scripts/build-web.sh and committed, so
// that `go install` needs no Node.js. The tests fail when they are stale.
package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed dist/*.html dist/*.js dist/*.css dist/*.gz dist/*.txt
var dist embed.FS

// Files returns every file of the site, by path relative to its root
// ("index.html", "happens.wasm.gz", "catalog.json").
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		out[path.Base(p)] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	cat, err := json.Marshal(NewCatalog())
	if err != nil {
		return nil, err
	}
	out["catalog.json"] = cat
	// The page carries the catalog too, saving a request before it is
	// usable. json.Marshal escapes <, > and &, so the JSON cannot end the
	// script element it sits in.
	index := string(out["index.html"])
	if !strings.Contains(index, catalogSlot) {
		return nil, fmt.Errorf("web: index.html has no %s", catalogSlot)
	}
	out["index.html"] = []byte(strings.Replace(index, catalogSlot, `<script id="catalog" type="application/json">`+string(cat)+`</script>`, 1))
	return out, nil
}

// catalogSlot is where index.html takes the catalog.
const catalogSlot = `<script id="catalog" type="application/json">{}</script>`

// ContentType is the media type a file of the site is served with.
func ContentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".gz":
		return "application/gzip"
	case ".wasm":
		return "application/wasm"
	}
	return "application/octet-stream"
}

#!/usr/bin/env bash
# Rebuilds the playground's committed artefacts in web/dist. `go install`
# runs no build steps, so what the page needs is built here and committed:
#
#   app.js worker.js index.html style.css licenses.txt
#       the page, bundled by esbuild from web/ui (npm ci: versions pinned in
#       web/ui/package-lock.json)
#   happens.wasm.gz wasm_exec.js happens.wasm.stamp
#       the engine: cmd/happens-wasm built with GOOS=js GOARCH=wasm, gzipped;
#       Go's JavaScript glue of the same Go version; and the stamp, a hash of
#       every Go source the engine is built from (go test ./web fails when it
#       is stale: rerun this script after changing the engine)
#
# Usage:
#   scripts/build-web.sh            rebuild everything
#   scripts/build-web.sh --js       only the page
#   scripts/build-web.sh --wasm     only the engine
#   scripts/build-web.sh --check    build the page into a temporary directory and
#                                   fail if it differs from web/dist (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."

js=1 wasm=1 check=0
for a in "$@"; do
  case "$a" in
    --js) wasm=0 ;;
    --wasm) js=0 ;;
    --check) check=1 wasm=0 ;;
    *) echo "usage: $0 [--js|--wasm|--check]" >&2; exit 2 ;;
  esac
done

dist=web/dist
# What --wasm writes into web/dist (the page's files are whatever
# web/ui/build.mjs writes).
engine_files="happens.wasm.gz wasm_exec.js happens.wasm.stamp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$js" = 1 ]; then
  command -v npm >/dev/null || { echo "build-web: npm is needed (Node.js 20 or later)" >&2; exit 1; }
  (cd web/ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  if [ "$check" = 1 ]; then
    node web/ui/build.mjs --outdir "$tmp/page"
    status=0
    for f in "$tmp"/page/*; do
      if ! cmp -s "$f" "$dist/$(basename "$f")"; then
        echo "build-web: web/dist/$(basename "$f") differs from a fresh build of web/ui: run scripts/build-web.sh --js and commit web/dist" >&2
        status=1
      fi
    done
    # Every file in web/dist is embedded and served: one that no build
    # makes (left over from an old build, or added by hand) must go.
    for f in "$dist"/* "$dist"/.[!.]*; do
      [ -e "$f" ] || continue
      name=$(basename "$f")
      case " $engine_files " in *" $name "*) continue ;; esac
      if [ ! -e "$tmp/page/$name" ]; then
        echo "build-web: web/dist/$name is not built by this script: remove it (git rm web/dist/$name)" >&2
        status=1
      fi
    done
    [ "$status" = 0 ] && echo "build-web: web/dist's page matches a fresh build, and holds nothing else"
    exit "$status"
  fi
  node web/ui/build.mjs --outdir "$dist"
  echo "build-web: page built into $dist"
fi

if [ "$wasm" = 1 ]; then
  # satconv and signext: WebAssembly features every current browser has,
  # which make the engine markedly faster (BENCHMARKS.md).
  GOOS=js GOARCH=wasm GOWASM=satconv,signext \
    go build -trimpath -ldflags='-s -w -buildid=' -o "$tmp/happens.wasm" ./cmd/happens-wasm
  gzip -9 -n <"$tmp/happens.wasm" >"$dist/happens.wasm.gz"
  cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$dist/wasm_exec.js"
  go test ./web -run '^TestWasmStamp$' -count=1 -update-stamp >/dev/null
  echo "build-web: engine built: $(wc -c <"$tmp/happens.wasm") bytes, $(wc -c <"$dist/happens.wasm.gz") gzipped"
fi

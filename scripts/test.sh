#!/usr/bin/env bash
# The project's one test command: vet, every test (the playground's browser
# tests need Chromium: .ci/run installs it), the WebAssembly bridge's tests
# under Node, the check that the committed page matches a fresh build, a
# sharded run on a throwaway Slurm cluster (deploy/slurm/test.sh: installs
# slurm-wlm and munge when missing; HAPPENS_SLURM_TEST=skip skips it), then
# a short fuzz run of each parser. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
GOOS=js GOARCH=wasm go vet ./cmd/happens-wasm ./web/playground
go test ./...
# The engine as the browser runs it: GOOS=js GOARCH=wasm, executed by Node.
GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./cmd/happens-wasm
# The committed page (web/dist) must be what web/ui builds to.
bash scripts/build-web.sh --check
# One exploration as a Slurm job array, merged, on a one-node cluster
# started and stopped here (about 30 s, plus the install the first time).
if [ "${HAPPENS_SLURM_TEST:-}" = skip ]; then
  echo "scripts/test.sh: HAPPENS_SLURM_TEST=skip: the Slurm test is skipped"
else
  bash deploy/slurm/test.sh
fi
# A count, not a duration: with a duration, Go 1.26's fuzz coordinator
# can report "context deadline exceeded" as a failure when the time runs
# out while a worker is busy (golang/go#75804, fixed in Go 1.27), which a
# loaded machine makes likely. 150,000 inputs take 5-20 s per parser here.
fuzztime=${FUZZTIME:-150000x}
for pkg in $(go list ./frontend/...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  if grep -qs 'func FuzzParse' "$dir"/*_test.go; then
    go test -run '^$' -fuzz '^FuzzParse$' -fuzztime "$fuzztime" "$pkg"
  fi
done

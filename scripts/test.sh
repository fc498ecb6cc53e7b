#!/usr/bin/env bash
# The project's one test command: vet, every test, then a short fuzz run of
# each parser. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
go test ./...
fuzztime=${FUZZTIME:-15s}
for pkg in $(go list ./frontend/...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  if grep -qs 'func FuzzParse' "$dir"/*_test.go; then
    go test -run '^$' -fuzz '^FuzzParse$' -fuzztime "$fuzztime" "$pkg"
  fi
done

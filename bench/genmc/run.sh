#!/usr/bin/env bash
# Runs GenMC's synthetic benchmarks (bench/genmc/*.rs) with a happens built
# from this tree, one core, and rewrites the "GenMC benchmarks" section of
# BENCHMARKS.md. Flags go to the harness (bench/genmc/main.go), e.g.
#   bench/genmc/run.sh -timeout 120s
#   bench/genmc/run.sh -only coa,big0 -md ''     (print, do not write)
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/happens" ./cmd/happens
go build -o "$tmp/genmc" ./bench/genmc
pin=()
if command -v taskset >/dev/null; then
  pin=(taskset -c 0)
else
  echo "run.sh: taskset not found; running unpinned (GOMAXPROCS=1 still holds)" >&2
fi
GOMAXPROCS=1 "${pin[@]}" "$tmp/genmc" -happens "$tmp/happens" "$@"

#!/usr/bin/env bash
# Times happens on the whole herd7 conformance corpus (rc11), three runs,
# and prints a Markdown table row per run. Usage: bench/corpus.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/conformance/herd-c11}
[ -d "$dir" ] || { echo "no corpus at $dir" >&2; exit 1; }
go build -o /tmp/happens-bench ./cmd/happens
n=$(find "$dir" -name '*.litmus' | wc -l)
echo "| run | tests | wall time (s) | per test (ms) |"
echo "|---|---|---|---|"
for i in 1 2 3; do
  start=$(date +%s.%N)
  /tmp/happens-bench run --model rc11 "$dir" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v i="$i" -v n="$n" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "| %d | %d | %.2f | %.2f |\n", i, n, t, 1000 * t / n }'
done

#!/usr/bin/env bash
# Times `happens explain --model armv8` against `happens run --model armv8`
# on every file of examples/ and testdata/ (issue 8 §6: explain within 10×
# of run). Prints a Markdown table, one row per file, slowest explain
# first; a file whose explain does not finish within LIMIT seconds
# (default 60) shows "> LIMIT". Files without a condition are asked about
# with --outcome true. Usage: bench/explain-armv8.sh [LIMIT] [BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${1:-60}
bin=${2:-/tmp/happens-bench-explain}
[ $# -ge 2 ] || go build -o "$bin" ./cmd/happens || exit 1
uptime >&2
err=$(mktemp)
trap 'rm -f "$err"' EXIT
secs() { # runs "$@" with the limit; prints the wall time in seconds or "> limit"
  local s e rc
  s=$(date +%s.%N)
  timeout "$limit" "$@" >/dev/null 2>"$err"
  rc=$?
  e=$(date +%s.%N)
  if [ $rc -eq 124 ]; then echo "> $limit"; else awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; fi
}
rows=()
for f in examples/*.litmus examples/*.rs testdata/*.litmus testdata/*.rs; do
  [ -f "$f" ] || continue
  r=$(secs "$bin" run --model armv8 "$f")
  x=$(secs "$bin" explain --model armv8 "$f")
  if grep -q 'has no condition' "$err"; then
    x=$(secs "$bin" explain --model armv8 --outcome true "$f")
  fi
  ratio=$(awk -v r="$r" -v x="$x" 'BEGIN { if (x ~ />/ || r ~ />/ || r + 0 == 0) print "-"; else printf "%.1f", x / r }')
  rows+=("$(printf '| %s | %s | %s | %s |' "$f" "$r" "$x" "$ratio")")
done
echo "| file | run (s) | explain (s) | explain / run |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}" | sort -t'|' -k4 -g -r

#!/usr/bin/env bash
# Submits one happens exploration to Slurm as a job array of N shards and a
# merge job that runs when they have all ended. See README.md beside this
# file.
#
#   deploy/slurm/submit.sh [-o RESULTS] N FILE [happens run flags...]
#
# RESULTS (default ./happens-results) must be on a file system the compute
# nodes share, as must FILE and the happens binary ($HAPPENS, default the
# happens on PATH). Each shard gets $HAPPENS_CPUS cores (default 1).
# sbatch's own variables choose the rest: SBATCH_PARTITION,
# SBATCH_TIMELIMIT, SBATCH_ACCOUNT, SBATCH_QOS...
#
# It prints the two job ids, last, as SHARDS_JOB=ID and MERGE_JOB=ID.
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
usage() {
  echo "usage: $0 [-o RESULTS] N FILE [happens run flags, e.g. --model rc11 -D N=4]" >&2
  exit 2
}
results="happens-results"
while getopts "o:h" opt; do
  case $opt in
  o) results=$OPTARG ;;
  *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
n=$1
file=$2
shift 2
flags=("$@")
case $n in
'' | *[!0-9]* | 0*) echo "happens-submit: N must be a positive number of shards, not '$n'" >&2; exit 2 ;;
esac
[ -f "$file" ] || { echo "happens-submit: $file: no such file" >&2; exit 2; }
for f in "${flags[@]}"; do
  case $f in
  --shard* | -shard* | --json* | -json* | --format* | -format* | --jobs* | -jobs* | --show* | -show* | --max-executions* | -max-executions*)
    echo "happens-submit: $f is set by the shard script or cannot be split into shards; give only the exploration's flags (--model, --unroll, -D, --test, --timeout)" >&2
    exit 2
    ;;
  esac
done
happens=${HAPPENS:-$(command -v happens || true)}
[ -n "$happens" ] && [ -x "$happens" ] || {
  echo "happens-submit: no happens binary: put it on PATH or set HAPPENS=/shared/path/happens" >&2
  exit 2
}
happens=$(cd "$(dirname "$happens")" && pwd)/$(basename "$happens")
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
# The program and flags must be good: a mistake is better found now than
# by N tasks. A millisecond of the first shard tells (exit 2: bad input).
tmp=$(mktemp "${TMPDIR:-/tmp}/happens-submit.XXXXXX")
check=0
"$happens" run --progress=false --json --shard "1/$n" "${flags[@]}" --timeout 1ms "$file" >"$tmp.out" 2>"$tmp" || check=$?
tests=$(grep -c '^{' "$tmp.out" || true)
units=$(sed -n 's/^ *"units": *\([0-9]*\).*/\1/p' "$tmp.out" | head -1)
if [ "$check" = 2 ]; then
  cat "$tmp" >&2
  rm -f "$tmp" "$tmp.out"
  echo "happens-submit: happens run refuses the program or its flags (above); nothing submitted" >&2
  exit 2
fi
rm -f "$tmp" "$tmp.out"
if [ -n "$units" ] && [ "$units" -lt "$n" ]; then
  echo "happens-submit: warning: the exploration splits into $units part(s) only (c11 and armv8 into one): $((n - units)) of the $n shards will have nothing to do" >&2
fi
if [ "$tests" -gt 1 ]; then
  # happens merge adds up the parts of one test.
  echo "happens-submit: $file has $tests #[test] functions: submit each on its own, with --test NAME" >&2
  exit 2
fi
mkdir -p "$results/logs"
results=$(cd "$results" && pwd)
if [ -e "$results/run.env" ]; then
  echo "happens-submit: $results already holds a run ($results/run.env); rerun its shards with $deploy/rerun.sh $results K..., or choose another -o" >&2
  exit 2
fi
{
  echo "# written by deploy/slurm/submit.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); read by shard.sbatch, merge.sbatch and rerun.sh"
  printf 'HAPPENS=%q\n' "$happens"
  printf 'FILE=%q\n' "$file"
  printf 'SHARDS=%q\n' "$n"
  printf 'CPUS=%q\n' "${HAPPENS_CPUS:-1}"
  printf 'DEPLOY=%q\n' "$deploy"
  printf 'FLAGS=('
  for f in "${flags[@]}"; do printf ' %q' "$f"; done
  printf ' )\n'
} >"$results/run.env"
exec "$deploy/rerun.sh" --first "$results" $(seq 1 "$n")

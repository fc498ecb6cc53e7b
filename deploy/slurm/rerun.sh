#!/usr/bin/env bash
# Reruns shards of a happens run submitted by submit.sh (a shard whose task
# failed: node failure, time limit, out of memory), each on its own, with
# the same program, flags and binary, then merges again:
#
#   deploy/slurm/rerun.sh RESULTS K [K...]
#
# K counts from 1, as in part-K.json and in the merge's list of missing
# shards. The other shards' results are kept. It prints the two job ids,
# last, as SHARDS_JOB=ID and MERGE_JOB=ID.
set -euo pipefail
first=false
if [ "${1:-}" = --first ]; then # from submit.sh: the whole array
  first=true
  shift
fi
[ $# -ge 2 ] || { echo "usage: $0 RESULTS K [K...]   (K = 1…N, as named by the merge)" >&2; exit 2; }
results=$(cd "$1" && pwd)
shift
[ -f "$results/run.env" ] || { echo "happens-rerun: $results/run.env is missing: not a directory made by submit.sh" >&2; exit 2; }
# shellcheck source=/dev/null
source "$results/run.env"
indices=()
for k in "$@"; do
  case $k in
  '' | *[!0-9]* | 0*) echo "happens-rerun: shard '$k' is not a number from 1 to $SHARDS" >&2; exit 2 ;;
  esac
  if [ "$k" -gt "$SHARDS" ]; then
    echo "happens-rerun: shard $k: this run has $SHARDS shards" >&2
    exit 2
  fi
  indices+=($((k - 1)))
done
array=$(IFS=,; echo "${indices[*]}")
if $first; then
  array="0-$((SHARDS - 1))"
else
  # The old results of these shards go; the merge waits for the new ones.
  for k in "$@"; do rm -f "$results/part-$k.json"; done
fi
rm -f "$results/merge.status"
if ! shards_job=$(sbatch --parsable --array="$array" --cpus-per-task="$CPUS" --chdir="$results" \
  --output="$results/logs/shard-%a-%A.out" "$DEPLOY/shard.sbatch" "$results"); then
  # Nothing was submitted: a first submission may be tried again.
  $first && rm -f "$results/run.env"
  echo "happens-submit: sbatch failed (above); nothing submitted" >&2
  exit 1
fi
shards_job=${shards_job%%;*}
merge_job=$(sbatch --parsable --dependency="afterany:$shards_job" --chdir="$results" \
  --output="$results/logs/merge-%j.out" "$DEPLOY/merge.sbatch" "$results")
merge_job=${merge_job%%;*}
what="shards $*"
$first && what="$SHARDS shards"
echo "happens-submit: $what of $FILE: array job $shards_job, then merge job $merge_job" >&2
echo "  watch:   squeue -j $shards_job,$merge_job" >&2
echo "  result:  $results/merged.json, exit status in $results/merge.status (0 verified, 1 failure found, 3 partial)" >&2
echo "  logs:    $results/logs/" >&2
echo "SHARDS_JOB=$shards_job"
echo "MERGE_JOB=$merge_job"

#!/usr/bin/env bash
# The Slurm deployment, for real, on a throwaway single-node cluster on this
# machine: installs Debian's slurm-wlm and munge when missing, starts
# munged (with a key made here), slurmctld and slurmd (with a slurm.conf
# made here) in a temporary directory, without systemd, then
#   1. submits an array of 4 shards of a benchmark and the merge job with
#      submit.sh, waits for them, and checks that the merged result is the
#      one a single local happens run gives (all but time and provenance);
#   2. submits the same again with shard 3 failing once (as a node failure
#      would): the merge runs all the same, is partial and names shard 3;
#      rerun.sh reruns shard 3 alone and the merge is then complete and
#      equal to the local run again;
# and stops the cluster, leaving nothing running. It prints each shard's
# time, the wall time and the speed-up against one core. Run by
# scripts/test.sh (and so by .ci/run).
#
# HAPPENS_SLURM_PROGRAM (default bench/genmc/coa.rs), HAPPENS_SLURM_SHARDS
# (default 4) and HAPPENS_SLURM_FLAGS (default none) choose the run.
# HAPPENS_SLURM_KEEP=1 keeps the temporary directory (logs, results).
#
# When Slurm cannot start here, it says precisely why, with the daemon's
# own words, and fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
program=${HAPPENS_SLURM_PROGRAM:-bench/genmc/coa.rs}
shards=${HAPPENS_SLURM_SHARDS:-4}
read -r -a flags <<<"${HAPPENS_SLURM_FLAGS:-}"
t0=$(date +%s)

say() { echo "slurm-test: $*"; }
fail() {
  echo "slurm-test: FAIL: $*" >&2
  exit 1
}
cannot() {
  echo "slurm-test: SLURM CANNOT START IN THIS ENVIRONMENT: $*" >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# 1. Slurm and munge, from Debian, when missing (and jq, to compare JSON).
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
missing=()
for c in slurmctld slurmd sbatch munged jq; do
  command -v "$c" >/dev/null || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing slurm-wlm, munge and jq (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  pkgs=(slurm-wlm munge jq)
  if ! $sudo apt-get install -y --no-install-recommends "${pkgs[@]}" >/tmp/happens-slurm-apt.log 2>&1; then
    $sudo apt-get update >>/tmp/happens-slurm-apt.log 2>&1 || true
    $sudo apt-get install -y --no-install-recommends "${pkgs[@]}" >>/tmp/happens-slurm-apt.log 2>&1 ||
      cannot "apt-get install ${pkgs[*]} failed: $(tail -3 /tmp/happens-slurm-apt.log | tr '\n' ' ')"
  fi
  for c in slurmctld slurmd sbatch munged jq; do
    command -v "$c" >/dev/null || cannot "$c is still missing after installing ${pkgs[*]}"
  done
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -1)"

# 2. A temporary directory for the whole cluster: keys, sockets, state,
# spool, logs, results.
work=$(mktemp -d "${TMPDIR:-/tmp}/happens-slurm.XXXXXX")
chmod 755 "$work"
mkdir -p "$work/munge" "$work/sock" "$work/state" "$work/spool" "$work/log" "$work/bin"
chmod 700 "$work/munge" # the key's
chmod 755 "$work/sock"  # the socket's: every user may talk to munged
export SLURM_CONF="$work/slurm.conf"
munged_pid="" ctld_pid="" slurmd_pid=""

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
stop_pid() { # stop_pid PID NAME: wait for it, then TERM, then KILL
  local pid=$1 i
  alive "$pid" || return 0
  for i in $(seq 50); do alive "$pid" || return 0; sleep 0.2; done
  kill "$pid" 2>/dev/null || true
  for i in $(seq 25); do alive "$pid" || return 0; sleep 0.2; done
  echo "slurm-test: $2 (pid $pid) does not stop; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$? i p left=()
  set +e
  if alive "$ctld_pid"; then
    scancel --partition=happens >/dev/null 2>&1
    for i in $(seq 50); do
      [ -z "$(squeue -h -p happens 2>/dev/null)" ] && break
      sleep 0.2
    done
    scontrol shutdown >/dev/null 2>&1
  fi
  stop_pid "$slurmd_pid" slurmd
  stop_pid "$ctld_pid" slurmctld
  if alive "$munged_pid"; then
    munged --stop --socket="$work/sock/munge.socket" >/dev/null 2>&1
    stop_pid "$munged_pid" munged
  fi
  # Anything else this cluster started (a job step, a job's process) has
  # its working directory in $work: end those, by pid.
  for p in /proc/[0-9]*; do
    case $(readlink "$p/cwd" 2>/dev/null) in
    "$work" | "$work"/*) left+=("${p#/proc/}") ;;
    esac
  done
  if [ ${#left[@]} -gt 0 ]; then
    echo "slurm-test: ending processes left in $work: ${left[*]}" >&2
    kill -9 "${left[@]}" 2>/dev/null
  fi
  if [ "$status" != 0 ]; then
    for f in "$work"/log/*.log "$work"/run*/logs/*; do
      [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
    done >&2
  fi
  if [ -n "${HAPPENS_SLURM_KEEP:-}" ]; then
    echo "slurm-test: kept $work" >&2
  else
    rm -rf "$work"
  fi
  say "cluster stopped ($(($(date +%s) - t0)) s in all)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. munged, with a key made here.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$work/sock/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
  >>"$work/log/munged.out" 2>&1 &
munged_pid=$!
for i in $(seq 50); do
  [ -S "$work/sock/munge.socket" ] && break
  alive "$munged_pid" || cannot "munged exited: $(cat "$work/log/munged.out" "$work/log/munged.log" 2>/dev/null | grep -i -E "error|fatal" | tail -3 | tr "\n" " ")"
  sleep 0.1
done
[ -S "$work/sock/munge.socket" ] || cannot "munged made no socket in 5 s: $(tail -3 "$work/log/munged.log" | tr '\n' ' ')"
cred=$(munge --socket="$work/sock/munge.socket" -n 2>&1) || cannot "munge cannot make a credential: $cred"
unmunge --socket="$work/sock/munge.socket" <<<"$cred" >/dev/null 2>&1 || cannot "unmunge cannot read a credential munged made: $(unmunge --socket="$work/sock/munge.socket" <<<"$cred" 2>&1 | head -2)"

# 4. slurm.conf, for one node: this machine, on the loopback, on two free
# ports.
free_port() {
  local p i
  for i in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    [ "$p" != "${1:-}" ] || continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  cannot "no free TCP port found on 127.0.0.1"
}
ctld_port=$(free_port)
slurmd_port=$(free_port "$ctld_port")
host=$(uname -n)
host=${host%%.*}
cpus=$(nproc)
user=$(id -un)
cat >"$SLURM_CONF" <<EOF
# A throwaway single-node cluster made by deploy/slurm/test.sh.
ClusterName=happenstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/sock/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=60
SlurmctldDebug=info
SlurmdDebug=info
NodeName=happens-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=happens Nodes=happens-node Default=YES MaxTime=INFINITE State=UP
EOF

# 5. slurmctld and slurmd, in the foreground (-D), in the background here.
slurmctld -D -f "$SLURM_CONF" >>"$work/log/slurmctld.out" 2>&1 &
ctld_pid=$!
for i in $(seq 100); do
  scontrol ping 2>/dev/null | grep -q "is UP" && break
  alive "$ctld_pid" || cannot "slurmctld exited: $(grep -h -i -E 'error|fatal' "$work/log/slurmctld.out" "$work/log/slurmctld.log" 2>/dev/null | tail -3 | tr '\n' ' ')"
  sleep 0.2
done
scontrol ping 2>/dev/null | grep -q "is UP" || cannot "slurmctld does not answer in 20 s: $(scontrol ping 2>&1 | tr '\n' ' ') $(tail -3 "$work/log/slurmctld.log" | tr '\n' ' ')"
slurmd -D -f "$SLURM_CONF" -N happens-node >>"$work/log/slurmd.out" 2>&1 &
slurmd_pid=$!
state=""
for i in $(seq 150); do
  state=$(sinfo -h -n happens-node -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  alive "$slurmd_pid" || cannot "slurmd exited: $(grep -h -i -E 'error|fatal' "$work/log/slurmd.out" "$work/log/slurmd.log" 2>/dev/null | grep -v pmix | tail -3 | tr '\n' ' ')"
  sleep 0.2
done
[ "$state" = idle ] || cannot "the node is '$state', not idle, 30 s after slurmd started: $(scontrol show node happens-node 2>&1 | grep -i reason | tr '\n' ' ') $(tail -3 "$work/log/slurmd.log" | tr '\n' ' ')"
say "cluster up: slurmctld on 127.0.0.1:$ctld_port, slurmd ($cpus CPUs) on :$slurmd_port, in $work ($(($(date +%s) - t0)) s)"

# 6. happens, and the reference: one local run of the whole program, on one
# core.
go build -o "$work/bin/happens" ./cmd/happens
# The binary the jobs run (submit.sh's default is the one on PATH, which a
# fresh machine does not have).
export HAPPENS="$work/bin/happens"
canon() { jq -S 'del(.elapsed_ms, .run, .shard)' "$1"; }
whole_status=0
start=$(now_ms)
"$work/bin/happens" run --json --progress=false --jobs 1 "${flags[@]}" "$program" >"$work/whole.json" || whole_status=$?
whole_ms=$(($(now_ms) - start))
case $whole_status in 0 | 1 | 3) ;; *) fail "happens run $program: exit $whole_status" ;; esac
whole_execs=$(jq .executions "$work/whole.json")
say "local run, one core: $program, $whole_execs executions in $whole_ms ms (exit $whole_status)"

# wait_jobs ID...: until no job of these ids is pending or running.
wait_jobs() {
  local i ids
  ids=$(IFS=,; echo "$*")
  for i in $(seq 1500); do
    [ -z "$(squeue -h -j "$ids" -t PD,R,CG,CF,S 2>/dev/null)" ] && return 0
    if [ $((i % 100)) = 0 ]; then squeue -j "$ids" >&2; fi
    sleep 0.2
  done
  squeue -j "$ids" >&2
  fail "jobs $ids still not done after 300 s"
}
# submit ARGS...: runs submit.sh or rerun.sh, sets shards_job and merge_job.
submit() {
  local out
  out=$("$@") || fail "$* failed"
  shards_job=$(sed -n 's/^SHARDS_JOB=//p' <<<"$out")
  merge_job=$(sed -n 's/^MERGE_JOB=//p' <<<"$out")
  [ -n "$shards_job" ] && [ -n "$merge_job" ] || fail "$*: no job ids in its output: $out"
}
# same_as_whole DIR: the merged result is the local run's.
same_as_whole() {
  [ -f "$1/merge.status" ] || fail "$1: the merge job left no merge.status"
  [ "$(cat "$1/merge.status")" = "$whole_status" ] || fail "$1: merge exit $(cat "$1/merge.status"), local run exit $whole_status"
  if ! diff <(canon "$work/whole.json") <(canon "$1/merged.json") >"$work/diff.txt"; then
    head -40 "$work/diff.txt" >&2
    fail "$1/merged.json differs from the local run (above: < local, > merged)"
  fi
  jq -e --argjson n "$shards" '.shard == null and .complete == true and (.run.fingerprint | length) > 0' "$1/merged.json" >/dev/null ||
    fail "$1/merged.json: not a complete merge of the shards"
}

# 7. The whole run: N shards as a job array, then the merge.
start=$(now_ms)
submit deploy/slurm/submit.sh -o "$work/run1" "$shards" "$program" "${flags[@]}"
wait_jobs "$shards_job" "$merge_job"
wall_ms=$(($(now_ms) - start))
same_as_whole "$work/run1"
for ((k = 1; k <= shards; k++)); do
  jq -e --arg k "$k" --argjson n "$shards" '.shard.index == ($k|tonumber) and .shard.count == $n' "$work/run1/part-$k.json" >/dev/null ||
    fail "run1/part-$k.json is not shard $k/$shards"
done
say "merged result of $shards shards = local run: $whole_execs executions, exit $whole_status"
times=$(for ((k = 1; k <= shards; k++)); do jq -r --arg k "$k" '"shard \($k): \(.executions) executions in \(.elapsed_ms|floor) ms"' "$work/run1/part-$k.json"; done)
max_ms=$(for ((k = 1; k <= shards; k++)); do jq '.elapsed_ms|floor' "$work/run1/part-$k.json"; done | sort -n | tail -1)
sum_ms=$(jq '.elapsed_ms|floor' "$work/run1/merged.json")
say "measured ($cpus cores, a shared machine: times vary from run to run):"
sed 's/^/slurm-test:   /' <<<"$times"
say "  shards' work: $sum_ms ms in all, the longest $max_ms ms; one core alone: $whole_ms ms"
say "  wall time from submission to merged result: $wall_ms ms (Slurm's scheduling included)"
note=""
[ "$wall_ms" -gt $((2 * whole_ms)) ] && note=" (the program is too small for a speed-up: Slurm's scheduling takes longer than the exploration)"
say "  speed-up against one core: $(awk -v a="$whole_ms" -v b="$wall_ms" 'BEGIN{printf "%.2f", a/b}')× in wall time$note"

# 8. A shard that fails: shard 3 of the same run fails once, as a node
# failure would. The merge runs all the same (afterany), is partial, and
# names the shard; rerun.sh reruns it alone, and the merge is complete.
if [ "$shards" -ge 3 ]; then
  cat >"$work/bin/flaky-happens" <<EOF
#!/usr/bin/env bash
# happens, except that shard 3 fails the first time it runs.
for a in "\$@"; do
  if [ "\$a" = "3/$shards" ] && mkdir "$work/flaked" 2>/dev/null; then
    echo "flaky-happens: shard 3 fails on purpose" >&2
    exit 137
  fi
done
exec "$work/bin/happens" "\$@"
EOF
  chmod +x "$work/bin/flaky-happens"
  HAPPENS="$work/bin/flaky-happens" submit deploy/slurm/submit.sh -o "$work/run2" "$shards" "$program" "${flags[@]}"
  first_shards=$shards_job
  wait_jobs "$shards_job" "$merge_job"
  [ -d "$work/flaked" ] || fail "run2: shard 3 never ran"
  [ ! -e "$work/run2/part-3.json" ] || fail "run2: the failed shard 3 left a part-3.json"
  st=$(scontrol -o show job "${first_shards}_2" 2>&1 | grep -o 'JobState=[A-Z_]*' || true)
  [ "$st" = JobState=FAILED ] || fail "run2: Slurm says shard 3's task is '$st', not FAILED"
  # Partial (3), unless the shards that ran found a failure (1), which
  # comes first, as in happens run.
  want=3
  [ "$whole_status" = 1 ] && want=1
  [ "$(cat "$work/run2/merge.status" 2>/dev/null)" = "$want" ] || fail "run2: merge exit '$(cat "$work/run2/merge.status" 2>/dev/null)' with shard 3 missing, want $want"
  jq -e --argjson n "$shards" '.complete == false and (.partial | index("missing shards: 3 of \($n)")) != null' "$work/run2/merged.json" >/dev/null ||
    fail "run2/merged.json does not say that shard 3 is missing: $(jq -c .partial "$work/run2/merged.json")"
  grep -q "rerun.sh $work/run2 3\$" "$work"/run2/logs/merge-*.out || fail "run2: the merge's log does not say how to rerun shard 3"
  grep -q "shard 3/$shards FAILED" "$work"/run2/logs/shard-2-*.out || fail "run2: shard 3's log does not say it failed"
  say "shard 3 failed: Slurm marks it FAILED, the merge is partial and names it (missing shards: 3 of $shards)"
  submit deploy/slurm/rerun.sh "$work/run2" 3
  wait_jobs "$shards_job" "$merge_job"
  reruns=$(ls "$work"/run2/logs/shard-*-"$shards_job".out 2>/dev/null | wc -l)
  [ "$reruns" = 1 ] && [ -f "$work/run2/logs/shard-2-$shards_job.out" ] || fail "run2: the rerun ran $reruns tasks, want shard 3 alone"
  same_as_whole "$work/run2"
  say "shard 3 rerun alone (job $shards_job): the merge is complete and equals the local run"
fi
say "PASS ($(($(date +%s) - t0)) s)"

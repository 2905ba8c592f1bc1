#!/bin/bash
# A real single-node Slurm cluster on localhost, for `ntk slurm` (run by `make test`):
#   Tests/Cluster/slurm-cluster.sh [path/to/ntk]
# Installs slurm-wlm and munge from Debian's packages when missing (as root), starts munged,
# slurmctld and slurmd with a generated slurm.conf under a temporary directory, then
#  1. submits the job `ntk slurm validate … --shards 4` writes (4 array tasks + merge) and
#     checks that the merged JSON equals the unsharded run's (all but the timings);
#  2. submits a second run held, cancels array task 3, releases the rest, and checks that the
#     merge did not run and shards 1, 2, 4 are there;
#  3. submits that run again and checks that only shard 3 was computed (1, 2, 4 untouched and
#     their tasks did nothing) and that the result still equals the unsharded run.
# Every daemon it started is stopped by its PID on exit, also on failure. Skipped (with the
# reason) only where daemons cannot run: not root and Slurm not installed. Ends with the line
# `slurm-cluster: N passed, N failed`; exit status 1 when anything failed.
set -u
NTK=$(readlink -f "${1:-.build/debug/ntk}")
passed=0
failed=0
ok() { echo "slurm-cluster: ok: $1"; passed=$((passed + 1)); }
bad() { echo "slurm-cluster: FAILED: $1"; failed=$((failed + 1)); }
summary() { echo "slurm-cluster: $passed passed, $failed failed"; }
skip() { echo "slurm-cluster: skipped: $1"; summary; exit 0; }
abort() { bad "$1"; [ -n "${WORK:-}" ] && tail -n 20 "$WORK"/*.log 2>/dev/null | sed 's/^/    /'; summary; exit 1; }

[ -x "$NTK" ] || abort "no ntk binary at ${1:-.build/debug/ntk} (build it first)"

# --- Slurm and munge, installed when missing -------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed and installing it needs root"
    echo "slurm-cluster: installing slurm-wlm and munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq >/dev/null && timeout 600 apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 \
        || abort "apt-get install slurm-wlm munge failed"
fi
[ "$(id -u)" -eq 0 ] || skip "starting slurmd needs root"

source "$(dirname "$0")/local-cluster.sh"
START=$(date +%s)
start_cluster

# The JSON report without its timings (the only fields a merge may change).
results() { grep -v '"seconds"' "$1"; }

FLAGS=(--width 6 --depth 3 --sigma2 2 --samples 20000 --seed 11)
"$NTK" validate "${FLAGS[@]}" --threads 1 --format json >"$WORK/whole.json"
case $? in 0 | 1 | 3) ;; *) abort "the unsharded run failed" ;; esac

# --- 1. four array tasks and the merge -------------------------------------------------------
"$NTK" slurm validate "${FLAGS[@]}" --shards 4 --out "$WORK/run1" --time 5 --mem 200 >/dev/null || abort "ntk slurm refused the job"
read -r ARRAY MERGE < <(submit "$WORK/run1/ntk-slurm.sh")
[ -n "${MERGE:-}" ] || abort "submission failed: $(cat "$WORK/submissions.log")"
wait_jobs "$ARRAY,$MERGE" 90 || abort "run 1 did not finish within 90 s"
if [ -s "$WORK/run1/result.json" ] && diff <(results "$WORK/whole.json") <(results "$WORK/run1/result.json") >/dev/null; then
    ok "4 array tasks + merge: result.json equals the unsharded run"
else
    bad "4 array tasks + merge: result.json differs from the unsharded run or is missing"
    tail -n 5 "$WORK"/run1/logs/* 2>/dev/null | sed 's/^/    /'
fi

# --- 2. a second run, held; task 3 cancelled -------------------------------------------------
"$NTK" slurm validate "${FLAGS[@]}" --shards 4 --out "$WORK/run2" --time 5 --mem 200 >/dev/null || abort "ntk slurm refused the job"
read -r ARRAY MERGE < <(submit "$WORK/run2/ntk-slurm.sh" --hold)
[ -n "${MERGE:-}" ] || abort "submission failed: $(cat "$WORK/submissions.log")"
timeout 10 scancel "${ARRAY}_3" || bad "scancel ${ARRAY}_3 failed"
timeout 10 scontrol release "$ARRAY" >/dev/null 2>&1 || bad "scontrol release $ARRAY failed"
wait_jobs "$ARRAY,$MERGE" 90 || abort "run 2 did not finish within 90 s"
f() { echo "$WORK/run2/shard-$1-of-4.json"; }
if [ -s "$(f 1)" ] && [ -s "$(f 2)" ] && [ -s "$(f 4)" ] && [ ! -e "$(f 3)" ] && [ ! -e "$WORK/run2/result.json" ]; then
    ok "task 3 cancelled: shards 1, 2, 4 written, no shard 3, no merge"
else
    bad "task 3 cancelled: unexpected files: $(ls "$WORK/run2" | tr '\n' ' ')"
fi
BEFORE=$(for k in 1 2 4; do stat -c '%i %Y' "$(f $k)"; sha256sum <"$(f $k)"; done)

# --- 3. resubmitted: only shard 3 runs ----------------------------------------------------------
sleep 1  # a rewritten file would then show a later mtime
read -r ARRAY MERGE < <(submit "$WORK/run2/ntk-slurm.sh")
[ -n "${MERGE:-}" ] || abort "resubmission failed: $(cat "$WORK/submissions.log")"
wait_jobs "$ARRAY,$MERGE" 90 || abort "the resubmitted run did not finish within 90 s"
AFTER=$(for k in 1 2 4; do stat -c '%i %Y' "$(f $k)"; sha256sum <"$(f $k)"; done)
skipped=$(grep -l "nothing to do (--resume)" "$WORK"/run2/logs/shard-{1,2,4}.out 2>/dev/null | wc -l)
if [ "$BEFORE" = "$AFTER" ] && [ "$skipped" -eq 3 ] && [ -s "$(f 3)" ] && ! grep -q "nothing to do" "$WORK/run2/logs/shard-3.out"; then
    ok "resubmitted: only shard 3 computed; shards 1, 2, 4 untouched"
else
    bad "resubmitted: shards 1, 2, 4 changed or were recomputed (tasks that did nothing: $skipped of 3)"
fi
if [ -s "$WORK/run2/result.json" ] && diff <(results "$WORK/whole.json") <(results "$WORK/run2/result.json") >/dev/null; then
    ok "resumed run: result.json equals the unsharded run"
else
    bad "resumed run: result.json differs from the unsharded run or is missing"
fi
echo "slurm-cluster: finished in $(($(date +%s) - START)) s after installation"
summary
[ "$failed" -eq 0 ]

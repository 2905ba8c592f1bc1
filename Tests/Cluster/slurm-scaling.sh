#!/bin/bash
# Scaling of a sharded `ntk validate` on a real single-node Slurm cluster (localhost):
#   Tests/Cluster/slurm-scaling.sh [path/to/ntk] [validate flags…]
# Runs the same validate run as 1, 2 and 4 array tasks (one CPU and one thread each) and
# prints, per N: the wall time from submission to result.json, the longest and the summed
# compute time of the shards (from their files), and the merge's own cost (the `validate
# merge` command on the N files, timed locally, median of 3). Also the unsharded run with one
# thread. Needs root (starts munged, slurmctld, slurmd; see local-cluster.sh); slurm-wlm and
# munge must be installed (Tests/Cluster/slurm-cluster.sh installs them).
set -u
NTK=$(readlink -f "${1:-.build/release/ntk}")
shift || true
FLAGS=("$@")
[ ${#FLAGS[@]} -gt 0 ] || FLAGS=(--width 64 --depth 16 --sigma2 2 --samples 100000 --seed 1)
ok() { echo "slurm-scaling: $1"; }
abort() { echo "slurm-scaling: FAILED: $1"; exit 1; }
skip() { echo "slurm-scaling: skipped: $1"; exit 0; }
[ -x "$NTK" ] || abort "no ntk binary at $NTK"
[ "$(id -u)" -eq 0 ] || skip "starting slurmd needs root"
command -v slurmctld >/dev/null || skip "Slurm is not installed (run Tests/Cluster/slurm-cluster.sh once)"
source "$(dirname "$0")/local-cluster.sh"
start_cluster
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
seconds_of() { sed -n 's/^  "seconds" : \(.*\),$/\1/p' "$1"; }

t0=$(now)
"$NTK" validate "${FLAGS[@]}" --threads 1 --max-seconds 31536000 >/dev/null
echo "slurm-scaling: flags: ${FLAGS[*]}"
printf 'slurm-scaling: unsharded, 1 thread, no Slurm: %.2f s\n' "$(since "$t0")"
printf 'slurm-scaling: %-6s %-22s %-18s %-18s %s\n' tasks "submit→result (s)" "longest shard (s)" "sum of shards (s)" "merge (s)"
for n in 1 2 4; do
    out="$WORK/n$n"
    "$NTK" slurm validate "${FLAGS[@]}" --shards "$n" --out "$out" --cpus-per-task 1 >/dev/null || abort "ntk slurm refused"
    t0=$(now)
    read -r ARRAY MERGE < <(submit "$out/ntk-slurm.sh")
    [ -n "${MERGE:-}" ] || abort "submission failed"
    wait_jobs "$ARRAY,$MERGE" 1800 || abort "N=$n did not finish within 30 min"
    wall=$(since "$t0")
    [ -s "$out/result.json" ] || abort "N=$n: no result.json"
    shards=$(for k in $(seq 1 "$n"); do seconds_of "$out/shard-$k-of-$n.json"; done)
    longest=$(echo "$shards" | sort -g | tail -1)
    total=$(echo "$shards" | awk '{ s += $1 } END { print s }')
    merges=$(for _ in 1 2 3; do
        m0=$(now); "$NTK" validate merge "$out"/shard-*-of-"$n".json --format json >/dev/null; since "$m0"; echo
    done | sort -g | sed -n 2p)
    printf 'slurm-scaling: %-6s %-22.2f %-18.2f %-18.2f %.3f\n' "$n" "$wall" "$longest" "$total" "$merges"
done

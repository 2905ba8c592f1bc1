#!/usr/bin/env bash
# False-FAIL rate of the Monte Carlo verdicts at the documented settings (issue 19, item 4).
#
#   Tests/Cluster/false-fail-rate.sh NTK SEEDS [CASE-REGEX]
#
# Runs every case below (or those whose name matches CASE-REGEX) over seeds FIRST_SEED ..
# FIRST_SEED+SEEDS-1 (FIRST_SEED defaults to 1), JOBS runs at a time (default 2) with --threads 1
# (the results do not depend on the thread count), and prints per case: runs, PASS,
# INCONCLUSIVE, FAIL, the FAIL rate and its one-sided 95 % Clopper–Pearson upper bound. Every
# model is the correct one, so each FAIL is a false FAIL; each is printed with its seed.
# Exit status 1 if any case's observed FAIL rate exceeds 1 %. Writes only to a mktemp -d folder.
#
# The verdict of a run: validate by its exit code (0 PASS, 1 FAIL, 3 INCONCLUSIVE); offdiag by
# its JSON "verdict" (the exit code is 0 whatever the z-tests say); step and distribution print
# z-scores on exact standard errors but no verdict, so here |z| > 4 (the tools' default z-max)
# on E[fQ] (step) or on any moment with a z (distribution, k ≤ 2) counts as FAIL, a missing z
# as INCONCLUSIVE. Any other exit code counts as ERROR and makes the script fail.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 NTK SEEDS [CASE-REGEX]" >&2; exit 2; }
NTK=$(realpath "$1"); SEEDS=$2; FILTER=${3:-.}
FIRST_SEED=${FIRST_SEED:-1}; JOBS=${JOBS:-2}
export NTK

# name | arguments: README tour (validate) and docs/findings.md (the others), without --seed.
CASES=(
  "validate|validate --width 6 --depth 3 --sigma2 2 --samples 100000"
  "distribution|distribution --width 100 --depth 100 --sigma2 2.5 --samples 100000"
  "step-3,2,2|step --widths 3,2,2 --sigma2 2 --learning-rate 3e-4 --samples 2e6 --max-seconds 60"
  "step-10,10x5|step --widths 10,10x5 --sigma2 2 --learning-rate-scale 1e-2,1e-3,1e-4 --samples 1e6 --max-seconds 60"
  "offdiag-1.5|offdiag --width 100 --depth 49 --depths 1:49:4 --sigma2 1.5 --samples 500 --max-seconds 3600"
  "offdiag-2|offdiag --width 100 --depth 49 --depths 1:49:4 --sigma2 2 --samples 500 --max-seconds 3600"
  "offdiag-2.5|offdiag --width 100 --depth 49 --depths 1:49:4 --sigma2 2.5 --samples 500 --max-seconds 3600"
)

# One run: prints "seed verdict".
run_one() {  # args seed
    local out rc=0 v
    out=$(mktemp "$DIR/run.XXXXXX")
    # shellcheck disable=SC2086
    "$NTK" $ARGS --seed "$1" --threads 1 --format json > "$out" 2>/dev/null || rc=$?
    case "$ARGS:$rc" in
        validate*:0) v=PASS ;; validate*:1) v=FAIL ;; validate*:3) v=INCONCLUSIVE ;;
        offdiag*:0) v=$(jq -r '.verdict | ascii_upcase' "$out") ;;
        step*:0) v=$(jq -r '[.E_fQ.z] | '"$ZTEST" "$out") ;;
        distribution*:0) v=$(jq -r '[.moments[].z | select(. != null)] | '"$ZTEST" "$out") ;;
        *) v="ERROR(exit $rc)" ;;
    esac
    echo "$1 $v"
}
ZTEST='if length == 0 or any(. == null) then "INCONCLUSIVE" elif any(. > 4 or . < -4) then "FAIL" else "PASS" end'
export -f run_one; export ZTEST

# One-sided 95 % Clopper–Pearson upper bound for k events in n runs (bisection on the binomial CDF).
upper_bound() {
    awk -v k="$1" -v n="$2" 'function cdf(p,  t, s, i) { if (p >= 1) return 0
            t = (1 - p) ^ n; s = t
            for (i = 0; i < k; i++) { t *= (n - i) / (i + 1) * p / (1 - p); s += t }
            return s }
        BEGIN { if (k >= n) { print 1; exit } lo = 0; hi = 1
            for (j = 0; j < 60; j++) { m = (lo + hi) / 2; if (cdf(m) > 0.05) lo = m; else hi = m }
            printf "%.4f\n", hi }'
}

DIR=$(mktemp -d); trap 'rm -rf "$DIR"' EXIT; export DIR
status=0
printf '%-14s %5s %5s %6s %5s %6s %9s %10s %8s\n' case runs pass incon fail error "fail rate" "95% upper" seconds
for c in "${CASES[@]}"; do
    name=${c%%|*}; ARGS=${c#*|}; export ARGS
    [[ $name =~ $FILTER ]] || continue
    start=$SECONDS
    seq "$FIRST_SEED" $((FIRST_SEED + SEEDS - 1)) | xargs -P "$JOBS" -I{} bash -c 'run_one {}' > "$DIR/$name.txt"
    count() { grep -c " $1" "$DIR/$name.txt" || true; }
    n=$(wc -l < "$DIR/$name.txt"); fails=$(count FAIL); errors=$(count ERROR)
    printf '%-14s %5d %5d %6d %5d %6d %9s %10s %8d\n' "$name" "$n" "$(count PASS)" "$(count INCONCLUSIVE)" \
        "$fails" "$errors" "$(awk -v k="$fails" -v n="$n" 'BEGIN { printf "%.4f", k / n }')" \
        "$(upper_bound "$fails" "$n")" $((SECONDS - start))
    grep -E " (FAIL|ERROR)" "$DIR/$name.txt" | while read -r seed v; do echo "  $v: ntk $ARGS --seed $seed"; done || true
    if [ "$errors" -gt 0 ] || [ $((fails * 100)) -gt "$n" ]; then status=1; fi
done
exit $status

#!/usr/bin/env bash
# A/B of two builds of the `ringkernels` tool on one GPU machine, in one call: runs
# `bench roundtrip` and `bench throughput --backend cuda` with binary A and binary B (and C)
# alternately (ROUNDS times each, default 2), so all see the same machine state, and prints one
# table. Machines differ by tens of percent between sessions: compare builds only inside one run.
#   perf/gpu-ab.sh OUTDIR BINARY_A BINARY_B [ROUNDS] [BINARY_C]
# AB_BENCHES="checkpoint;actors --only big" runs other benchmarks (';' between them, each a
# benchmark name and its options).
set -uo pipefail
OUT="${1:?usage: perf/gpu-ab.sh OUTDIR BINARY_A BINARY_B [ROUNDS] [BINARY_C]}"
A="${2:?binary A}"
B="${3:?binary B}"
ROUNDS="${4:-2}"
C="${5:-}"
SIDES="A B"
[ -n "$C" ] && SIDES="A B C"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LD_LIBRARY_PATH="$ROOT/.carry/lib:${LD_LIBRARY_PATH:-}"
LOGS="$(mktemp -d)"  # per-run logs stay off OUTDIR: only ab.txt comes back
mkdir -p "$OUT"
: > "$OUT/ab.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in $SIDES; do
    binary="$A"; [ "$side" = B ] && binary="$B"; [ "$side" = C ] && binary="$C"
    IFS=';' read -ra benches <<< "${AB_BENCHES:-roundtrip;throughput}"
    for which in "${benches[@]}"; do
      log="$LOGS/$side-${which// /_}-$round.txt"
      # shellcheck disable=SC2086  # the entry's words are the benchmark and its options
      timeout -k 5 150 "$binary" bench $which --backend cuda > "$log" 2>&1 ||
        echo "ab: $side $which round $round failed (exit $?)" >> "$OUT/ab.txt"
      grep -hE "^(roundtrip|throughput|floor|checkpoint|actors|relaunch)\." "$log" |
        awk -v s="$side" -v r="$round" '{printf "%s round %s  %-44s %14s %s\n", s, r, $1, $2, $3}' >> "$OUT/ab.txt"
    done
  done
done
sort -k4,4 -k1,1 -k3,3 "$OUT/ab.txt"

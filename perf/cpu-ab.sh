#!/usr/bin/env bash
# A/B of two builds of the `ringkernels` tool on this machine, in one go: runs
# `bench messaging` (and, with WHICH, other CPU benchmarks) with binary A and binary B
# alternately, ROUNDS times each, so both see the same machine state, and prints one table.
# The 2-core VM's floor moves up to 4x between days: compare builds only inside one run.
#   perf/cpu-ab.sh OUTDIR BINARY_A BINARY_B [ROUNDS]     (WHICH="messaging roundtrip" ...)
# Build the other binary in a worktree, e.g.
#   git worktree add /tmp/old REV && ln -s $PWD/.deps /tmp/old/.deps &&
#   (cd /tmp/old && cmake --preset release && cmake --build --preset release --target ringkernels_cli)
set -uo pipefail
OUT="${1:?usage: perf/cpu-ab.sh OUTDIR BINARY_A BINARY_B [ROUNDS]}"
A="${2:?binary A}"
B="${3:?binary B}"
ROUNDS="${4:-2}"
WHICH="${WHICH:-messaging}"
LOGS="$(mktemp -d)"
mkdir -p "$OUT"
: > "$OUT/ab.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    binary="$A"; [ "$side" = B ] && binary="$B"
    for which in $WHICH; do
      backend=""; [ "$which" != messaging ] && backend="--backend serial"
      timeout -k 5 300 "$binary" bench "$which" $backend > "$LOGS/$side-$which-$round.txt" 2>&1 ||
        echo "ab: $side $which round $round failed (exit $?)" >> "$OUT/ab.txt"
      grep -hE "^(spsc|mpsc|queue|roundtrip|throughput|floor)\." "$LOGS/$side-$which-$round.txt" |
        awk -v s="$side" -v r="$round" '{printf "%s round %s  %-44s %14s %s\n", s, r, $1, $2, $3}' >> "$OUT/ab.txt"
    done
  done
done
sort -k4,4 -k1,1 -k3,3 "$OUT/ab.txt"

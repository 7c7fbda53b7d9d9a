#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: runs the GPU tests, `ringkernels validate --backend cuda`, the
# GPU benchmarks and the hardware floor programs in one go, writing logs and JSON under OUTDIR
# and printing a short table last. Uses the binaries staged in .carry/ by
# scripts/stage-gpu-run.sh (built on the development machine; CUDA runtime linked statically).
#   perf/gpu-suite.sh OUTDIR
set -uo pipefail
OUT="${1:?usage: perf/gpu-suite.sh OUTDIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.carry/bin"
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$ROOT/.carry/lib:${LD_LIBRARY_PATH:-}"
export OMP_WAIT_POLICY=passive
[ -x "$BIN/ringkernels" ] || { echo "gpu-suite: $BIN/ringkernels missing; run scripts/stage-gpu-run.sh and carry .carry" >&2; exit 2; }
declare -A STATUS

{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; nproc; } > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

# 1. Floor programs (shared/floor), built here with nvcc.
if [ -f "$ROOT/.carry/floor/gpu_limits.cu" ] && command -v nvcc >/dev/null; then
  (cd "$ROOT/.carry/floor" && nvcc -O3 -std=c++20 -arch=sm_90 gpu_limits.cu -o /tmp/gpu_limits &&
   g++ -O3 -std=c++20 -pthread cpu_limits.cpp -o /tmp/cpu_limits) > /tmp/floor-build.log 2>&1
  timeout -k 5 200 /tmp/gpu_limits > "$OUT/floor.txt" 2>&1; STATUS[floor_gpu]=$?
  timeout -k 5 60 /tmp/cpu_limits >> "$OUT/floor.txt" 2>&1; STATUS[floor_cpu]=$?
fi

# 2. GPU tests: every test case in its own process (a trap loses the CUDA context).
passed=0; failed=0
: > "$OUT/tests.txt"
for binary in gpu_tests gpu_fault_tests; do
  while IFS= read -r name; do
    [ -z "$name" ] && continue
    escaped="${name//,/\\,}"
    if timeout -k 5 60 "$BIN/$binary" "$escaped" >> "$OUT/tests.log" 2>&1; then
      passed=$((passed + 1)); echo "PASS $binary: $name" >> "$OUT/tests.txt"
    else
      failed=$((failed + 1)); echo "FAIL $binary: $name" >> "$OUT/tests.txt"
    fi
  done < <("$BIN/$binary" --list-tests --verbosity quiet 2>/dev/null)
done
cat "$OUT/tests.txt"

# 3. The main job on the GPU.
timeout -k 5 150 "$BIN/ringkernels" validate --backend cuda > "$OUT/validate.txt" 2>&1; STATUS[validate]=$?
tail -25 "$OUT/validate.txt"
# The same flow without a resident kernel, and on the last GPU where there are several.
timeout -k 5 150 "$BIN/ringkernels" validate --backend cuda --launch event-driven >> "$OUT/validate.txt" 2>&1; STATUS[validate_event_driven]=$?
gpus=$(nvidia-smi -L 2>/dev/null | wc -l)
if [ "${gpus:-1}" -gt 1 ]; then
  timeout -k 5 150 "$BIN/ringkernels" validate --backend cuda --device $((gpus - 1)) >> "$OUT/validate.txt" 2>&1; STATUS[validate_last_device]=$?
fi

# 4. Benchmarks (JSON under OUT).
timeout -k 5 150 "$BIN/ringkernels" bench roundtrip --backend cuda --json "$OUT/roundtrip.json" > "$OUT/bench.txt" 2>&1; STATUS[bench_roundtrip]=$?
timeout -k 5 150 "$BIN/ringkernels" bench throughput --backend cuda --json "$OUT/throughput.json" >> "$OUT/bench.txt" 2>&1; STATUS[bench_throughput]=$?
grep -v '^Kokkos\|^  For' "$OUT/bench.txt"

echo
echo "== gpu-suite summary =="
printf "%-20s %s\n" "gpu tests" "$passed passed, $failed failed"
for key in floor_gpu floor_cpu validate validate_event_driven validate_last_device bench_roundtrip bench_throughput; do
  printf "%-20s %s\n" "$key" "${STATUS[$key]:-not run} (exit code)"
done
grep -h "Passed:" "$OUT/validate.txt" || true
grep -hE "^(roundtrip|baseline|throughput|lifecycle|floor)\." "$OUT/bench.txt" | awk '{printf "%-44s %14s %s\n", $1, $2, $3}'
[ "$failed" = 0 ] && [ "${STATUS[validate]:-1}" = 0 ] && [ "${STATUS[validate_event_driven]:-1}" = 0 ] &&
  [ "${STATUS[validate_last_device]:-0}" = 0 ]

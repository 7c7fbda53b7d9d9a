#!/usr/bin/env bash
# Prepares .carry/ (git-ignored) for a run of perf/gpu-suite.sh on the GPU machine: the GPU
# build's binaries, the Debian-only shared libraries they need (hwloc, udev), and the floor
# programs' sources. Builds the GPU configuration first (scripts/bootstrap.sh --cuda or --hip).
#   scripts/stage-gpu-run.sh [--hip]   then carry `.carry` and run `perf/gpu-suite.sh $OUT`
#                                      (with --hip: `perf/gpu-suite.sh --backend hip $OUT` on an
#                                      AMD machine whose ROCm provides libamdhip64.so.5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PRESET=cuda
if [ "${1:-}" = "--hip" ]; then PRESET=hip; fi
export PATH="/usr/local/cuda/bin:$PATH"
bash scripts/bootstrap.sh --$PRESET
cmake --preset $PRESET >/dev/null
cmake --build --preset $PRESET --target ringkernels_cli gpu_tests gpu_fault_tests
rm -rf .carry && mkdir -p .carry/bin .carry/lib .carry/floor
cp build/$PRESET/bin/ringkernels .carry/bin/
for test in build/$PRESET/tests/gpu/gpu_tests build/$PRESET/tests/gpu/gpu_fault_tests; do
  cp "$test" .carry/bin/
done
# Shared libraries the GPU machine (Ubuntu, no Debian packages) lacks.
for lib in $(ldd .carry/bin/ringkernels | awk '/hwloc|udev/ {print $3}'); do cp -L "$lib" .carry/lib/; done
cp ../shared/floor/gpu_limits.cu ../shared/floor/cpu_limits.cpp .carry/floor/ 2>/dev/null || \
  echo "stage: ../shared/floor not found; the suite will run without the shared floor programs"
du -sh .carry
echo "staged ($PRESET): carry .carry, run perf/gpu-suite.sh$([ $PRESET = hip ] && echo " --backend hip") \$OUT"

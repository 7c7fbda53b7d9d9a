#!/usr/bin/env bash
# Prepares .carry/ (git-ignored) for a run of perf/gpu-suite.sh on the GPU machine: the CUDA
# build's binaries, the Debian-only shared libraries they need (hwloc, udev), and the floor
# programs' sources. Builds the CUDA configuration first (scripts/bootstrap.sh --cuda).
#   scripts/stage-gpu-run.sh        then carry `.carry` and run `perf/gpu-suite.sh $OUT`
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="/usr/local/cuda/bin:$PATH"
bash scripts/bootstrap.sh --cuda
cmake --preset cuda >/dev/null
cmake --build --preset cuda
rm -rf .carry && mkdir -p .carry/bin .carry/lib .carry/floor
cp build/cuda/bin/ringkernels .carry/bin/
for test in build/cuda/tests/gpu/gpu_tests build/cuda/tests/gpu/gpu_fault_tests; do
  cp "$test" .carry/bin/
done
# Shared libraries the GPU machine (Ubuntu, no Debian packages) lacks.
for lib in $(ldd .carry/bin/ringkernels | awk '/hwloc|udev/ {print $3}'); do cp -L "$lib" .carry/lib/; done
cp ../shared/floor/gpu_limits.cu ../shared/floor/cpu_limits.cpp .carry/floor/ 2>/dev/null || \
  echo "stage: ../shared/floor not found; the suite will run without the shared floor programs"
du -sh .carry
echo "staged: carry .carry, run perf/gpu-suite.sh \$OUT"

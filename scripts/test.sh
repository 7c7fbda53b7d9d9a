#!/usr/bin/env bash
# Sets up everything (scripts/bootstrap.sh), builds RingKernels and runs the test suite.
#   scripts/test.sh [extra ctest arguments]
# CI=true turns warnings into errors. Prints the ctest summary last.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
WERROR=OFF
if [ "${CI:-}" = "true" ]; then WERROR=ON; fi
cmake --preset release -DRINGKERNELS_WERROR=$WERROR >/dev/null
echo "[test] building (warnings as errors: $WERROR)"
cmake --build --preset release
echo "[test] running the tests"
ctest --preset release --parallel 2 "$@"
if [ -x /usr/local/cuda/bin/nvcc ]; then
  # No GPU here: the CUDA configuration is built (not run) so it cannot rot between GPU runs.
  echo "[test] building the CUDA configuration with nvcc (runs on a GPU machine: perf/gpu-suite.sh)"
  bash scripts/bootstrap.sh --cuda
  PATH="/usr/local/cuda/bin:$PATH" cmake --preset cuda >/dev/null
  # What the GPU machine runs (scripts/stage-gpu-run.sh): the host tests compiled by nvcc would
  # run nowhere (the release build runs them).
  PATH="/usr/local/cuda/bin:$PATH" cmake --build --preset cuda --target ringkernels_cli gpu_tests \
    gpu_fault_tests
fi
# No AMD GPU either: the HIP configuration (hipcc 5.2.3, gfx90a) is built, its binaries are
# checked to hold gfx90a code, and `info` reports it as never run (docs/hip.md).
echo "[test] building the HIP configuration with hipcc for gfx90a (compiled only: no AMD GPU)"
bash scripts/bootstrap.sh --hip
cmake --preset hip -DRINGKERNELS_WERROR=$WERROR >/dev/null
cmake --build --preset hip --target ringkernels_cli gpu_tests gpu_fault_tests
bash scripts/check-hip-build.sh build/hip
# The SSSP example as an outside project against the installed HIP package (the embedding path).
cmake --install build/hip --prefix build/hip/install >/dev/null
cmake -S examples/sssp -B build/hip/sssp_example -G Ninja -DCMAKE_CXX_COMPILER=hipcc \
  -DCMAKE_PREFIX_PATH="$ROOT/build/hip/install" >/dev/null
cmake --build build/hip/sssp_example
bash scripts/check-hip-build.sh build/hip build/hip/sssp_example/sssp_example
echo "[test] host tests under AddressSanitizer + UBSan (leaks too; tests/sanitizers/lsan.supp"
echo "       lists the one suppressed library report and why)"
cmake --preset asan -DRINGKERNELS_WERROR=$WERROR >/dev/null
cmake --build --preset asan --target core_tests messaging_tests messaging_stress_tests \
  ringkernels_tests ringkernels_stress_tests actor_tests ringkernels_cli
ctest --preset asan --parallel 2
echo "[test] concurrency (stress) and actor tests under ThreadSanitizer"
cmake --preset tsan -DRINGKERNELS_WERROR=$WERROR >/dev/null
cmake --build --preset tsan --target stress_tests actor_tests
ctest --preset tsan

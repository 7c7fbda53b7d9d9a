#!/usr/bin/env bash
# Checks a HIP build that cannot run here (no AMD GPU): every binary carries device code for the
# architecture Kokkos was built for, and `ringkernels info` (which needs no GPU) reports the HIP
# backend as built for it and never run.
#   scripts/check-hip-build.sh BUILD_DIR [BINARY...]   (default binaries: the tool and GPU tests)
set -euo pipefail
build="${1:?usage: scripts/check-hip-build.sh BUILD_DIR [BINARY...]}"
shift
binaries=("$@")
if [ ${#binaries[@]} = 0 ]; then
  binaries=("$build/bin/ringkernels" "$build/tests/gpu/gpu_tests" "$build/tests/gpu/gpu_fault_tests")
fi
info="$("$build/bin/ringkernels" info)"
[ $# -gt 0 ] || echo "$info" | sed -n '/^Backends:/,/^Topology:/p' | sed '$d'
arch="$(echo "$info" | sed -n 's/^  hip *built: compiled for \([a-z0-9]*\);.*/\1/p')"
if [ -z "$arch" ]; then
  echo "check-hip-build: 'ringkernels info' does not report a built HIP backend" >&2
  exit 1
fi
echo "$info" | grep -q "^  hip .*never run on an AMD GPU" \
  || { echo "check-hip-build: 'info' must say the HIP backend was never run" >&2; exit 1; }
for binary in "${binaries[@]}"; do
  # Each offload bundle names its target: amdgcn-amd-amdhsa--<arch>.
  if ! grep -q -a "amdgcn-amd-amdhsa--$arch" "$binary"; then
    echo "check-hip-build: $binary holds no $arch device code" >&2
    exit 1
  fi
  echo "check-hip-build: $(basename "$binary"): $arch device code present"
done

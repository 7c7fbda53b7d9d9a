#!/usr/bin/env bash
# Sets up everything (scripts/bootstrap.sh), builds RingKernels and runs the main job:
# `ringkernels validate` on the best available backend (arguments are passed on, e.g.
# --backend all).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ringkernels_cli
exec build/release/bin/ringkernels validate "$@"

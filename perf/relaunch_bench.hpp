// `ringkernels bench relaunch --backend B [--rounds N]`: how fast the runtime's supervisor brings
// a stalled kernel back (issue target: <= 50 ms on the CPU, <= 100 ms on the GPU, queued
// messages all handled afterwards). Each round stalls the kernel's one worker in a long handler
// (examples/long_task.hpp) with 100 requests queued behind it, waits for the relaunch and
// checks every reply. The baseline, in the same run: what a user does by hand without a
// supervisor (terminate, launch a fresh kernel, activate).
#ifndef RINGKERNELS_PERF_RELAUNCH_BENCH_HPP
#define RINGKERNELS_PERF_RELAUNCH_BENCH_HPP

#include "bench_report.hpp"

#include <string>

namespace ringkernels::perf {

struct relaunch_bench_options {
  int rounds = 20;          ///< stalls, each relaunched
  int stall_after_ms = 20;  ///< the kernel's stall threshold (detection takes about this)
};

/// Throws ringkernels::error (unsupported) for a backend this build lacks; (backend_failure)
/// when a round's replies do not all come back right.
report run_relaunch_bench(const std::string& backend, const relaunch_bench_options& options);

}  // namespace ringkernels::perf

#endif

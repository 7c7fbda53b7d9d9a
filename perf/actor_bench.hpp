// `ringkernels bench actors --backend B`: the Savina workloads (perf/actor_workloads.hpp) on an
// actor system, next to the floor of the mechanism measured in the same process (GPU: a bare
// two-block and two-warp flag ping-pong; CPU: the core-to-core ping-pong) and, on the CPU when
// CAF is built in, the same workloads on the C++ Actor Framework (caf.*, as ratios).
#ifndef RINGKERNELS_PERF_ACTOR_BENCH_HPP
#define RINGKERNELS_PERF_ACTOR_BENCH_HPP

#include "bench_report.hpp"

#include <string>

namespace ringkernels::perf {

struct actor_bench_options {
  double scale = 1.0;  ///< multiplies message counts (--quick: 0.05)
  int workers = 0;     ///< Big and Counting: workers (0: cores on a CPU, 4 per SM on a GPU)
  bool with_caf = true;
  std::uint64_t big_actors = 0;  ///< Big's actors (0: 1,000,000 on a GPU, 1,024 on a CPU)
  std::uint64_t big_pings = 0;   ///< pings per actor in Big (0: the workload's default)
  std::string only;              ///< one workload (pingpong, threadring, big, counting) or all
};

/// Throws ringkernels::error (unsupported) for a backend this build lacks.
report run_actor_bench(const std::string& backend, const actor_bench_options& options);

}  // namespace ringkernels::perf

#endif

// The four Savina workloads of perf/actor_workloads.hpp written for the C++ Actor Framework
// (CAF 0.17, Debian's libcaf-dev), run in the same process on the same cores, so that
// `ringkernels bench actors` reports RingKernels' rates as ratios of CAF's (caf.*). Built when
// CMake finds CAF (RINGKERNELS_HAVE_CAF); host only.
#ifndef RINGKERNELS_PERF_CAF_WORKLOADS_HPP
#define RINGKERNELS_PERF_CAF_WORKLOADS_HPP

#include <cstdint>

namespace ringkernels::perf {

/// The sizes of one run: the same numbers the RingKernels side uses.
struct caf_sizes {
  int threads = 2;                      ///< CAF scheduler threads (the cores RingKernels uses)
  std::uint64_t pingpong_rounds = 0;    ///< round trips between two actors
  std::uint64_t ring_actors = 0;        ///< ThreadRing: actors in the ring
  std::uint64_t ring_hops = 0;          ///< ThreadRing: hops of the token
  std::uint64_t big_actors = 0;         ///< Big: actors
  std::uint64_t big_pings = 0;          ///< Big: pings each actor sends (each answered)
  std::uint64_t counting_actors = 0;    ///< Counting: counter actors
  std::uint64_t counting_messages = 0;  ///< Counting: messages the main thread streams
};

/// What CAF achieved, each checked (a count that does not add up throws).
struct caf_rates {
  double pingpong_one_way_ns = 0;  ///< mean one-way: wall time / (2 x rounds)
  double threadring_hops_per_s = 0;
  double big_msgs_per_s = 0;  ///< pings and pongs
  double counting_msgs_per_s = 0;
};

/// Whether this build has CAF.
bool caf_available();
/// Runs the four workloads on CAF; throws ringkernels::error(unsupported) without CAF.
caf_rates run_caf_workloads(const caf_sizes& sizes);

}  // namespace ringkernels::perf

#endif

// `ringkernels bench sssp --backend B --graph grid|kron --scale S`: single-source shortest
// paths as an actor program (examples/.../sssp/actor_version.hpp) against frontier
// Bellman-Ford in plain Kokkos (bulk_synchronous.hpp) on the same execution space, in the same
// process, both checked against Dijkstra on the host (sssp.verified is 1 only when both match
// it exactly).
#ifndef RINGKERNELS_PERF_SSSP_BENCH_HPP
#define RINGKERNELS_PERF_SSSP_BENCH_HPP

#include "bench_report.hpp"

#include <cstdint>
#include <string>

namespace ringkernels::perf {

struct sssp_bench_options {
  std::string graph = "grid";  ///< grid (a 2-D mesh) or kron (Graph500 Kronecker)
  std::uint32_t scale = 20;    ///< about 2^scale vertices
  int workers = 0;             ///< actor workers (0: the cores on a CPU, 4 per SM on a GPU)
  std::uint64_t seed = 1;
  /// Bucket width of the actor version (actor_run_options::delta); 0: one bucket, no order.
  std::uint32_t delta = 1024;
  /// Vertices per block actor (a square number on the grid: the tile is its root).
  std::uint32_t block = 1024;
  int timeout_s = 120;  ///< the actor run's deadline
};

/// Throws ringkernels::error: unsupported for a backend this build lacks, invalid_argument for
/// a graph or scale out of range.
report run_sssp_bench(const std::string& backend, const sssp_bench_options& options);

}  // namespace ringkernels::perf

#endif

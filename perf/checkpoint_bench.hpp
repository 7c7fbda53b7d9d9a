// `ringkernels bench checkpoint --backend B [--actors N]`: how fast an actor system's states go
// to a checkpoint file and back (issue target: 10 M actors of 16 B at >= 1 GB/s on the GPU
// machine), next to the bare copy of the same states out of the backend's memory in the same
// run (the part no file format can avoid).
#ifndef RINGKERNELS_PERF_CHECKPOINT_BENCH_HPP
#define RINGKERNELS_PERF_CHECKPOINT_BENCH_HPP

#include "bench_report.hpp"

#include <cstdint>
#include <string>

namespace ringkernels::perf {

struct checkpoint_bench_options {
  std::uint64_t actors = 10'000'000;  ///< 16-byte states
  int workers = 0;                    ///< 0: 2 on a CPU, 4 per SM on a GPU
  std::string path;                   ///< the file (default: in the temporary directory)
};

/// Throws ringkernels::error (unsupported) for a backend this build lacks.
report run_checkpoint_bench(const std::string& backend, const checkpoint_bench_options& options);

}  // namespace ringkernels::perf

#endif

// `ringkernels bench roundtrip|throughput --backend B`: ring kernels through the public API,
// next to the floor of the mechanism measured in the same process.
#ifndef RINGKERNELS_PERF_KERNEL_BENCH_HPP
#define RINGKERNELS_PERF_KERNEL_BENCH_HPP

#include "bench_report.hpp"

#include <string>

namespace ringkernels::perf {

/// How a kernel benchmark runs; 0 = the benchmark's own choice for the backend.
struct kernel_bench_options {
  double scale = 1.0;    ///< multiplies message counts (--quick: 0.05)
  int workers = 0;       ///< throughput: worker blocks/threads of the streaming kernel
  int host_threads = 0;  ///< throughput: host threads feeding and draining them
};

/// Runs `which` ("roundtrip" or "throughput") on backend `backend`; throws ringkernels::error
/// (unsupported) for a backend this build lacks.
report run_kernel_bench(const std::string& which, const std::string& backend,
                        const kernel_bench_options& options);

}  // namespace ringkernels::perf

#endif

// `ringkernels bench roundtrip|throughput --backend B`: ring kernels through the public API,
// next to the floor of the mechanism measured in the same process.
#ifndef RINGKERNELS_PERF_KERNEL_BENCH_HPP
#define RINGKERNELS_PERF_KERNEL_BENCH_HPP

#include "bench_report.hpp"

#include <string>

namespace ringkernels::perf {

/// Runs `which` ("roundtrip" or "throughput") on backend `backend`; throws ringkernels::error
/// (unsupported) for a backend this build lacks. `scale` multiplies message counts.
report run_kernel_bench(const std::string& which, const std::string& backend, double scale);

}  // namespace ringkernels::perf

#endif

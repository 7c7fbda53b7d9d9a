// `ringkernels bench messaging`: frame rings next to the CPU floor measured in the same run.
#ifndef RINGKERNELS_PERF_MESSAGING_BENCH_HPP
#define RINGKERNELS_PERF_MESSAGING_BENCH_HPP

#include "bench_report.hpp"

namespace ringkernels::perf {

/// Runs every messaging benchmark and its floor; `scale` multiplies message counts (1 = full).
report run_messaging_bench(double scale);

}  // namespace ringkernels::perf

#endif

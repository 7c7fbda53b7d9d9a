// `ringkernels soak --backend B --seconds N [--rate R] [--json FILE]`: a kernel left running
// under a steady load, as scientific codes leave one for hours. Streams echo requests at a set
// rate (half the peak measured first, unless --rate says) and, from a second host thread,
// calls one request per millisecond for latency; every reply is checked. Per 5-second window:
// throughput, call latency p50/p99, resident memory. At the end the exact accounting: every
// accepted request processed (telemetry balances: sent = processed + dropped + pending) and
// every reply received once.
#ifndef RINGKERNELS_PERF_SOAK_HPP
#define RINGKERNELS_PERF_SOAK_HPP

#include "bench_report.hpp"

#include <string>

namespace ringkernels::perf {

struct soak_options {
  int seconds = 60;     ///< the loaded run, after the peak measurement
  double rate = 0;      ///< streamed requests per second; 0: half the measured peak
  double window_s = 5;  ///< one progress line and one sample of each series per window
  /// When set, one line per window goes there (CSV: window, end_s, msgs_per_s, call_p50_ns,
  /// call_p99_ns, rss_kib): what perf/plot.py draws.
  std::string csv;
};

/// JSON names: soak.p99_cv, soak.throughput_cv, soak.rss_growth_kib, soak.lost, soak.missing
/// (both 0 when nothing was lost), and the rates and latencies beside them. Throws
/// errc::backend_failure when a reply is wrong, something was lost or missing.
report run_soak(const std::string& backend, const soak_options& options);

}  // namespace ringkernels::perf

#endif

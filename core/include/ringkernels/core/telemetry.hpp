// Honest telemetry of a ring kernel (decision 4): `processed` moves only when a handler ran on a
// message; loop iterations are counted apart. sent + peer_received = processed + dropped +
// pending holds
// whenever the kernel is quiescent (deactivated or drained). Host only.
#ifndef RINGKERNELS_CORE_TELEMETRY_HPP
#define RINGKERNELS_CORE_TELEMETRY_HPP

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace ringkernels {

/// Latency histogram with log2 buckets: bucket b counts values in [2^b, 2^(b+1)) ns (bucket 0
/// also holds 0). 40 buckets reach ~18 minutes. Recording is lock-free. @threadsafe
class latency_histogram {
 public:
  static constexpr int bucket_count = 40;

  void record(std::uint64_t nanoseconds) noexcept;
  std::uint64_t count() const noexcept;
  /// Upper bound (ns) of the bucket holding the p-th percentile (0..100); 0 when empty.
  std::uint64_t percentile_upper_ns(double p) const noexcept;
  std::array<std::uint64_t, bucket_count> buckets() const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
};

/// A copy of a kernel's counters at one moment.
struct telemetry_snapshot {
  std::string kernel;
  std::string backend;
  std::string state;
  std::uint64_t sent = 0;               ///< messages the host enqueued for the kernel
  std::uint64_t peer_received = 0;      ///< messages peer kernels enqueued at its peer port
  std::uint64_t received = 0;           ///< frames workers took from their rings
  std::uint64_t processed = 0;          ///< handler ran to completion
  std::uint64_t replies_sent = 0;       ///< replies workers queued
  std::uint64_t replies_received = 0;   ///< replies the host took off the output rings
  std::uint64_t replies_abandoned = 0;  ///< replies to call()s whose futures were dropped or
                                        ///< gave up (timed out): discarded, never received
  std::uint64_t replies_malformed = 0;  ///< reply frames that failed their checks: skipped
  std::uint64_t dropped_malformed = 0;
  std::uint64_t dropped_handler_failed = 0;
  std::uint64_t dropped_reply_lost = 0;
  std::uint64_t refused_full = 0;     ///< sends refused because the input was full (not sent)
  std::uint64_t dropped_newest = 0;   ///< sends dropped by the drop_newest policy (not sent)
  std::uint64_t dropped_oldest = 0;   ///< sent, then dropped waiting by the drop_oldest policy
  std::uint64_t loop_iterations = 0;  ///< polls, busy or idle: not messages
  std::uint64_t pending = 0;          ///< requests queued, not yet taken by a worker
  std::uint64_t reply_queue_depth = 0;
  double uptime_seconds = 0;
  std::uint64_t restarts = 0;  ///< relaunches by the runtime's supervisor (kernel_options::restart)
  bool circuit_open = false;   ///< the supervisor gave up on the kernel (status() says why)
  std::array<std::uint64_t, latency_histogram::bucket_count> handler_ns{};     ///< sampled
  std::array<std::uint64_t, latency_histogram::bucket_count> end_to_end_ns{};  ///< call()s

  std::uint64_t dropped() const {
    return dropped_malformed + dropped_handler_failed + dropped_oldest;
  }
  /// sent + peer_received == processed + dropped + pending (a failed handler's message counts
  /// as dropped): holds for host-fed and peer-fed kernels alike.
  bool balanced() const { return sent + peer_received == processed + dropped() + pending; }

  /// One JSON object (compact), keys as in the members, drops under "dropped".
  std::string to_json() const;
  /// Prometheus text exposition format, metric names prefixed "ringkernels_".
  std::string to_prometheus() const;
};

/// Several snapshots (a runtime's collection) as {"kernels": [snapshot, ...]}.
std::string to_json(const std::vector<telemetry_snapshot>& snapshots);

}  // namespace ringkernels

#endif

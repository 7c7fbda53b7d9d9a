// A kernel's telemetry on the host side: the workers' counters summed from the control block,
// the handler-time histogram the workers record into, and the end-to-end latencies futures
// record. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_TELEMETRY_HPP
#define RINGKERNELS_DETAIL_KERNEL_TELEMETRY_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/core/telemetry.hpp>

#include <memory>

namespace ringkernels::detail {

/// The histograms of one kernel. @threadsafe (the histograms are).
struct kernel_telemetry {
  /// Shared with the workers: one stuck in a handler past terminate may still record into it.
  std::shared_ptr<latency_histogram> handler_times = std::make_shared<latency_histogram>();
  latency_histogram end_to_end;
};

/// Adds the counters of `workers` workers in `block` (read at scope `S`) to `snapshot`.
template <messaging::scope S>
void add_worker_counters(telemetry_snapshot& snapshot, control_block* block, int workers) {
  using access = control_access<S>;
  const auto dropped = [](worker_counters& c, drop_reason reason) {
    return access::read(&c.dropped[static_cast<int>(reason)]);
  };
  for (int w = 0; w < workers; ++w) {
    worker_counters& c = block->workers()[w];
    snapshot.received += access::read(&c.received);
    snapshot.processed += access::read(&c.processed);
    snapshot.replies_sent += access::read(&c.replies_sent);
    snapshot.dropped_malformed += dropped(c, drop_reason::malformed);
    snapshot.dropped_handler_failed += dropped(c, drop_reason::handler_failed);
    snapshot.dropped_reply_lost += dropped(c, drop_reason::reply_lost);
    snapshot.loop_iterations += access::read(&c.loop_iterations);
  }
}

}  // namespace ringkernels::detail

#endif

// Checks of a kernel's options before anything is allocated, each error naming the number and
// its limit. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_OPTIONS_CHECK_HPP
#define RINGKERNELS_DETAIL_OPTIONS_CHECK_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/messaging/frame.hpp>
#include <ringkernels/messaging/queue_registry.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <cstdint>
#include <string>

namespace ringkernels::detail {

/// Refuses ring sizes that cannot be allocated before anything is (Kokkos would fail deep
/// inside with "Allocation of size 128 G failed"), naming both numbers.
inline void check_ring_memory(const kernel_options& options, std::uint32_t frame_limit) {
  if (options.queue_capacity < 1 || options.queue_capacity > max_queue_capacity) {
    RINGKERNELS_THROW(errc::invalid_argument, "kernel '" + options.name + "': queue_capacity " +
                                                  std::to_string(options.queue_capacity) +
                                                  " is outside 1.." +
                                                  std::to_string(max_queue_capacity));
  }
  std::uint64_t slots = 1;
  while (slots < options.queue_capacity) slots *= 2;
  const std::uint64_t per_ring =
      sizeof(messaging::ring_control) + slots * messaging::slot_stride(frame_limit);
  const std::uint64_t rings = 2 * static_cast<std::uint64_t>(options.workers) + 1;
  const std::uint64_t total = per_ring * rings;
  const std::uint64_t memory = physical_memory_bytes();
  if (memory != 0 && total > memory / 2) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      "kernel '" + options.name + "': its " + std::to_string(rings) + " rings of " +
                          std::to_string(slots) + " slots of " +
                          std::to_string(messaging::slot_stride(frame_limit)) + " B need " +
                          std::to_string(total >> 20) + " MiB, more than half of this host's " +
                          std::to_string(memory >> 20) +
                          " MiB of memory; lower queue_capacity or workers");
  }
}

/// Refuses restart options the supervisor could not follow.
inline void check_restart_options(const kernel_options& options) {
  const restart_options& restart = options.restart;
  const auto ms = [](std::chrono::milliseconds value) { return std::to_string(value.count()); };
  if (restart.max_restarts < 0 || restart.window.count() < 1 || restart.backoff.count() < 0 ||
      restart.max_backoff < restart.backoff) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      "kernel '" + options.name + "': restart options need max_restarts >= 0 (" +
                          std::to_string(restart.max_restarts) + "), window >= 1 ms (" +
                          ms(restart.window) + " ms), backoff >= 0 (" + ms(restart.backoff) +
                          " ms) and max_backoff >= backoff (" + ms(restart.max_backoff) + " ms)");
  }
}

/// Throws errc::invalid_argument naming the first option outside its range.
inline void check_kernel_options(const kernel_options& options, std::uint32_t frame_limit) {
  (void)messaging::queue_name(options.name, "in");  // throws on a bad name
  if (options.workers < 1 || options.workers > max_workers_per_kernel) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      "kernel '" + options.name +
                          "': workers = " + std::to_string(options.workers) + " is outside 1.." +
                          std::to_string(max_workers_per_kernel));
  }
  if (options.acknowledge_timeout.count() < 1 || options.terminate_timeout.count() < 1) {
    RINGKERNELS_THROW(
        errc::invalid_argument,
        "kernel '" + options.name + "': acknowledge_timeout (" +
            std::to_string(options.acknowledge_timeout.count()) + " ms) and terminate_timeout (" +
            std::to_string(options.terminate_timeout.count()) + " ms) must be at least 1 ms");
  }
  if (options.backpressure == messaging::backpressure::block && options.block_timeout.count() < 1) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      "kernel '" + options.name + "': block_timeout (" +
                          std::to_string(options.block_timeout.count()) +
                          " ms) must be at least 1 ms with the block policy");
  }
  if (options.max_batch < 1) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      "kernel '" + options.name + "': max_batch must be >= 1");
  }
  check_restart_options(options);
  check_ring_memory(options, frame_limit);
}

/// `worker` as an index, or errc::invalid_argument naming the operation and the valid range.
inline std::uint32_t checked_worker(const kernel_options& options, int worker,
                                    const char* operation) {
  if (worker < 0 || worker >= options.workers) {
    RINGKERNELS_THROW(errc::invalid_argument, "kernel '" + options.name + "': " + operation + "(" +
                                                  std::to_string(worker) + "): workers are 0.." +
                                                  std::to_string(options.workers - 1));
  }
  return static_cast<std::uint32_t>(worker);
}

}  // namespace ringkernels::detail

#endif

// The dispatch loop on a GPU, one warp per worker: lane 0 (the leader) polls the control block
// and the input ring and claims a batch of up to 32 frames; lane i loads frame i (its header and
// payload in 16-byte units, all lanes' reads across PCIe in flight together), runs the handler,
// and writes its reply into a slot the leader reserved; the leader publishes the replies and
// releases the input with one store each. The per-frame pieces (frame loads, context, counters,
// control access) are the ones run_dispatch_loop uses on the CPU; only the batch is spread.
#ifndef RINGKERNELS_BACKENDS_CUDA_WARP_DISPATCH_HPP
#define RINGKERNELS_BACKENDS_CUDA_WARP_DISPATCH_HPP

#include <ringkernels/dispatch_loop.hpp>

#include <cuda/atomic>

namespace ringkernels::cuda_backend {

inline constexpr unsigned full_warp = 0xffffffffu;

/// One worker's loop; all 32 lanes of the warp call it.
template <class Handler>
__device__ void run_warp_dispatch(const Handler& handler,
                                  const worker_binding<messaging::scope::system>& binding) {
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  constexpr auto S = messaging::scope::system;
  using access = control_access<S>;
  const unsigned lane = threadIdx.x & 31u;
  const bool leader = lane == 0;
  worker_counters& counters = binding.control->workers()[binding.worker];
  detail::worker_tally tally;
  hybrid_logical_clock clock;
  context ctx;
  // The peer port is read only after the acquire load of a `run` command (connect() writes it
  // while the kernel is not active): reading it here would race with connect().
  ctx.impl_bind(binding.name, binding.worker, &clock,
                messaging::ring_ref<messaging::scope::system>{});
  messaging::ring_consumer<S> in(binding.in);
  messaging::ring_producer<S> out(binding.out);
  out.skip_closed_check();
  const std::uint32_t batch_limit = binding.max_batch < 32 ? binding.max_batch : 32;
  std::uint32_t acknowledged = ~0u;
  std::uint32_t busy_streak = 0;
  std::uint32_t command = static_cast<std::uint32_t>(kernel_command::idle);
  unsigned sleep_ns = 0;
  unsigned idle_polls = 0;
  for (std::uint64_t iteration = 0;; ++iteration) {
    std::uint32_t n = 0;
    std::uint64_t head = 0;
    if (leader) {
      if (busy_streak % 8 == 0)
        command = static_cast<std::uint32_t>(access::command(binding.control));
      ++tally.loop_iterations;
      if (command != acknowledged) {
        acknowledged = command;
        detail::acknowledge_command(binding, counters, tally, ctx, clock,
                                    static_cast<kernel_command>(command));
      }
      if (command == static_cast<std::uint32_t>(kernel_command::run)) {
        n = in.available(batch_limit);
        head = in.front_position();
      }
    }
    command = __shfl_sync(full_warp, command, 0);
    if (command == static_cast<std::uint32_t>(kernel_command::terminate)) break;
    n = __shfl_sync(full_warp, n, 0);
    if (n == 0) {
      if (leader &&
          (iteration % 64 == 0 || command != static_cast<std::uint32_t>(kernel_command::run))) {
        access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
      busy_streak = 0;
      const unsigned cap = ++idle_polls < 4096 ? 1024u : 16384u;
      sleep_ns = sleep_ns == 0 ? 32 : (sleep_ns * 2 > cap ? cap : sleep_ns * 2);
      __nanosleep(sleep_ns);
      continue;
    }
    sleep_ns = 0;
    idle_polls = 0;
    ++busy_streak;
    head = __shfl_sync(full_warp, head, 0);

    // Phase 1: every lane with a frame loads it; the warp learns which frames are well formed.
    messaging::frame_header header{};
    request_type request;
    bool valid = false;
    if (lane < n) {
      const messaging::frame_header* slot = binding.in.slot(head + lane);
      header = messaging::load_header(slot);
      messaging::load_payload(
          request, reinterpret_cast<const std::byte*>(slot) + sizeof(messaging::frame_header));
      valid = header.payload_bytes == sizeof(request_type);
    }
    const unsigned valid_mask = __ballot_sync(full_warp, valid);
    const std::uint32_t count = static_cast<std::uint32_t>(__popc(valid_mask));

    // Phase 2: reply slots for the valid frames (waiting while the host has not read enough).
    std::uint64_t first = 0;
    if constexpr (traits::has_reply) {
      if (leader && count > 0) {
        std::uint32_t reserved = 0;
        while (reserved < count) {
          std::uint64_t position = 0;
          const std::uint32_t got = out.reserve_positions(count - reserved, position);
          if (reserved == 0) first = position;
          reserved += got;
          if (got == 0) __nanosleep(256);
        }
      }
      first = __shfl_sync(full_warp, first, 0);
    }
    if (valid) {
      ctx.impl_set_message(header);
      if constexpr (traits::has_reply) {
        const typename traits::reply_type reply = handler(request, ctx);
        messaging::frame_header reply_header{};
        reply_header.payload_bytes = static_cast<std::uint32_t>(sizeof(reply));
        reply_header.type_id = header.type_id;
        reply_header.flags = messaging::frame_flags::reply;
        reply_header.message_id = header.message_id;
        reply_header.correlation_id = header.message_id;
        reply_header.timestamp = header.timestamp;
        const unsigned rank = static_cast<unsigned>(__popc(valid_mask & ((1u << lane) - 1u)));
        out.write_position(first + rank, reply_header, &reply);
        // Make this lane's reply visible system-wide before the leader publishes the batch.
        cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_system);
      } else {
        handler(request, ctx);
      }
    }
    __syncwarp(full_warp);
    if (leader) {
      if constexpr (traits::has_reply) {
        if (count > 0) out.publish_positions(first, count);
      }
      in.release(n);
      tally.received += n;
      tally.processed += count;
      if constexpr (traits::has_reply) tally.replies_sent += count;
      tally.dropped[static_cast<int>(drop_reason::malformed)] += n - count;
      tally.publish<S>(counters);
      if (iteration % 256 == 0) {
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
    }
  }
  if (leader) {
    tally.publish<S>(counters);
    access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
  }
}

}  // namespace ringkernels::cuda_backend

#endif

// The dispatch loop on a GPU, one warp per worker: lane i reads slot head + i of the poll
// window whole, commit stamp included (all lanes' reads across PCIe in flight together, one
// round trip), and takes the frame when its stamp and seal say it is complete (sealed rings,
// messaging/frame_seal.hpp); it runs the handler and writes its sealed reply in a slot the
// leader (lane 0) reserved, without a fence. Lane 31 reads the command word inside the poll's
// round trip every 8th pass; the leader acts on a change, releases the input with one store and,
// in worker 0 of a connected kernel, reads the peer port. The per-frame pieces (context,
// counters, control access, the peer batch) are the ones run_dispatch_loop uses on the CPU; only
// the input batch is spread.
#ifndef RINGKERNELS_BACKENDS_CUDA_WARP_DISPATCH_HPP
#define RINGKERNELS_BACKENDS_CUDA_WARP_DISPATCH_HPP

#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/poll_window.hpp>
#include <ringkernels/backends/cuda/sealed_poll.hpp>

#include <cuda/atomic>

namespace ringkernels::cuda_backend {

inline constexpr unsigned full_warp = 0xffffffffu;

/// How long one launch of the loop runs: for the kernel's lifetime (the persistent modes) or
/// until its ring is empty or it is not told to run (the event-driven mode, which relaunches).
enum class loop_pass : std::uint32_t { resident, until_idle };

/// Batches one until_idle launch takes at most before it exits and is relaunched: a kernel
/// fed without pause must still end now and then where a watchdog limits run time.
inline constexpr std::uint64_t max_passes_per_launch = 4096;

/// The host's latest command word, possibly stale, from memory rather than a cache; it orders
/// nothing (an acquire read follows when it changed).
__device__ inline std::uint32_t load_command_uncached(const control_block* control) {
  std::uint32_t value = 0;
  asm volatile("ld.global.cv.u32 %0, [%1];" : "=r"(value) : "l"(&control->command) : "memory");
  return value;
}

/// The hooks detail::dispatch_batch() needs, for the peer port on a GPU: a handler that traps
/// kills the kernel (the runtime reports it), and a full output ring is waited for briefly.
struct device_peer_hooks {
  template <class Call>
  __device__ bool invoke(Call&& call) {
    call();
    return true;
  }
  __device__ void idle() { __nanosleep(256); }
  __device__ void wait_for_room() { __nanosleep(256); }
  __device__ void busy() {}
};

/// One worker's loop; all 32 lanes of the warp call it.
template <class Handler>
__device__ void run_warp_dispatch(const Handler& handler,
                                  const worker_binding<messaging::scope::system>& binding,
                                  loop_pass pass) {
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  constexpr auto S = messaging::scope::system;
  using access = control_access<S>;
  const unsigned lane = threadIdx.x & 31u;
  const bool leader = lane == 0;
  worker_counters& counters = binding.control->workers()[binding.worker];
  detail::worker_tally tally;
  if (leader) tally.resume<S>(counters);  // an event-driven relaunch continues the counts
  hybrid_logical_clock clock;
  context ctx;
  ctx.impl_bind(binding.name, binding.worker, &clock);
  detail::resume_peer_ids<S>(counters, lane, ctx);
  // Every lane binds its own context to the peer port when it sees `run` (connect() wrote it
  // while the kernel was not active): a handler in any lane may send to the peer.
  bool peer_bound = false;
  messaging::ring_consumer<S> in(binding.in);
  messaging::ring_producer<S> out(binding.out);
  out.skip_closed_check();
  using poll_shape = sealed_poll_shape<request_type>;
  const std::uint32_t batch_limit =
      binding.max_batch < poll_shape::max_window ? binding.max_batch : poll_shape::max_window;
  poll_window window(batch_limit);  // every lane tracks the same window (same inputs)
  std::uint32_t acknowledged = ~0u;
  std::uint32_t command = 0;
  if (leader) command = static_cast<std::uint32_t>(access::command(binding.control));
  command = __shfl_sync(full_warp, command, 0);
  unsigned sleep_ns = 0;
  unsigned idle_polls = 0;
  // Counters are stored after a system fence, so that they never count a reply the host cannot
  // see yet: on the first idle poll after work and every 64th busy pass, not per batch.
  bool counters_behind = false;
  // Worker 0 of a kernel that runtime::connect() made a peer target also reads its peer port,
  // frame by frame in lane 0 (acquire of the stamp, then the frame: peer senders publish
  // with release stores and do not seal), from the run command on, as the CPU loop does.
  bool has_peer_in = false;                                                     // lane 0's
  messaging::ring_consumer<messaging::scope::system> peer_in(binding.peer_in);  // maybe unbound
  device_peer_hooks peer_hooks;
  bool l1_clean = false;  // no L1 line kept from a handler since the last acquire fence
  std::uint32_t busy_passes = 0;
  const auto publish_counters = [&] {
    __syncwarp(full_warp);
    cuda::atomic_thread_fence(cuda::std::memory_order_acq_rel, cuda::thread_scope_system);
    if (leader) tally.publish<S>(counters);
    counters_behind = false;
    l1_clean = true;
  };
  for (std::uint64_t iteration = 0;; ++iteration) {
    if (leader) {
      ++tally.loop_iterations;
      if (command != acknowledged) {
        acknowledged = command;
        if (command == static_cast<std::uint32_t>(kernel_command::run)) {
          has_peer_in = detail::peer_port_enabled(binding);
        }
        detail::acknowledge_command<S>(counters, tally, static_cast<kernel_command>(command));
      }
    }
    command = __shfl_sync(full_warp, command, 0);
    if (command == static_cast<std::uint32_t>(kernel_command::terminate)) break;
    const bool running = command == static_cast<std::uint32_t>(kernel_command::run);
    const bool one_launch_done =
        pass == loop_pass::until_idle && (!running || iteration >= max_passes_per_launch);
    if (one_launch_done) break;
    if (running && !peer_bound) ctx.impl_bind_peer(binding.control->peer_out);
    peer_bound = running;

    // Phase 1: each lane of the poll window reads one slot whole and checks its stamp and seal
    // (no acquire of the stamp first: that read would have to return before the frame's read
    // could start, a second PCIe round trip). The window follows the traffic (poll_window.hpp):
    // one slot for lone requests, up to 32 under load.
    const std::uint64_t head = __shfl_sync(full_warp, in.front_position(), 0);  // leader's
    const std::uint32_t lanes_polling = window.width();
    messaging::frame_header header{};
    request_type request;
    bool ready = false;
    // The command word is read in the same round trip, every 8th pass (terminate is seen
    // within microseconds), by lane 31, which has nothing to poll while requests come alone: a
    // weak uncached load, and only a changed command costs an acquire read after it. Read
    // before the poll on its own, it added a round trip to every 8th pass (the p99).
    std::uint32_t seen = command;
    if (lane == 31 && iteration % 8 == 0) seen = load_command_uncached(binding.control);
    if (running) {
      ready = poll_sealed_window(binding.in, head, lanes_polling, lane, header, request);
    }
    seen = __shfl_sync(full_warp, seen, 31);
    if (seen != command) {
      if (leader) command = static_cast<std::uint32_t>(access::command(binding.control));
      command = __shfl_sync(full_warp, command, 0);
    }
    // The batch is the run of complete frames from the front: a later slot may be complete
    // while an earlier one is still being written (several producers).
    const unsigned ready_mask = __ballot_sync(full_warp, ready);
    const std::uint32_t n =
        ~ready_mask == 0 ? 32u : static_cast<std::uint32_t>(__ffs(~ready_mask) - 1);
    window.after_pass(n);
    std::uint32_t peer_taken = 0;
    if (running && leader && has_peer_in) {
      bool failed = false;  // a handler that fails on a GPU traps: the kernel dies instead
      peer_taken = detail::dispatch_batch(handler, peer_hooks, binding, peer_in, out, false, ctx,
                                          tally, failed);
    }
    peer_taken = __shfl_sync(full_warp, peer_taken, 0);
    if (peer_taken > 0) {
      counters_behind = true;
      l1_clean = false;
    }
    if (n == 0 && peer_taken > 0) {
      idle_polls = 0;
      sleep_ns = 0;
      publish_counters();
      continue;
    }
    if (n == 0) {
      if (counters_behind) publish_counters();
      if (pass == loop_pass::until_idle) break;
      if (leader && (iteration % 64 == 0 || !running)) {
        access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
      // Spin (each poll already waits one PCIe round trip) for a while, then back off.
      ++idle_polls;
      if (idle_polls == 64) window.reset();
      if (idle_polls > 64) {
        const unsigned cap = idle_polls < 4096 ? 1024u : 16384u;
        sleep_ns = sleep_ns == 0 ? 32 : (sleep_ns * 2 > cap ? cap : sleep_ns * 2);
        __nanosleep(sleep_ns);
      }
      continue;
    }
    sleep_ns = 0;
    idle_polls = 0;
    // Acquire for the handler: what the sender wrote before pushing (the arrays a View handle
    // names, copied in by the host) must not come from lines this SM's L1 kept from an earlier
    // handler; the frame's uncached loads do not refresh them. A fence since the last handler
    // ran (publish_counters() after a light batch) already emptied L1, and nothing but
    // uncached polls read memory since: then this one is skipped (0.25 us per lone request).
    if (!l1_clean) {
      cuda::atomic_thread_fence(cuda::std::memory_order_acquire, cuda::thread_scope_device);
    }
    l1_clean = false;  // the handler below may read device memory into L1
    const bool mine = lane < n;
    const bool valid = mine && header.payload_bytes == sizeof(request_type);
    const unsigned valid_mask = __ballot_sync(full_warp, valid);
    const std::uint32_t count = static_cast<std::uint32_t>(__popc(valid_mask));

    // Phase 2: reply slots for the valid frames, waiting while the host has not read enough;
    // a terminate while waiting loses the replies without a slot (counted as reply_lost).
    std::uint64_t first = 0;
    std::uint32_t reserved = 0;
    if constexpr (traits::has_reply) {
      if (leader && count > 0) {
        for (std::uint32_t waits = 0; reserved < count; ++waits) {
          std::uint64_t position = 0;
          const std::uint32_t got = out.reserve_positions(count - reserved, position);
          if (reserved == 0) first = position;
          reserved += got;
          if (got > 0) continue;
          if (waits % 64 == 63 && access::command(binding.control) == kernel_command::terminate) {
            break;
          }
          __nanosleep(256);
        }
      }
      first = __shfl_sync(full_warp, first, 0);
      reserved = __shfl_sync(full_warp, reserved, 0);
    }
    if (valid) {
      ctx.impl_set_message(header);
      if constexpr (traits::has_reply) {
        const typename traits::reply_type reply = handler(request, ctx);
        // Release: what the handler wrote is visible before its reply can be seen. Device
        // memory needs GPU scope (it reaches L2, where copies to the host read it); host memory
        // the handler may write (handler_traits::writes_host_memory) needs system scope.
        if constexpr (traits::writes_host_memory) {
          cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_system);
        } else {
          cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_device);
        }
        const unsigned rank = static_cast<unsigned>(__popc(valid_mask & ((1u << lane) - 1u)));
        if (rank < reserved) {
          out.write_sealed_position(
              first + rank, detail::reply_header_for<typename traits::reply_type>(header), reply);
        }
      } else {
        handler(request, ctx);
      }
    }
    // No system fence per batch: replies are sealed (the host checks each one's seal), the
    // input is released after the reads it follows returned and were checked, and the counters
    // wait for the fence of publish_counters(). A fence cost ~4 of a loaded pass's ~17 us.
    __syncwarp(full_warp);
    if (leader) {
      if constexpr (traits::has_reply) {
        if (reserved > 0) out.publish_tail(first + reserved);
      }
      in.release_relaxed(n);
      tally.received += n;
      tally.processed += count;
      if constexpr (traits::has_reply) {
        tally.replies_sent += reserved;
        tally.dropped[static_cast<int>(drop_reason::reply_lost)] += count - reserved;
      }
      tally.dropped[static_cast<int>(drop_reason::malformed)] += n - count;
      if (iteration % 256 == 0) {
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
    }
    counters_behind = true;
    // A light batch (up to 4 frames) ends with the system fence after all: it
    // returns when the replies have reached host memory, so the next poll reaches host memory
    // after the host had time to answer. Without it, a lone request's next poll came back
    // empty and the request waited for the poll after it (round trip 5.7 against 4.6 us).
    if (n <= 4 || ++busy_passes % 64 == 0) publish_counters();
  }
  detail::save_peer_sends<S>(counters, lane, ctx);  // before the fence that publishes it
  publish_counters();
  if (leader) access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
}

}  // namespace ringkernels::cuda_backend

#endif

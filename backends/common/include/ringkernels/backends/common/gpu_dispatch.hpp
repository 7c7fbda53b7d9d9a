// The dispatch loop on a GPU, one warp per worker, written once for every GPU backend: a CUDA
// warp (32 lanes) and a HIP wavefront (64 lanes) run the same source through the primitives of
// their backend's warp.hpp (`Warp`: lane count and masks, broadcast, ballot, sync, sleep, fences,
// the uncached load). GPU code: compiled by nvcc or hipcc only.
//
// Lane i reads slot head + i of the poll window whole, commit stamp included (all lanes' reads
// across PCIe in flight together, one round trip), and takes the frame when its stamp and seal
// say it is complete (sealed rings, messaging/frame_seal.hpp); it runs the handler and writes its
// sealed reply in a slot the leader (lane 0) reserved, without a fence. The last lane reads the
// command word inside the poll's round trip every 8th pass; the leader acts on a change, releases
// the input with one store and, in worker 0 of a connected kernel, reads the peer port. The
// per-frame pieces (context, counters, control access, the peer batch) are the ones
// run_dispatch_loop uses on the CPU; only the input batch is spread. The per-frame step (size
// check, handler, reply header) and the batch's counting are detail::run_handler,
// reply_header_for and worker_tally::count, the same source the CPU loop runs.
#ifndef RINGKERNELS_BACKENDS_COMMON_GPU_DISPATCH_HPP
#define RINGKERNELS_BACKENDS_COMMON_GPU_DISPATCH_HPP

#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/gpu_sealed_poll.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/backends/common/poll_window.hpp>

#include <cstdint>

namespace ringkernels::gpu {

/// How long one launch of the loop runs: for the kernel's lifetime (the persistent modes) or
/// until its ring is empty or it is not told to run (the event-driven mode, which relaunches).
enum class loop_pass : std::uint32_t { resident, until_idle };

/// Batches one until_idle launch takes at most before it exits and is relaunched: a kernel
/// fed without pause must still end now and then where a watchdog limits run time.
inline constexpr std::uint64_t max_passes_per_launch = 4096;

/// The hooks of the shared batch step (and of an actor worker's loop) on a GPU: a handler that
/// traps kills the kernel (the runtime reports it), so invoke() cannot fail; a full output ring
/// is waited for briefly.
template <class Warp>
struct gpu_hooks {
  template <class Call>
  __device__ bool invoke(Call&& call) {
    call();
    return true;
  }
  __device__ void idle() { Warp::sleep(256); }
  __device__ void wait_for_room() { Warp::sleep(256); }
  __device__ void busy() {}
};

/// What one worker's warp remembers between passes (each lane holds a copy; the leader's
/// `acknowledged` and `has_peer_in` are the ones that count).
struct warp_loop_state {
  std::uint32_t command = 0;         ///< the command the warp acts on (the leader's reading)
  std::uint32_t acknowledged = ~0u;  ///< the last command acknowledged
  unsigned sleep_ns = 0;             ///< the current idle backoff step
  unsigned idle_polls = 0;           ///< empty polls in a row
  std::uint32_t busy_passes = 0;     ///< passes with frames (counters go out every 64th)
  /// Counters are stored after a system fence, so that they never count a reply the host
  /// cannot see yet: on the first idle poll after work and every 64th busy pass.
  bool counters_behind = false;
  bool l1_clean = false;     ///< no L1 line kept from a handler since the last acquire fence
  bool has_peer_in = false;  ///< worker 0 of a connected kernel: lane 0 reads the peer port
  bool peer_bound = false;   ///< this lane's context sends to the peer port
};

/// Publishes the counters behind a system fence (the replies they count are in host memory).
template <class Warp, messaging::scope S>
__device__ __forceinline__ void publish_counters(warp_loop_state& state, bool leader,
                                                 const detail::worker_tally& tally,
                                                 worker_counters& counters) {
  Warp::sync();
  Warp::fence_acq_rel_system();
  if (leader) tally.publish<S>(counters);
  state.counters_behind = false;
  state.l1_clean = true;
}

/// An empty poll: spin (each poll already waits one PCIe round trip) for a while, then back off
/// with growing sleeps; the poll window shrinks back to one slot.
template <class Warp>
__device__ __forceinline__ void back_off_idle(warp_loop_state& state, poll_window& window) {
  ++state.idle_polls;
  if (state.idle_polls == 64) window.reset();
  if (state.idle_polls > 64) {
    const unsigned cap = state.idle_polls < 4096 ? 1024u : 16384u;
    state.sleep_ns =
        state.sleep_ns == 0 ? 32 : (state.sleep_ns * 2 > cap ? cap : state.sleep_ns * 2);
    Warp::sleep(state.sleep_ns);
  }
}

/// The leader reserves `count` reply slots, waiting while the host has not read enough; a
/// terminate while waiting leaves the rest without a slot. Returns how many it got (all
/// lanes), their first position in `first`.
template <class Warp, messaging::scope S>
__device__ __forceinline__ std::uint32_t reserve_reply_slots(bool leader, std::uint32_t count,
                                                             const worker_binding<S>& binding,
                                                             messaging::ring_producer<S>& out,
                                                             std::uint64_t& first) {
  std::uint32_t reserved = 0;
  first = 0;
  if (leader && count > 0) {
    for (std::uint32_t waits = 0; reserved < count; ++waits) {
      std::uint64_t position = 0;
      const std::uint32_t got = out.reserve_positions(count - reserved, position);
      if (reserved == 0) first = position;
      reserved += got;
      if (got > 0) continue;
      if (waits % 64 == 63 &&
          control_access<S>::command(binding.control) == kernel_command::terminate) {
        break;
      }
      Warp::sleep(256);
    }
  }
  first = Warp::broadcast(first, 0);
  return Warp::broadcast(reserved, 0);
}

/// One worker's loop; all lanes of the warp call it.
template <class Warp, class Handler>
__device__ void run_warp_dispatch(const Handler& handler,
                                  const worker_binding<messaging::scope::system>& binding,
                                  loop_pass pass) {
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  using reply_type = detail::reply_of<Handler>;
  constexpr auto S = messaging::scope::system;
  using access = control_access<S>;
  const unsigned lane = Warp::lane();
  const bool leader = lane == 0;
  worker_counters& counters = binding.control->workers()[binding.worker];
  detail::worker_tally tally;
  if (leader) tally.resume<S>(counters);  // an event-driven relaunch continues the counts
  hybrid_logical_clock clock;
  context ctx;
  ctx.impl_bind(binding.name, binding.worker, &clock);
  ctx.impl_bind_control(&binding.control->command);
  detail::resume_peer_ids<S>(counters, lane, ctx);
  messaging::ring_consumer<S> in(binding.in);
  messaging::ring_producer<S> out(binding.out);
  out.skip_closed_check();
  using poll_shape = sealed_poll_shape<request_type, Warp::width>;
  const std::uint32_t batch_limit =
      binding.max_batch < poll_shape::max_window ? binding.max_batch : poll_shape::max_window;
  poll_window window(batch_limit);  // every lane tracks the same window (same inputs)
  warp_loop_state state;
  if (leader) state.command = static_cast<std::uint32_t>(access::command(binding.control));
  state.command = Warp::broadcast(state.command, 0);
  // Worker 0 of a kernel that runtime::connect() made a peer target also reads its peer port,
  // frame by frame in lane 0 (acquire of the stamp, then the frame: peer senders publish
  // with release stores and do not seal), from the run command on, as the CPU loop does.
  messaging::ring_consumer<messaging::scope::system> peer_in(binding.peer_in);  // maybe unbound
  gpu_hooks<Warp> hooks;
  for (std::uint64_t iteration = 0;; ++iteration) {
    if (leader) {
      ++tally.loop_iterations;
      if (state.command != state.acknowledged) {
        state.acknowledged = state.command;
        if (state.command == static_cast<std::uint32_t>(kernel_command::run)) {
          state.has_peer_in = detail::peer_port_enabled(binding);
        }
        detail::acknowledge_command<S>(counters, tally, static_cast<kernel_command>(state.command));
      }
    }
    state.command = Warp::broadcast(state.command, 0);
    if (state.command == static_cast<std::uint32_t>(kernel_command::terminate)) break;
    const bool running = state.command == static_cast<std::uint32_t>(kernel_command::run);
    const bool one_launch_done =
        pass == loop_pass::until_idle && (!running || iteration >= max_passes_per_launch);
    if (one_launch_done) break;
    // Every lane binds its own context to the peer port when it sees `run` (connect() wrote it
    // while the kernel was not active): a handler in any lane may send to the peer.
    if (running && !state.peer_bound) ctx.impl_bind_peer(binding.control->peer_out);
    state.peer_bound = running;

    // Phase 1: each lane of the poll window reads one slot whole and checks its stamp and seal
    // (no acquire of the stamp first: that read would have to return before the frame's read
    // could start, a second PCIe round trip). The window follows the traffic (poll_window.hpp):
    // one slot for lone requests, up to a warp under load.
    const std::uint64_t head = Warp::broadcast(in.front_position(), 0);  // leader's
    messaging::frame_header header{};
    request_type request;
    bool ready = false;
    // The command word is read in the same round trip, every 8th pass (terminate is seen
    // within microseconds), by the command lane: a weak uncached load, and only a changed
    // command costs an acquire read after it. Read before the poll on its own, it added a
    // round trip to every 8th pass (the p99).
    std::uint32_t seen = state.command;
    if (lane == Warp::width - 1 && iteration % 8 == 0)
      seen = Warp::load_uncached(&binding.control->command);
    if (running)
      ready = poll_sealed_window<Warp>(binding.in, head, window.width(), lane, header, request);
    seen = Warp::broadcast(seen, Warp::width - 1);
    if (seen != state.command) {
      if (leader) state.command = static_cast<std::uint32_t>(access::command(binding.control));
      state.command = Warp::broadcast(state.command, 0);
    }
    // The batch is the run of complete frames from the front: a later slot may be complete
    // while an earlier one is still being written (several producers).
    const std::uint32_t n = Warp::leading_lanes(Warp::ballot(ready));
    window.after_pass(n);
    std::uint32_t peer_taken = 0;
    if (running && leader && state.has_peer_in) {
      // The CPU's frame-by-frame batch step; a handler that fails on a GPU traps instead.
      peer_taken =
          detail::dispatch_batch(handler, hooks, binding, peer_in, out, false, ctx, tally).taken;
    }
    peer_taken = Warp::broadcast(peer_taken, 0);
    if (peer_taken > 0) {
      state.counters_behind = true;
      state.l1_clean = false;
    }
    if (n == 0 && peer_taken > 0) {
      state.idle_polls = 0;
      state.sleep_ns = 0;
      publish_counters<Warp, S>(state, leader, tally, counters);
      continue;
    }
    if (n == 0) {
      if (state.counters_behind) publish_counters<Warp, S>(state, leader, tally, counters);
      if (pass == loop_pass::until_idle) break;
      if (leader && (iteration % 64 == 0 || !running)) {
        access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
      back_off_idle<Warp>(state, window);
      continue;
    }
    state.sleep_ns = 0;
    state.idle_polls = 0;
    // Acquire for the handler: what the sender wrote before pushing (the arrays a View handle
    // names, copied in by the host) must not come from lines this SM's L1 kept from an earlier
    // handler; the frame's uncached loads do not refresh them. A fence since the last handler
    // ran (publish_counters() after a light batch) already emptied L1, and nothing but
    // uncached polls read memory since: then this one is skipped (0.25 us per lone request).
    if (!state.l1_clean) {
      Warp::fence_acquire_device();
    }
    state.l1_clean = false;  // the handler below may read device memory into L1
    const bool valid = lane < n && detail::is_request_frame<request_type>(header);
    const auto valid_mask = Warp::ballot(valid);
    detail::batch_count batch;
    batch.taken = n;
    batch.processed = Warp::count(valid_mask);
    batch.malformed = n - batch.processed;

    // Phase 2: reply slots for the valid frames; a terminate while waiting for them loses the
    // replies without a slot (counted as reply_lost).
    std::uint64_t first = 0;
    std::uint32_t reserved = 0;
    if constexpr (traits::has_reply) {
      reserved = reserve_reply_slots<Warp>(leader, static_cast<std::uint32_t>(batch.processed),
                                           binding, out, first);
      batch.replies_sent = reserved;
      batch.replies_lost = batch.processed - reserved;
    }
    if (valid) {
      reply_type reply;
      (void)detail::run_handler(handler, hooks, header, request, ctx, reply);
      if constexpr (traits::has_reply) {
        // Release: what the handler wrote is visible before its reply can be seen. Device
        // memory needs GPU scope (it reaches L2, where copies to the host read it); host memory
        // the handler may write (handler_traits::writes_host_memory) needs system scope.
        if constexpr (traits::writes_host_memory) {
          Warp::fence_release_system();
        } else {
          Warp::fence_release_device();
        }
        const std::uint32_t rank = Warp::count_below(valid_mask, lane);
        if (rank < reserved) {
          out.write_sealed_position(first + rank, detail::reply_header_for<reply_type>(header),
                                    reply);
        }
      }
    }
    // No system fence per batch: replies are sealed (the host checks each one's seal), the
    // input is released after the reads it follows returned and were checked, and the counters
    // wait for the fence of publish_counters(). A fence cost ~4 of a loaded pass's ~17 us.
    Warp::sync();
    if (leader) {
      if constexpr (traits::has_reply) {
        if (reserved > 0) out.publish_tail(first + reserved);
      }
      in.release_relaxed(n);
      tally.count(batch);
      if (iteration % 256 == 0) {
        access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      }
    }
    state.counters_behind = true;
    // A light batch (up to 4 frames) ends with the system fence after all: it
    // returns when the replies have reached host memory, so the next poll reaches host memory
    // after the host had time to answer. Without it, a lone request's next poll came back
    // empty and the request waited for the poll after it (round trip 5.7 against 4.6 us).
    if (n <= 4 || ++state.busy_passes % 64 == 0)
      publish_counters<Warp, S>(state, leader, tally, counters);
  }
  detail::save_peer_sends<S>(counters, lane, ctx);  // before the fence that publishes it
  publish_counters<Warp, S>(state, leader, tally, counters);
  if (leader) access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
}

/// One block (one warp) per worker; the warp runs the dispatch loop for its worker, each lane
/// handling one frame of a batch. A handler with its own loop (an actor system) runs it on the
/// first lane. `pass` says whether the kernel stays resident.
template <class Warp, class Handler>
__global__ void dispatch_kernel(Handler handler,
                                const worker_binding<messaging::scope::system>* bindings,
                                loop_pass pass) {
  const worker_binding<messaging::scope::system> binding = bindings[blockIdx.x];
  if constexpr (handler_traits<Handler>::runs_own_loop) {
    if (Warp::lane() != 0) return;  // an own loop runs on one lane per worker
    gpu_hooks<Warp> hooks;
    handler.run_worker(binding, hooks, pass == loop_pass::until_idle);
  } else {
    run_warp_dispatch<Warp>(handler, binding, pass);
  }
}

}  // namespace ringkernels::gpu

#endif

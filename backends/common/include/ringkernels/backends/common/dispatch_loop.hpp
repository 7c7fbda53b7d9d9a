// The dispatch loop: one source for every backend (architecture: "The dispatch loop").
//
//   loop until terminate:
//     not active      -> back off; continue            (resident, idle)
//     claim a batch   -> one index read, many frames
//     empty           -> back off; count the iteration; continue
//     each frame      -> handler(request, ctx); reply into the output ring
//     release input   -> one store per batch; counters updated once per batch
//
// What differs per backend comes in through Hooks: how to idle (park on the CPU, woken by
// senders and commands; __nanosleep on a GPU), how to wait for room in a full reply ring (short
// steps: the host's receive wakes nobody), and how to call the handler (the CPU simulator
// catches exceptions).
#ifndef RINGKERNELS_BACKENDS_COMMON_DISPATCH_LOOP_HPP
#define RINGKERNELS_BACKENDS_COMMON_DISPATCH_LOOP_HPP

#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels {

/// Everything one worker needs, by value (device-copyable).
template <messaging::scope S>
struct worker_binding {
  control_block* control = nullptr;
  std::uint32_t worker = 0;
  std::uint32_t max_batch = 64;
  messaging::ring_ref<S> in{};                              ///< requests for this worker
  messaging::ring_ref<S> out{};                             ///< this worker's replies
  messaging::ring_ref<messaging::scope::system> peer_in{};  ///< from peer kernels (worker 0)
  char name[kernel_name_capacity] = {};
};

namespace detail {

/// A worker's counters kept in registers; the control block gets plain stores of the totals.
/// (An increment of a counter in host memory would be a read across PCIe on a GPU.)
struct worker_tally {
  std::uint64_t received = 0;
  std::uint64_t processed = 0;
  std::uint64_t replies_sent = 0;
  std::uint64_t dropped[static_cast<int>(drop_reason::count)] = {};
  std::uint64_t loop_iterations = 0;

  /// Continues from the published counts (a worker relaunched by the event-driven mode).
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION void resume(worker_counters& counters) {
    using u64 = messaging::atomic_index<std::uint64_t, S>;
    received = u64::load_relaxed(&counters.received);
    processed = u64::load_relaxed(&counters.processed);
    replies_sent = u64::load_relaxed(&counters.replies_sent);
    for (int r = 0; r < static_cast<int>(drop_reason::count); ++r) {
      dropped[r] = u64::load_relaxed(&counters.dropped[r]);
    }
    loop_iterations = u64::load_relaxed(&counters.loop_iterations);
  }

  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION void publish(worker_counters& counters) const {
    using u64 = messaging::atomic_index<std::uint64_t, S>;
    u64::store_relaxed(&counters.received, received);
    u64::store_relaxed(&counters.processed, processed);
    u64::store_relaxed(&counters.replies_sent, replies_sent);
    for (int r = 0; r < static_cast<int>(drop_reason::count); ++r) {
      u64::store_relaxed(&counters.dropped[r], dropped[r]);
    }
    u64::store_relaxed(&counters.loop_iterations, loop_iterations);
  }
};

/// A reply made while the output ring was full and the kernel was told to stop taking
/// requests (deactivate): the worker keeps it, acknowledges, and pushes it when space comes.
/// The header of the reply to `request`: same type, flagged a reply, correlated by the
/// request's id, and carrying the request's send time (for latency). One source for the CPU
/// loop and the GPU warp loop.
template <class Reply>
RINGKERNELS_INLINE_FUNCTION messaging::frame_header reply_header_for(
    const messaging::frame_header& request) {
  messaging::frame_header header{};
  header.payload_bytes = static_cast<std::uint32_t>(sizeof(Reply));
  header.type_id = request.type_id;
  header.flags = messaging::frame_flags::reply;
  header.message_id = request.message_id;
  header.correlation_id = request.message_id;
  header.timestamp = request.timestamp;
  return header;
}

template <class Reply>
struct held_reply {
  bool held = false;
  messaging::frame_header header{};
  Reply reply{};
};
template <class Handler>
using held_reply_for =
    held_reply<std::conditional_t<handler_traits<Handler>::has_reply,
                                  typename handler_traits<Handler>::reply_type, char>>;

/// Pushes a held reply; true once nothing is held.
template <class Reply, class Producer>
RINGKERNELS_INLINE_FUNCTION bool flush_held_reply(held_reply<Reply>& held, Producer& replies,
                                                  worker_tally& tally) {
  if (!held.held) return true;
  if (replies.try_push(held.header, &held.reply) != messaging::push_result::ok) return false;
  held.held = false;
  ++tally.replies_sent;
  return true;
}

/// Handles one batch from `source`: returns the number of frames taken. Sets `failed` when the
/// handler failed (the batch is then released only up to and including the failed frame, the
/// rest stays pending). A reply that finds the output ring full waits for space, unless the
/// command changes meanwhile: on terminate it is lost (counted), otherwise it goes to `held`
/// (which must then be given; replies_wanted == false never needs it) and the batch ends.
template <class Handler, class Hooks, class Consumer, class Producer, messaging::scope S>
RINGKERNELS_INLINE_FUNCTION std::uint32_t dispatch_batch(const Handler& handler, Hooks& hooks,
                                                         const worker_binding<S>& binding,
                                                         Consumer& source, Producer& replies,
                                                         bool replies_wanted, context& ctx,
                                                         worker_tally& tally, bool& failed,
                                                         held_reply_for<Handler>* held = nullptr) {
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  using access = control_access<S>;
  const std::uint32_t n = source.available(binding.max_batch);
  if (n == 0) return 0;
  std::uint64_t processed = 0;
  std::uint64_t malformed = 0;
  std::uint64_t replies_sent = 0;
  std::uint64_t replies_lost = 0;
  std::uint32_t taken = n;
  for (std::uint32_t i = 0; i < n; ++i) {
    const messaging::frame_view frame = source.frame(i);
    // Local copies in 16-byte units: on a GPU the slot is in host memory across PCIe.
    // Header and payload are loaded before the size check so that both reads are in flight
    // together (one PCIe round trip, not two); reading a slot past a short payload is safe.
    const messaging::frame_header request_header = messaging::load_header(frame.header);
    request_type request;
    messaging::load_payload(request, frame.payload);
    if (request_header.payload_bytes != sizeof(request_type)) {
      ++malformed;
      continue;
    }
    ctx.impl_set_message(request_header);
    if constexpr (traits::has_reply) {
      typename traits::reply_type reply;
      if (!hooks.invoke([&] { reply = handler(request, ctx); })) {
        failed = true;
        taken = i + 1;
        break;
      }
      ++processed;
      if (!replies_wanted) continue;
      const messaging::frame_header header =
          reply_header_for<typename traits::reply_type>(request_header);
      // A full output ring is backpressure from the host: wait for it, unless told to stop.
      bool sent = true;
      while (replies.try_push(header, &reply) != messaging::push_result::ok) {
        const kernel_command now = access::command(binding.control);
        if (now == kernel_command::terminate) {
          ++replies_lost;
          break;
        }
        if (now != kernel_command::run && held != nullptr) {
          // Deactivated while waiting: keep the reply, take no more requests, let the loop
          // acknowledge (the host may drain the replies only later).
          held->held = true;
          held->header = header;
          held->reply = reply;
          sent = false;
          break;
        }
        hooks.wait_for_room();
      }
      if (sent) replies_sent += 1;
      if (!sent) {
        taken = i + 1;
        break;
      }
    } else {
      if (!hooks.invoke([&] { handler(request, ctx); })) {
        failed = true;
        taken = i + 1;
        break;
      }
      ++processed;
    }
  }
  source.release(taken);
  replies_sent -= replies_lost;
  tally.received += taken;
  tally.processed += processed;
  tally.replies_sent += replies_sent;
  tally.dropped[static_cast<int>(drop_reason::malformed)] += malformed;
  tally.dropped[static_cast<int>(drop_reason::reply_lost)] += replies_lost;
  if (failed) tally.dropped[static_cast<int>(drop_reason::handler_failed)] += 1;
  return taken;
}

/// Whether this worker reads a peer port: worker 0 of a kernel runtime::connect() made a target
/// (read when `run` is acknowledged; on a GPU every poll of the port crosses PCIe).
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION bool peer_port_enabled(const worker_binding<S>& binding) {
  return binding.peer_in.control != nullptr &&
         control_access<S>::u32::load_acquire(&binding.control->peer_in_enabled) != 0;
}

/// Sets up `lane`'s context for peer messages: its ids continue from the count its last
/// dispatch loop stored (save_peer_sends); the port itself is bound at `run` (connect() writes
/// it while the kernel is not active, so it is read only after the acquire load of `run`).
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void resume_peer_ids(worker_counters& counters, std::uint32_t lane,
                                                 context& ctx) {
  ctx.impl_resume_peer_ids(lane, control_access<S>::u64::load_relaxed(&counters.peer_sends[lane]));
}

/// Stores how many peer messages `lane` sent, for the lane's next dispatch loop.
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void save_peer_sends(worker_counters& counters, std::uint32_t lane,
                                                 const context& ctx) {
  if (ctx.has_peer()) {
    control_access<S>::u64::store_relaxed(&counters.peer_sends[lane], ctx.impl_peer_sends());
  }
}

/// What a worker does when it sees a command it has not acted on: make the counters current
/// and acknowledge (release) with a fresh heartbeat, which lets the host relate this worker's
/// clock to its own. Shared by the CPU loop and the GPU warp loop.
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void acknowledge_command(worker_counters& counters,
                                                     const worker_tally& tally,
                                                     kernel_command command) {
  using access = control_access<S>;
  tally.publish<S>(counters);
  access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
  access::u32::store_release(&counters.acknowledged, static_cast<std::uint32_t>(command));
}

}  // namespace detail

/// Runs one worker until the kernel is told to terminate or the handler fails.
template <class Handler, class Hooks, messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void run_dispatch_loop(const Handler& handler,
                                                   const worker_binding<S>& binding, Hooks& hooks) {
  using access = control_access<S>;
  worker_counters& counters = binding.control->workers()[binding.worker];
  hybrid_logical_clock clock;
  context ctx;
  ctx.impl_bind(binding.name, binding.worker, &clock);
  detail::resume_peer_ids<S>(counters, 0, ctx);  // a CPU worker is one lane
  messaging::ring_consumer<S> in(binding.in);
  messaging::ring_producer<S> out(binding.out);
  // The output ring is never closed while its worker runs (terminate goes through the control
  // block): skip the closed check, a read across PCIe per reply on a GPU.
  out.skip_closed_check();
  detail::worker_tally tally;
  // Peers are polled only once connected: on a GPU every poll is a read across PCIe.
  bool has_peer_in = false;
  messaging::ring_consumer<messaging::scope::system> peer_in(binding.peer_in);  // maybe unbound
  detail::held_reply_for<Handler> held;  // a reply waiting for space while not running
  // Stopped after a handler failure: takes nothing until the host recovers the kernel (it
  // commands idle, which this worker then acknowledges afresh) or terminates it.
  bool halted = false;
  std::uint32_t acknowledged = ~0u;
  kernel_command command = kernel_command::idle;
  std::uint32_t busy_streak = 0;
  for (std::uint64_t iteration = 0;; ++iteration) {
    // While messages keep coming, the command is re-read every 8th iteration only: on a GPU
    // each read crosses PCIe. Control latency stays bounded (8 batches).
    if (busy_streak % 8 == 0) command = access::command(binding.control);
    ++tally.loop_iterations;
    if (iteration % 256 == 0) {
      tally.publish<S>(counters);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
    }
    if (halted) {
      if (command == kernel_command::terminate) break;
      if (command != kernel_command::idle) {
        hooks.idle();
        continue;
      }
      halted = false;  // the host is recovering the kernel: acknowledge idle below
    }
    if (static_cast<std::uint32_t>(command) != acknowledged) {
      acknowledged = static_cast<std::uint32_t>(command);
      if (command == kernel_command::run) {
        has_peer_in = detail::peer_port_enabled(binding);
        ctx.impl_bind_peer(binding.control->peer_out);
      }
      detail::acknowledge_command<S>(counters, tally, command);
    }
    if (command == kernel_command::terminate) {
      if (held.held) ++tally.dropped[static_cast<int>(drop_reason::reply_lost)];
      break;
    }
    // A held reply goes out before any new request is taken, whatever the command.
    if (!detail::flush_held_reply(held, out, tally) || command != kernel_command::run) {
      busy_streak = 0;  // not busy: read the command on every idle pass
      access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      tally.publish<S>(counters);
      // A held reply waits for the host to drain replies, which wakes nobody: short steps.
      if (held.held) {
        hooks.wait_for_room();
      } else {
        hooks.idle();
      }
      continue;
    }
    bool failed = false;
    std::uint32_t handled =
        detail::dispatch_batch(handler, hooks, binding, in, out, true, ctx, tally, failed, &held);
    if (!failed && has_peer_in) {
      // Peer messages are handled like requests; their replies (if any) are not sent back.
      handled +=
          detail::dispatch_batch(handler, hooks, binding, peer_in, out, false, ctx, tally, failed);
    }
    busy_streak = handled > 0 ? busy_streak + 1 : 0;
    if (handled > 0) tally.publish<S>(counters);
    if (failed) {
      // The failed message was counted as dropped (handler_failed) and released; the rest
      // stays queued. Say so, then wait for recovery or terminate. The acknowledgement is
      // withdrawn, so the host's recovery sees this worker's fresh `idle`, not an old one.
      access::u32::store_release(&counters.acknowledged, halted_acknowledgement);
      acknowledged = halted_acknowledgement;
      access::u32::store_release(&counters.faulted, 1u);
      access::u32::store_release(&binding.control->any_faulted, 1u);
      halted = true;
      busy_streak = 0;
      continue;
    }
    if (handled == 0) {
      // Idle iterations are cheap to stamp; busy ones stamp every 256 iterations (above).
      access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      hooks.idle();
    } else {
      hooks.busy();
    }
  }
  detail::save_peer_sends<S>(counters, 0, ctx);
  tally.publish<S>(counters);
  access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
}

}  // namespace ringkernels

#endif

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

  /// Counts one batch: every backend's loop ends a batch here.
  RINGKERNELS_INLINE_FUNCTION void count(const struct batch_count& batch);

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

/// What one batch did, counted once per batch (worker_tally::count) on every backend.
struct batch_count {
  std::uint32_t taken = 0;         ///< frames released from the input ring
  std::uint64_t processed = 0;     ///< frames a handler ran on
  std::uint64_t replies_sent = 0;  ///< replies published
  std::uint64_t replies_lost = 0;  ///< replies dropped: terminate came while the ring was full
  std::uint64_t malformed = 0;     ///< frames of the wrong size, dropped unread
  bool failed = false;             ///< a handler failed (its frame is counted as dropped)
};

RINGKERNELS_INLINE_FUNCTION void worker_tally::count(const batch_count& batch) {
  received += batch.taken;
  processed += batch.processed;
  replies_sent += batch.replies_sent;
  dropped[static_cast<int>(drop_reason::malformed)] += batch.malformed;
  dropped[static_cast<int>(drop_reason::reply_lost)] += batch.replies_lost;
  if (batch.failed) dropped[static_cast<int>(drop_reason::handler_failed)] += 1;
}

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

/// The reply type of `Handler`, or a placeholder byte for handlers without a reply.
template <class Handler>
using reply_of = std::conditional_t<handler_traits<Handler>::has_reply,
                                    typename handler_traits<Handler>::reply_type, char>;

/// Whether a frame's header describes a request of `Request`'s size (anything else is
/// dropped as malformed, unread).
template <class Request>
RINGKERNELS_INLINE_FUNCTION bool is_request_frame(const messaging::frame_header& header) {
  return header.payload_bytes == sizeof(Request);
}

/// The step every backend takes per frame: points the context at the frame's header and runs
/// the handler through the backend's hooks (which time it, or catch what it throws); a
/// handler's reply goes to `reply`. False when the hooks report the handler failed.
template <class Handler, class Hooks>
RINGKERNELS_INLINE_FUNCTION bool run_handler(
    const Handler& handler, Hooks& hooks, const messaging::frame_header& header,
    const typename handler_traits<Handler>::request_type& request, context& ctx,
    reply_of<Handler>& reply) {
  ctx.impl_set_message(header);
  if constexpr (handler_traits<Handler>::has_reply) {
    return hooks.invoke([&] { reply = handler(request, ctx); });
  } else {
    (void)reply;
    return hooks.invoke([&] { handler(request, ctx); });
  }
}

/// A reply made while the output ring was full and the kernel was told to stop taking
/// requests (deactivate): the worker keeps it, acknowledges, and pushes it when space comes.
template <class Reply>
struct held_reply {
  bool held = false;
  messaging::frame_header header{};
  Reply reply{};
};
template <class Handler>
using held_reply_for = held_reply<reply_of<Handler>>;

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

/// What became of a reply (push_reply).
enum class reply_push : std::uint8_t {
  sent,  ///< published
  lost,  ///< terminate came while the ring was full: dropped and counted (reply_lost)
  held,  ///< the command changed while the ring was full: kept in `held`, the batch ends
};

/// Pushes one reply, waiting for room while the output ring is full and the kernel still runs
/// (without `held`, also while it is told to idle).
template <class Reply, class Hooks, class Producer, messaging::scope S>
[[nodiscard]] RINGKERNELS_INLINE_FUNCTION reply_push
push_reply(const worker_binding<S>& binding, Hooks& hooks, Producer& replies,
           const messaging::frame_header& header, const Reply& reply, batch_count& batch,
           held_reply<Reply>* held) {
  while (replies.try_push(header, &reply) != messaging::push_result::ok) {
    const kernel_command now = control_access<S>::command(binding.control);
    if (now == kernel_command::terminate) {
      ++batch.replies_lost;
      return reply_push::lost;
    }
    if (now != kernel_command::run && held != nullptr) {
      // Deactivated while waiting: keep the reply, take no more requests, let the loop
      // acknowledge (the host may drain the replies only later).
      held->held = true;
      held->header = header;
      held->reply = reply;
      return reply_push::held;
    }
    hooks.wait_for_room();  // a full output ring is backpressure from the host
  }
  ++batch.replies_sent;
  return reply_push::sent;
}

/// Handles one batch from `source` frame by frame (the CPU's way; a GPU warp spreads the frames
/// over its lanes, dispatch.hpp) and returns what it did, already counted in `tally`. A failed
/// handler ends the batch: it is released up to and including the failed frame, the rest stays
/// pending. A reply that finds the output ring full waits for space (push_reply); a held one
/// ends the batch the same way (`held` must be given unless replies_wanted is false).
template <class Handler, class Hooks, class Consumer, class Producer, messaging::scope S>
RINGKERNELS_INLINE_FUNCTION batch_count dispatch_batch(const Handler& handler, Hooks& hooks,
                                                       const worker_binding<S>& binding,
                                                       Consumer& source, Producer& replies,
                                                       bool replies_wanted, context& ctx,
                                                       worker_tally& tally,
                                                       held_reply_for<Handler>* held = nullptr) {
  using request_type = typename handler_traits<Handler>::request_type;
  batch_count batch;
  const std::uint32_t n = source.available(binding.max_batch);
  if (n == 0) return batch;
  batch.taken = n;
  for (std::uint32_t i = 0; i < n; ++i) {
    const messaging::frame_view frame = source.frame(i);
    // Local copies in 16-byte units: on a GPU the slot is in host memory across PCIe.
    // Header and payload are loaded before the size check so that both reads are in flight
    // together (one PCIe round trip, not two); reading a slot past a short payload is safe.
    const messaging::frame_header request_header = messaging::load_header(frame.header);
    request_type request;
    messaging::load_payload(request, frame.payload);
    if (!is_request_frame<request_type>(request_header)) {
      ++batch.malformed;
      continue;
    }
    reply_of<Handler> reply;
    if (!run_handler(handler, hooks, request_header, request, ctx, reply)) {
      batch.failed = true;
      batch.taken = i + 1;
      break;
    }
    ++batch.processed;
    if constexpr (handler_traits<Handler>::has_reply) {
      if (!replies_wanted) continue;
      const messaging::frame_header header = reply_header_for<reply_of<Handler>>(request_header);
      if (push_reply(binding, hooks, replies, header, reply, batch, held) == reply_push::held) {
        batch.taken = i + 1;
        break;
      }
    }
  }
  source.release(batch.taken);
  tally.count(batch);
  return batch;
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
    detail::batch_count batch =
        detail::dispatch_batch(handler, hooks, binding, in, out, true, ctx, tally, &held);
    std::uint32_t handled = batch.taken;
    if (!batch.failed && has_peer_in) {
      // Peer messages are handled like requests; their replies (if any) are not sent back.
      batch = detail::dispatch_batch(handler, hooks, binding, peer_in, out, false, ctx, tally);
      handled += batch.taken;
    }
    const bool failed = batch.failed;
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

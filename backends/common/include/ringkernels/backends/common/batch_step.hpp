// The batch step, one source for every backend: what a worker holds (worker_binding), how it
// counts (worker_tally, batch_count), and what it does per frame (is_request_frame,
// run_handler, reply_header_for, push_reply). The CPU loop runs it frame by frame
// (dispatch_batch); the GPU loop (backends/common/gpu_dispatch.hpp) spreads a batch over a warp's
// lanes and calls the same pieces.
#ifndef RINGKERNELS_BACKENDS_COMMON_BATCH_STEP_HPP
#define RINGKERNELS_BACKENDS_COMMON_BATCH_STEP_HPP

#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
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
enum class [[nodiscard]] reply_push : std::uint8_t{
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

}  // namespace detail
}  // namespace ringkernels

#endif

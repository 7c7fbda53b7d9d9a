// The worker loop of an actor system: one source for every backend. A worker owns the actors
// that placement gives it and runs their handlers one message at a time, so no two handler
// calls of one actor ever overlap, and messages reach an actor in the order they entered the
// worker's queues (per sender: the order sent). Per pass it retries its overflow, takes host
// messages (tell/ask, from its input ring), then messages from other actors (its mailbox).
//
// An actor system is a ring kernel whose handler is this program (kernel_impl runs it through
// the same launchers, control block, lifecycle and reply routing): the input ring carries host
// envelopes, the output ring carries ask() replies.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_PROGRAM_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_PROGRAM_HPP

#include <ringkernels/backends/common/actor_context.hpp>
#include <ringkernels/backends/common/actor_mailbox.hpp>
#include <ringkernels/backends/common/actor_placement.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>
#include <ringkernels/backends/common/batch_step.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>

#include <cstdint>

namespace ringkernels {

/// Set in actor_envelope::type by ask(): the handler may answer with ctx.reply().
inline constexpr std::uint32_t actor_ask_flag = 0x80000000u;

template <class Actor, messaging::scope MailboxScope>
struct actor_program {
  using Request = actor_envelope<Actor>;
  using Reply = typename actor_traits<Actor>::reply_type;
  /// The launchers run run_worker() instead of the ring-kernel dispatch loop.
  static constexpr bool runs_own_loop = true;

  Actor actor;
  actor_binding<Actor, MailboxScope> actors;
  actor_placement placement;

  /// One worker's loop, until terminate (or, with `until_idle`, until it has nothing to do).
  template <class Hooks, messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION void run_worker(const worker_binding<S>& binding, Hooks& hooks,
                                              bool until_idle) const {
    using access = control_access<S>;
    worker_counters& counters = binding.control->workers()[binding.worker];
    detail::worker_tally tally;
    tally.resume<S>(counters);
    actor_tally mine = resume_actor_tally(binding.worker);
    messaging::ring_consumer<S> in(binding.in);
    messaging::ring_producer<messaging::scope::system> out(binding.out);
    out.skip_closed_check();
    messaging::ring_consumer<MailboxScope> mailbox(actors.mailboxes[binding.worker]);
    actor_context<Actor> ctx;
    ctx.impl_bind(binding.worker, placement, actors.mailboxes, MailboxScope,
                  &actors.overflows[binding.worker], &mine, &actors.counters[binding.worker], &out,
                  &binding.control->command);
    std::uint32_t acknowledged = ~0u;
    for (;;) {
      const kernel_command command = access::command(binding.control);
      ++tally.loop_iterations;
      if (static_cast<std::uint32_t>(command) != acknowledged) {
        acknowledged = static_cast<std::uint32_t>(command);
        publish(binding.worker, mine);
        detail::acknowledge_command<S>(counters, tally, command);
      }
      if (command == kernel_command::terminate) break;
      if (command != kernel_command::run) {
        if (until_idle) break;
        hooks.idle();
        continue;
      }
      const bool overflow_empty = ctx.impl_flush_overflow();
      const std::uint32_t from_host = take_host_messages(binding, in, ctx, tally, mine);
      const std::uint32_t from_actors = take_mailbox(binding, mailbox, ctx, mine);
      if (from_host + from_actors > 0) {
        publish(binding.worker, mine);
        tally.publish<S>(counters);
        hooks.busy();
        continue;
      }
      access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      if (until_idle && overflow_empty) break;
      hooks.idle();
    }
    publish(binding.worker, mine);
    tally.publish<S>(counters);
    access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
  }

 private:
  using envelope = actor_envelope<Actor>;
  using counter = messaging::atomic_index<std::uint64_t, messaging::scope::system>;

  /// Host messages (tell, ask) in order; each envelope's frame is checked before it is used.
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION std::uint32_t take_host_messages(const worker_binding<S>& binding,
                                                               messaging::ring_consumer<S>& in,
                                                               actor_context<Actor>& ctx,
                                                               detail::worker_tally& tally,
                                                               actor_tally& mine) const {
    const std::uint32_t n = in.available(binding.max_batch);
    if (n == 0) return 0;
    detail::batch_count batch;
    batch.taken = n;
    for (std::uint32_t i = 0; i < n; ++i) {
      const messaging::frame_view frame = in.frame(i);
      const messaging::frame_header header = messaging::load_header(frame.header);
      envelope message;
      messaging::load_payload(message, frame.payload);
      if (!detail::is_request_frame<envelope>(header)) {
        ++batch.malformed;
        continue;
      }
      ++mine.from_host;
      ++batch.processed;
      const bool asked = (message.type & actor_ask_flag) != 0;
      message.type &= ~actor_ask_flag;
      deliver(binding.worker, message, ctx, mine, asked, header);
    }
    in.release(n);
    tally.count(batch);
    return n;
  }

  /// Messages from actors (this worker's own included), in mailbox order.
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION std::uint32_t take_mailbox(
      const worker_binding<S>& binding, messaging::ring_consumer<MailboxScope>& mailbox,
      actor_context<Actor>& ctx, actor_tally& mine) const {
    const std::uint32_t n = mailbox.available(binding.max_batch);
    for (std::uint32_t i = 0; i < n; ++i) {
      const messaging::frame_view frame = mailbox.frame(i);
      envelope message;
      messaging::load_payload(message, frame.payload);
      deliver(binding.worker, message, ctx, mine, false, messaging::frame_header{});
    }
    if (n > 0) mailbox.release(n);
    return n;
  }

  /// Runs the target actor's handler, or makes the message a counted dead letter.
  RINGKERNELS_INLINE_FUNCTION void deliver(std::uint32_t worker, const envelope& message,
                                           actor_context<Actor>& ctx, actor_tally& mine, bool asked,
                                           const messaging::frame_header& header) const {
    if (message.target >= placement.actors) {
      mine.dead_letter(dead_letter_reason::no_such_actor);
      return;
    }
    if (worker_of<Actor>(placement, message.target) != worker) {
      mine.dead_letter(dead_letter_reason::misrouted);
      return;
    }
    ctx.impl_begin(message);
    if (asked) ctx.impl_begin_ask(header.message_id, header.timestamp);
    if (!actor_traits<Actor>::messages::dispatch(actor, actors.states[message.target],
                                                 static_cast<int>(message.type), message.body,
                                                 ctx)) {
      mine.dead_letter(dead_letter_reason::unknown_message);
      return;
    }
    ++mine.handled;
  }

  RINGKERNELS_INLINE_FUNCTION actor_tally resume_actor_tally(std::uint32_t worker) const {
    actor_worker_counters& c = actors.counters[worker];
    actor_tally tally;
    tally.sent = counter::load_relaxed(&c.sent);
    tally.handled = counter::load_relaxed(&c.handled);
    tally.from_host = counter::load_relaxed(&c.from_host);
    tally.overflow_high_water = counter::load_relaxed(&c.overflow_high_water);
    for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) {
      tally.dead[r] = counter::load_relaxed(&c.dead[r]);
    }
    return tally;
  }

  /// Stores the totals: sends first (each send was also stored before its message could be
  /// seen: actor_context::post), then (release) what was handled or dead-lettered, so a reader
  /// that acquires `handled` sees every send the handled messages made (quiescence).
  RINGKERNELS_INLINE_FUNCTION void publish(std::uint32_t worker, const actor_tally& tally) const {
    actor_worker_counters& c = actors.counters[worker];
    counter::store_relaxed(&c.sent, tally.sent);
    counter::store_relaxed(&c.from_host, tally.from_host);
    counter::store_relaxed(&c.overflow_high_water, tally.overflow_high_water);
    for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) {
      counter::store_release(&c.dead[r], tally.dead[r]);
    }
    counter::store_release(&c.handled, tally.handled);
  }
};

}  // namespace ringkernels

#endif

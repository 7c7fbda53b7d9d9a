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
#include <ringkernels/backends/common/actor_dead_letters.hpp>
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
  actor_location location;  ///< this system's (ctx.location(), senders' addresses)

  /// One worker's loop, until terminate (or, with `until_idle`, until it has nothing to do).
  template <class Hooks, messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION void run_worker(const worker_binding<S>& binding, Hooks& hooks,
                                              bool until_idle) const {
    using access = control_access<S>;
    worker_counters& counters = binding.control->workers()[binding.worker];
    detail::worker_tally tally;
    tally.resume<S>(counters);
    actor_tally mine = resume_actor_tally(binding.worker);
    actor_tally published = mine;
    messaging::ring_consumer<S> in(binding.in);
    messaging::ring_producer<messaging::scope::system> out(binding.out);
    out.skip_closed_check();
    messaging::ring_consumer<MailboxScope> mailbox(actors.mailboxes[binding.worker]);
    // The worker's own FIFOs are worked on in copies (registers and local memory, not device
    // memory: each head or tail update there cost an L2 round trip) and stored back at exit.
    actor_fifo<Actor> local = actors.locals[binding.worker];
    actor_fifo<Actor> overflow = actors.overflows[binding.worker];
    actor_context<Actor> ctx;
    typename actor_context<Actor>::wiring wires;
    wires.mailboxes = actors.mailboxes;
    wires.scope = MailboxScope;
    wires.local = &local;
    wires.overflow = &overflow;
    wires.tally = &mine;
    wires.counters = &actors.counters[binding.worker];
    wires.replies = &out;
    wires.command = &binding.control->command;
    wires.location = location;
    wires.dead_letters =
        static_cast<actor_dead_letter_log<Actor, MailboxScope>*>(actors.dead_letters) +
        binding.worker;
    ctx.impl_bind(binding.worker, placement, wires);
    std::uint32_t acknowledged = ~0u;
    kernel_command command = kernel_command::idle;
    std::uint32_t idle_passes = 0;
    std::uint32_t busy_passes = 0;
    const std::uint32_t command_every = control_poll_every * poll_scale();
    const std::uint32_t host_every = host_poll_every * poll_scale();
    std::uint32_t since_command = command_every;
    std::uint32_t since_host_poll = host_every;
    for (;;) {
      ++tally.loop_iterations;
      // On a GPU the command and the host ring are in pinned host memory: each look is a PCIe
      // read (~1.5 us) that would stand in front of the mailbox, so a busy or spinning worker
      // looks only every few passes; an idle, not running or event-driven one every pass.
      const bool backing_off = until_idle || idle_passes > spin_passes;
      if (backing_off || command != kernel_command::run || ++since_command >= command_every) {
        since_command = 0;
        command = access::command(binding.control);
      }
      if (static_cast<std::uint32_t>(command) != acknowledged) {
        acknowledged = static_cast<std::uint32_t>(command);
        publish(binding.worker, mine, published);
        detail::acknowledge_command<S>(counters, tally, command);
      }
      if (command == kernel_command::terminate) break;
      if (command != kernel_command::run) {
        if (until_idle) break;
        hooks.idle();
        continue;
      }
      const bool overflow_empty = ctx.impl_flush_overflow();
      std::uint32_t from_host = 0;
      if (backing_off || ++since_host_poll >= host_every) {
        since_host_poll = 0;
        from_host = take_host_messages(binding, in, ctx, tally, mine);
        if (from_host > 0) since_host_poll = host_every;  // more may follow: look again
      }
      const std::uint32_t handled = from_host + take_local(binding, local, ctx, mine) +
                                    take_mailbox(binding, mailbox, ctx, mine);
      if (handled > 0) {
        idle_passes = 0;
        // Counters go out every 64th busy pass and when the worker runs dry (each publication
        // is a fence): quiesce() only waits for them, it never sees a wrong balance.
        if (++busy_passes % 64 == 0) publish(binding.worker, mine, published);
        if (from_host > 0) tally.publish<S>(counters);
        if (busy_passes % 1024 == 0) beat<S>(counters, tally);
        hooks.busy();
        continue;
      }
      // Idle: spin a while (a message from another worker wakes nobody), then back off. The
      // heartbeat goes out every 64th empty pass (on a GPU each store crosses PCIe).
      if (++idle_passes % 64 == 1) {
        publish(binding.worker, mine, published);
        beat<S>(counters, tally);
      }
      if (until_idle && overflow_empty && local.size() == 0) break;
      if (idle_passes > spin_passes) hooks.idle();
    }
    actors.locals[binding.worker] = local;
    actors.overflows[binding.worker] = overflow;
    publish(binding.worker, mine, published);
    tally.publish<S>(counters);
    beat<S>(counters, tally);
  }

 private:
  using envelope = actor_envelope<Actor>;
  using counter = messaging::atomic_index<std::uint64_t, MailboxScope>;

  /// Empty passes a worker spins through before it backs off (hooks.idle()): a GPU's idle
  /// hook sleeps, which would add its sleep to every message between two workers.
  static constexpr std::uint32_t spin_passes = 256;
  /// How often a running GPU worker that is busy or spinning looks at its host ring and at the
  /// command (both PCIe reads), for up to 128 workers; every pass on a CPU, where a look is a
  /// cache hit. Past 128 workers the intervals grow with the worker count: the reads of all
  /// workers share one PCIe link. (On the H200 Big runs at 25-33 M msg/s with 528 workers but
  /// 9 M with 2,112, with fixed or growing intervals alike: that loss is elsewhere, not found.)
  static constexpr std::uint32_t host_poll_every = RINGKERNELS_DEVICE_PASS ? 32 : 1;
  static constexpr std::uint32_t control_poll_every = RINGKERNELS_DEVICE_PASS ? 64 : 1;
  RINGKERNELS_INLINE_FUNCTION std::uint32_t poll_scale() const {
    return RINGKERNELS_DEVICE_PASS && placement.workers > 128 ? placement.workers / 128 : 1;
  }

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

  /// The loop count and heartbeat the stall detector reads.
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION static void beat(worker_counters& counters,
                                               const detail::worker_tally& tally) {
    using u64 = typename control_access<S>::u64;
    u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
    u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
  }

  /// Messages between this worker's own actors, up to a batch, those the handlers queue on
  /// the way included (a chain of local messages runs without a mailbox poll, a device-memory
  /// round trip, between its steps; the batch bounds how long the mailbox waits).
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION std::uint32_t take_local(const worker_binding<S>& binding,
                                                       actor_fifo<Actor>& local,
                                                       actor_context<Actor>& ctx,
                                                       actor_tally& mine) const {
    std::uint32_t n = 0;
    for (; n < binding.max_batch && local.size() > 0; ++n) {
      const envelope message = local.front();
      local.pop();
      deliver(binding.worker, message, ctx, mine, false, messaging::frame_header{});
    }
    return n;
  }

  /// Messages from other workers' actors, in mailbox order.
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
      ctx.impl_bury(message, dead_letter_reason::no_such_actor);
      return;
    }
    if (worker_of<Actor>(placement, message.target) != worker) {
      ctx.impl_bury(message, dead_letter_reason::misrouted);
      return;
    }
    ctx.impl_begin(message);
    if (asked) ctx.impl_begin_ask(header.message_id, header.timestamp);
    if (!actor_traits<Actor>::messages::dispatch(actor, actors.states[message.target],
                                                 static_cast<int>(message.type & actor_type_mask),
                                                 message.body, ctx)) {
      ctx.impl_bury(message, dead_letter_reason::unknown_message);
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
    tally.sent_to_systems = counter::load_relaxed(&c.sent_to_systems);
    for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) {
      tally.dead[r] = counter::load_relaxed(&c.dead[r]);
    }
    return tally;
  }

  /// Stores the totals that changed since `published`: sends first (a send to another
  /// worker was also stored before its message could be seen: actor_context::post), then
  /// (release) what was handled or dead-lettered, so a reader that acquires `handled` sees
  /// every send the handled messages made (quiescence).
  RINGKERNELS_INLINE_FUNCTION void publish(std::uint32_t worker, const actor_tally& tally,
                                           actor_tally& published) const {
    actor_worker_counters& c = actors.counters[worker];
    if (tally.sent != published.sent) counter::store_relaxed(&c.sent, tally.sent);
    if (tally.from_host != published.from_host) {
      counter::store_relaxed(&c.from_host, tally.from_host);
    }
    if (tally.overflow_high_water != published.overflow_high_water) {
      counter::store_relaxed(&c.overflow_high_water, tally.overflow_high_water);
    }
    if (tally.sent_to_systems != published.sent_to_systems) {
      counter::store_relaxed(&c.sent_to_systems, tally.sent_to_systems);
    }
    for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) {
      if (tally.dead[r] != published.dead[r]) counter::store_release(&c.dead[r], tally.dead[r]);
    }
    if (tally.handled != published.handled) counter::store_release(&c.handled, tally.handled);
    published = tally;
  }
};

}  // namespace ringkernels

#endif

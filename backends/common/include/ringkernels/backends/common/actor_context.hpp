// What an actor's handler sees: who it is, who sent the message, how to send to any actor of
// its system (ctx.send), and how to answer a host ask() (ctx.reply). Device-compatible; one
// context per worker, re-pointed at each message. A send never blocks: a full mailbox puts the
// message in the worker's bounded overflow, a full overflow makes it a counted dead letter.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_CONTEXT_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_CONTEXT_HPP

#include <ringkernels/backends/common/actor_address.hpp>
#include <ringkernels/backends/common/actor_dead_letters.hpp>
#include <ringkernels/backends/common/actor_mailbox.hpp>
#include <ringkernels/backends/common/actor_placement.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
#include <cstring>

namespace ringkernels {

/// A worker's running actor totals, kept locally and stored into actor_worker_counters.
struct actor_tally {
  std::uint64_t sent = 0;
  std::uint64_t handled = 0;
  std::uint64_t from_host = 0;
  std::uint64_t overflow_high_water = 0;
  std::uint64_t sent_to_systems = 0;
  std::uint64_t dead[static_cast<int>(dead_letter_reason::count)] = {};
  RINGKERNELS_INLINE_FUNCTION void dead_letter(dead_letter_reason reason) {
    ++dead[static_cast<int>(reason)];
  }
};

/// What became of a send (the message is never lost silently: each outcome is counted).
enum class [[nodiscard]] send_result : std::uint8_t{
    delivered,    ///< in the target's mailbox
    overflowed,   ///< in the sender's overflow, retried before the sender's next message
    dead_letter,  ///< counted as a dead letter (no such actor, or the overflow was full)
};

template <class Actor>
class actor_context {
 public:
  using traits = actor_traits<Actor>;
  using envelope = actor_envelope<Actor>;
  using mailbox_scope = messaging::scope;

  /// The id of the actor whose handler runs.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t self() const { return self_; }
  /// Who sent the current message: an actor id (of sender_address()'s system), or
  /// ringkernels::host_sender.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t sender() const { return sender_; }
  /// Where this system is (its address has room for a device and a rank).
  RINGKERNELS_INLINE_FUNCTION actor_location location() const { return wires_.location; }
  /// The sender of the current message with its system: this system's location, or that of
  /// the system whose handler sent it through a system_ref.
  RINGKERNELS_INLINE_FUNCTION actor_address sender_address() const {
    actor_location where = wires_.location;
    if (sender_system_ != 0) where.system = sender_system_;
    return actor_address{sender_, where};
  }
  /// The per-sender sequence number the current message carries (actor_envelope::sequence).
  RINGKERNELS_INLINE_FUNCTION std::uint32_t sequence() const { return sequence_; }
  /// Actors in the system: valid targets are 0 .. actor_count() - 1.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t actor_count() const { return placement_.actors; }
  /// The worker running this handler.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t worker_index() const { return worker_; }

  /// Sends `message` to actor `target` of this system. A message type the actor does not
  /// handle does not compile. Never blocks (send_result says what happened).
  template <class Message>
  RINGKERNELS_INLINE_FUNCTION send_result send(std::uint64_t target, const Message& message,
                                               std::uint32_t sequence = 0) {
    static_assert(traits::template handles<Message>,
                  "ringkernels: this actor type has no handler for this message type (add it to "
                  "Actor::messages and write operator()(State&, const Message&, ctx))");
    envelope outgoing;
    outgoing.target = target;
    outgoing.sender = self_;
    outgoing.type = static_cast<std::uint32_t>(traits::messages::template index_of<Message>);
    outgoing.sequence = sequence;
    std::memcpy(outgoing.body, &message, sizeof(Message));
    return post(outgoing);
  }

  /// Sends `message` to actor `target` of another system on this backend (`to` is that
  /// system's ref(), held by this actor). A message type the target does not handle does not
  /// compile. Never blocks: a target mailbox that stays full through a bounded retry, or a
  /// target outside the system, makes the message a dead letter of this system.
  template <class Target, class Message>
  RINGKERNELS_INLINE_FUNCTION send_result send(const system_ref<Target>& to, std::uint64_t target,
                                               const Message& message, std::uint32_t sequence = 0) {
    static_assert(actor_traits<Target>::template handles<Message>,
                  "ringkernels: the target system's actor type has no handler for this message "
                  "type");
    actor_envelope<Target> outgoing;
    outgoing.target = target;
    outgoing.sender = self_;
    outgoing.type =
        static_cast<std::uint32_t>(actor_traits<Target>::messages::template index_of<Message>) |
        (static_cast<std::uint32_t>(wires_.location.system) << actor_sender_system_shift);
    outgoing.sequence = sequence;
    std::memcpy(outgoing.body, &message, sizeof(Message));
    if (!to.valid() || target >= to.size()) {
      return to_system_dead(outgoing, to.location.system, dead_letter_reason::no_such_actor);
    }
    if (!to.deliver(outgoing)) {
      return to_system_dead(outgoing, to.location.system, dead_letter_reason::system_mailbox_full);
    }
    ++wires_.tally->sent_to_systems;
    return send_result::delivered;
  }

  /// Answers the host ask() that the current message came from; false (and nothing is sent)
  /// when the current message is not an ask or the reply ring stayed full until terminate.
  template <class Reply>
  RINGKERNELS_INLINE_FUNCTION bool reply(const Reply& answer) {
    static_assert(traits::has_reply, "ringkernels: ctx.reply() needs Actor::Reply");
    static_assert(std::is_same_v<Reply, typename traits::reply_type>,
                  "ringkernels: ctx.reply() takes exactly Actor::Reply");
    if (!asked_ || wires_.replies == nullptr) return false;
    asked_ = false;  // one reply per ask
    messaging::frame_header header{};
    header.payload_bytes = static_cast<std::uint32_t>(sizeof(Reply));
    header.flags = messaging::frame_flags::reply;
    header.message_id = ask_id_;
    header.correlation_id = ask_id_;
    header.timestamp = ask_stamp_;
    for (;;) {
      const messaging::push_result result = wires_.replies->try_push(header, &answer);
      if (result == messaging::push_result::ok) return true;
      if (result != messaging::push_result::full || stop_requested()) return false;
    }
  }

  // --- for the worker loop (actor_program.hpp); nothing below is for handlers -------------
  /// What a worker's context sends through: every worker's mailbox, and this worker's local
  /// queue, overflow, running totals and counters.
  struct wiring {
    const void* mailboxes = nullptr;  ///< ring_ref<scope>[workers]
    mailbox_scope scope = mailbox_scope::system;
    actor_fifo<Actor>* local = nullptr;
    actor_fifo<Actor>* overflow = nullptr;
    actor_tally* tally = nullptr;
    actor_worker_counters* counters = nullptr;  ///< this worker's, where the host reads them
    messaging::ring_producer<messaging::scope::system>* replies = nullptr;
    const std::uint32_t* command = nullptr;
    actor_location location{};     ///< this system's
    void* dead_letters = nullptr;  ///< this worker's actor_dead_letter_log<Actor, scope>
  };
  RINGKERNELS_INLINE_FUNCTION void impl_bind(std::uint32_t worker, const actor_placement& placement,
                                             const wiring& wires) {
    worker_ = worker;
    placement_ = placement;
    wires_ = wires;
  }
  RINGKERNELS_INLINE_FUNCTION void impl_begin(const envelope& message) {
    self_ = message.target;
    sender_ = message.sender;
    sender_system_ = actor_sender_system_of(message.type);
    sequence_ = message.sequence;
    asked_ = false;
  }
  RINGKERNELS_INLINE_FUNCTION void impl_begin_ask(std::uint64_t id, std::uint64_t stamp) {
    asked_ = true;
    ask_id_ = id;
    ask_stamp_ = stamp;
  }
  /// Posts an envelope as this worker.
  RINGKERNELS_INLINE_FUNCTION send_result post(const envelope& outgoing) {
    ++wires_.tally->sent;
    if (outgoing.target >= placement_.actors) {
      impl_bury(outgoing, dead_letter_reason::no_such_actor);
      return send_result::dead_letter;
    }
    // A send to another worker is counted where the host reads it before the message can be
    // seen there (the push is a release): otherwise the target could count it handled while
    // this worker had not yet counted it sent, and quiesce() would see the two balance with a
    // message in flight (found on the H200: 7 in flight). A local message is seen by this
    // worker only, after its next publish() has stored this count.
    if (worker_of<Actor>(placement_, outgoing.target) != worker_) store_sent();
    if (wires_.overflow->size() == 0 && push(outgoing)) return send_result::delivered;
    if (wires_.overflow->full()) {
      impl_bury(outgoing, dead_letter_reason::overflow_full);
      return send_result::dead_letter;
    }
    wires_.overflow->push(outgoing);
    if (wires_.overflow->size() > wires_.tally->overflow_high_water) {
      wires_.tally->overflow_high_water = wires_.overflow->size();
    }
    return send_result::overflowed;
  }
  /// Counts `message` dead for `reason` and keeps it in this worker's dead-letter log.
  /// Counts `message` dead for `reason` and keeps it in this worker's dead-letter log (through
  /// keep_dead_letter(), which is not inlined: the letter is built only on this cold path).
  RINGKERNELS_INLINE_FUNCTION void impl_bury(const envelope& message, dead_letter_reason reason,
                                             std::uint16_t to_system = 0) {
    wires_.tally->dead_letter(reason);
    actor_dead_letter<Actor> dead;
    dead.message = message;
    dead.reason = reason;
    dead.worker = worker_;
    dead.to_system = to_system;
    keep_dead_letter<Actor>(wires_.dead_letters, wires_.scope, dead);
  }
  /// Retries the overflow in order; true once it is empty.
  RINGKERNELS_INLINE_FUNCTION bool impl_flush_overflow() {
    while (wires_.overflow->size() > 0) {
      if (!push(wires_.overflow->front())) return false;
      wires_.overflow->pop();
    }
    return true;
  }

  /// Whether the host asked the system's workers to leave their loop (terminate, or the
  /// supervisor's relaunch after a stall): a handler that runs long should look now and then
  /// and return when it says so. One read of the control block (on a GPU, across PCIe).
  /// @note Device and host callable.
  RINGKERNELS_INLINE_FUNCTION bool stop_requested() const {
    return messaging::atomic_index<std::uint32_t, messaging::scope::system>::load_acquire(
               const_cast<std::uint32_t*>(wires_.command)) == 2u;  // kernel_command::terminate
  }

 private:
  /// A message that could not go to another system: sent and dead here, so that this
  /// system's balance holds. Its log entry keeps the envelope's fields, not its body (the
  /// body has the other system's layout).
  template <class Target>
  RINGKERNELS_INLINE_FUNCTION send_result to_system_dead(const actor_envelope<Target>& message,
                                                         std::uint16_t to_system,
                                                         dead_letter_reason reason) {
    ++wires_.tally->sent;
    envelope kept;
    kept.target = message.target;
    kept.sender = message.sender;
    kept.type = message.type;
    kept.sequence = message.sequence;
    impl_bury(kept, reason, to_system);
    return send_result::dead_letter;
  }

  RINGKERNELS_INLINE_FUNCTION void store_sent() {
    if (wires_.scope == messaging::scope::device) {
      messaging::atomic_index<std::uint64_t, messaging::scope::device>::store_relaxed(
          &wires_.counters->sent, wires_.tally->sent);
    } else {
      messaging::atomic_index<std::uint64_t, messaging::scope::system>::store_relaxed(
          &wires_.counters->sent, wires_.tally->sent);
    }
  }

  /// Into the target worker's queue: the local one (plain memory) for this worker's own
  /// actors, the target's mailbox otherwise; false when it is full.
  RINGKERNELS_INLINE_FUNCTION bool push(const envelope& outgoing) {
    const std::uint32_t worker = worker_of<Actor>(placement_, outgoing.target);
    if (worker == worker_) {
      if (wires_.local->full()) return false;
      wires_.local->push(outgoing);
      return true;
    }
    messaging::frame_header header{};
    header.payload_bytes = static_cast<std::uint32_t>(sizeof(envelope));
    if (wires_.scope == messaging::scope::device) {
      return push_to<messaging::scope::device>(worker, header, outgoing);
    }
    return push_to<messaging::scope::system>(worker, header, outgoing);
  }
  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION bool push_to(std::uint32_t worker,
                                           const messaging::frame_header& header,
                                           const envelope& outgoing) {
    const auto* rings = static_cast<const messaging::ring_ref<S>*>(wires_.mailboxes);
    messaging::ring_producer<S> producer(rings[worker]);
    producer.skip_closed_check();  // mailboxes are never closed (one load less per send)
    return producer.try_push(header, &outgoing) == messaging::push_result::ok;
  }

  std::uint64_t self_ = 0;
  std::uint64_t sender_ = 0;
  std::uint16_t sender_system_ = 0;  ///< 0: this system (or the host)
  std::uint32_t sequence_ = 0;
  std::uint32_t worker_ = 0;
  actor_placement placement_{};
  wiring wires_{};
  bool asked_ = false;
  std::uint64_t ask_id_ = 0;
  std::uint64_t ask_stamp_ = 0;
};

}  // namespace ringkernels

#endif

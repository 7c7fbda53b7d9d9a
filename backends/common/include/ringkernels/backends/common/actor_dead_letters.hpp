// Dead letters the user can read: each worker keeps the newest dead letters it made (a message
// to no such actor, one behind a full overflow, a corrupt one, one another system would not
// take) in a bounded log in the backend's data space, with the reason. The host drains the
// logs (actor_system::drain_dead_letters()); a letter overwritten before a drain is reported
// as lost there. The counts by reason (actor_telemetry::dead) stay exact either way.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_DEAD_LETTERS_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_DEAD_LETTERS_HPP

#include <ringkernels/backends/common/actor_mailbox.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>
#include <ringkernels/messaging/atomic_index.hpp>

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels {

/// A message that could not be delivered or handled, as the host reads it.
template <class Actor>
struct actor_dead_letter {
  /// The message as sent. For one sent to another system (to_system != 0) only target,
  /// sender, type and sequence are kept: its body has that system's layout.
  actor_envelope<Actor> message;
  dead_letter_reason reason = dead_letter_reason::count;
  std::uint32_t worker = 0;     ///< the worker that gave up on it
  std::uint16_t to_system = 0;  ///< 0: this system; else the system number it was sent to
  std::uint16_t unused16 = 0;
  std::uint32_t unused32 = 0;

  /// The message type's index in Actor::messages.
  std::uint32_t type_index() const { return message.type & actor_type_mask; }
  /// Whether the message is a `Message` (of this system's actor type).
  template <class Message>
  bool holds() const {
    return to_system == 0 &&
           type_index() == static_cast<std::uint32_t>(
                               actor_traits<Actor>::messages::template index_of<Message>);
  }
  /// The message's value; only when holds<Message>().
  template <class Message>
  Message as() const {
    Message value;
    std::memcpy(&value, message.body, sizeof(Message));
    return value;
  }
};

/// One worker's log: that worker writes, the host reads. Slots are written and read as atomic
/// 8-byte words (release, acquire), so a read that races an overwrite is no data race; the
/// reader throws such a slot away (it knows from `begun`).
template <class Actor, messaging::scope S>
struct alignas(64) actor_dead_letter_log {
  using letter = actor_dead_letter<Actor>;
  using word = messaging::atomic_index<std::uint64_t, S>;
  static_assert(sizeof(letter) % 8 == 0 && std::is_trivially_copyable_v<letter>,
                "a dead letter moves as whole 8-byte words");
  static constexpr std::size_t words = sizeof(letter) / 8;

  letter* slots = nullptr;  ///< mask + 1 of them; null: count only, keep none
  std::uint64_t mask = 0;
  std::uint64_t written = 0;  ///< letters ever written (the newest mask + 1 are kept)
  std::uint64_t begun = 0;    ///< letters whose writing began (written, or one more)

  /// Keeps `dead` (the owning worker only).
  RINGKERNELS_INLINE_FUNCTION void record(const letter& dead) {
    if (slots == nullptr) return;
    const std::uint64_t n = word::load_relaxed(&written);
    // A seqlock's writer: `begun` == n + 1 goes out before the slot's words change, each word
    // with release, so a reader that acquired a changed word sees begun > n and drops the slot.
    // (Release stores, not a release fence: GCC's ThreadSanitizer refuses fences.)
    word::store_relaxed(&begun, n + 1);
    std::uint64_t source[words];
    std::memcpy(source, &dead, sizeof dead);
    auto* target = reinterpret_cast<std::uint64_t*>(&slots[n & mask]);
    for (std::size_t i = 0; i < words; ++i) word::store_release(target + i, source[i]);
    // release: the host that reads `written` reads the letter's words after them.
    word::store_release(&written, n + 1);
  }
};

/// Keeps `dead` in the log at `log` (an actor_dead_letter_log<Actor, scope>*). Not inlined,
/// a free function, everything by value: dead letters are rare, and a call that took the
/// address of a worker's context, tally or envelope would keep them in local memory for every
/// message (on the H200 such a version ran Big at 12 M msg/s instead of 30 M).
template <class Actor>
RINGKERNELS_NOINLINE RINGKERNELS_FUNCTION void keep_dead_letter(void* log, messaging::scope scope,
                                                                actor_dead_letter<Actor> dead) {
  if (scope == messaging::scope::device) {
    static_cast<actor_dead_letter_log<Actor, messaging::scope::device>*>(log)->record(dead);
  } else {
    static_cast<actor_dead_letter_log<Actor, messaging::scope::system>*>(log)->record(dead);
  }
}

}  // namespace ringkernels

#endif

// Where actor messages wait: one mailbox per worker (a multi-producer ring of envelopes in the
// backend's device memory: other workers' handlers push, the owning worker pops), one local
// queue per worker for messages between its own actors (plain memory that only that worker
// touches: no atomics, the fast path), a bounded per-worker overflow for messages whose queue
// was full (a send never blocks a handler and never deadlocks the kernel), and per-worker
// counters the host reads to detect quiescence.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_MAILBOX_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_MAILBOX_HPP

#include <ringkernels/backends/common/actor_traits.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>

namespace ringkernels {

/// Why a message became a dead letter (counted, never lost silently).
enum class dead_letter_reason : std::uint32_t {
  no_such_actor,        ///< its target id is outside 0..N-1
  overflow_full,        ///< its mailbox was full and so was the sender's bounded overflow
  unknown_message,      ///< its type index is not one the actor handles (a corrupt envelope)
  misrouted,            ///< it reached a worker that does not own its target (a corrupt envelope)
  system_mailbox_full,  ///< sent to another system (system_ref) whose mailbox stayed full
  count
};

inline const char* to_string(dead_letter_reason reason) noexcept {
  switch (reason) {
    case dead_letter_reason::no_such_actor: return "no_such_actor";
    case dead_letter_reason::overflow_full: return "overflow_full";
    case dead_letter_reason::unknown_message: return "unknown_message";
    case dead_letter_reason::misrouted: return "misrouted";
    case dead_letter_reason::system_mailbox_full: return "system_mailbox_full";
    case dead_letter_reason::count: break;
  }
  return "unknown";
}

/// One worker's actor counters, in the backend's data space (device memory on a GPU: a send
/// that crosses workers stores its count there, not over PCIe). Written by that worker only
/// (atomic stores of its running totals: the sends before the handled and dead counts, so that
/// a host that reads `handled` then `sent` never sees a message handled whose follow-up sends
/// it cannot see); read by the host (a copy on a GPU) for telemetry and quiescence. 128 bytes
/// at a 64-byte alignment (what Kokkos allocations guarantee; alignas(128) was misaligned in a
/// View, UBSan): no two workers share a line.
struct alignas(64) actor_worker_counters {
  std::uint64_t sent = 0;                 ///< messages this worker's handlers sent
  std::uint64_t handled = 0;              ///< messages a handler ran on
  std::uint64_t from_host = 0;            ///< host envelopes this worker took
  std::uint64_t overflow_high_water = 0;  ///< most messages its overflow held at once
  std::uint64_t dead[static_cast<int>(dead_letter_reason::count)] = {};
  std::uint64_t heartbeat = 0;
  /// Messages other systems' handlers pushed into this worker's mailbox (system_ref): added
  /// atomically by those senders, before the push; never stored by this worker.
  std::uint64_t from_systems = 0;
  std::uint64_t sent_to_systems = 0;  ///< messages this worker's handlers put in other systems
  std::uint64_t padding[16 - 7 - static_cast<int>(dead_letter_reason::count)] = {};
};
static_assert(sizeof(actor_worker_counters) == 128, "one worker's counters fill two lines");

/// A bounded FIFO of envelopes in device memory that one worker alone touches (plain loads and
/// stores): its local queue (messages between its own actors) and its overflow (envelopes
/// whose queue was full, retried in order before the worker sends anything else, so a later
/// message never overtakes an earlier one).
template <class Actor>
struct actor_fifo {
  actor_envelope<Actor>* slots = nullptr;  ///< mask + 1 entries, a power of two >= capacity
  std::uint32_t capacity = 0;              ///< the bound: full() past it
  std::uint32_t mask = 0;                  ///< slots are indexed by position & mask (no division)
  std::uint64_t head = 0;                  ///< next to retry
  std::uint64_t tail = 0;                  ///< next free
  RINGKERNELS_INLINE_FUNCTION std::uint64_t size() const { return tail - head; }
  RINGKERNELS_INLINE_FUNCTION bool full() const { return size() >= capacity; }
  /// Appends `message` (the caller checked full()).
  RINGKERNELS_INLINE_FUNCTION void push(const actor_envelope<Actor>& message) {
    slots[tail & mask] = message;
    ++tail;
  }
  RINGKERNELS_INLINE_FUNCTION const actor_envelope<Actor>& front() const {
    return slots[head & mask];
  }
  RINGKERNELS_INLINE_FUNCTION void pop() { ++head; }
  /// The slots a FIFO of `capacity` takes: the next power of two.
  static constexpr std::uint32_t slots_for(std::uint32_t capacity) {
    std::uint32_t slots = 1;
    while (slots < capacity) slots <<= 1;
    return slots;
  }
};

/// Everything a worker needs for the actor layer, by value (device-copyable): the actors'
/// states, every worker's mailbox (its own and its targets'), local queue, overflow and counters.
template <class Actor, messaging::scope MailboxScope>
struct actor_binding {
  typename Actor::State* states = nullptr;
  const messaging::ring_ref<MailboxScope>* mailboxes = nullptr;  ///< one per worker
  actor_fifo<Actor>* locals = nullptr;                           ///< one per worker
  actor_fifo<Actor>* overflows = nullptr;                        ///< one per worker
  actor_worker_counters* counters = nullptr;                     ///< one per worker
  /// actor_dead_letter_log<Actor, MailboxScope>[workers] (actor_dead_letters.hpp includes this
  /// header, so the type is spelled where it is used).
  void* dead_letters = nullptr;
};

}  // namespace ringkernels

#endif

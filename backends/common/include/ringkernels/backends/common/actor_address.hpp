// Where an actor lives, and how a handler reaches the actors of another system.
//
// An actor_address is an id plus a location (rank, device, system): everything a transport
// needs to find the actor. Today every system lives in this process, so rank is 0; the field is
// there so that MPI and multi-GPU transports plug in without an API change (docs/actors.md).
//
// A system_ref<Target> is what a handler of one system holds to send to the actors of another
// system on the same backend (actor_system::ref()): the target's mailboxes, placement and
// counters, by value (device-copyable, 64 bytes). ctx.send(ref, id, message) checks at compile
// time that Target handles the message type. Accounting: the sender counts the message in its
// `sent_to_systems` (telemetry only), the target counts it in `from_systems` before the push
// can be seen, so each system's own balance (sent + from host + from systems = handled + dead
// + in flight) holds, and quiesce(timeout, a, b, ...) ends a phase of systems that message
// each other. A target mailbox that stays full through a bounded retry makes the message a dead
// letter of the sender (dead_letter_reason::system_mailbox_full): a send never blocks.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_ADDRESS_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_ADDRESS_HPP

#include <ringkernels/backends/common/actor_mailbox.hpp>
#include <ringkernels/backends/common/actor_placement.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>

namespace ringkernels {

/// The device of a system that runs on its backend's default device (or on the host).
inline constexpr std::uint16_t default_device = 0xffff;

/// Where a system runs. `system` is unique in the process (1, 2, ... in spawn order).
struct actor_location {
  std::uint32_t rank = 0;                 ///< the MPI rank (0 until an MPI transport exists)
  std::uint16_t device = default_device;  ///< the GPU, or default_device
  std::uint16_t system = 0;               ///< which system of this process
  friend constexpr bool operator==(const actor_location& a, const actor_location& b) {
    return a.rank == b.rank && a.device == b.device && a.system == b.system;
  }
};

/// An actor anywhere: its id in its system, and where that system is.
struct actor_address {
  std::uint64_t id = 0;
  actor_location location{};
};
static_assert(sizeof(actor_address) == 16, "an address is 16 bytes");

/// Another system's actors, as a handler sends to them (actor_system::ref()). Valid while the
/// target system lives; a default-constructed ref sends nothing (valid() is false).
template <class Target>
struct system_ref {
  const void* mailboxes = nullptr;  ///< ring_ref<scope>[workers] of the target
  messaging::scope scope = messaging::scope::system;
  actor_worker_counters* counters = nullptr;  ///< the target's, one per worker
  actor_placement placement{};
  actor_location location{};

  RINGKERNELS_INLINE_FUNCTION bool valid() const { return mailboxes != nullptr; }
  RINGKERNELS_INLINE_FUNCTION std::uint64_t size() const { return placement.actors; }
  RINGKERNELS_INLINE_FUNCTION actor_address address(std::uint64_t id) const {
    return actor_address{id, location};
  }

  /// Counts `message` in the target worker's from_systems, then pushes it into that worker's
  /// mailbox, retrying a bounded number of times; on failure the count is taken back and false
  /// returned (the caller makes it a dead letter). The target id must be < size().
  RINGKERNELS_INLINE_FUNCTION bool deliver(const actor_envelope<Target>& message) const {
    if (scope == messaging::scope::device) return deliver_at<messaging::scope::device>(message);
    return deliver_at<messaging::scope::system>(message);
  }

 private:
  /// Pushes before giving up: enough to ride out a target worker in the middle of a batch.
  static constexpr int push_attempts = 1024;

  template <messaging::scope S>
  RINGKERNELS_INLINE_FUNCTION bool deliver_at(const actor_envelope<Target>& message) const {
    using counter = messaging::atomic_index<std::uint64_t, S>;
    const std::uint32_t worker = worker_of<Target>(placement, message.target);
    std::uint64_t* inbound = &counters[worker].from_systems;
    // Counted before the push's release makes the message visible: the target's quiesce()
    // never sees it handled but not yet counted in.
    counter::fetch_add_relaxed(inbound, 1);
    messaging::frame_header header{};
    header.payload_bytes = static_cast<std::uint32_t>(sizeof(message));
    const auto* rings = static_cast<const messaging::ring_ref<S>*>(mailboxes);
    messaging::ring_producer<S> producer(rings[worker]);
    producer.skip_closed_check();
    for (int attempt = 0; attempt < push_attempts; ++attempt) {
      if (producer.try_push(header, &message) == messaging::push_result::ok) return true;
    }
    counter::fetch_add_relaxed(inbound, ~std::uint64_t{0});  // taken back: never in flight
    return false;
  }
};

}  // namespace ringkernels

#endif

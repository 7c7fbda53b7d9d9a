// A ring's shared state (ring_control: indices on their own cache lines, counters) and its
// device-copyable description (ring_ref: pointers and geometry, no ownership). The protocol
// is described in frame_ring.hpp.
#ifndef RINGKERNELS_MESSAGING_RING_REF_HPP
#define RINGKERNELS_MESSAGING_RING_REF_HPP

#include <ringkernels/messaging/atomic_index.hpp>
#include <ringkernels/messaging/frame.hpp>
#include <ringkernels/messaging/frame_seal.hpp>
#include <ringkernels/messaging/push_result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels::messaging {

enum class ring_producers : std::uint8_t { single, multiple };

inline constexpr std::size_t cache_line_bytes = 64;

/// Shared state of one ring, at the start of the ring's memory. Each index has its own cache
/// line so the producer's and the consumer's writes never share one (no false sharing).
struct ring_control {
  alignas(cache_line_bytes) std::uint64_t tail;    ///< next position producers write
  alignas(cache_line_bytes) std::uint64_t head;    ///< positions below are free for producers
  alignas(cache_line_bytes) std::uint64_t claim;   ///< drop_oldest rings: claimed or dropped below
  alignas(cache_line_bytes) std::uint32_t closed;  ///< 1 once closed: pushes refused
  std::uint32_t reserved;
  std::uint64_t dropped_newest;     ///< frames refused by the drop_newest policy
  std::uint64_t dropped_oldest;     ///< pending frames dropped by the drop_oldest policy
  std::uint64_t refused_full;       ///< pushes refused with `full` (reject and block policies)
  std::uint64_t refused_invalid;    ///< pushes refused as too_large or empty_frame
  std::uint64_t skipped_malformed;  ///< frames try_pop() skipped: header or length did not check
};
static_assert(sizeof(ring_control) % cache_line_bytes == 0, "slots start on a cache line");

/// Device-copyable description of a ring (pointers and geometry, no ownership). Scope S says
/// who shares the indices: host and GPU (system), blocks of one GPU (device), warps (block).
template <scope S>
struct ring_ref {
  ring_control* control = nullptr;
  std::byte* slots = nullptr;
  std::uint64_t slot_count = 0;   ///< a power of two
  std::uint32_t stride = 0;       ///< bytes per slot
  std::uint32_t max_payload = 0;  ///< the frame limit
  ring_producers producers = ring_producers::single;
  backpressure policy = backpressure::reject;
  bool sealed = false;  ///< frames carry seals (frame_seal.hpp)
  /// Every read-modify-write of this ring (the tail CAS, the refusal counters) is made by the
  /// threads of one GPU, in pinned host memory: they are made at device scope. Without
  /// host-native atomics (PCIe) a system-scope atomic on host memory cannot be atomic with the
  /// host and compute-sanitizer refuses it; at device scope it is atomic among that GPU's
  /// threads (tests/gpu/pinned_atomics_probe.cu). Loads and stores keep scope S, so the host
  /// still watches the ring. A GPU kernel's peer port fed by GPU kernels is such a ring.
  bool device_scope_rmw = false;

  using index = atomic_index<std::uint64_t, S>;
  using stamp = atomic_index<std::uint32_t, S>;
  using counter = atomic_index<std::uint64_t, S>;

  /// Strong CAS of an index at the scope its read-modify-writes need (device_scope_rmw).
  RINGKERNELS_INLINE_FUNCTION bool exchange_index(std::uint64_t* p, std::uint64_t& expected,
                                                  std::uint64_t desired) const {
    if (device_scope_rmw) {
      return atomic_index<std::uint64_t, scope::device>::compare_exchange(p, expected, desired);
    }
    return index::compare_exchange(p, expected, desired);
  }
  /// Adds one to a counter of the control block at the scope its read-modify-writes need.
  RINGKERNELS_INLINE_FUNCTION void count(std::uint64_t* p) const {
    if (device_scope_rmw) {
      atomic_index<std::uint64_t, scope::device>::fetch_add_relaxed(p, 1);
    } else {
      counter::fetch_add_relaxed(p, 1);
    }
  }

  RINGKERNELS_INLINE_FUNCTION frame_header* slot(std::uint64_t position) const {
    return reinterpret_cast<frame_header*>(slots + (position & (slot_count - 1)) * stride);
  }
  RINGKERNELS_INLINE_FUNCTION bool uses_claims() const {
    return policy == backpressure::drop_oldest;
  }
  /// Whether the frame at `position` is complete: its stamp says so and, in sealed rings, its
  /// seal holds (its writer may not have ordered its bytes before the stamp).
  RINGKERNELS_INLINE_FUNCTION bool committed(std::uint64_t position) const {
    if (stamp::load_acquire(&slot(position)->commit_stamp) != stamp_of(position)) return false;
    // The host's rings are unsealed: keep their poll loop free of the seal's code.
    if (sealed) [[unlikely]] {
      return seal_holds(position);
    }
    return true;
  }
  /// Whether the frame at `position` holds together: stamp and seal match its bytes. A header
  /// read while it is being written may name any length: only the frame limit is read.
  RINGKERNELS_INLINE_FUNCTION bool seal_holds(std::uint64_t position) const {
    const frame_header* frame = slot(position);
    const frame_header header = load_header(frame);
    if (header.commit_stamp != stamp_of(position)) return false;
    const std::uint32_t bytes =
        header.payload_bytes < max_payload ? header.payload_bytes : max_payload;
    return header.seal ==
           frame_seal(header, reinterpret_cast<const std::byte*>(frame) + sizeof(frame_header),
                      bytes);
  }
  RINGKERNELS_INLINE_FUNCTION bool is_closed() const {
    return atomic_index<std::uint32_t, S>::load_acquire(&control->closed) != 0;
  }
  /// Frames pushed and not yet freed by the consumer (a snapshot; exact when quiescent). The
  /// single producer's tail may lag its stamps, so a consumer can be seen ahead of it: 0 then.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t depth() const {
    const std::uint64_t head = index::load_acquire(&control->head);
    const std::uint64_t tail = index::load_acquire(&control->tail);
    return tail > head ? tail - head : 0;
  }
};

}  // namespace ringkernels::messaging

#endif

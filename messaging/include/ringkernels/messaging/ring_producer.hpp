// The producer side of a frame ring (protocol: frame_ring.hpp).
#ifndef RINGKERNELS_MESSAGING_RING_PRODUCER_HPP
#define RINGKERNELS_MESSAGING_RING_PRODUCER_HPP

#include <ringkernels/messaging/ring_ref.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels::messaging {
/// The producer side of a ring. One object per producing thread; in single-producer rings there
/// must be only one at a time. Cheap to create (two index loads). @note Producer only.
template <scope S>
class ring_producer {
 public:
  using ring_type = ring_ref<S>;

  RINGKERNELS_INLINE_FUNCTION explicit ring_producer(const ring_type& ring)
      : ring_(ring),
        tail_(ring_type::index::load_relaxed(&ring.control->tail)),
        cached_head_(ring_type::index::load_acquire(&ring.control->head)) {}

  /// Enqueues one frame: `header` (its commit_stamp is ignored) and `header.payload_bytes`
  /// bytes from `payload`. Applies the ring's backpressure policy when full; the block policy
  /// returns `full` here (host code waits with push_blocking()).
  RINGKERNELS_INLINE_FUNCTION push_result try_push(const frame_header& header,
                                                   const void* payload) {
    const push_result refused = check(header.payload_bytes);
    if (refused != push_result::ok) return refused;
    bool dropped_oldest = false;
    std::uint64_t position = 0;
    int drop_attempts = 0;
    while (reserve(1, position) == 0) {
      if (ring_.policy == backpressure::drop_oldest && drop_attempts++ < 8) {
        if (drop_oldest()) dropped_oldest = true;
        continue;
      }
      return on_full();
    }
    write(position, header, payload);
    publish(position, 1);
    return dropped_oldest ? push_result::ok_dropped_oldest : push_result::ok;
  }

  /// Enqueues up to `count` frames (headers[i] with payloads[i]) as one batch: one index
  /// publication for single-producer rings. Returns how many were enqueued (a prefix); frames
  /// past a full ring are not pushed and not counted as dropped. All frames must be valid.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t try_push_n(const frame_header* headers,
                                                       const void* const* payloads,
                                                       std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i) {
      if (check(headers[i].payload_bytes) != push_result::ok) count = i;
    }
    std::uint64_t first = 0;
    const std::uint32_t reserved = reserve(count, first);
    for (std::uint32_t i = 0; i < reserved; ++i) write(first + i, headers[i], payloads[i]);
    if (reserved > 0) publish(first, reserved);
    return reserved;
  }

  RINGKERNELS_INLINE_FUNCTION const ring_type& ring() const { return ring_; }

  /// For a producer that knows its ring is never closed while it runs: no load of the closed
  /// flag per push (on a GPU producing into host memory, that load crosses PCIe).
  RINGKERNELS_INLINE_FUNCTION void skip_closed_check() { check_closed_ = false; }

  // --- batch building blocks (a GPU warp fills reserved slots in parallel) -------------------
  /// Reserves up to `wanted` consecutive positions; returns how many, the first in `first`.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t reserve_positions(std::uint32_t wanted,
                                                              std::uint64_t& first) {
    return reserve(wanted, first);
  }
  /// Sealed rings: writes a whole frame, stamp and seal included, into reserved `position`, in
  /// 16-byte units stored through to memory, the unit with the stamp last. No fence and no
  /// stamp_position() after it: the reader checks the seal (a GPU writing replies to the host
  /// skips a system fence per batch this way).
  template <class T>
  RINGKERNELS_INLINE_FUNCTION void write_sealed_position(std::uint64_t position,
                                                         const frame_header& header,
                                                         const T& payload) const {
    static_assert(!std::is_pointer_v<T>, "pass the payload object, not a pointer to it");
    static_assert(sizeof(frame_header) % 16 == 0, "the header fills whole units");
    constexpr std::size_t header_units = sizeof(frame_header) / 16;
    constexpr std::size_t units = header_units + (sizeof(T) + 15) / 16;
    frame_header sealed_header = header;
    sealed_header.payload_bytes = static_cast<std::uint32_t>(sizeof(T));
    sealed_header.commit_stamp = stamp_of(position);
    sealed_header.seal = frame_seal(sealed_header, reinterpret_cast<const std::byte*>(&payload),
                                    static_cast<std::uint32_t>(sizeof(T)));
    chunk16 chunks[units] = {};
    memcpy(static_cast<void*>(chunks), &sealed_header, sizeof sealed_header);
    memcpy(static_cast<void*>(chunks + header_units), &payload, sizeof(T));
    auto* target = reinterpret_cast<chunk16*>(ring_.slot(position));
    for (std::size_t i = 1; i < units; ++i) store_chunk_through(target + i, chunks[i]);
    store_chunk_through(target, chunks[0]);
  }
  /// Publishes one written position: a release store of its stamp after its bytes.
  RINGKERNELS_INLINE_FUNCTION void stamp_position(std::uint64_t position) const {
    ring_type::stamp::store_release(&ring_.slot(position)->commit_stamp, stamp_of(position));
  }
  /// After stamp_position() for every position below `end`: the single producer's tail. It
  /// only feeds depth() and counters (consumers go by the stamps), so it orders nothing and is
  /// stored relaxed: a release store from a GPU is a system-wide fence, about a PCIe round trip.
  RINGKERNELS_INLINE_FUNCTION void publish_tail(std::uint64_t end) const {
    if (ring_.producers == ring_producers::single) {
      ring_type::index::store_relaxed(&ring_.control->tail, end);
    }
  }

 private:
  RINGKERNELS_INLINE_FUNCTION push_result check(std::uint32_t payload_bytes) const {
    if (check_closed_ && ring_.is_closed()) return push_result::closed;
    if (payload_bytes == 0 || payload_bytes > ring_.max_payload) {
      ring_.count(&ring_.control->refused_invalid);
      return payload_bytes == 0 ? push_result::empty_frame : push_result::too_large;
    }
    return push_result::ok;
  }

  RINGKERNELS_INLINE_FUNCTION push_result on_full() const {
    // drop_oldest ends here when every pending frame is claimed by the consumer (or, with
    // several producers, still being written): nothing older can go, so the new frame does.
    // Waiting instead would tie producers to the consumer's batch time.
    if (ring_.policy == backpressure::drop_newest || ring_.policy == backpressure::drop_oldest) {
      ring_.count(&ring_.control->dropped_newest);
      return push_result::dropped_newest;
    }
    // The block policy retries (push_blocking); its waits are not refusals.
    if (ring_.policy != backpressure::block) {
      ring_.count(&ring_.control->refused_full);
    }
    return push_result::full;
  }

  /// Free slots after `tail` as far as this producer knows, refreshing the cached head when it
  /// says there is not enough room. Multi-producer: `tail` may be stale and the head newer than
  /// it; that reads as "no room" and the caller's CAS then reloads tail.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t free_slots(std::uint64_t tail, std::uint32_t wanted) {
    if (tail - cached_head_ + wanted > ring_.slot_count) {
      // acquire: the consumer finished reading everything below head before publishing it.
      cached_head_ = ring_type::index::load_acquire(&ring_.control->head);
    }
    if (cached_head_ > tail) return 0;
    const std::uint64_t used = tail - cached_head_;
    return used >= ring_.slot_count ? 0 : ring_.slot_count - used;
  }

  /// Reserves up to `wanted` consecutive positions; returns how many, the first in `first`.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t reserve(std::uint32_t wanted, std::uint64_t& first) {
    if (wanted == 0) return 0;
    if (ring_.producers == ring_producers::single) {
      const std::uint64_t free = free_slots(tail_, wanted);
      const std::uint32_t got = free < wanted ? static_cast<std::uint32_t>(free) : wanted;
      first = tail_;
      tail_ += got;
      return got;
    }
    std::uint64_t tail = ring_type::index::load_relaxed(&ring_.control->tail);
    for (;;) {
      const std::uint64_t free = free_slots(tail, wanted);
      if (free == 0) {
        // Full, unless our tail is older than the head we just read: then reload and retry.
        const std::uint64_t current = ring_type::index::load_relaxed(&ring_.control->tail);
        if (current == tail) return 0;
        tail = current;
        continue;
      }
      const std::uint32_t got = free < wanted ? static_cast<std::uint32_t>(free) : wanted;
      // On failure `tail` is reloaded with the value another producer published.
      if (ring_.exchange_index(&ring_.control->tail, tail, tail + got)) {
        first = tail;
        return got;
      }
    }
  }

  RINGKERNELS_INLINE_FUNCTION void write(std::uint64_t position, const frame_header& header,
                                         const void* payload) const {
    frame_header* slot = ring_.slot(position);
    if (ring_.sealed) {
      write_sealed(slot, position, header, payload);
      return;
    }
    // Unsealed rings (both sides on the host, or a GPU that fences): field by field, which
    // the compiler merges into a few wide stores, then the payload as bytes. The stamp word
    // is left alone: stamp_position() stores it atomically after. The 16-byte units of the
    // sealed path cost the host rings a quarter of their rate (docs/performance.md).
    slot->payload_bytes = header.payload_bytes;
    slot->type_id = header.type_id;
    slot->flags = header.flags;
    slot->message_id = header.message_id;
    slot->correlation_id = header.correlation_id;
    slot->timestamp = header.timestamp;
    slot->seal = 0;
    memcpy(reinterpret_cast<std::byte*>(slot) + sizeof(frame_header), payload,
           header.payload_bytes);
  }

  /// Sealed rings: the stamp and the seal travel in the header, written in 16-byte units (a
  /// GPU reads the slot whole; byte-wise stores were one PCIe transaction each).
  RINGKERNELS_INLINE_FUNCTION void write_sealed(frame_header* slot, std::uint64_t position,
                                                const frame_header& header,
                                                const void* payload) const {
    frame_header written = header;
    written.commit_stamp = stamp_of(position);
    written.seal =
        frame_seal(written, static_cast<const std::byte*>(payload), header.payload_bytes);
    store_header(slot, written);
    memcpy(reinterpret_cast<std::byte*>(slot) + sizeof(frame_header), payload,
           header.payload_bytes);
  }

  /// Makes [first, first + count) visible to the consumer.
  RINGKERNELS_INLINE_FUNCTION void publish(std::uint64_t first, std::uint32_t count) const {
    // release: the header and payload written above become visible with the stamp.
    for (std::uint32_t i = 0; i < count; ++i) stamp_position(first + i);
    // For depth() and the pushed counter only (multi-producer rings advanced tail when they
    // reserved): one store per batch, and nobody polls it on the data path.
    publish_tail(first + count);
  }

  /// drop_oldest: frees the oldest committed, unclaimed frame. False when none can be dropped
  /// now (the consumer holds a batch, or the oldest frame is still being written).
  RINGKERNELS_INLINE_FUNCTION bool drop_oldest() {
    ring_control* control = ring_.control;
    const std::uint64_t head = ring_type::index::load_acquire(&control->head);
    std::uint64_t oldest = ring_type::index::load_acquire(&control->claim);
    if (oldest != head) return false;  // the consumer is reading [head, claim): wait for it
    // The consumer may have drained the ring since our reserve() saw it full: then there is
    // nothing to drop (and dropping at the tail would move claim past it); the caller retries.
    // Single producer: everything below our own tail is complete. Multi: the stamp says.
    if (ring_.producers == ring_producers::single ? oldest >= tail_ : !ring_.committed(oldest)) {
      return false;
    }
    if (!ring_.exchange_index(&control->claim, oldest, oldest + 1)) return false;
    ring_.count(&control->dropped_oldest);
    std::uint64_t expected = oldest;
    // Free the dropped slot unless the consumer already released past it.
    ring_.exchange_index(&control->head, expected, oldest + 1);
    return true;
  }

  ring_type ring_;
  std::uint64_t tail_;         ///< single producer: next position to write
  std::uint64_t cached_head_;  ///< last head seen; refreshed only when the ring looks full
  bool check_closed_ = true;
};

}  // namespace ringkernels::messaging

#endif

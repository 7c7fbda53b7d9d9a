// Lock-free rings of frames, usable from host code and device code alike.
//
// Layout: a ring_control block (indices on separate cache lines, counters) and `slot_count`
// fixed-stride slots of slot_stride(max_payload) bytes each. Positions are 64-bit and only grow;
// slot = position & mask. Fixed strides (not variable-length packing) because a GPU block takes a
// batch as "thread i reads slot head+i" with no serial walk over headers — a walk over pinned host
// memory would cost one PCIe round trip per frame (docs/messaging.md has the measurements).
//
//   publication:     every frame is published by a release store of its header's
//                    commit_stamp = position + 1 (mod 2^32), after its bytes; the consumer
//                    learns what is ready from the stamps, which sit in the header line it
//                    reads anyway. A consumer that polled a tail index instead pulled that line
//                    from the producer's core once per frame: 42 M frames/s at batch 1 against
//                    68 M/s with stamps (docs/performance.md).
//   sealed rings:    (a GPU on one side) each frame also carries a seal over its bytes
//                    (frame_seal.hpp). A frame is complete when its stamp is the position's
//                    and its seal holds, so a GPU may read stamp and frame in one go, and write
//                    a frame, stamp included, without a fence: the reader checks the seal.
//   single producer: the producer owns `tail` and also stores it (relaxed) once per batch
//                    (push_n), for depth() and counters; consumers do not poll it.
//   multi producer:  producers reserve positions with a CAS on `tail`, write, and stamp.
//   consumer:        one consumer reads frames in place and frees them with one release store
//                    of `head` per batch. In drop_oldest rings it first claims the batch with a
//                    CAS on `claim`, the index producers advance to drop the oldest frame.
//
// Each side caches the other side's index and reads it (acquire) only when the cache says
// full/empty (the rigtorp SPSCQueue pattern). All memory orders are written out.
#ifndef RINGKERNELS_MESSAGING_FRAME_RING_HPP
#define RINGKERNELS_MESSAGING_FRAME_RING_HPP

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

/// The consumer side of a ring: read frames in place, then release them. Exactly one consumer
/// per ring. @note Consumer only.
template <scope S>
class ring_consumer {
 public:
  using ring_type = ring_ref<S>;

  /// A consumer of an unbound ring_ref (no control block) is valid and never has frames.
  RINGKERNELS_INLINE_FUNCTION explicit ring_consumer(const ring_type& ring)
      : ring_(ring),
        head_(ring.control != nullptr ? ring_type::index::load_relaxed(&ring.control->head) : 0),
        ready_end_(head_) {}

  /// Number of complete frames ready at the front, at most `max`; they stay valid until
  /// release(). In drop_oldest rings this claims them, so producers no longer drop them.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t available(std::uint32_t max) {
    if (ring_.uses_claims()) return claim_batch(max);
    return count_ready(head_, max);
  }

  /// Position of the first ready frame (frame(i) is at front_position() + i).
  RINGKERNELS_INLINE_FUNCTION std::uint64_t front_position() const { return head_; }

  /// The i-th ready frame (i < available()).
  RINGKERNELS_INLINE_FUNCTION frame_view frame(std::uint32_t i) const {
    const frame_header* header = ring_.slot(head_ + i);
    return frame_view{header, reinterpret_cast<const std::byte*>(header) + sizeof(frame_header)};
  }

  /// Frees the first `count` ready frames for producers: one release store per batch. The
  /// frames may have been found ready by the caller itself (ring_ref::committed() of each
  /// position; a GPU warp polls a window of whole slots instead of calling available()).
  /// In drop_oldest rings the whole claimed batch is released whatever `count` says.
  RINGKERNELS_INLINE_FUNCTION void release(std::uint32_t count) {
    if (ring_.uses_claims()) {
      release_claimed();
      return;
    }
    head_ += count;
    // release: our reads of these slots happen-before a producer's reuse of them.
    ring_type::index::store_release(&ring_.control->head, head_);
  }

  /// release() for a caller whose reads of the frames are done: it issued a release fence
  /// after them, or, as a GPU warp does, it used every value it read (the seal check) before
  /// this store, which a GPU does not make ahead of the loads it depends on. Not for
  /// drop_oldest rings.
  RINGKERNELS_INLINE_FUNCTION void release_relaxed(std::uint32_t count) {
    head_ += count;
    ring_type::index::store_relaxed(&ring_.control->head, head_);
  }

  /// Copies out and releases one frame into `payload` (`capacity` bytes). The header is
  /// checked first, from a local copy (the producer may be hostile or corrupt): a frame that
  /// fails check_header() or is longer than `capacity` is released without being copied,
  /// counted in skipped_malformed, and reported as pop_result::malformed.
  RINGKERNELS_INLINE_FUNCTION pop_result try_pop(frame_header& header, void* payload,
                                                 std::size_t capacity) {
    if (available(1) == 0) return pop_result::empty;
    const frame_view view = frame(0);
    header = load_header(view.header);
    const bool good = check_header(header, ring_.max_payload) == frame_check::ok &&
                      header.payload_bytes <= capacity;
    if (good) memcpy(payload, view.payload, header.payload_bytes);
    release(1);
    if (good) return pop_result::ok;
    ring_.count(&ring_.control->skipped_malformed);
    return pop_result::malformed;
  }

  /// try_pop() of exactly one `T`: a frame of another length is malformed.
  template <class T>
  RINGKERNELS_INLINE_FUNCTION pop_result try_pop(frame_header& header, T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "frames carry trivially copyable values");
    T local;
    const pop_result result = try_pop(header, &local, sizeof(T));
    if (result == pop_result::ok && header.payload_bytes != sizeof(T)) {
      ring_.count(&ring_.control->skipped_malformed);
      return pop_result::malformed;
    }
    if (result == pop_result::ok) value = local;
    return result;
  }

  /// Closed by the producer side and nothing left to read.
  RINGKERNELS_INLINE_FUNCTION bool drained_and_closed() {
    return ring_.is_closed() && available(1) == 0;
  }

  RINGKERNELS_INLINE_FUNCTION const ring_type& ring() const { return ring_; }

 private:
  /// Ready frames from `from`, at most `max`, from the frames' commit stamps (acquire: a
  /// frame's bytes are visible once its stamp is). Frames known ready are not checked again.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t count_ready(std::uint64_t from, std::uint32_t max) {
    if (ready_end_ < from) ready_end_ = from;
    while (ready_end_ - from < max && ring_.committed(ready_end_)) ++ready_end_;
    const std::uint64_t ready = ready_end_ - from;
    return ready < max ? static_cast<std::uint32_t>(ready) : max;
  }

  RINGKERNELS_INLINE_FUNCTION std::uint32_t claim_batch(std::uint32_t max) {
    if (claimed_ > 0) return claimed_;
    std::uint64_t claim = ring_type::index::load_acquire(&ring_.control->claim);
    for (;;) {
      const std::uint32_t ready = count_ready(claim, max);
      if (ready == 0) return 0;
      if (ring_.exchange_index(&ring_.control->claim, claim, claim + ready)) {
        head_ = claim;
        claimed_ = ready;
        return ready;
      }
      // A producer dropped the oldest frame meanwhile; `claim` now holds the new value.
    }
  }

  RINGKERNELS_INLINE_FUNCTION void release_claimed() {
    // Everything below claim is either ours (now read) or dropped by producers: free it all.
    const std::uint64_t claim = ring_type::index::load_acquire(&ring_.control->claim);
    std::uint64_t head = ring_type::index::load_acquire(&ring_.control->head);
    while (head < claim && !ring_.exchange_index(&ring_.control->head, head, claim)) {
    }
    head_ = claim;
    claimed_ = 0;
  }

  ring_type ring_;
  std::uint64_t head_;       ///< first frame of the current batch
  std::uint64_t ready_end_;  ///< frames below this are known complete
  std::uint32_t claimed_ = 0;
};

}  // namespace ringkernels::messaging

#endif

// The consumer side of a frame ring (protocol: frame_ring.hpp).
#ifndef RINGKERNELS_MESSAGING_RING_CONSUMER_HPP
#define RINGKERNELS_MESSAGING_RING_CONSUMER_HPP

#include <ringkernels/messaging/ring_ref.hpp>

#include <cstddef>
#include <cstdint>

namespace ringkernels::messaging {
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

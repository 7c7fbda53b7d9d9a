// Duplicate detection by message id over a true sliding window: the last `window` distinct ids
// seen are remembered, and the oldest is forgotten first. (The predecessor evicted an arbitrary
// half of its keys, so duplicates slipped through right after an eviction.)
#ifndef RINGKERNELS_MESSAGING_DEDUP_WINDOW_HPP
#define RINGKERNELS_MESSAGING_DEDUP_WINDOW_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringkernels::messaging {

/// Open-addressing hash set of the ids in the window plus a FIFO of the same ids in arrival
/// order. O(1) per id; memory ~ 3.25 x 8 bytes x window. Not thread-safe: one per consumer.
class dedup_window {
 public:
  /// `window` >= 1 ids are remembered; throws ringkernels::error for 0.
  explicit dedup_window(std::size_t window);

  /// True if `message_id` is new (and now remembered); false if it is a duplicate within the
  /// window. Remembering an id past a full window forgets the oldest remembered id.
  bool admit(std::uint64_t message_id);

  /// Whether the id is currently remembered.
  bool contains(std::uint64_t message_id) const;

  std::size_t window() const { return fifo_.size(); }
  std::size_t size() const { return count_; }
  std::uint64_t duplicates() const { return duplicates_; }

 private:
  std::size_t find_slot(std::uint64_t id) const;
  void erase(std::uint64_t id);

  // Every 64-bit value is a valid id (0 and 2^64 - 1 too), so occupancy is kept apart: an
  // earlier "id + 1, 0 means empty" encoding never remembered 2^64 - 1.
  std::vector<std::uint64_t> table_;
  std::vector<std::uint8_t> used_;
  std::vector<std::uint64_t> fifo_;  // ring of remembered ids, oldest at fifo_head_
  std::size_t fifo_head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t duplicates_ = 0;
};

}  // namespace ringkernels::messaging

#endif

#include <ringkernels/core/error.hpp>
#include <ringkernels/messaging/dedup_window.hpp>

#include <string>

namespace ringkernels::messaging {
namespace {
std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser: ids are often sequential
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

dedup_window::dedup_window(std::size_t window) {
  if (window == 0) {
    RINGKERNELS_THROW(errc::invalid_argument, "dedup window must remember at least 1 id");
  }
  std::size_t table_size = 4;
  while (table_size < window * 2) table_size *= 2;  // load factor <= 1/2
  table_.assign(table_size, 0);
  used_.assign(table_size, 0);
  fifo_.assign(window, 0);
}

std::size_t dedup_window::find_slot(std::uint64_t id) const {
  const std::size_t mask = table_.size() - 1;
  std::size_t i = static_cast<std::size_t>(mix(id)) & mask;
  while (used_[i] != 0 && table_[i] != id) i = (i + 1) & mask;
  return i;
}

bool dedup_window::contains(std::uint64_t message_id) const {
  return used_[find_slot(message_id)] != 0;
}

bool dedup_window::admit(std::uint64_t message_id) {
  const std::size_t slot = find_slot(message_id);
  if (used_[slot] != 0) {
    ++duplicates_;
    return false;
  }
  if (count_ == fifo_.size()) {  // full: forget the oldest id first
    erase(fifo_[fifo_head_]);
    fifo_head_ = (fifo_head_ + 1) % fifo_.size();
    --count_;
  }
  const std::size_t free_slot = find_slot(message_id);
  table_[free_slot] = message_id;
  used_[free_slot] = 1;
  fifo_[(fifo_head_ + count_) % fifo_.size()] = message_id;
  ++count_;
  return true;
}

void dedup_window::erase(std::uint64_t id) {
  // Backward-shift deletion keeps linear probing correct without tombstones.
  const std::size_t mask = table_.size() - 1;
  std::size_t hole = find_slot(id);
  used_[hole] = 0;
  for (std::size_t i = (hole + 1) & mask; used_[i] != 0; i = (i + 1) & mask) {
    const std::size_t home = static_cast<std::size_t>(mix(table_[i])) & mask;
    // Move entry i into the hole if its home is not cyclically in (hole, i].
    const bool home_in_range = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!home_in_range) {
      table_[hole] = table_[i];
      used_[hole] = 1;
      used_[i] = 0;
      hole = i;
    }
  }
}

}  // namespace ringkernels::messaging

// How many slots a GPU warp polls at once. Each polling lane reads one commit stamp across
// PCIe, and the warp waits for the slowest read: on an H200, 32 stamp reads per poll made a
// lone request's round trip 0.7 us longer than one read in a bare probe, and 0.3 us in the ring
// kernel (docs/performance.md). So the window
// follows the traffic: one slot while requests come one at a time, growing by doubling while
// every polled slot keeps being full, and shrinking to what the last batch used.
#ifndef RINGKERNELS_BACKENDS_COMMON_POLL_WINDOW_HPP
#define RINGKERNELS_BACKENDS_COMMON_POLL_WINDOW_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>

namespace ringkernels {

class poll_window {
 public:
  RINGKERNELS_INLINE_FUNCTION explicit poll_window(std::uint32_t limit)
      : limit_(limit < 1 ? 1 : limit) {}

  /// Slots to poll on the next pass, 1 .. limit.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t width() const { return width_; }

  /// After a pass that found `taken` complete frames at the front (0 = an empty poll).
  RINGKERNELS_INLINE_FUNCTION void after_pass(std::uint32_t taken) {
    if (taken == 0) {
      full_streak_ = 0;
      return;
    }
    if (taken >= width_) {
      // A lone request also fills a window of one: grow only when a second full pass follows
      // at once (a burst), not on every isolated request.
      ++full_streak_;
      if (width_ > 1 || full_streak_ > 1) width_ = width_ * 2 > limit_ ? limit_ : width_ * 2;
      return;
    }
    full_streak_ = 0;
    const std::uint32_t next = taken + taken / 2;  // a little room above the last batch
    width_ = next > limit_ ? limit_ : next;
  }

  /// After a long idle spell: back to one slot (light polling of an idle ring).
  RINGKERNELS_INLINE_FUNCTION void reset() {
    width_ = 1;
    full_streak_ = 0;
  }

 private:
  std::uint32_t limit_;
  std::uint32_t width_ = 1;
  std::uint32_t full_streak_ = 0;
};

}  // namespace ringkernels

#endif

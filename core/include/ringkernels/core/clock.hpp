// Time for messages: a hybrid logical clock (HLC). A timestamp packs 48 bits of physical time
// (microseconds) with a 16-bit logical counter, so timestamps order causally related messages
// across host threads and GPU blocks even when their physical clocks disagree a little.
// Pure logic: the caller supplies physical time (host: system clock; device: globaltimer).
#ifndef RINGKERNELS_CORE_CLOCK_HPP
#define RINGKERNELS_CORE_CLOCK_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>

namespace ringkernels {

struct hlc_timestamp {
  std::uint64_t packed = 0;

  static constexpr int logical_bits = 16;
  RINGKERNELS_INLINE_FUNCTION constexpr std::uint64_t physical_us() const {
    return packed >> logical_bits;
  }
  RINGKERNELS_INLINE_FUNCTION constexpr std::uint32_t logical() const {
    return static_cast<std::uint32_t>(packed & ((1u << logical_bits) - 1));
  }
  RINGKERNELS_INLINE_FUNCTION static constexpr hlc_timestamp make(std::uint64_t physical_us,
                                                                  std::uint32_t logical) {
    return hlc_timestamp{(physical_us << logical_bits) | (logical & ((1u << logical_bits) - 1))};
  }
};

/// One clock per actor (worker, host thread). Not thread-safe: each owner has its own.
class hybrid_logical_clock {
 public:
  /// A timestamp for a local event or a send at physical time `now_us`.
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp tick(std::uint64_t now_us) {
    if (now_us > last_.physical_us()) {
      last_ = hlc_timestamp::make(now_us, 0);
    } else {
      advance_logical();
    }
    return last_;
  }

  /// A timestamp for receiving a message stamped `remote` at physical time `now_us`: later than
  /// both the local history and the remote timestamp.
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp receive(hlc_timestamp remote, std::uint64_t now_us) {
    const std::uint64_t local_us = last_.physical_us();
    const std::uint64_t remote_us = remote.physical_us();
    if (now_us > local_us && now_us > remote_us) {
      last_ = hlc_timestamp::make(now_us, 0);
    } else if (remote_us > local_us) {
      last_ = hlc_timestamp::make(remote_us, remote.logical() + 1);
    } else if (local_us > remote_us) {
      advance_logical();
    } else {
      const std::uint32_t logical =
          last_.logical() > remote.logical() ? last_.logical() : remote.logical();
      last_ = hlc_timestamp::make(local_us, logical + 1);
    }
    return last_;
  }

  RINGKERNELS_INLINE_FUNCTION hlc_timestamp last() const { return last_; }

 private:
  RINGKERNELS_INLINE_FUNCTION void advance_logical() {
    // On logical overflow, borrow a microsecond: timestamps stay strictly increasing.
    if (last_.logical() == (1u << hlc_timestamp::logical_bits) - 1) {
      last_ = hlc_timestamp::make(last_.physical_us() + 1, 0);
    } else {
      last_.packed += 1;
    }
  }

  hlc_timestamp last_{};
};

}  // namespace ringkernels

#endif

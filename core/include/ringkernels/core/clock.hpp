// Time for messages: a hybrid logical clock (HLC, Kulkarni et al., "Logical Physical Clocks",
// 2014). A timestamp packs 50 bits of physical time (microseconds since the project epoch,
// 2025-01-01T00:00:00Z) with a 14-bit logical counter, so timestamps order causally related
// messages across host threads and GPU blocks even when their physical clocks disagree a little.
//
// Why an epoch: microseconds since 1970 (~1.8e15 in 2026) do not fit the physical field (the
// first version packed them into 48 bits: every tick "moved forward" and the clock went
// backwards). 2^50 us from 2025 is about 35.7 years: the wrap horizon is 2060-09; a physical
// time past it saturates at the largest value and the logical counter carries order from there.
// Times before the epoch (a device clock that does not count from 1970) read as 0, likewise.
//
// Pure logic: the caller supplies physical time (host: system clock; device: globaltimer),
// converted with hlc_physical_us().
#ifndef RINGKERNELS_CORE_CLOCK_HPP
#define RINGKERNELS_CORE_CLOCK_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>

namespace ringkernels {

struct hlc_timestamp {
  std::uint64_t packed = 0;

  static constexpr int logical_bits = 14;
  static constexpr int physical_bits = 64 - logical_bits;
  static constexpr std::uint64_t logical_max = (std::uint64_t{1} << logical_bits) - 1;
  static constexpr std::uint64_t physical_max = (std::uint64_t{1} << physical_bits) - 1;
  /// 2025-01-01T00:00:00Z in nanoseconds since 1970.
  static constexpr std::uint64_t epoch_ns = 1735689600ull * 1000000000ull;

  RINGKERNELS_INLINE_FUNCTION constexpr std::uint64_t physical_us() const {
    return packed >> logical_bits;
  }
  RINGKERNELS_INLINE_FUNCTION constexpr std::uint32_t logical() const {
    return static_cast<std::uint32_t>(packed & logical_max);
  }
  /// Packs (physical, logical); both must be in range (physical <= physical_max,
  /// logical <= logical_max): the clock below never asks for more.
  RINGKERNELS_INLINE_FUNCTION static constexpr hlc_timestamp make(std::uint64_t physical_us,
                                                                  std::uint64_t logical) {
    return hlc_timestamp{(physical_us << logical_bits) | (logical & logical_max)};
  }
  RINGKERNELS_INLINE_FUNCTION friend constexpr bool operator<(hlc_timestamp a, hlc_timestamp b) {
    return a.packed < b.packed;
  }
  RINGKERNELS_INLINE_FUNCTION friend constexpr bool operator==(hlc_timestamp a, hlc_timestamp b) {
    return a.packed == b.packed;
  }
};

/// Converts a physical time in ns since 1970 (physical_time_ns()) to the clock's microseconds:
/// since the epoch, 0 before it, saturated at the horizon.
RINGKERNELS_INLINE_FUNCTION constexpr std::uint64_t hlc_physical_us(std::uint64_t unix_ns) {
  if (unix_ns <= hlc_timestamp::epoch_ns) return 0;
  const std::uint64_t us = (unix_ns - hlc_timestamp::epoch_ns) / 1000;
  return us < hlc_timestamp::physical_max ? us : hlc_timestamp::physical_max;
}

/// A timestamp of "now" without a clock's history: for stamping a send where no clock is kept.
RINGKERNELS_INLINE_FUNCTION hlc_timestamp hlc_physical_now() {
  return hlc_timestamp::make(hlc_physical_us(physical_time_ns()), 0);
}

/// One clock per actor (worker, host thread). Not thread-safe: each owner has its own.
/// Every timestamp it returns is greater than every one it returned before.
class hybrid_logical_clock {
 public:
  /// A timestamp for a local event or a send at physical time `now_us` (hlc_physical_us()).
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp tick(std::uint64_t now_us) {
    now_us = clamp(now_us);
    if (now_us > last_.physical_us()) {
      last_ = hlc_timestamp::make(now_us, 0);
    } else {
      last_ = successor(last_.physical_us(), last_.logical());
    }
    return last_;
  }

  /// A timestamp for receiving a message stamped `remote` at physical time `now_us`: greater
  /// than both the local history and `remote`.
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp receive(hlc_timestamp remote, std::uint64_t now_us) {
    now_us = clamp(now_us);
    const std::uint64_t local_us = last_.physical_us();
    const std::uint64_t remote_us = remote.physical_us();
    if (now_us > local_us && now_us > remote_us) {
      last_ = hlc_timestamp::make(now_us, 0);
    } else if (local_us == remote_us) {
      const std::uint32_t logical =
          last_.logical() > remote.logical() ? last_.logical() : remote.logical();
      last_ = successor(local_us, logical);
    } else if (remote_us > local_us) {
      last_ = successor(remote_us, remote.logical());
    } else {
      last_ = successor(local_us, last_.logical());
    }
    return last_;
  }

  RINGKERNELS_INLINE_FUNCTION hlc_timestamp last() const { return last_; }

 private:
  RINGKERNELS_INLINE_FUNCTION static std::uint64_t clamp(std::uint64_t us) {
    return us < hlc_timestamp::physical_max ? us : hlc_timestamp::physical_max;
  }

  /// The next timestamp after (physical, logical). On logical overflow it borrows a microsecond
  /// (the clock then runs up to that much ahead of physical time, as HLC allows). At the
  /// horizon, where no microsecond is left to borrow, it stays at the last value: the only
  /// place where two timestamps of one clock can be equal, 35 years out.
  RINGKERNELS_INLINE_FUNCTION static hlc_timestamp successor(std::uint64_t physical,
                                                             std::uint64_t logical) {
    if (logical < hlc_timestamp::logical_max) return hlc_timestamp::make(physical, logical + 1);
    if (physical < hlc_timestamp::physical_max) return hlc_timestamp::make(physical + 1, 0);
    return hlc_timestamp::make(physical, logical);
  }

  hlc_timestamp last_{};
};

}  // namespace ringkernels

#endif

// Host-side waiting with growing backoff: spin a little (cheap when the other side answers within
// nanoseconds), then pause, then yield, then sleep with growing steps up to a cap, so an idle
// waiter costs near 0 % CPU (architecture decision 8; libcu++'s __cccl_thread_poll_with_backoff
// is the model). Device code backs off with __nanosleep in backends/cuda instead.
#ifndef RINGKERNELS_CORE_BACKOFF_HPP
#define RINGKERNELS_CORE_BACKOFF_HPP

#include <chrono>
#include <cstdint>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ringkernels {

/// One CPU relax hint (x86 `pause`), nothing elsewhere.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Backoff state for one wait. Call pause() after each unsuccessful poll; reset() after success.
class backoff {
 public:
  struct tuning {
    std::uint32_t spins = 64;    ///< polls with no pause at all
    std::uint32_t pauses = 256;  ///< polls with a cpu_relax between
    std::uint32_t yields = 64;   ///< polls with a thread yield between
    std::chrono::microseconds first_sleep{2};
    std::chrono::microseconds max_sleep{1000};
  };

  backoff() = default;
  explicit backoff(const tuning& settings) : tuning_(settings) {}

  void pause() {
    pause_with([](std::chrono::microseconds step) { std::this_thread::sleep_for(step); });
  }

  /// pause(), with the sleeping steps done by `sleep(step)`: a waiter that can be woken early
  /// (a parked worker, backends/host) sleeps its own way.
  template <class Sleep>
  void pause_with(Sleep&& sleep) {
    ++polls_;
    if (polls_ <= tuning_.spins) return;
    if (polls_ <= tuning_.spins + tuning_.pauses) {
      cpu_relax();
      return;
    }
    if (polls_ <= tuning_.spins + tuning_.pauses + tuning_.yields) {
      std::this_thread::yield();
      return;
    }
    sleep(sleep_);
    sleep_ = sleep_ * 2 > tuning_.max_sleep ? tuning_.max_sleep : sleep_ * 2;
  }

  void reset() {
    polls_ = 0;
    sleep_ = tuning_.first_sleep;
  }

 private:
  tuning tuning_{};
  std::uint32_t polls_ = 0;
  std::chrono::microseconds sleep_{tuning_.first_sleep};
};

}  // namespace ringkernels

#endif

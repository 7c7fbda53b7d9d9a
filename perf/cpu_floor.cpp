#include "cpu_floor.hpp"

#include <ringkernels/core/error.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace ringkernels::perf {
namespace {
using clock_type = std::chrono::steady_clock;
struct alignas(64) padded_counter {
  std::atomic<std::uint64_t> value{0};
};
struct alignas(64) message64 {
  std::uint64_t words[8];
};
}  // namespace

std::thread pinned_thread(const topology& machine, int core, std::function<void()> body) {
  return std::thread([&machine, core, body = std::move(body)] {
    if (core >= 0) (void)machine.pin_current_thread(core);
    body();
  });
}

void measure_core_roundtrip(const topology& machine, int core_a, int core_b, report& out) {
  padded_counter ping;
  padded_counter pong;
  constexpr std::uint64_t iterations = 1'000'000;
  constexpr std::uint64_t warmup = 10'000;
  std::vector<double> samples;
  samples.reserve(iterations);
  std::thread echo = pinned_thread(machine, core_b, [&] {
    for (std::uint64_t i = 1; i <= iterations; ++i) {
      while (ping.value.load(std::memory_order_acquire) != i) {
      }
      pong.value.store(i, std::memory_order_release);
    }
  });
  std::thread timer = pinned_thread(machine, core_a, [&] {
    for (std::uint64_t i = 1; i <= iterations; ++i) {
      const auto start = clock_type::now();
      ping.value.store(i, std::memory_order_release);
      while (pong.value.load(std::memory_order_acquire) != i) {
      }
      if (i > warmup) {
        samples.push_back(
            std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
      }
    }
  });
  timer.join();
  echo.join();
  std::vector<double> copy = samples;
  out.add("floor.core_roundtrip.p50_ns", percentile(samples, 50), "ns",
          "bare cache-line ping-pong, cores " + std::to_string(core_a) + "<->" +
              std::to_string(core_b));
  out.add("floor.core_roundtrip.p99_ns", percentile(copy, 99), "ns");
}

void measure_thread_wake(const topology& machine, int core_a, int core_b, double scale,
                         report& out) {
  const auto rounds = static_cast<std::uint64_t>(400 * scale) + 40;
  std::mutex mutex;
  std::condition_variable wake;
  bool notified = false;
  std::atomic<std::int64_t> woke_at{0};
  std::vector<double> samples;
  samples.reserve(rounds);
  std::thread sleeper = pinned_thread(machine, core_b, [&] {
    for (std::uint64_t i = 0; i < rounds; ++i) {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return notified; });
      notified = false;
      woke_at.store(clock_type::now().time_since_epoch().count(), std::memory_order_release);
    }
  });
  std::thread waker = pinned_thread(machine, core_a, [&] {
    for (std::uint64_t i = 0; i < rounds; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      woke_at.store(0, std::memory_order_relaxed);
      const auto start = clock_type::now();
      {
        std::lock_guard lock(mutex);
        notified = true;
      }
      wake.notify_one();
      std::int64_t woke = 0;
      while ((woke = woke_at.load(std::memory_order_acquire)) == 0) {
      }
      samples.push_back(static_cast<double>(woke - start.time_since_epoch().count()));
    }
  });
  waker.join();
  sleeper.join();
  std::vector<double> copy = samples;
  out.add("floor.thread_wake.p50_ns", percentile(samples, 50), "ns",
          "notify to running of a thread asleep 5 ms, cores " + std::to_string(core_a) + "->" +
              std::to_string(core_b));
  out.add("floor.thread_wake.p99_ns", percentile(copy, 99), "ns");
}

double measure_bare_spsc(const topology& machine, int core_a, int core_b, std::uint64_t batch,
                         std::uint64_t messages) {
  constexpr std::uint64_t capacity = 4096;
  std::vector<message64> ring(capacity);
  padded_counter published;
  padded_counter consumed;
  std::uint64_t sum = 0;
  std::thread consumer = pinned_thread(machine, core_b, [&] {
    std::uint64_t done = 0;
    while (done < messages) {
      const std::uint64_t available = published.value.load(std::memory_order_acquire);
      for (; done < available; ++done) sum += ring[done & (capacity - 1)].words[0];
      consumed.value.store(done, std::memory_order_release);
    }
  });
  double seconds = 0;
  std::thread producer = pinned_thread(machine, core_a, [&] {
    const auto start = clock_type::now();
    std::uint64_t made = 0;
    std::uint64_t cached_consumed = 0;
    while (made < messages) {
      if (made - cached_consumed + batch > capacity) {
        cached_consumed = consumed.value.load(std::memory_order_acquire);
        continue;
      }
      const std::uint64_t count = std::min(batch, messages - made);
      for (std::uint64_t j = 0; j < count; ++j) {
        message64& m = ring[(made + j) & (capacity - 1)];
        for (auto& word : m.words) word = made + j;
      }
      made += count;
      published.value.store(made, std::memory_order_release);
    }
    consumer.join();
    seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  });
  producer.join();
  if (sum != messages * (messages - 1) / 2) {
    RINGKERNELS_THROW(errc::backend_failure, "bare SPSC floor: consumer saw wrong data");
  }
  return static_cast<double>(messages) / seconds;
}

}  // namespace ringkernels::perf

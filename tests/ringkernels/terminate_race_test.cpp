// terminate() racing callers, senders and a receiver (issue 14, defect 8): every request a
// worker processed has its reply delivered exactly once (to its future or to receive()), no
// future hears "terminated" for a request that was processed, and the report's pending count
// is exact even for a send that raced the rings' close.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include "backends_under_test.hpp"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using echo = ringkernels::examples::echo;

namespace {
struct race_tally {
  std::atomic<std::uint64_t> by_future{0};
  std::atomic<std::uint64_t> future_terminated{0};
  std::atomic<std::uint64_t> future_other_error{0};
  std::atomic<std::uint64_t> by_receive{0};
};

/// One caller: call() and send() at random until `stop`.
template <class Kernel>
void caller(Kernel& kernel, race_tally& tally, const std::atomic<bool>& stop, unsigned seed) {
  std::minstd_rand random(seed);
  echo::Request request;
  while (!stop.load(std::memory_order_acquire)) {
    request.sequence = random();
    if (random() % 2 == 0) {
      (void)kernel.send(request);
      continue;
    }
    try {
      auto future = kernel.call(request);
      try {
        if (future.get(5s).sequence == request.sequence) tally.by_future.fetch_add(1);
      } catch (const ringkernels::error& failure) {
        (failure.code() == ringkernels::errc::wrong_state ? tally.future_terminated
                                                          : tally.future_other_error)
            .fetch_add(1);
      }
    } catch (const ringkernels::error&) {  // call() refused: not active, or not enqueued
    }
  }
}
}  // namespace

TEMPLATE_TEST_CASE("terminate racing callers and a receiver loses no processed reply",
                   "[ringkernels][stress]", RINGKERNELS_HOST_BACKENDS) {
  std::minstd_rand random(2024);
  for (int round = 0; round < 150; ++round) {
    ringkernels::runtime rt;
    ringkernels::kernel_options options;
    options.name = "race";
    options.workers = 2;
    auto kernel = rt.launch<TestType>(echo{}, options);
    kernel.activate();
    race_tally tally;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] { caller(kernel, tally, stop, 100 * round + t); });
    }
    threads.emplace_back([&] {
      echo::Reply replies[32];
      while (!stop.load(std::memory_order_acquire)) tally.by_receive += kernel.receive(replies, 32);
    });
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
    const auto report = kernel.terminate();
    stop.store(true, std::memory_order_release);
    for (auto& thread : threads) thread.join();
    echo::Reply replies[32];
    while (const std::size_t n = kernel.receive(replies, 32)) tally.by_receive += n;

    const auto counters = kernel.snapshot();
    INFO("round " << round);
    REQUIRE(report.stopped);
    CHECK(tally.future_other_error == 0);
    // Every reply a worker queued reached the host, and from there exactly one taker. No
    // future was abandoned (each waited up to 5 s), so none may have been discarded.
    CHECK(counters.replies_received == counters.replies_sent);
    CHECK(counters.replies_abandoned == 0);
    CHECK(tally.by_future + tally.by_receive == counters.replies_sent);
    // What was sent is processed, dropped or reported pending; exactly.
    CHECK(counters.dropped() == 0);
    CHECK(report.pending == counters.sent - counters.processed);
    CHECK(counters.balanced());
  }
}

// A handler that throws: its kernel faults with the message, callers get an error instead of a
// hang, and other kernels keep working.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "backends_under_test.hpp"
#include "test_handlers.hpp"

#include <thread>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::kernel_state;

TEMPLATE_TEST_CASE("a throwing handler faults its kernel only", "[ringkernels][fault]",
                   RINGKERNELS_HOST_BACKENDS) {
  using fragile = test_support::fragile;
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "fragile";
  auto broken = rt.launch<TestType>(fragile{}, options);
  options.name = "healthy";
  auto healthy = rt.launch<TestType>(ringkernels::examples::echo{}, options);
  broken.activate();
  healthy.activate();

  CHECK(broken.call(fragile::Request{21}).get(1s).doubled == 42);
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)broken.call(fragile::Request{-5}).get(5s);
    FAIL("no error from a faulted kernel");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::handler_failed);
    CHECK_THAT(failure.what(), ContainsSubstring("negative value -5"));
  }
  CHECK(std::chrono::steady_clock::now() - start < 1s);  // reported, not timed out
  CHECK(broken.state() == kernel_state::faulted);
  CHECK_THAT(broken.status().fault, ContainsSubstring("handler threw: negative value -5"));
  CHECK_THROWS_AS(broken.call(fragile::Request{1}), ringkernels::error);

  ringkernels::examples::echo::Request request;
  request.sequence = 9;
  CHECK(healthy.call(request).get(1s).sequence == 9);
  CHECK(healthy.state() == kernel_state::active);

  const auto counters = broken.snapshot();
  CHECK(counters.dropped_handler_failed == 1);
  CHECK(counters.processed == 1);
  CHECK(counters.balanced());
  const auto report = broken.terminate();
  CHECK(report.stopped);
  CHECK_THAT(report.detail, ContainsSubstring("negative value -5"));
}

TEMPLATE_TEST_CASE("a worker stuck in its handler is reported stalled", "[ringkernels][fault]",
                   RINGKERNELS_HOST_BACKENDS) {
  using stuck = test_support::stuck;
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "stuck";
  options.stall_after = 200ms;
  auto kernel = rt.launch<TestType>(stuck{}, options);
  kernel.activate();
  CHECK_FALSE(kernel.status().stalled);
  std::uint32_t hold = 1;
  auto future = kernel.call(stuck::Request{&hold});
  std::this_thread::sleep_for(500ms);
  const auto status = kernel.status();
  CHECK(status.stalled);
  CHECK_THAT(status.stall, ContainsSubstring("worker 0: no heartbeat for"));
  REQUIRE(status.stalled_workers.size() == 1);
  CHECK(status.stalled_workers[0].worker == 0);
  CHECK(status.stalled_workers[0].silent_for >= 200ms);
  using u32 =
      ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
  u32::store_release(&hold, 0u);
  CHECK(future.get(5s).released == 1);
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(kernel.status().stalled);
}

TEMPLATE_TEST_CASE("activate after a handler threw recovers the kernel and its queued messages",
                   "[ringkernels][fault]", RINGKERNELS_HOST_BACKENDS) {
  using fragile = test_support::fragile;
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "recovers";
  auto kernel = rt.launch<TestType>(fragile{}, options);
  const fragile::Request batch[4] = {{-1}, {2}, {3}, {4}};
  REQUIRE(kernel.send_batch(batch, 4) == 4);  // queued while launched
  kernel.activate();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (kernel.state() != kernel_state::faulted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(kernel.state() == kernel_state::faulted);
  // Before: faulted for good, three messages stranded; terminate was the only way out.
  kernel.activate();
  CHECK(kernel.state() == kernel_state::active);
  CHECK(kernel.status().fault.empty());
  std::vector<std::int64_t> doubled;
  fragile::Reply replies[4];
  while (doubled.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    const std::size_t n = kernel.receive(replies, 4);
    for (std::size_t i = 0; i < n; ++i) doubled.push_back(replies[i].doubled);
  }
  CHECK(doubled == std::vector<std::int64_t>{4, 6, 8});
  CHECK(kernel.call(fragile::Request{5}).get(1s).doubled == 10);
  const auto counters = kernel.snapshot();
  CHECK(counters.dropped_handler_failed == 1);  // the failed message, counted, not retried
  CHECK(counters.processed == 4);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("zero timeouts are refused at launch", "[ringkernels][fault]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "zero";
  options.acknowledge_timeout = 0ms;
  CHECK_THROWS_WITH(rt.launch<TestType>(ringkernels::examples::echo{}, options),
                    ContainsSubstring("acknowledge_timeout (0 ms)"));
}

// The runtime's supervisor on ring kernels, written once for every backend (host instantiation:
// supervision_test.cpp; GPU: tests/gpu/gpu_kernel_test.cpp): a stalled kernel is relaunched and
// its queued requests are handled, too many relaunches open the circuit, and a kernel without a
// restart policy is only reported. SUPERVISION_BACKENDS and SUPERVISION_TAGS name where.
#ifndef RINGKERNELS_TESTS_SUPERVISION_CASES_HPP
#define RINGKERNELS_TESTS_SUPERVISION_CASES_HPP

#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "test_handlers.hpp"

#include <ringkernels/examples/long_task.hpp>

#include <chrono>
#include <thread>
#include <vector>

namespace supervision_cases {
using namespace std::chrono_literals;
using ringkernels::examples::long_task;

/// A kernel of `long_task` that a stall relaunches (stall_after 100 ms: well above a parked
/// worker's 25 ms between heartbeats, also under sanitizers).
inline ringkernels::kernel_options stall_options(const char* name, int max_restarts) {
  ringkernels::kernel_options options;
  options.name = name;
  options.stall_after = 100ms;
  options.restart.policy = ringkernels::restart_policy::on_fault_or_stall;
  options.restart.max_restarts = max_restarts;
  return options;
}

/// Waits up to `timeout` for `done()`; returns its last answer.
template <class Done>
bool wait_until(Done&& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}
}  // namespace supervision_cases

TEMPLATE_TEST_CASE("the supervisor relaunches a stalled kernel and its queued requests are handled",
                   SUPERVISION_TAGS, SUPERVISION_BACKENDS) {
  using namespace supervision_cases;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(long_task{}, stall_options("relaunched", 3));
  kernel.activate();
  REQUIRE(kernel.call(long_task::Request{7, 0}).get(2s).value == 7);
  auto stalled = kernel.call(long_task::Request{-1, 60000});  // a minute, unless stopped
  std::vector<ringkernels::reply_future<typename decltype(kernel)::impl_type>> queued;
  for (std::int64_t i = 0; i < 50; ++i) queued.push_back(kernel.call(long_task::Request{i, 0}));

  // The stalled handler was told to stop by the relaunch, then everything queued was handled.
  const auto first = stalled.get(10s);
  CHECK(first.value == -1);
  CHECK(first.stopped == 1);
  for (std::int64_t i = 0; i < 50; ++i)
    CHECK(queued[static_cast<std::size_t>(i)].get(5s).value == i);

  // Counters went on across the relaunch: nothing counted twice, nothing missing (a worker
  // publishes its counts just after its batch's replies).
  CHECK(wait_until([&] { return kernel.snapshot().processed == 52; }, 2s));
  // The relaunched worker may answer before the supervisor has written its book.
  CHECK(wait_until([&] { return kernel.status().supervision.restarts >= 1; }, 2s));
  const ringkernels::kernel_status status = kernel.status();
  CHECK(status.state == ringkernels::kernel_state::active);
  CHECK(status.supervision.policy == ringkernels::restart_policy::on_fault_or_stall);
  CHECK(status.supervision.restarts >= 1);
  CHECK_FALSE(status.supervision.circuit_open);
  CHECK_THAT(status.supervision.last_trigger,
             Catch::Matchers::ContainsSubstring("stall: worker 0"));
  CHECK(status.supervision.last_relaunch.count() > 0);
  CHECK(status.supervision.last_recovery >= status.supervision.last_relaunch);
  CHECK(status.telemetry.balanced());
  CHECK(kernel.call(long_task::Request{8, 0}).get(2s).value == 8);
  CHECK(kernel.terminate().stopped);
}

TEMPLATE_TEST_CASE("after max_restarts relaunches in the window the supervisor opens the circuit",
                   SUPERVISION_TAGS, SUPERVISION_BACKENDS) {
  using namespace supervision_cases;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(long_task{}, stall_options("breaker", 1));
  kernel.activate();
  CHECK(kernel.call(long_task::Request{1, 60000}).get(10s).stopped == 1);  // relaunch 1 of 1
  REQUIRE(wait_until([&] { return kernel.status().supervision.restarts == 1; }, 5s));
  auto second = kernel.call(long_task::Request{2, 60000});
  REQUIRE(wait_until([&] { return kernel.status().supervision.circuit_open; }, 10s));
  const auto supervision = kernel.status().supervision;
  CHECK(supervision.restarts == 1);
  CHECK(supervision.restarts_in_window == 1);
  CHECK_THAT(supervision.circuit_reason, Catch::Matchers::ContainsSubstring("max_restarts 1"));
  CHECK_THAT(supervision.circuit_reason, Catch::Matchers::ContainsSubstring("stall: worker 0"));
  CHECK(kernel.status().stalled);  // left as it is: reported, not relaunched
  // terminate() still stops it: the handler watches stop_requested().
  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(second.get(2s).stopped == 1);
}

TEMPLATE_TEST_CASE("a kernel without a restart policy is reported stalled, never relaunched",
                   SUPERVISION_TAGS, SUPERVISION_BACKENDS) {
  using namespace supervision_cases;
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "unsupervised";
  options.stall_after = 100ms;
  auto kernel = rt.launch<TestType>(long_task{}, options);
  kernel.activate();
  auto stalled = kernel.call(long_task::Request{3, 60000});
  REQUIRE(wait_until([&] { return kernel.status().stalled; }, 10s));
  std::this_thread::sleep_for(200ms);  // a supervisor, were there one, would have acted
  const auto status = kernel.status();
  CHECK(status.stalled);
  CHECK(status.supervision.policy == ringkernels::restart_policy::never);
  CHECK(status.supervision.restarts == 0);
  CHECK(kernel.terminate().stopped);
  CHECK(stalled.get(2s).stopped == 1);
}

#endif

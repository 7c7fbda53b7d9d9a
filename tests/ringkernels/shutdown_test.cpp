// Regression tests for defects found by using the library from outside (issue 14): what a
// kernel may free or unregister when it goes, what it refuses, and the limits it states.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "backends_under_test.hpp"
#include "kernel_helpers.hpp"
#include "test_handlers.hpp"

#include <string>
#include <thread>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::kernel_state;
using echo = ringkernels::examples::echo;

using test_support::eventually;
using test_support::named;

namespace {
using u32 =
    ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
}  // namespace

TEMPLATE_TEST_CASE(
    "a worker stuck past terminate's deadline keeps the kernel's memory until it leaves",
    "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  // The handler spins on `hold` (static: it must outlive everything below). Before the fix the
  // rings were freed when the handle went, and the handler's reply, written once it returned,
  // landed in freed memory (ASan: heap-use-after-free in the reply store; release: SIGSEGV).
  static std::uint32_t hold = 0;
  static std::uint32_t entered = 0;
  u32::store_release(&hold, 1);
  u32::store_release(&entered, 0);
  {
    ringkernels::runtime rt;
    auto options = named("stuck");
    options.terminate_timeout = 20ms;
    auto kernel = rt.launch<TestType>(test_support::stuck{}, options);
    kernel.activate();
    auto future = kernel.call(test_support::stuck::Request{&hold, &entered});
    REQUIRE(eventually([&] { return u32::load_acquire(&entered) == 1; }));
    const auto report = kernel.terminate();
    CHECK_FALSE(report.stopped);
    CHECK(report.workers_still_running == 1);
    CHECK_THAT(report.detail, ContainsSubstring("still run"));
    CHECK(kernel.state() == kernel_state::terminated);
  }  // future, handle and runtime gone while the worker is still inside the handler
  u32::store_release(&hold, 0);  // the handler returns and writes its reply
  std::this_thread::sleep_for(50ms);
  SUCCEED("the late reply went into memory that was still allocated (ASan checks this)");
}

TEMPLATE_TEST_CASE("a launch refused for a taken name leaves the live kernel registered",
                   "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto first = rt.launch<TestType>(echo{}, named("twin"));
  const std::vector<std::string> expected{"twin.in", "twin.out", "twin.peer"};
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, named("twin")),
                    ContainsSubstring("already registered"));
  // Before the fix the refused kernel's destructor unregistered the first kernel's queues,
  // and a third launch under the same name then succeeded.
  CHECK(rt.queue_names() == expected);
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, named("twin")),
                    ContainsSubstring("already registered"));
  CHECK(rt.queue_names() == expected);
  first.activate();
  echo::Request request;
  request.sequence = 5;
  CHECK(first.call(request).get(1s).sequence == 5);
}

TEMPLATE_TEST_CASE("a send to a faulted kernel is refused instead of queued unread",
                   "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  using fragile = test_support::fragile;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(fragile{}, named("fragile"));
  kernel.activate();
  CHECK(kernel.send(fragile::Request{-1}) == ringkernels::messaging::push_result::ok);
  REQUIRE(eventually([&] { return kernel.state() == kernel_state::faulted; }));
  CHECK(kernel.send(fragile::Request{2}) == ringkernels::messaging::push_result::closed);
  const fragile::Request batch[3] = {{1}, {2}, {3}};
  CHECK(kernel.send_batch(batch, 3) == 0);
  const auto counters = kernel.snapshot();
  CHECK(counters.sent == 1);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("a kernel name of 64 characters reaches the handler whole",
                   "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  const std::string name(64, 'n');
  auto kernel = rt.launch<TestType>(test_support::name_length{}, named(name));
  kernel.activate();
  CHECK(kernel.call(test_support::name_length::Request{}).get(1s).length == 64);
  CHECK_THROWS_WITH(rt.launch<TestType>(test_support::name_length{}, named(name + "x")),
                    ContainsSubstring("1-64 characters"));
}

TEMPLATE_TEST_CASE("ring sizes that cannot be allocated are refused naming the numbers",
                   "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto huge = named("huge");
  huge.queue_capacity = 1u << 30;
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, huge),
                    ContainsSubstring("queue_capacity 1073741824 is outside 1..16777216"));
  auto wide = named("wide");
  wide.queue_capacity = ringkernels::max_queue_capacity;
  wide.workers = ringkernels::max_workers_per_kernel;
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, wide),
                    ContainsSubstring("more than half of this host's"));
  CHECK(rt.queue_names().empty());
}

TEMPLATE_TEST_CASE("more host workers than the cores can carry are refused naming the numbers",
                   "[ringkernels][shutdown]", RINGKERNELS_HOST_BACKENDS) {
  // Before: 1,000 workers on 2 cores launched in 3.6 s and then held both cores while idle;
  // 2,000 never finished launching.
  ringkernels::runtime rt;
  auto crowd = named("crowd");
  crowd.workers = 1000;
  const int cores = rt.machine().core_count();
  if (crowd.workers <= 4 * cores) SKIP("this machine has the cores for 1,000 workers");
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, crowd),
                    ContainsSubstring("1000 workers on " + std::to_string(cores) + " cores") &&
                        ContainsSubstring("at most 4 persistent workers per core"));
  CHECK(rt.queue_names().empty());
  auto fits = named("fits");
  fits.workers = 4 * cores;
  auto kernel = rt.launch<TestType>(echo{}, fits);
  kernel.activate();
  CHECK(kernel.call(echo::Request{}).get(5s).sequence == 0);
  const auto report = kernel.terminate();
  CHECK(report.stopped);
}

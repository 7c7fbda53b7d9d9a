// Every lifecycle transition through the public API, and the wrong-state errors.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "backends_under_test.hpp"
#include "kernel_helpers.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::kernel_state;
using echo = ringkernels::examples::echo;

using test_support::named;

namespace {

template <class Call>
void expect_wrong_state(Call&& call, const std::string& state_named) {
  try {
    call();
    FAIL("no wrong_state error");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::wrong_state);
    CHECK_THAT(failure.what(), ContainsSubstring("is " + state_named));
  }
}
}  // namespace

TEMPLATE_TEST_CASE("a kernel goes launched then active then inactive then active then terminated",
                   "[ringkernels][lifecycle]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("life"));
  CHECK(kernel.state() == kernel_state::launched);
  expect_wrong_state([&] { kernel.deactivate(); }, "launched");
  expect_wrong_state([&] { (void)kernel.call(echo::Request{}); }, "launched");

  kernel.activate();
  CHECK(kernel.state() == kernel_state::active);
  expect_wrong_state([&] { kernel.activate(); }, "active");
  echo::Request request;
  request.sequence = 41;
  CHECK(kernel.call(request).get(1s).sequence == 41);

  kernel.deactivate();
  CHECK(kernel.state() == kernel_state::inactive);
  CHECK(kernel.send(request) == ringkernels::messaging::push_result::ok);  // queued while idle
  kernel.activate();
  echo::Reply reply;
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (kernel.receive(&reply, 1) == 0 && std::chrono::steady_clock::now() < deadline) {
  }
  CHECK(reply.sequence == 41);

  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(report.took < 100ms);
  CHECK(kernel.state() == kernel_state::terminated);
  expect_wrong_state([&] { kernel.activate(); }, "terminated");
  CHECK(kernel.send(request) == ringkernels::messaging::push_result::closed);
}

TEMPLATE_TEST_CASE("a second terminate returns the first report instead of throwing",
                   "[ringkernels][lifecycle]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("twice"));
  kernel.activate();
  kernel.deactivate();
  echo::Request request;
  for (int i = 0; i < 3; ++i)
    REQUIRE(kernel.send(request) == ringkernels::messaging::push_result::ok);
  const auto first = kernel.terminate();
  const auto second = kernel.terminate();
  CHECK(first.pending == 3);
  CHECK(second.pending == first.pending);
  CHECK(second.stopped == first.stopped);
  CHECK(second.took == first.took);
  CHECK(kernel.state() == kernel_state::terminated);
}

TEMPLATE_TEST_CASE("bad options and taken names are clear errors", "[ringkernels][lifecycle]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto bad_name = named("has space");
  CHECK_THROWS_AS(rt.launch<TestType>(echo{}, bad_name), ringkernels::error);
  auto no_workers = named("k");
  no_workers.workers = 0;
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, no_workers), ContainsSubstring("workers = 0"));
  auto first = rt.launch<TestType>(echo{}, named("twin"));
  CHECK_THROWS_WITH(rt.launch<TestType>(echo{}, named("twin")),
                    ContainsSubstring("already registered"));
}

TEMPLATE_TEST_CASE("queues are named <kernel>.<port> on every backend", "[ringkernels][naming]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("vector_add"));
  CHECK(rt.queue_names() ==
        std::vector<std::string>{"vector_add.in", "vector_add.out", "vector_add.peer"});
}

TEMPLATE_TEST_CASE("several kernels run at once in one runtime", "[ringkernels][lifecycle]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto a = rt.launch<TestType>(echo{}, named("a"));
  auto b = rt.launch<TestType>(echo{}, named("b"));
  a.activate();
  b.activate();
  echo::Request request;
  for (std::uint64_t i = 0; i < 100; ++i) {
    request.sequence = i;
    auto from_a = a.call(request);
    auto from_b = b.call(request);
    CHECK(from_a.get(1s).sequence == i);
    CHECK(from_b.get(1s).sequence == i);
  }
}

TEMPLATE_TEST_CASE("terminate with messages pending returns fast and counts them",
                   "[ringkernels][lifecycle]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("pending"));
  kernel.activate();
  kernel.deactivate();
  echo::Request request;
  for (int i = 0; i < 200; ++i)
    REQUIRE(kernel.send(request) == ringkernels::messaging::push_result::ok);
  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(report.took < 100ms);
  CHECK(report.pending == 200);
  const auto counters = kernel.snapshot();
  CHECK(counters.sent == 200);
  CHECK(counters.processed == 0);
  CHECK(counters.pending == 200);
  CHECK(counters.balanced());
}

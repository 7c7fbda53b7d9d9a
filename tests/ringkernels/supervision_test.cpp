// The supervisor on the CPU backends: the cases every backend runs (supervision_cases.hpp), and
// those only a host handler can cause: a handler that throws (a GPU handler cannot fail without
// losing its context: tests/gpu/gpu_fault_test.cpp), relaunch backoff, and a worker that never
// leaves its handler.
#include "backends_under_test.hpp"

#define SUPERVISION_BACKENDS RINGKERNELS_HOST_BACKENDS
#define SUPERVISION_TAGS "[ringkernels][supervision]"
#include "supervision_cases.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using supervision_cases::wait_until;
using test_support::fragile;

namespace {
ringkernels::kernel_options fault_options(const char* name, int max_restarts) {
  ringkernels::kernel_options options;
  options.name = name;
  options.restart.policy = ringkernels::restart_policy::on_fault;
  options.restart.max_restarts = max_restarts;
  options.restart.backoff = 50ms;
  return options;
}

/// Fire-and-forget (a call()'s future for the failing request would see the fault or, after
/// the relaunch, wait for a reply that never comes).
template <class Kernel>
void send(Kernel& kernel, std::int64_t value) {
  REQUIRE(kernel.send(fragile::Request{value}) == ringkernels::messaging::push_result::ok);
}
}  // namespace

TEMPLATE_TEST_CASE("on_fault relaunches a kernel whose handler threw; what was queued is handled",
                   "[ringkernels][supervision]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(fragile{}, fault_options("phoenix", 3));
  // Queued before the workers run: once the handler threw, sends are refused (closed) until
  // the relaunch, so these must already wait behind the failing request.
  send(kernel, -5);
  for (std::int64_t i = 1; i <= 20; ++i) send(kernel, i);
  kernel.activate();
  REQUIRE(wait_until([&] { return kernel.status().supervision.restarts == 1; }, 5s));
  std::vector<fragile::Reply> replies(20);
  std::size_t got = 0;
  while (got < 20) {
    const std::size_t n = kernel.receive(replies.data() + got, 20 - got, 5s);
    REQUIRE(n > 0);
    got += n;
  }
  for (std::int64_t i = 1; i <= 20; ++i)
    CHECK(replies[static_cast<std::size_t>(i - 1)].doubled == 2 * i);
  CHECK(kernel.call(fragile::Request{21}).get(1s).doubled == 42);
  const auto status = kernel.status();
  CHECK(status.state == ringkernels::kernel_state::active);
  CHECK_THAT(status.supervision.last_trigger,
             ContainsSubstring("handler threw: negative value -5"));
  CHECK(status.fault.empty());
  CHECK(status.telemetry.dropped_handler_failed == 1);
  CHECK(status.telemetry.processed == 21);
  // Telemetry says it too: the JSON snapshot and the Prometheus text.
  CHECK(status.telemetry.restarts == 1);
  CHECK_FALSE(status.telemetry.circuit_open);
  CHECK_THAT(status.telemetry.to_json(),
             ContainsSubstring("\"restarts\":1,\"circuit_open\":false"));
  CHECK_THAT(status.telemetry.to_prometheus(),
             ContainsSubstring("ringkernels_restarts_total{kernel=\"phoenix\",backend=\""));
  CHECK(status.telemetry.balanced());
  CHECK(kernel.terminate().stopped);
}

TEMPLATE_TEST_CASE("relaunches back off, then the circuit opens and the kernel stays faulted",
                   "[ringkernels][supervision]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(fragile{}, fault_options("breaker", 2));
  kernel.activate();
  send(kernel, -1);  // relaunched at once
  REQUIRE(wait_until([&] { return kernel.status().supervision.restarts == 1; }, 5s));
  CHECK(kernel.status().supervision.last_recovery < 50ms);
  send(kernel, -2);  // relaunched after the 50 ms backoff
  REQUIRE(wait_until([&] { return kernel.status().supervision.restarts == 2; }, 5s));
  CHECK(kernel.status().supervision.last_recovery >= 50ms);
  send(kernel, -3);  // a third within the window: the circuit opens
  REQUIRE(wait_until([&] { return kernel.status().supervision.circuit_open; }, 5s));
  const auto status = kernel.status();
  CHECK(status.state == ringkernels::kernel_state::faulted);
  CHECK(status.supervision.restarts == 2);
  CHECK_THAT(status.supervision.circuit_reason, ContainsSubstring("2 relaunch(es) within"));
  CHECK_THAT(status.supervision.circuit_reason, ContainsSubstring("negative value -3"));
  CHECK(status.telemetry.dropped_handler_failed == 3);
  CHECK(status.telemetry.circuit_open);
  CHECK_THAT(status.telemetry.to_prometheus(),
             ContainsSubstring("ringkernels_circuit_open{kernel=\"breaker\""));
  CHECK(kernel.terminate().stopped);
}

TEMPLATE_TEST_CASE("a worker that never leaves its handler cannot be relaunched: the circuit opens",
                   "[ringkernels][supervision]", RINGKERNELS_HOST_BACKENDS) {
  using stuck = test_support::stuck;
  std::uint32_t hold = 1;
  ringkernels::runtime rt;
  ringkernels::kernel_options options = supervision_cases::stall_options("stuck", 3);
  options.terminate_timeout = 50ms;
  auto kernel = rt.launch<TestType>(stuck{}, options);
  kernel.activate();
  auto future = kernel.call(stuck::Request{&hold});
  REQUIRE(wait_until([&] { return kernel.status().supervision.circuit_open; }, 5s));
  const auto status = kernel.status();
  CHECK(status.state == ringkernels::kernel_state::faulted);
  CHECK(status.supervision.restarts == 0);
  CHECK_THAT(status.supervision.circuit_reason, ContainsSubstring("did not leave their loop"));
  CHECK_THAT(status.fault, ContainsSubstring("relaunch failed"));
  using u32 =
      ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
  u32::store_release(&hold, 0u);  // the handler returns; the worker leaves (it was told to)
  CHECK(kernel.terminate().stopped);
}

TEST_CASE("restart options out of range are refused at launch", "[ringkernels][supervision]") {
  ringkernels::runtime rt;
  ringkernels::kernel_options options = fault_options("refused", -1);
  CHECK_THROWS_WITH(rt.launch<Kokkos::DefaultHostExecutionSpace>(fragile{}, options),
                    ContainsSubstring("max_restarts >= 0 (-1)"));
  options.restart.max_restarts = 1;
  options.restart.max_backoff = 10ms;  // below backoff (50 ms)
  CHECK_THROWS_WITH(rt.launch<Kokkos::DefaultHostExecutionSpace>(fragile{}, options),
                    ContainsSubstring("max_backoff >= backoff (10 ms)"));
}

TEST_CASE("the restart book relaunches at once, then backs off doubling, then opens the circuit",
          "[ringkernels][supervision]") {
  using book_type = ringkernels::detail::restart_book;
  using verdict = book_type::verdict;
  ringkernels::restart_options options;
  options.max_restarts = 3;
  options.backoff = 10ms;
  options.max_backoff = 15ms;
  book_type book(options);
  const auto t0 = book_type::clock_type::now();
  CHECK(book.seen("fault: one", t0) == verdict::relaunch);  // the first at once
  book.relaunched(t0, 100us);
  CHECK(book.seen("fault: two", t0 + 1ms) == verdict::wait);  // 10 ms backoff
  CHECK(book.seen("fault: two", t0 + 10ms) == verdict::wait);
  CHECK(book.seen("fault: two", t0 + 11ms) == verdict::relaunch);
  book.relaunched(t0 + 11ms, 100us);
  CHECK(book.status(t0 + 11ms).last_recovery == 10ms);
  CHECK(book.seen("fault: three", t0 + 12ms) == verdict::wait);  // 20 ms, capped at 15
  CHECK(book.seen("fault: three", t0 + 27ms) == verdict::relaunch);
  book.relaunched(t0 + 27ms, 100us);
  CHECK(book.seen("fault: four", t0 + 28ms) == verdict::wait);  // 3 within the window: open
  const auto status = book.status(t0 + 28ms);
  CHECK(status.circuit_open);
  CHECK(status.restarts == 3);
  CHECK_THAT(status.circuit_reason, ContainsSubstring("3 relaunch(es) within 60000 ms"));
  CHECK_THAT(status.circuit_reason, ContainsSubstring("fault: four"));
  CHECK(book.seen("fault: five", t0 + 1h) == verdict::wait);  // open stays open
}

TEST_CASE("the restart book forgets relaunches older than its window, and a cleared trigger",
          "[ringkernels][supervision]") {
  using book_type = ringkernels::detail::restart_book;
  using verdict = book_type::verdict;
  ringkernels::restart_options options;
  options.max_restarts = 1;
  options.window = 100ms;
  book_type book(options);
  const auto t0 = book_type::clock_type::now();
  CHECK(book.seen("stall: a", t0) == verdict::relaunch);
  book.relaunched(t0, 100us);
  CHECK(book.status(t0 + 50ms).restarts_in_window == 1);
  CHECK(book.status(t0 + 101ms).restarts_in_window == 0);
  CHECK(book.seen("stall: b", t0 + 101ms) == verdict::relaunch);  // the first in a new window
  book.cleared();  // it went away by itself: no relaunch counted
  CHECK(book.status(t0 + 150ms).restarts == 1);
  CHECK(book.seen("stall: c", t0 + 150ms) == verdict::relaunch);
  book.relaunched(t0 + 150ms, 100us);
  CHECK(book.seen("stall: d", t0 + 160ms) == verdict::wait);  // 1 within the window: open
  CHECK(book.status(t0 + 160ms).circuit_open);
}

TEST_CASE("the restart book states the loss window of a lost GPU context",
          "[ringkernels][supervision]") {
  ringkernels::detail::restart_book book(ringkernels::restart_options{});
  CHECK(book.context_lost(10) == "; no checkpoint was written");
  book.checkpoint_written("/tmp/phase.rkckpt", 100);
  const std::string said = book.context_lost(142);
  CHECK_THAT(said, ContainsSubstring("'/tmp/phase.rkckpt'"));
  CHECK_THAT(said, ContainsSubstring("42 host message(s) sent since are lost"));
  const auto status = book.status(ringkernels::detail::restart_book::clock_type::now());
  CHECK(status.last_checkpoint == "/tmp/phase.rkckpt");
  CHECK(status.host_messages_since_checkpoint == 42);
}

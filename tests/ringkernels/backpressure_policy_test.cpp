// A ring kernel's input backpressure policy, set from kernel_options: drop_oldest makes room
// and counts what it dropped (the telemetry still balances), block waits for room up to
// block_timeout, and options the backend cannot honour are refused with a reason.
#include "backends_under_test.hpp"

#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include <thread>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::examples::echo;
using ringkernels::messaging::backpressure;
using ringkernels::messaging::push_result;

namespace {
ringkernels::kernel_options four_slots(const char* name, backpressure policy) {
  ringkernels::kernel_options options;
  options.name = name;
  options.queue_capacity = 4;
  options.backpressure = policy;
  options.block_timeout = 100ms;
  return options;
}
echo::Request numbered(std::uint32_t n) {
  echo::Request request{};
  request.sequence = n;
  return request;
}
}  // namespace

TEMPLATE_LIST_TEST_CASE("drop_oldest makes room for the newest and counts what it dropped",
                        "[ringkernels][backpressure]", test_support::host_backends) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, four_slots("oldest", backpressure::drop_oldest));
  for (std::uint32_t n = 1; n <= 4; ++n) REQUIRE(kernel.send(numbered(n)) == push_result::ok);
  CHECK(kernel.send(numbered(5)) == push_result::ok_dropped_oldest);
  CHECK(kernel.send(numbered(6)) == push_result::ok_dropped_oldest);
  kernel.activate();
  std::vector<echo::Reply> replies(8);
  std::size_t got = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (got < 4 && std::chrono::steady_clock::now() < deadline) {
    got += kernel.receive(replies.data() + got, replies.size() - got, 100ms);
  }
  REQUIRE(got == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(replies[i].sequence == 3 + i);  // 1 and 2 dropped
  const auto t = kernel.snapshot();
  CHECK(t.sent == 6);
  CHECK(t.dropped_oldest == 2);
  CHECK(t.processed == 4);
  CHECK(t.balanced());
  CHECK(nlohmann::json::parse(t.to_json())["dropped"]["oldest"] == 2);
}

TEMPLATE_LIST_TEST_CASE("block waits for room up to block_timeout, then says timed_out",
                        "[ringkernels][backpressure]", test_support::host_backends) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, four_slots("blocked", backpressure::block));
  for (std::uint32_t n = 1; n <= 4; ++n) REQUIRE(kernel.send(numbered(n)) == push_result::ok);
  const auto start = std::chrono::steady_clock::now();
  CHECK(kernel.send(numbered(5)) == push_result::timed_out);
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);
  CHECK(kernel.snapshot().refused_full == 1);
  std::thread activator([&kernel] {
    std::this_thread::sleep_for(30ms);
    kernel.activate();
  });
  const push_result late = kernel.send(numbered(6));
  activator.join();
  CHECK(late == push_result::ok);
  // A batch 16 times the ring goes through whole while the kernel drains it (and a reader
  // drains the replies: a full reply ring would stop the kernel, and the batch would wait).
  std::vector<echo::Reply> replies(80);
  std::size_t got = 0;
  std::thread reader([&kernel, &replies, &got] {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (got < 69 && std::chrono::steady_clock::now() < deadline) {
      got += kernel.receive(replies.data() + got, replies.size() - got, 100ms);
    }
  });
  std::vector<echo::Request> batch(64);
  for (std::uint32_t i = 0; i < 64; ++i) batch[i] = numbered(100 + i);
  const std::size_t batched = kernel.send_batch(batch.data(), batch.size());
  reader.join();
  CHECK(batched == 64);
  CHECK(got == 69);
  CHECK(kernel.snapshot().balanced());
}

TEMPLATE_LIST_TEST_CASE("drop_newest refuses the new message and counts it",
                        "[ringkernels][backpressure]", test_support::host_backends) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, four_slots("newest", backpressure::drop_newest));
  for (std::uint32_t n = 1; n <= 4; ++n) REQUIRE(kernel.send(numbered(n)) == push_result::ok);
  CHECK(kernel.send(numbered(5)) == push_result::dropped_newest);
  std::vector<echo::Request> batch(3, numbered(9));
  CHECK(kernel.send_batch(batch.data(), batch.size()) == 0);
  const auto t = kernel.snapshot();
  CHECK(t.dropped_newest == 4);
  CHECK(t.refused_full == 0);
  CHECK(t.sent == 4);
  CHECK_THAT(t.to_prometheus(), ContainsSubstring("ringkernels_sends_dropped_newest_total"));
}

TEST_CASE("a block policy without a timeout is refused at launch", "[ringkernels][backpressure]") {
  ringkernels::runtime rt;
  auto options = four_slots("no_wait", backpressure::block);
  options.block_timeout = 0ms;
  CHECK_THROWS_WITH(rt.launch<Kokkos::DefaultHostExecutionSpace>(echo{}, options),
                    ContainsSubstring("block_timeout (0 ms) must be at least 1 ms"));
}

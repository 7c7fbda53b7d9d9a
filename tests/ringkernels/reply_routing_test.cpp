// Regression tests for the reply path (issue 14): replies nobody waits for, corrupt reply
// frames, a reply ring full while the kernel is deactivated, and the clock a handler sees.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "backends_under_test.hpp"
#include "kernel_helpers.hpp"
#include "test_handlers.hpp"

#include <future>
#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using ringkernels::kernel_state;
using echo = ringkernels::examples::echo;
namespace msg = ringkernels::messaging;

using Catch::Matchers::ContainsSubstring;
using test_support::eventually;
using test_support::named;

namespace {
echo::Request echo_request(std::uint64_t sequence) {
  echo::Request request;
  request.sequence = sequence;
  return request;
}
}  // namespace

TEMPLATE_TEST_CASE("replies to dropped futures are discarded and counted, never received",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("dropped", 4096));
  kernel.activate();
  constexpr std::uint64_t calls = 200000;
  echo::Reply replies[64];
  std::uint64_t made = 0;
  std::uint64_t received = 0;
  while (made < calls) {
    try {
      auto dropped = kernel.call(echo_request(made));  // its future goes at once
      ++made;
    } catch (const ringkernels::error&) {  // the input ring is full: let the worker catch up
      received += kernel.receive(replies, 64);
    }
    if (made % 1024 == 0) received += kernel.receive(replies, 64);
  }
  REQUIRE(eventually([&] {
    received += kernel.receive(replies, 64);
    return kernel.snapshot().replies_abandoned == calls;
  }));
  // Before the fix these 200,000 replies piled up (13 MB) and came out of receive().
  CHECK(received == 0);
  const auto counters = kernel.snapshot();
  CHECK(counters.replies_received == calls);
  CHECK(counters.processed == calls);
}

TEMPLATE_TEST_CASE("a timed-out call's late reply is discarded, not received",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  using slow = test_support::slow_echo;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(slow{}, named("late"));
  kernel.activate();
  auto future = kernel.call(slow::Request{7, 50000});  // replies after 50 ms
  CHECK_THROWS_AS(future.get(1ms), ringkernels::error);
  slow::Reply reply;
  REQUIRE(eventually([&] {
    CHECK(kernel.receive(&reply, 1) == 0);
    return kernel.snapshot().replies_abandoned == 1;
  }));
  // The kernel still answers the next call, and receive() still gets send()'s replies.
  CHECK(kernel.call(slow::Request{8, 0}).get(1s).value == 8);
  REQUIRE(kernel.send(slow::Request{9, 0}) == msg::push_result::ok);
  REQUIRE(eventually([&] { return kernel.receive(&reply, 1) == 1; }));
  CHECK(reply.value == 9);
}

TEMPLATE_TEST_CASE("a malformed reply frame is skipped and counted, never copied",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("corrupt"));
  // Inject two frames into the (idle) worker's reply ring: one that claims 64 KB and one good.
  using impl = typename decltype(kernel)::impl_type;
  using rings = typename impl::rings_type::ring_list;
  auto out = rt.queues().find<rings>("corrupt.out");
  msg::ring_producer<impl::scope> producer((*out)[0]->ref());
  msg::frame_header header{};
  header.flags = msg::frame_flags::reply;
  header.payload_bytes = 8;  // too short for a Reply, and below rewritten to 65,536
  const std::uint64_t word = 1;
  REQUIRE(producer.try_push(header, &word) == msg::push_result::ok);
  reinterpret_cast<msg::frame_header*>((*out)[0]->ref().slots)->payload_bytes = 65536;
  echo::Reply good{};
  good.sequence = 77;
  header.payload_bytes = sizeof(echo::Reply);
  REQUIRE(producer.try_push(header, &good) == msg::push_result::ok);

  echo::Reply got[4];
  CHECK(kernel.receive(got, 4) == 1);
  CHECK(got[0].sequence == 77);
  CHECK(kernel.snapshot().replies_malformed == 1);
}

TEMPLATE_TEST_CASE("deactivate while the reply ring is full idles the workers and loses no reply",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto options = named("full", 8);
  options.acknowledge_timeout = 1000ms;
  auto kernel = rt.launch<TestType>(echo{}, options);
  kernel.activate();
  for (std::uint64_t i = 0; i < 8; ++i)
    REQUIRE(kernel.send(echo_request(i)) == msg::push_result::ok);
  REQUIRE(eventually([&] { return kernel.snapshot().replies_sent == 8; }));  // ring now full
  for (std::uint64_t i = 8; i < 16; ++i)
    REQUIRE(kernel.send(echo_request(i)) == msg::push_result::ok);
  // The worker takes the next batch, handles one request and waits for reply space. (Its
  // counters are published per batch, so there is nothing to poll for: give it the time.)
  std::this_thread::sleep_for(50ms);

  // Before the fix this threw timed_out and left a kernel that said `active` and did nothing.
  kernel.deactivate();
  CHECK(kernel.state() == kernel_state::inactive);
  CHECK(kernel.snapshot().processed == 9);

  std::set<std::uint64_t> seen;
  echo::Reply replies[16];
  REQUIRE(eventually([&] {
    const std::size_t n = kernel.receive(replies, 16);
    for (std::size_t i = 0; i < n; ++i) seen.insert(replies[i].sequence);
    return seen.size() == 9;  // the 8 queued and the held one
  }));
  std::this_thread::sleep_for(20ms);
  CHECK(kernel.snapshot().processed == 9);  // inactive: nothing more was taken
  CHECK(kernel.snapshot().pending == 7);

  kernel.activate();
  REQUIRE(eventually([&] {
    const std::size_t n = kernel.receive(replies, 16);
    for (std::size_t i = 0; i < n; ++i) seen.insert(replies[i].sequence);
    return seen.size() == 16;
  }));
  const auto counters = kernel.snapshot();
  CHECK(counters.replies_sent == 16);
  CHECK(counters.dropped_reply_lost == 0);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("inside a handler ctx.now() is later than the send time and the last now()",
                   "[ringkernels][clock]", RINGKERNELS_HOST_BACKENDS) {
  using probe = test_support::clock_probe;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(probe{}, named("clock", 4096));
  kernel.activate();
  constexpr std::uint64_t count = 20000;
  std::vector<probe::Request> requests(count);
  for (std::uint64_t i = 0; i < count; ++i) requests[i].sequence = i;
  std::uint64_t sent = 0;
  std::vector<probe::Reply> replies;
  probe::Reply buffer[256];
  REQUIRE(eventually([&] {
    sent += kernel.send_batch(requests.data() + sent, count - sent);
    const std::size_t n = kernel.receive(buffer, 256);
    replies.insert(replies.end(), buffer, buffer + n);
    return replies.size() == count;
  }));
  std::uint64_t now_after_sent = 0, second_after_first = 0, sends_in_order = 0;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    now_after_sent += replies[i].first_now > replies[i].sent_at;
    second_after_first += replies[i].second_now > replies[i].first_now;
    // One worker, one sender: replies in send order, and each send stamp after the last.
    if (i > 0) sends_in_order += replies[i].sent_at > replies[i - 1].sent_at;
  }
  // Before the fix: now() <= sent_at() in 12,742 of 20,000 calls, second <= first in 19,446.
  CHECK(now_after_sent == count);
  CHECK(second_after_first == count);
  CHECK(sends_in_order == count - 1);
}

TEMPLATE_TEST_CASE("call() on a full input ring throws queue_full and enqueues nothing",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  using stuck = test_support::stuck;
  using u32 = msg::atomic_index<std::uint32_t, msg::scope::system>;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(stuck{}, named("crowded", 2));  // two slots
  kernel.activate();
  std::uint32_t hold = 1;
  std::uint32_t entered = 0;
  std::vector<ringkernels::reply_future<typename decltype(kernel)::impl_type>> accepted;
  accepted.push_back(kernel.call(stuck::Request{&hold, &entered}));
  REQUIRE(eventually([&] { return u32::load_acquire(&entered) == 1; }));  // worker held
  // The held worker takes nothing more: at most two more requests fit, the next is refused.
  bool refused = false;
  for (int attempt = 0; attempt < 3 && !refused; ++attempt) {
    try {
      accepted.push_back(kernel.call(stuck::Request{&hold, nullptr}));
    } catch (const ringkernels::error& failure) {
      refused = true;
      CHECK(failure.code() == ringkernels::errc::queue_full);
      CHECK_THAT(failure.what(), ContainsSubstring("full"));
    }
  }
  REQUIRE(refused);
  u32::store_release(&hold, 0u);
  for (auto& future : accepted) CHECK(future.get(5s).released == 1);
  const auto after = kernel.snapshot();
  CHECK(after.processed == accepted.size());  // the refused request was never enqueued
  CHECK(after.refused_full == 1);
}

TEMPLATE_TEST_CASE("receive with a deadline waits for a reply, and gives up at the deadline",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("receive_deadline", 64));
  kernel.activate();
  echo::Reply reply;
  const auto before = std::chrono::steady_clock::now();
  CHECK(kernel.receive(&reply, 1, 30ms) == 0);  // nothing was sent
  CHECK(std::chrono::steady_clock::now() - before >= 30ms);
  REQUIRE(kernel.send(echo_request(7)) == msg::push_result::ok);
  REQUIRE(kernel.receive(&reply, 1, 5s) == 1);
  CHECK(reply.sequence == 7);
  (void)kernel.terminate();
  CHECK(kernel.receive(&reply, 1, 5s) == 0);  // stopped: returns at once, not at the deadline
}

TEMPLATE_TEST_CASE("a call's future says whether its reply is here: is_ready, wait_for, valid",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("future_status", 64));
  kernel.activate();
  auto future = kernel.call(echo_request(11));
  CHECK(future.valid());
  CHECK(future.wait_for(5s) == std::future_status::ready);
  CHECK(future.is_ready());
  CHECK(future.get(0ms).sequence == 11);  // here already: no wait
  CHECK_FALSE(future.valid());
  CHECK_THROWS_WITH(future.is_ready(), ContainsSubstring("is_ready() after get()"));
}

TEMPLATE_TEST_CASE("a future whose reply is late says timeout, then ready",
                   "[ringkernels][replies]", RINGKERNELS_HOST_BACKENDS) {
  using test_support::slow_echo;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(slow_echo{}, named("future_late", 64));
  kernel.activate();
  auto waiting = kernel.call(slow_echo::Request{12, 300'000});  // answered after 300 ms
  CHECK(waiting.wait_for(20ms) == std::future_status::timeout);
  CHECK_FALSE(waiting.is_ready());
  CHECK(waiting.wait_for(5s) == std::future_status::ready);
  CHECK(waiting.get(0ms).value == 12);
}

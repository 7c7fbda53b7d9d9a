// Actor systems through the public API, written once for every backend: spawn, placement,
// tell and ask, turn-based handling, per-pair order and exactly-once delivery, dead letters
// with reasons, the overflow behind a full mailbox, and quiescence with exact counters.
// Included by tests/actors/actor_test.cpp (CPU backends) and tests/gpu/gpu_actor_test.cpp
// (GPU backends), which define ACTOR_BACKENDS, ACTOR_TAGS and ACTOR_WORKERS.
#ifndef RINGKERNELS_TESTS_ACTOR_CASES_HPP
#define RINGKERNELS_TESTS_ACTOR_CASES_HPP
#include <ringkernels/actor_system.hpp>
#include <ringkernels/examples/order_checker.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "test_actors.hpp"

#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::dead_letter_reason;
using test_support::counter;
using checker = ringkernels::examples::order_checker;

namespace actor_cases {
ringkernels::actor_options actors_named(const std::string& name, std::uint64_t count,
                                        int workers = ACTOR_WORKERS) {
  ringkernels::actor_options options;
  options.name = name;
  options.actors = count;
  options.workers = workers;
  return options;
}
std::uint64_t dead(const ringkernels::actor_telemetry& t, dead_letter_reason reason) {
  return t.dead[static_cast<int>(reason)];
}
}  // namespace actor_cases
using actor_cases::actors_named;
using actor_cases::dead;

TEMPLATE_TEST_CASE("a spawned system has every actor from the start, initialised by init()",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("init", 1000));
  CHECK(system.size() == 1000);
  const auto states = system.read_states();
  REQUIRE(states.size() == 1000);
  for (std::uint64_t id = 0; id < 1000; ++id) REQUIRE(states[id].value == id);
  CHECK(system.states().extent(0) == 1000);
}

TEMPLATE_TEST_CASE("tell reaches the actor, ask returns its reply, quiesce balances", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("tell", 100));
  system.activate();
  for (std::uint64_t id = 0; id < 100; ++id) {
    REQUIRE(system.tell(id, counter::Add{1000}) == ringkernels::messaging::push_result::ok);
  }
  system.quiesce(5s);
  const auto reply = system.ask(42, counter::Get{}).get(5s);
  CHECK(reply.id == 42);
  CHECK(reply.value == 1042);
  system.quiesce(5s);
  const auto t = system.telemetry();
  CHECK(t.from_host == 101);
  CHECK(t.handled == 101);
  CHECK(t.dead_total() == 0);
  CHECK(t.in_flight == 0);
  system.deactivate();
  const auto states = system.read_states();
  for (std::uint64_t id = 0; id < 100; ++id) REQUIRE(states[id].value == id + 1000);
}

TEMPLATE_TEST_CASE("a host send to an id outside the system is an error that names the range",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("range", 10));
  system.activate();
  try {
    (void)system.tell(10, counter::Add{1});
    FAIL("tell(10) on 10 actors must throw");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::invalid_argument);
    CHECK_THAT(failure.what(), ContainsSubstring("actors are 0..9"));
  }
  system.quiesce(5s);
  CHECK(system.telemetry().from_host == 0);
}

TEMPLATE_TEST_CASE("placement is contiguous by default, round robin or the actor's own on request",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  // One system at a time: on a GPU a system is spawned only while no kernel is resident.
  ringkernels::runtime rt;
  {
    auto blocks = rt.spawn<TestType>(counter{}, actors_named("blocks", 10, 3));
    CHECK(blocks.worker_of(0) == 0);
    CHECK(blocks.worker_of(3) == 0);  // blocks of ceil(10 / 3) = 4
    CHECK(blocks.worker_of(4) == 1);
    CHECK(blocks.worker_of(9) == 2);
    (void)blocks.terminate();
  }
  {
    auto options = actors_named("round", 10, 3);
    options.placement = ringkernels::placement_rule::round_robin;
    auto round = rt.spawn<TestType>(counter{}, options);
    CHECK(round.worker_of(4) == 1);
    CHECK(round.worker_of(9) == 0);
    (void)round.terminate();
  }
  auto own = rt.spawn<TestType>(test_support::last_worker_counter{}, actors_named("own", 10, 3));
  own.activate();
  for (std::uint64_t id = 0; id < 10; ++id) {
    REQUIRE(own.worker_of(id) == 2);
    REQUIRE(own.tell(id, counter::Add{1}) == ringkernels::messaging::push_result::ok);
  }
  own.quiesce(5s);
  own.deactivate();
  for (const auto& state : own.read_states()) CHECK(state.worker == 2);  // ran where placed
}

TEMPLATE_TEST_CASE("one actor's handler calls never overlap, with many senders", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("turns", 4, 2));
  system.activate();
  std::uint64_t sent = 0;
  for (int round = 0; round < 20000; ++round) {
    for (std::uint64_t id = 0; id < 4; ++id) {
      if (system.tell(id, counter::Add{1}) == ringkernels::messaging::push_result::ok) ++sent;
    }
  }
  system.quiesce(10s);
  system.deactivate();
  std::uint64_t total = 0;
  for (std::uint64_t id = 0; id < 4; ++id) {
    const auto state = system.read_states()[id];
    CHECK(state.overlaps == 0);
    total += state.value - id;
  }
  CHECK(total == sent);
  CHECK(system.telemetry().handled == sent);
}

TEMPLATE_TEST_CASE("a full mailbox spills into the overflow, then into counted dead letters",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using fan = test_support::fan;
  ringkernels::runtime rt;
  // One worker: nobody drains its local queue (2 slots, as the mailbox) while it floods.
  auto options = actors_named("flood", 4, 1);
  options.mailbox_capacity = 2;
  options.overflow_capacity = 4;
  options.dead_letter_capacity = 100;
  auto system = rt.spawn<TestType>(fan{}, options);
  system.activate();
  REQUIRE(system.tell(0, fan::Fan{1000, 1}) == ringkernels::messaging::push_result::ok);
  system.quiesce(5s);
  const auto t = system.telemetry();
  CHECK(t.sent_on_device == 1000);
  CHECK(dead(t, dead_letter_reason::overflow_full) == 1000 - 2 - 4);
  CHECK(t.overflow_high_water == 4);
  CHECK(t.handled == 1 + 2 + 4);  // the Fan, then every Hit that found room
  CHECK(t.from_host + t.sent_on_device == t.handled + t.dead_total());
  // The log kept the newest 128 (100 rounded up to a power of two); the rest are lost, counted.
  const auto dead_letters = system.drain_dead_letters();
  CHECK(dead_letters.letters.size() == 128);
  CHECK(dead_letters.lost == 1000 - 2 - 4 - 128);
  for (const auto& letter : dead_letters.letters) {
    REQUIRE(letter.reason == dead_letter_reason::overflow_full);
    REQUIRE(letter.message.target == 1);
  }
  system.deactivate();
  CHECK(system.read_states()[1].hits == 6);
}

TEMPLATE_TEST_CASE("a full mailbox of another worker spills into the sender's overflow, then dead",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using test_support::holder;
  ringkernels::runtime rt;
  auto options = actors_named("cross_flood", 4, 2);  // 0, 1 on worker 0; 2, 3 on worker 1
  options.mailbox_capacity = 2;
  options.overflow_capacity = 4;
  auto system = rt.spawn<TestType>(holder{}, options);
  system.activate();
  // Actor 2 holds worker 1 for 200 ms after it asked actor 0 (worker 0) to flood actor 3.
  REQUIRE(system.tell(2, holder::Hold{0, 3, 1000, 200'000'000}) ==
          ringkernels::messaging::push_result::ok);
  system.quiesce(5s);
  const auto t = system.telemetry();
  CHECK(t.sent_on_device == 1 + 1000);
  CHECK(dead(t, dead_letter_reason::overflow_full) == 1000 - 2 - 4);
  CHECK(t.overflow_high_water == 4);
  CHECK(t.handled == 1 + 1 + 2 + 4);  // Hold, Flood, and every Hit that found room
  CHECK(t.from_host + t.sent_on_device == t.handled + t.dead_total());
  system.deactivate();
  CHECK(system.read_states()[3].hits == 6);
}

TEMPLATE_TEST_CASE("an ask's future says timeout while its actor's worker is busy, then ready",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using test_support::holder;
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(holder{}, actors_named("ask_status", 4, 2));
  system.activate();
  // Actor 2 holds worker 1 for 300 ms; actor 3's Get waits behind it on that worker.
  REQUIRE(system.tell(2, holder::Hold{0, 3, 0, 300'000'000}) ==
          ringkernels::messaging::push_result::ok);
  auto future = system.ask(3, holder::Get{});
  CHECK(future.wait_for(20ms) == std::future_status::timeout);
  CHECK_FALSE(future.is_ready());
  CHECK(future.wait_for(5s) == std::future_status::ready);
  CHECK(future.is_ready());
  CHECK(future.get(0ms).hits == 0);
  CHECK_FALSE(future.valid());
}

TEMPLATE_TEST_CASE("tell_batch streams to one actor, every message exactly once", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto options = actors_named("batch", 8);
  options.host_queue_capacity = 256;  // smaller than the stream: tell_batch reports a full queue
  auto system = rt.spawn<TestType>(counter{}, options);
  system.activate();
  std::vector<counter::Add> adds(10'000);
  std::uint64_t expected = 5;
  for (std::size_t i = 0; i < adds.size(); ++i) expected += (adds[i].amount = i + 1);
  std::size_t told = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (told < adds.size() && std::chrono::steady_clock::now() < deadline) {
    told += system.tell_batch(5, adds.data() + told, adds.size() - told);
  }
  REQUIRE(told == adds.size());
  system.quiesce(5s);
  const auto t = system.telemetry();
  CHECK(t.from_host == adds.size());
  CHECK(t.handled == adds.size());
  CHECK(system.read_states()[5].value == expected);
  CHECK_THROWS_WITH(system.tell_batch(8, adds.data(), 1), ContainsSubstring("actors are 0..7"));
}

TEMPLATE_TEST_CASE("a send to an id outside the system is a dead letter on the device", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  using fan = test_support::fan;
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(fan{}, actors_named("nowhere", 4));
  system.activate();
  REQUIRE(system.tell(0, fan::Fan{3, 4}) == ringkernels::messaging::push_result::ok);
  system.quiesce(5s);
  const auto t = system.telemetry();
  CHECK(dead(t, dead_letter_reason::no_such_actor) == 3);
  CHECK(t.handled == 1);
  CHECK(t.in_flight == 0);
  // The host reads them back: reason, sender, target, the message itself.
  const auto dead_letters = system.drain_dead_letters();
  CHECK(dead_letters.lost == 0);
  REQUIRE(dead_letters.letters.size() == 3);
  for (const auto& letter : dead_letters.letters) {
    CHECK(letter.reason == dead_letter_reason::no_such_actor);
    CHECK(letter.message.target == 4);
    CHECK(letter.message.sender == 0);
    CHECK(letter.to_system == 0);
    CHECK(letter.worker == system.worker_of(0));
    CHECK(letter.template holds<fan::Hit>());
    CHECK_FALSE(letter.template holds<fan::Fan>());
  }
  CHECK(system.drain_dead_letters().letters.empty());  // drained once
}

TEMPLATE_TEST_CASE("quiesce gives up at its deadline, naming what is still in flight", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("stuck", 4));
  // Launched, never activated: the message stays queued.
  REQUIRE(system.tell(1, counter::Add{1}) == ringkernels::messaging::push_result::ok);
  try {
    system.quiesce(50ms);
    FAIL("quiesce must time out");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::timed_out);
    CHECK_THAT(failure.what(), ContainsSubstring("1 message(s) still in flight"));
  }
  system.activate();
  system.quiesce(5s);
}

/// Runs the order checker: `senders` actors send `budget` probes each to random actors.
/// Round-robin placement spreads the senders (ids 0..15) over the workers.
template <class Space>
void check_order_and_exactly_once(std::uint64_t actors, std::uint64_t budget, int workers) {
  ringkernels::runtime rt;
  auto options = actors_named("order", actors, workers);
  options.placement = ringkernels::placement_rule::round_robin;
  auto system = rt.spawn<Space>(checker{}, options);
  system.activate();
  for (std::uint64_t s = 0; s < checker::senders; ++s) {
    REQUIRE(system.tell(s, checker::Turn{budget, 8, 7}) == ringkernels::messaging::push_result::ok);
  }
  system.quiesce(std::chrono::seconds(120));
  system.deactivate();
  const auto states = system.read_states();
  std::uint64_t received = 0;
  std::uint64_t hash_sum = 0;
  std::uint64_t order_errors = 0;
  for (const auto& state : states) {
    received += state.received;
    hash_sum += state.hash_sum;
    order_errors += state.order_errors;
  }
  std::uint64_t expected_hash = 0;
  for (std::uint64_t s = 0; s < checker::senders; ++s) {
    for (std::uint64_t n = 0; n < budget; ++n) expected_hash += checker::probe_hash(s, n);
  }
  CHECK(received == checker::senders * budget);
  CHECK(hash_sum == expected_hash);  // every probe exactly once
  CHECK(order_errors == 0);          // per sender, per target: in send order
  const auto t = system.telemetry();
  CHECK(t.dead_total() == 0);
  CHECK(t.in_flight == 0);
  CHECK(t.from_host + t.sent_on_device == t.handled);
}

TEMPLATE_TEST_CASE("messages between actors arrive once each and in order per sender (small)",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  check_order_and_exactly_once<TestType>(1000, 20000, ACTOR_WORKERS);
}

TEMPLATE_TEST_CASE("ten million messages between actors arrive once each and in order per pair",
                   ACTOR_TAGS "[large][no_memcheck]", ACTOR_BACKENDS) {
  check_order_and_exactly_once<TestType>(100000, 640000, ACTOR_WORKERS);  // 16 x 640,000 = 10.24 M
}

#endif

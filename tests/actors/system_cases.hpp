// Actor systems together and under load, written once for every backend: systems that message
// each other through system_ref (addresses with a location, accounting on both sides, a phase
// ended by quiesce over both, a full target mailbox as a counted dead letter), and the host
// queue's backpressure policy set from the options (reject, block, drop_newest; drop_oldest
// refused with a reason). Included after actor_cases.hpp.
#ifndef RINGKERNELS_TESTS_SYSTEM_CASES_HPP
#define RINGKERNELS_TESTS_SYSTEM_CASES_HPP

#include "actor_cases.hpp"

#include <thread>

using ringkernels::messaging::backpressure;
using ringkernels::messaging::push_result;
using test_support::relay;
using test_support::tally;

// Two systems resident at once: [no_memcheck] (compute-sanitizer cannot run two persistent
// kernels together, docs/cuda.md).
TEMPLATE_TEST_CASE("a handler sends to the actors of another system, in order, exactly once",
                   ACTOR_TAGS "[no_memcheck]", ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  // Spawned first, launched after (a GPU cannot initialise a system while one is resident).
  auto sink_options = actors_named("sinks", 16);
  sink_options.launch = false;
  // Room for the whole burst (8 sinks per worker get 16,000 messages): a send to another
  // system has no overflow, a full target mailbox makes dead letters (the next case).
  sink_options.mailbox_capacity = 16384;
  auto sinks = rt.spawn<TestType>(tally{}, sink_options);
  relay sender;
  sender.sink = sinks.ref();
  auto relay_options = actors_named("relays", 64);
  relay_options.launch = false;
  auto relays = rt.spawn<TestType>(sender, relay_options);
  CHECK(sinks.state() == ringkernels::kernel_state::created);
  sinks.launch();
  relays.launch();
  CHECK(sinks.location().system != relays.location().system);
  CHECK(sinks.address(3).id == 3);
  CHECK(sinks.address(3).location == sinks.location());
  sinks.activate();
  relays.activate();
  constexpr std::uint32_t per_relay = 500;
  for (std::uint64_t id = 0; id < 64; ++id) {
    REQUIRE(relays.tell(id, relay::Relay{id % 16, id + 1, per_relay}) == push_result::ok);
  }
  ringkernels::quiesce(10s, relays, sinks);
  const auto sent = relays.telemetry();
  const auto received = sinks.telemetry();
  CHECK(sent.sent_to_systems == 64 * per_relay);
  CHECK(sent.dead_total() == 0);
  CHECK(sent.in_flight == 0);
  CHECK(received.from_systems == 64 * per_relay);
  CHECK(received.handled == 64 * per_relay);
  CHECK(received.in_flight == 0);
  sinks.deactivate();
  const auto states = sinks.read_states();
  for (std::uint64_t target = 0; target < 16; ++target) {
    std::uint64_t sum = 0;
    for (std::uint64_t id = target; id < 64; id += 16) sum += (id + 1) * per_relay;
    INFO("sink " << target);
    CHECK(states[target].count == 4 * per_relay);
    CHECK(states[target].sum == sum);
    CHECK(states[target].out_of_order == 0);
    CHECK(states[target].sender_system == relays.location().system);
  }
}

TEMPLATE_TEST_CASE("a send to another system whose mailbox stays full is the sender's dead letter",
                   ACTOR_TAGS "[no_memcheck]", ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto options = actors_named("full_sinks", 4, 1);
  options.mailbox_capacity = 2;
  options.launch = false;
  auto sinks = rt.spawn<TestType>(tally{}, options);
  relay sender;
  sender.sink = sinks.ref();
  auto relay_options = actors_named("blocked_relays", 2, 1);
  relay_options.launch = false;
  auto relays = rt.spawn<TestType>(sender, relay_options);
  sinks.launch();  // launched, not active: nobody drains its mailbox
  relays.launch();
  relays.activate();
  REQUIRE(relays.tell(0, relay::Relay{1, 7, 10}) == push_result::ok);
  REQUIRE(relays.tell(1, relay::Relay{9, 1, 3}) == push_result::ok);  // 9: no such sink
  relays.quiesce(10s);
  const auto sent = relays.telemetry();
  CHECK(sent.sent_to_systems == 2);
  CHECK(dead(sent, dead_letter_reason::system_mailbox_full) == 8);
  CHECK(dead(sent, dead_letter_reason::no_such_actor) == 3);
  CHECK(sent.from_host + sent.sent_on_device == sent.handled + sent.dead_total());
  // Kept with the system they were for (their bodies are that system's, so not kept).
  std::uint64_t full = 0, nowhere = 0;
  for (const auto& letter : relays.drain_dead_letters().letters) {
    CHECK(letter.to_system == sinks.location().system);
    if (letter.reason == dead_letter_reason::system_mailbox_full) ++full;
    if (letter.reason == dead_letter_reason::no_such_actor && letter.message.target == 9) ++nowhere;
  }
  CHECK(full == 8);
  CHECK(nowhere == 3);
  sinks.activate();
  ringkernels::quiesce(10s, relays, sinks);
  CHECK(sinks.telemetry().handled == 2);
  relays.deactivate();
  CHECK(relays.read_states()[0].refused == 8);
  sinks.deactivate();
  CHECK(sinks.read_states()[1].sum == 14);
}

namespace system_cases {
/// A system of `actors` counters on one worker with a host queue of 4 slots under `policy`.
ringkernels::actor_options queue_of_four(const std::string& name, backpressure policy,
                                         std::chrono::milliseconds block_timeout = 1000ms) {
  auto options = actors_named(name, 4, 1);
  options.host_queue_capacity = 4;
  options.kernel.backpressure = policy;
  options.kernel.block_timeout = block_timeout;
  return options;
}
}  // namespace system_cases

TEMPLATE_TEST_CASE("a full host queue rejects, or drops the newest, as the options say", ACTOR_TAGS,
                   ACTOR_BACKENDS) {
  for (const backpressure policy : {backpressure::reject, backpressure::drop_newest}) {
    INFO("policy " << ringkernels::messaging::to_string(policy));
    ringkernels::runtime rt;
    auto system = rt.spawn<TestType>(counter{}, system_cases::queue_of_four("full", policy));
    // Launched, not active: the queue fills.
    for (int i = 0; i < 4; ++i) REQUIRE(system.tell(1, counter::Add{1}) == push_result::ok);
    const auto fifth = system.tell(1, counter::Add{100});
    CHECK(fifth ==
          (policy == backpressure::reject ? push_result::full : push_result::dropped_newest));
    const auto kernel = system.kernel_telemetry();
    CHECK(kernel.refused_full == (policy == backpressure::reject ? 1u : 0u));
    CHECK(kernel.dropped_newest == (policy == backpressure::drop_newest ? 1u : 0u));
    system.activate();
    system.quiesce(5s);
    const auto t = system.telemetry();
    CHECK(t.from_host == 4);
    CHECK(t.handled == 4);
    system.deactivate();
    CHECK(system.read_states()[1].value == 1 + 4);
  }
}

TEMPLATE_TEST_CASE("a full host queue under the block policy waits for room, up to its timeout",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(
      counter{}, system_cases::queue_of_four("blocking", backpressure::block, 100ms));
  for (int i = 0; i < 4; ++i) REQUIRE(system.tell(2, counter::Add{1}) == push_result::ok);
  const auto start = std::chrono::steady_clock::now();
  CHECK(system.tell(2, counter::Add{100}) == push_result::timed_out);
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);
  CHECK(system.kernel_telemetry().refused_full == 1);
  // Room comes while the sender waits: the send goes through.
  std::thread activator([&system] {
    std::this_thread::sleep_for(30ms);
    system.activate();
  });
  const auto result = system.tell(2, counter::Add{10});
  activator.join();
  CHECK(result == push_result::ok);
  system.quiesce(5s);
  CHECK(system.telemetry().handled == 5);
  system.deactivate();
  CHECK(system.read_states()[2].value == 2 + 4 + 10);
}

TEMPLATE_TEST_CASE("drop_oldest is refused for an actor system, naming the policies it takes",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  ringkernels::runtime rt;
  CHECK_THROWS_WITH(rt.spawn<TestType>(counter{}, system_cases::queue_of_four(
                                                      "oldest", backpressure::drop_oldest)),
                    ContainsSubstring("use reject, block or drop_newest"));
  // The name stays free, nothing half-made.
  auto system = rt.spawn<TestType>(counter{}, actors_named("oldest", 4));
  CHECK(system.size() == 4);
}

TEMPLATE_TEST_CASE("a stalled actor system is relaunched; states and queued messages are kept",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using test_support::sleepy;
  using namespace std::chrono_literals;
  ringkernels::runtime rt;
  auto options = actors_named("sleepy", 64);
  options.kernel.stall_after = 100ms;
  options.kernel.restart.policy = ringkernels::restart_policy::on_fault_or_stall;
  auto system = rt.spawn<TestType>(sleepy{}, options);
  system.activate();
  for (std::uint64_t id = 0; id < 64; ++id)
    REQUIRE(system.tell(id, sleepy::Add{id + 1}) == push_result::ok);
  system.quiesce(10s);
  REQUIRE(system.tell(0, sleepy::Stall{60000}) == push_result::ok);  // a minute, unless stopped
  for (std::uint64_t id = 0; id < 64; ++id)
    REQUIRE(system.tell(id, sleepy::Add{1000}) == push_result::ok);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (system.supervision().restarts == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  system.quiesce(10s);
  const auto supervision = system.supervision();
  CHECK(supervision.restarts >= 1);
  CHECK_FALSE(supervision.circuit_open);
  CHECK_THAT(supervision.last_trigger, Catch::Matchers::ContainsSubstring("stall: worker"));
  CHECK(system.state() == ringkernels::kernel_state::active);
  const auto states = system.read_states();
  for (std::uint64_t id = 0; id < 64; ++id) CHECK(states[id].sum == id + 1 + 1000);
  CHECK(states[0].stalls_stopped == 1);
  CHECK(states[0].stalls_timed_out == 0);
  const auto counts = system.telemetry();
  CHECK(counts.handled == 64 + 1 + 64);
  CHECK(counts.from_host + counts.sent_on_device == counts.handled + counts.dead_total());
}

#endif

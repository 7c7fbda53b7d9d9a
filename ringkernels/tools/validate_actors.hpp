// The actor section of `ringkernels validate`, written once for every backend: spawn a system
// of 1,000,000 actors, let 16 of them send numbered probes to random actors (each probe
// answered by a state change), quiesce, and check every actor's state against the answer
// computed on the host; ask() a few actors for their state; check the counters balance exactly.
#ifndef RINGKERNELS_TOOLS_VALIDATE_ACTORS_HPP
#define RINGKERNELS_TOOLS_VALIDATE_ACTORS_HPP

#include <ringkernels/examples/order_checker.hpp>
#include <ringkernels/runtime.hpp>

#include "validate_flow.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ringkernels::cli {

namespace detail {

/// What every actor must hold after `budget` probes from each sender: probes received and the
/// sum of their hashes (computed on the host, from the same target rule the senders use).
struct expected_states {
  std::vector<std::uint32_t> received;
  std::vector<std::uint64_t> hash_sum;
  expected_states(std::uint64_t actors, std::uint64_t budget, std::uint32_t seed)
      : received(actors), hash_sum(actors) {
    using checker = examples::order_checker;
    for (std::uint64_t s = 0; s < checker::senders; ++s) {
      for (std::uint64_t n = 0; n < budget; ++n) {
        const std::uint64_t target = checker::target_of(s, n, seed, actors);
        ++received[target];
        hash_sum[target] += checker::probe_hash(s, n);
      }
    }
  }
};

/// Counts the actors whose state differs from the host's answer (or that saw a probe out of
/// order).
template <class State>
std::uint64_t wrong_states(const std::vector<State>& states, const expected_states& expected) {
  std::uint64_t wrong = 0;
  for (std::size_t id = 0; id < states.size(); ++id) {
    const State& state = states[id];
    if (state.received != expected.received[id] || state.hash_sum != expected.hash_sum[id] ||
        state.order_errors != 0) {
      ++wrong;
    }
  }
  return wrong;
}

}  // namespace detail

/// Step 8 of the flow: the actor section, its checks added to `list`.
template <class ExecSpace>
void validate_actors(const std::string& backend, const kernel_options& base,
                     detail::checklist& list) {
  using checker = examples::order_checker;
  using detail::clock_type;
  const char* b = backend.c_str();
  constexpr std::uint64_t actors = 1'000'000;
  constexpr std::uint64_t budget = 62'500;  // x 16 senders = 1,000,000 probes
  constexpr std::uint32_t seed = 11;
  try {
    std::printf("[%s] 8. actors: spawning %llu\n", b, static_cast<unsigned long long>(actors));
    runtime rt;
    actor_options options;
    options.name = "validate_actors";
    options.actors = actors;
    options.workers = base.workers;
    options.placement = placement_rule::round_robin;  // the 16 senders on different workers
    options.kernel = base;
    const auto spawn_start = clock_type::now();
    auto system = rt.spawn<ExecSpace>(checker{}, options);
    system.activate();
    std::printf("[%s]    spawned and activated in %.1f ms, %d worker(s)\n", b,
                detail::micros(clock_type::now() - spawn_start) / 1000, options.workers);
    const detail::expected_states expected(actors, budget, seed);
    const auto start = clock_type::now();
    bool told = true;
    for (std::uint64_t s = 0; s < checker::senders; ++s) {
      told = told && system.tell(s, checker::Turn{budget, 8, seed}) == messaging::push_result::ok;
    }
    system.quiesce(std::chrono::seconds(60));
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    const auto reply = system.ask(123'457, checker::Get{}).get(std::chrono::seconds(5));
    system.quiesce(std::chrono::seconds(5));
    const std::vector<checker::State> states = system.read_states();
    const std::uint64_t wrong = detail::wrong_states(states, expected);
    char detail_text[160];
    std::snprintf(detail_text, sizeof detail_text,
                  "%llu probes in %.2f s (%.2f M msg/s), %llu of %llu states wrong",
                  static_cast<unsigned long long>(budget * checker::senders), seconds,
                  static_cast<double>(budget * checker::senders) / seconds / 1e6,
                  static_cast<unsigned long long>(wrong), static_cast<unsigned long long>(actors));
    list.check(told && wrong == 0,
               "1000000 probes among 1000000 actors: every state as computed on the host",
               detail_text);
    list.check(reply.state.received == expected.received[123'457] &&
                   reply.state.hash_sum == expected.hash_sum[123'457],
               "ask() answers with the actor's state");
    const actor_telemetry t = system.telemetry();
    std::snprintf(detail_text, sizeof detail_text,
                  "from host %llu, sent on device %llu, handled %llu, dead %llu, in flight %llu",
                  static_cast<unsigned long long>(t.from_host),
                  static_cast<unsigned long long>(t.sent_on_device),
                  static_cast<unsigned long long>(t.handled),
                  static_cast<unsigned long long>(t.dead_total()),
                  static_cast<unsigned long long>(t.in_flight));
    list.check(t.from_host + t.sent_on_device == t.handled + t.dead_total() &&
                   t.dead_total() == 0 && t.in_flight == 0,
               "actor counters: sent = handled + dead, 0 dead, 0 in flight", detail_text);
    const terminate_report report = system.terminate();
    list.check(report.stopped, "actor system terminates", report.detail);
  } catch (const std::exception& failure) {
    list.check(false, "actor section", failure.what());
  }
}

/// The whole flow: the ring-kernel steps 1-7, then the actor section, in one result.
template <class ExecSpace>
validation_result validate_with_actors(const std::string& backend, std::uint64_t bulk_messages,
                                       const kernel_options& base) {
  validation_result result = validate_backend<ExecSpace>(backend, bulk_messages, base);
  detail::checklist list{result};
  validate_actors<ExecSpace>(backend, base, list);
  return result;
}

}  // namespace ringkernels::cli

#endif

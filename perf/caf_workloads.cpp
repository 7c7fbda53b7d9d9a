#include "caf_workloads.hpp"

#include <ringkernels/core/error.hpp>

#if defined(RINGKERNELS_HAVE_CAF)

#include <caf/all.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ringkernels::perf {
namespace {

using clock_type = std::chrono::steady_clock;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using next_atom = caf::atom_constant<caf::atom("next")>;
using token_atom = caf::atom_constant<caf::atom("token")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using add_atom = caf::atom_constant<caf::atom("add")>;
using get_atom = caf::atom_constant<caf::atom("get")>;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

void require(bool ok, const std::string& what) {
  if (!ok) RINGKERNELS_THROW(errc::backend_failure, "CAF workload: " + what);
}

// --- PingPong -------------------------------------------------------------------------------
caf::behavior ponger(caf::event_based_actor* self) {
  return {[=](ping_atom, std::uint64_t n) {
    self->send(caf::actor_cast<caf::actor>(self->current_sender()), pong_atom::value, n);
  }};
}

caf::behavior pinger(caf::event_based_actor* self, caf::actor partner, std::uint64_t rounds,
                     caf::actor done) {
  self->send(partner, ping_atom::value, std::uint64_t{0});
  return {[=](pong_atom, std::uint64_t n) {
    if (n + 1 < rounds) {
      self->send(partner, ping_atom::value, n + 1);
    } else {
      self->send(done, done_atom::value, n + 1);
      self->quit();
    }
  }};
}

double pingpong(caf::actor_system& system, std::uint64_t rounds) {
  caf::scoped_actor main{system};
  const auto start = clock_type::now();
  auto partner = system.spawn(ponger);
  system.spawn(pinger, partner, rounds, caf::actor{main});
  std::uint64_t exchanged = 0;
  main->receive([&](done_atom, std::uint64_t n) { exchanged = n; });
  const double elapsed = seconds_since(start);
  caf::anon_send_exit(partner, caf::exit_reason::user_shutdown);
  require(exchanged == rounds, "pingpong exchanged " + std::to_string(exchanged));
  return elapsed * 1e9 / (2.0 * static_cast<double>(rounds));
}

// --- ThreadRing -----------------------------------------------------------------------------
struct ring_state {
  caf::actor next;
  std::uint64_t passes = 0;
};

caf::behavior ring_member(caf::stateful_actor<ring_state>* self, caf::actor done) {
  return {[=](next_atom, caf::actor next) { self->state.next = std::move(next); },
          [=](token_atom, std::uint64_t hops) {
            ++self->state.passes;
            if (hops == 0) {
              self->send(done, done_atom::value, std::uint64_t{0});
            } else {
              self->send(self->state.next, token_atom::value, hops - 1);
            }
          }};
}

double threadring(caf::actor_system& system, std::uint64_t actors, std::uint64_t hops) {
  caf::scoped_actor main{system};
  std::vector<caf::actor> ring;
  ring.reserve(actors);
  for (std::uint64_t i = 0; i < actors; ++i)
    ring.push_back(system.spawn(ring_member, caf::actor{main}));
  for (std::uint64_t i = 0; i < actors; ++i)
    main->send(ring[i], next_atom::value, ring[(i + 1) % actors]);
  const auto start = clock_type::now();
  main->send(ring[0], token_atom::value, hops);
  main->receive([](done_atom, std::uint64_t) {});
  const double elapsed = seconds_since(start);
  for (auto& member : ring) caf::anon_send_exit(member, caf::exit_reason::user_shutdown);
  return static_cast<double>(hops + 1) / elapsed;
}

// --- Big ------------------------------------------------------------------------------------
struct big_state {
  std::uint64_t pings_left = 0;
  std::uint32_t random = 0;
  std::uint64_t pongs = 0;
};

caf::behavior big_member(caf::stateful_actor<big_state>* self, const std::vector<caf::actor>* all,
                         std::uint64_t id, std::uint64_t pings, caf::actor done) {
  self->state.random = static_cast<std::uint32_t>(id * 2654435761u) | 1u;
  self->state.pings_left = pings;
  auto ping_someone = [=] {
    auto& s = self->state;
    if (s.pings_left == 0) {
      self->send(done, done_atom::value, s.pongs);
      return;
    }
    --s.pings_left;
    s.random ^= s.random << 13;  // xorshift32, as perf/actor_workloads.hpp
    s.random ^= s.random >> 17;
    s.random ^= s.random << 5;
    self->send((*all)[s.random % all->size()], ping_atom::value, std::uint64_t{0});
  };
  return {[=](start_atom) { ping_someone(); },
          [=](ping_atom, std::uint64_t) {
            self->send(caf::actor_cast<caf::actor>(self->current_sender()), pong_atom::value,
                       std::uint64_t{0});
          },
          [=](pong_atom, std::uint64_t) {
            ++self->state.pongs;
            ping_someone();
          }};
}

double big(caf::actor_system& system, std::uint64_t actors, std::uint64_t pings) {
  caf::scoped_actor main{system};
  std::vector<caf::actor> all;
  all.reserve(actors);
  for (std::uint64_t i = 0; i < actors; ++i) {
    all.push_back(system.spawn(big_member, &all, i, pings, caf::actor{main}));
  }
  const auto start = clock_type::now();
  for (auto& member : all) main->send(member, start_atom::value);
  std::uint64_t pongs = 0;
  for (std::uint64_t i = 0; i < actors; ++i) {
    main->receive([&](done_atom, std::uint64_t n) { pongs += n; });
  }
  const double elapsed = seconds_since(start);
  for (auto& member : all) caf::anon_send_exit(member, caf::exit_reason::user_shutdown);
  require(pongs == actors * pings, "big: " + std::to_string(pongs) + " pongs");
  return 2.0 * static_cast<double>(actors * pings) / elapsed;
}

// --- Counting -------------------------------------------------------------------------------
struct counter_state {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  return {[=](add_atom, std::uint64_t value) {
            ++self->state.count;
            self->state.sum += value;
          },
          [=](get_atom) { return self->state.count; }};
}

double counting(caf::actor_system& system, std::uint64_t counters, std::uint64_t messages) {
  caf::scoped_actor main{system};
  std::vector<caf::actor> all;
  for (std::uint64_t i = 0; i < counters; ++i) all.push_back(system.spawn(counter));
  const auto start = clock_type::now();
  for (std::uint64_t i = 0; i < messages; ++i) {
    caf::anon_send(all[i % counters], add_atom::value, i);
  }
  std::uint64_t total = 0;
  for (auto& c : all) {
    main->request(c, caf::infinite, get_atom::value)
        .receive([&](std::uint64_t n) { total += n; },
                 [&](caf::error&) { require(false, "counting: a counter did not answer"); });
  }
  const double elapsed = seconds_since(start);
  for (auto& c : all) caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  require(total == messages, "counting: " + std::to_string(total) + " counted");
  return static_cast<double>(messages) / elapsed;
}

}  // namespace

bool caf_available() { return true; }

caf_rates run_caf_workloads(const caf_sizes& sizes) {
  caf::actor_system_config config;
  config.set("scheduler.max-threads", static_cast<std::size_t>(sizes.threads));
  caf::actor_system system{config};
  caf_rates rates;
  rates.pingpong_one_way_ns = pingpong(system, sizes.pingpong_rounds);
  rates.threadring_hops_per_s = threadring(system, sizes.ring_actors, sizes.ring_hops);
  rates.big_msgs_per_s = big(system, sizes.big_actors, sizes.big_pings);
  rates.counting_msgs_per_s = counting(system, sizes.counting_actors, sizes.counting_messages);
  return rates;
}

}  // namespace ringkernels::perf

#else

namespace ringkernels::perf {
bool caf_available() { return false; }
caf_rates run_caf_workloads(const caf_sizes&) {
  RINGKERNELS_THROW(errc::unsupported, "this build has no C++ Actor Framework (libcaf-dev)");
}
}  // namespace ringkernels::perf

#endif

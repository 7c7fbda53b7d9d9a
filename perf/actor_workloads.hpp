// The Savina workloads (the standard actor benchmark suite) as RingKernels actor types, written
// once for every backend: PingPong (two actors answer each other; the starter times each round
// trip on its own clock), ThreadRing (a token passed around a ring of actors), Big (every
// actor pings random actors, each ping answered by a pong) and Counting (the host streams to
// counter actors). perf/caf_workloads.cpp writes the same four for the C++ Actor Framework.
#ifndef RINGKERNELS_PERF_ACTOR_WORKLOADS_HPP
#define RINGKERNELS_PERF_ACTOR_WORKLOADS_HPP

#include <ringkernels/backends/common/actor_context.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace ringkernels::perf {

/// PingPong: Start makes an actor ping `partner`; each Ping is answered by a Pong; the starter
/// stores each round trip (ns, its own clock) in `samples` and pings again until `rounds`.
struct pingpong_actor {
  std::uint64_t* samples = nullptr;  ///< round trips, ns (the backend's data space)
  std::uint64_t capacity = 0;

  struct State {
    std::uint64_t partner = 0;
    std::uint64_t rounds = 0;
    std::uint64_t done = 0;
  };
  struct Start {
    std::uint64_t partner = 0;
    std::uint64_t rounds = 0;
  };
  struct Ping {
    std::uint64_t stamp = 0;
  };
  struct Pong {
    std::uint64_t stamp = 0;
  };
  using messages = actor_messages<Start, Ping, Pong>;
  using context = actor_context<pingpong_actor>;

  KOKKOS_FUNCTION void operator()(State& state, const Start& start, context& ctx) const {
    state.partner = start.partner;
    state.rounds = start.rounds;
    state.done = 0;
    (void)ctx.send(start.partner, Ping{physical_time_ns()});
  }
  KOKKOS_FUNCTION void operator()(State&, const Ping& ping, context& ctx) const {
    (void)ctx.send(ctx.sender(), Pong{ping.stamp});
  }
  KOKKOS_FUNCTION void operator()(State& state, const Pong& pong, context& ctx) const {
    const std::uint64_t now = physical_time_ns();
    if (state.done < capacity) samples[state.done] = now - pong.stamp;
    if (++state.done < state.rounds) (void)ctx.send(state.partner, Ping{physical_time_ns()});
  }
};

/// ThreadRing: a token makes `hops` more hops, actor i passing it to actor i + 1 (mod N).
struct threadring_actor {
  struct State {
    std::uint64_t passes = 0;
  };
  struct Token {
    std::uint64_t hops = 0;
  };
  using messages = actor_messages<Token>;

  KOKKOS_FUNCTION void operator()(State& state, const Token& token,
                                  actor_context<threadring_actor>& ctx) const {
    ++state.passes;
    if (token.hops > 0) (void)ctx.send((ctx.self() + 1) % ctx.actor_count(), Token{token.hops - 1});
  }
};

/// Big: Start{first, last, pings} reaches actor `first`, which hands the upper halves of
/// [first, last) on (a fan-out tree: N - 1 Starts, log2 N deep, no host loop over N actors),
/// then pings a random actor; every Ping is answered by a Pong, and every Pong makes its
/// receiver ping again until it has sent `pings`.
struct big_actor {
  struct State {  ///< 16 bytes: the issue's scale runs use this state
    std::uint32_t pings_left = 0;
    std::uint32_t pongs = 0;     ///< answers received
    std::uint32_t answered = 0;  ///< pings answered
    std::uint32_t random = 0;
  };
  struct Start {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t pings = 0;
  };
  struct Ping {
    std::uint64_t unused = 0;
  };
  struct Pong {
    std::uint64_t unused = 0;
  };
  using messages = actor_messages<Start, Ping, Pong>;
  using context = actor_context<big_actor>;

  KOKKOS_FUNCTION void operator()(State& state, const Start& start, context& ctx) const {
    std::uint64_t last = start.last;
    while (last - start.first > 1) {
      const std::uint64_t middle = start.first + (last - start.first) / 2;
      (void)ctx.send(middle, Start{middle, last, start.pings});
      last = middle;
    }
    state.random = static_cast<std::uint32_t>(ctx.self() * 2654435761u) | 1u;
    state.pings_left = static_cast<std::uint32_t>(start.pings);
    ping_someone(state, ctx);
  }
  KOKKOS_FUNCTION void operator()(State& state, const Ping&, context& ctx) const {
    ++state.answered;
    (void)ctx.send(ctx.sender(), Pong{});
  }
  KOKKOS_FUNCTION void operator()(State& state, const Pong&, context& ctx) const {
    ++state.pongs;
    ping_someone(state, ctx);
  }

 private:
  KOKKOS_FUNCTION static void ping_someone(State& state, context& ctx) {
    if (state.pings_left == 0) return;
    --state.pings_left;
    state.random ^= state.random << 13;  // xorshift32
    state.random ^= state.random >> 17;
    state.random ^= state.random << 5;
    (void)ctx.send(state.random % ctx.actor_count(), Ping{});
  }
};

/// Counting: counter actors that the host streams Add messages to.
struct counting_actor {
  struct State {
    std::uint64_t count = 0;
    std::uint64_t sum = 0;
  };
  struct Add {
    std::uint64_t value = 0;
  };
  using messages = actor_messages<Add>;

  KOKKOS_FUNCTION void operator()(State& state, const Add& add,
                                  actor_context<counting_actor>&) const {
    ++state.count;
    state.sum += add.value;
  }
};

}  // namespace ringkernels::perf

#endif

// An actor that checks the actor semantics while it runs: "senders" (the first
// order_checker::senders ids) send numbered probes to random actors, a few per turn, then send
// themselves the next turn; every actor checks that each sender's numbers arrive increasing
// (per-pair order) and sums a hash of (sender, number), which the host compares with the sum
// over everything sent (each message exactly once). Written once: Serial, OpenMP, CUDA.
#ifndef RINGKERNELS_EXAMPLES_ORDER_CHECKER_HPP
#define RINGKERNELS_EXAMPLES_ORDER_CHECKER_HPP

#include <ringkernels/backends/common/actor_context.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace ringkernels::examples {

struct order_checker {
  static constexpr std::uint32_t senders = 16;

  struct State {
    std::uint64_t sent = 0;                 ///< probes sent, as a sender
    std::uint64_t received = 0;             ///< probes received
    std::uint64_t hash_sum = 0;             ///< sum of probe_hash(sender, number) received
    std::uint32_t order_errors = 0;         ///< a sender's number not above its previous one
    std::uint32_t worker = ~0u;             ///< the worker that last ran this actor
    std::uint32_t next_from[senders] = {};  ///< per sender: its last number + 1
  };
  /// A sender's turn: send `per_turn` probes (numbered from State::sent) until `budget`.
  struct Turn {
    std::uint64_t budget = 0;
    std::uint32_t per_turn = 8;
    std::uint32_t seed = 1;
  };
  struct Probe {
    std::uint64_t number = 0;
  };
  struct Reply {
    State state;
  };
  /// Asks for the actor's state (a host ask()).
  struct Get {
    std::uint32_t unused = 0;
  };
  using messages = ringkernels::actor_messages<Turn, Probe, Get>;

  KOKKOS_FUNCTION static std::uint64_t probe_hash(std::uint64_t sender, std::uint64_t number) {
    std::uint64_t x = (sender << 40) ^ number ^ 0x9e3779b97f4a7c15ull;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return x;
  }
  /// The target of a sender's probe number `number` (deterministic, spread over all actors).
  KOKKOS_FUNCTION static std::uint64_t target_of(std::uint64_t sender, std::uint64_t number,
                                                 std::uint32_t seed, std::uint64_t actors) {
    return probe_hash(sender + (static_cast<std::uint64_t>(seed) << 20), number) % actors;
  }

  KOKKOS_FUNCTION void operator()(State& state, const Turn& turn,
                                  ringkernels::actor_context<order_checker>& ctx) const {
    state.worker = ctx.worker_index();
    for (std::uint32_t i = 0; i < turn.per_turn && state.sent < turn.budget; ++i, ++state.sent) {
      const std::uint64_t target = target_of(ctx.self(), state.sent, turn.seed, ctx.actor_count());
      (void)ctx.send(target, Probe{state.sent});
    }
    if (state.sent < turn.budget) (void)ctx.send(ctx.self(), turn);
  }

  KOKKOS_FUNCTION void operator()(State& state, const Probe& probe,
                                  ringkernels::actor_context<order_checker>& ctx) const {
    state.worker = ctx.worker_index();
    const std::uint64_t from = ctx.sender();
    if (from < senders) {
      if (probe.number + 1 <= state.next_from[from]) ++state.order_errors;
      state.next_from[from] = static_cast<std::uint32_t>(probe.number + 1);
    }
    ++state.received;
    state.hash_sum += probe_hash(from, probe.number);
  }

  KOKKOS_FUNCTION void operator()(State& state, const Get&,
                                  ringkernels::actor_context<order_checker>& ctx) const {
    (void)ctx.reply(Reply{state});
  }
};

}  // namespace ringkernels::examples

#endif

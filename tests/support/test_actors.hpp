// Actor types for the actor-system tests (written once, as users write them).
#ifndef RINGKERNELS_TEST_SUPPORT_TEST_ACTORS_HPP
#define RINGKERNELS_TEST_SUPPORT_TEST_ACTORS_HPP

#include <ringkernels/actor_system.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace test_support {

/// On Fan{n, target}: sends n Hits to `target` in one turn (a flood when the target's mailbox
/// is small and nobody drains it meanwhile); counts the Hits it receives.
struct fan {
  struct State {
    std::uint64_t hits = 0;
    std::uint64_t fans = 0;
  };
  struct Fan {
    std::uint64_t count = 0;
    std::uint64_t target = 0;
  };
  struct Hit {
    std::uint64_t unused = 0;
  };
  using messages = ringkernels::actor_messages<Fan, Hit>;
  KOKKOS_FUNCTION void operator()(State& state, const Fan& order,
                                  ringkernels::actor_context<test_support::fan>& ctx) const {
    ++state.fans;
    for (std::uint64_t i = 0; i < order.count; ++i) (void)ctx.send(order.target, Hit{});
  }
  KOKKOS_FUNCTION void operator()(State& state, const Hit&,
                                  ringkernels::actor_context<test_support::fan>&) const {
    ++state.hits;
  }
};

/// Adds on Add; on Stall spins up to `ms` milliseconds unless the host asks the workers to
/// stop (actor_context::stop_requested()), counting how its stalls ended.
struct sleepy {
  struct State {
    std::uint64_t sum = 0;
    std::uint32_t stalls_stopped = 0;
    std::uint32_t stalls_timed_out = 0;
  };
  struct Add {
    std::uint64_t amount = 0;
  };
  struct Stall {
    std::uint32_t ms = 0;
  };
  using messages = ringkernels::actor_messages<Add, Stall>;
  KOKKOS_FUNCTION void operator()(State& state, const Add& add,
                                  ringkernels::actor_context<sleepy>&) const {
    state.sum += add.amount;
  }
  KOKKOS_FUNCTION void operator()(State& state, const Stall& stall,
                                  ringkernels::actor_context<sleepy>& ctx) const {
    const std::uint64_t until =
        ringkernels::physical_time_ns() + std::uint64_t{stall.ms} * 1000000u;
    while (ringkernels::physical_time_ns() < until) {
      if (ctx.stop_requested()) {
        ++state.stalls_stopped;
        return;
      }
    }
    ++state.stalls_timed_out;
  }
};

/// A counter that starts at its id (init), adds on Add, answers Get with its value, and
/// records the worker that ran it and whether two calls ever overlapped.
struct counter {
  struct State {
    std::uint64_t value = 0;
    std::uint32_t worker = ~0u;
    std::uint32_t busy = 0;
    std::uint32_t overlaps = 0;
  };
  struct Add {
    std::uint64_t amount = 0;
  };
  struct Get {
    std::uint32_t unused = 0;
  };
  struct Reply {
    std::uint64_t value = 0;
    std::uint64_t id = 0;
  };
  using messages = ringkernels::actor_messages<Add, Get>;

  KOKKOS_FUNCTION void init(std::uint64_t id, State& state) const { state.value = id; }
  // Handlers may be templates over the context (derived actor types reuse them).
  template <class Context>
  KOKKOS_FUNCTION void operator()(State& state, const Add& add, Context& ctx) const {
    enter(state, ctx);
    state.value += add.amount;
    leave(state);
  }
  template <class Context>
  KOKKOS_FUNCTION void operator()(State& state, const Get&, Context& ctx) const {
    enter(state, ctx);
    (void)ctx.reply(Reply{state.value, ctx.self()});
    leave(state);
  }

 private:
  template <class Context>
  KOKKOS_FUNCTION static void enter(State& state, Context& ctx) {
    using flag =
        ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
    std::uint32_t expected = 0;
    if (!flag::compare_exchange(&state.busy, expected, 1u)) ++state.overlaps;
    state.worker = ctx.worker_index();
  }
  KOKKOS_FUNCTION static void leave(State& state) {
    ringkernels::messaging::atomic_index<
        std::uint32_t, ringkernels::messaging::scope::system>::store_release(&state.busy, 0u);
  }
};

/// Holds its worker busy while another worker floods it: Hold makes actor `flooder` fan
/// `count` Hits at actor `target` (on the holder's worker), then spins for `nanoseconds`, so
/// the flood finds that worker's mailbox undrained.
struct holder {
  struct State {
    std::uint64_t hits = 0;
  };
  struct Hold {
    std::uint64_t flooder = 0;
    std::uint64_t target = 0;
    std::uint64_t count = 0;
    std::uint64_t nanoseconds = 0;
  };
  struct Flood {
    std::uint64_t target = 0;
    std::uint64_t count = 0;
  };
  struct Hit {
    std::uint64_t unused = 0;
  };
  struct Get {
    std::uint64_t unused = 0;
  };
  struct Reply {
    std::uint64_t hits = 0;
  };
  using messages = ringkernels::actor_messages<Hold, Flood, Hit, Get>;
  using context = ringkernels::actor_context<holder>;

  KOKKOS_FUNCTION void operator()(State&, const Hold& hold, context& ctx) const {
    (void)ctx.send(hold.flooder, Flood{hold.target, hold.count});
    const std::uint64_t start = ringkernels::physical_time_ns();
    while (ringkernels::physical_time_ns() - start < hold.nanoseconds) {
    }
  }
  KOKKOS_FUNCTION void operator()(State&, const Flood& flood, context& ctx) const {
    for (std::uint64_t i = 0; i < flood.count; ++i) (void)ctx.send(flood.target, Hit{});
  }
  KOKKOS_FUNCTION void operator()(State& state, const Hit&, context&) const { ++state.hits; }
  KOKKOS_FUNCTION void operator()(State& state, const Get&, context& ctx) const {
    (void)ctx.reply(Reply{state.hits});
  }
};

/// The receiving side of cross-system messages: counts what arrives, sums it, remembers the
/// sending system and counts messages that arrive out of order per sender (senders are
/// actors 0 .. 4 * size() - 1 of the other system, sender / size() picks one of 4 slots).
struct tally {
  struct State {
    std::uint64_t count = 0;
    std::uint64_t sum = 0;
    std::uint32_t last_sequence[4] = {};
    std::uint32_t out_of_order = 0;
    std::uint16_t sender_system = 0;
  };
  struct Add {
    std::uint64_t amount = 0;
  };
  using messages = ringkernels::actor_messages<Add>;
  KOKKOS_FUNCTION void operator()(State& state, const Add& add,
                                  ringkernels::actor_context<tally>& ctx) const {
    ++state.count;
    state.sum += add.amount;
    state.sender_system = ctx.sender_address().location.system;
    const std::uint64_t slot = (ctx.sender() / ctx.actor_count()) % 4;
    if (ctx.sequence() != state.last_sequence[slot] + 1) ++state.out_of_order;
    state.last_sequence[slot] = ctx.sequence();
  }
};

/// Sends to the actors of another system (a tally system) through the ref it holds: on Relay,
/// `count` Adds of `amount` to tally actor `target`, numbered 1, 2, ... per relay actor.
struct relay {
  struct State {
    std::uint32_t sequence = 0;
    std::uint32_t refused = 0;  ///< sends that came back as dead letters
  };
  struct Relay {
    std::uint64_t target = 0;
    std::uint64_t amount = 0;
    std::uint32_t count = 0;
  };
  using messages = ringkernels::actor_messages<Relay>;
  ringkernels::system_ref<tally> sink;
  KOKKOS_FUNCTION void operator()(State& state, const Relay& order,
                                  ringkernels::actor_context<test_support::relay>& ctx) const {
    for (std::uint32_t i = 0; i < order.count; ++i) {
      const auto result = ctx.send(sink, order.target, tally::Add{order.amount}, ++state.sequence);
      if (result == ringkernels::send_result::dead_letter) ++state.refused;
    }
  }
};

/// Places every id on the last worker (a user-defined placement).
struct last_worker_counter : counter {
  KOKKOS_FUNCTION static std::uint32_t place(std::uint64_t, std::uint64_t, std::uint32_t workers) {
    return workers - 1;
  }
};

}  // namespace test_support

#endif

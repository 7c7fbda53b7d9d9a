// Must NOT compile: a handler sending a message type its target actor type does not handle.
#include <ringkernels/runtime.hpp>

#include <cstdint>

struct relay {
  struct State {
    std::uint64_t seen;
  };
  struct Ping {
    std::uint64_t hop;
  };
  struct Pong {
    std::uint64_t hop;
  };
  using messages = ringkernels::actor_messages<Ping>;
  void operator()(State& state, const Ping& ping, ringkernels::actor_context<relay>& ctx) const {
    ++state.seen;
    (void)ctx.send(ctx.self(), Pong{ping.hop + 1});
  }
};

int main() {
  ringkernels::runtime rt;
  ringkernels::actor_options options;
  options.actors = 4;
  auto system = rt.spawn<Kokkos::DefaultHostExecutionSpace>(relay{}, options);
  return 0;
}

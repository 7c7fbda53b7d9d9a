// Must NOT compile: telling an actor a message type it has no handler for.
#include <ringkernels/runtime.hpp>

#include <cstdint>

struct only_adds {
  struct State {
    std::uint64_t total;
  };
  struct Add {
    std::uint64_t amount;
  };
  struct Multiply {
    std::uint64_t factor;
  };
  using messages = ringkernels::actor_messages<Add>;
  void operator()(State& state, const Add& add, ringkernels::actor_context<only_adds>&) const {
    state.total += add.amount;
  }
};

int main() {
  ringkernels::runtime rt;
  ringkernels::actor_options options;
  options.actors = 4;
  auto system = rt.spawn<Kokkos::DefaultHostExecutionSpace>(only_adds{}, options);
  (void)system.tell(0, only_adds::Multiply{2});
  return 0;
}

// A worker stuck in a handler past terminate's deadline keeps its kernel's memory until it
// leaves; when it leaves only after Kokkos::finalize, that memory must be leaked with a
// warning, not freed (Kokkos aborts the process when an allocation is freed after finalize).
// Found on the H200: `bench sssp` whose quiesce timed out ended in std::terminate. A program
// of its own, not a Catch2 case: it finalizes Kokkos, which the test runner does only once.
// run_and_expect.cmake checks the exit code and both warnings. Not under ASan (the asan preset
// leaves it out): leaking is what it checks, and LeakSanitizer would report the leak.
#include <ringkernels/actor_system.hpp>
#include <ringkernels/runtime.hpp>

#include "test_handlers.hpp"

#include <Kokkos_Core.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace {

std::atomic<bool> released{false};
std::atomic<int> inside{0};
// test_support::stuck, the ring-kernel handler, spins while `hold` is not 0 and sets
// `kernel_entered` first.
using flag =
    ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
std::uint32_t hold = 1;
std::uint32_t kernel_entered = 0;

/// Holds its worker until `released`: an actor handler that does not return in time.
struct holder {
  struct State {
    std::uint64_t held = 0;
  };
  struct Hold {
    std::uint64_t unused = 0;
  };
  using messages = ringkernels::actor_messages<Hold>;
  void operator()(State& state, const Hold&, ringkernels::actor_context<holder>&) const {
    inside.fetch_add(1);
    while (!released.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++state.held;
    inside.fetch_sub(1);
  }
};

/// Whether the ring kernel's handler was entered within `limit`.
bool wait_for_entry(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (flag::load_acquire(&kernel_entered) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

bool wait_for(int count, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (inside.load() != count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::initialize(argc, argv);
  bool entered = false;
  {
    ringkernels::runtime rt;
    ringkernels::actor_options options;
    options.name = "stuck_actors";
    options.actors = 1;
    options.kernel.terminate_timeout = std::chrono::milliseconds(20);
    auto system = rt.spawn<Kokkos::DefaultHostExecutionSpace>(holder{}, options);
    system.activate();
    (void)system.tell(0, holder::Hold{});

    ringkernels::kernel_options kernel;
    kernel.name = "stuck_kernel";
    kernel.terminate_timeout = std::chrono::milliseconds(20);
    auto stuck = rt.launch<Kokkos::DefaultHostExecutionSpace>(test_support::stuck{}, kernel);
    stuck.activate();
    (void)stuck.send(test_support::stuck::Request{&hold, &kernel_entered});
    entered = wait_for(1, std::chrono::seconds(10)) && wait_for_entry(std::chrono::seconds(10));
    // Both handles and the runtime go now, with both handlers still inside.
  }
  Kokkos::finalize();
  released.store(true);
  flag::store_release(&hold, 0u);
  const bool left = wait_for(0, std::chrono::seconds(10));
  // The workers drop the memory they kept as they leave their loops (the ring kernel's leaving
  // shows as its warning, which run_and_expect.cmake requires).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::printf("outlive_finalize: handlers entered %s, left %s\n", entered ? "yes" : "NO",
              left ? "yes" : "NO");
  return entered && left ? 0 : 1;
}

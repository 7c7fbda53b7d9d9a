// A worker stuck in a handler past terminate's deadline keeps its kernel's memory until it
// leaves; when it leaves only after Kokkos::finalize, that memory must be leaked with a
// warning, not freed (Kokkos aborts the process when an allocation is freed after finalize).
// Found on the H200: `bench sssp` whose quiesce timed out ended in std::terminate. A program
// of its own, not a Catch2 case: it finalizes Kokkos, which the test runner does only once.
// run_and_expect.cmake checks the exit code and both warnings. Not under ASan (the asan preset
// leaves it out): leaking is what it checks, and LeakSanitizer would report the leak.
#include <ringkernels/actor_system.hpp>
#include <ringkernels/runtime.hpp>

#include <Kokkos_Core.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace {

std::atomic<bool> released{false};
std::atomic<int> inside{0};

/// Holds its worker until `released`: a handler that does not return in time.
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

/// The same for a ring kernel.
struct slow_echo {
  struct Request {
    std::uint32_t value = 0;
  };
  struct Reply {
    std::uint32_t value = 0;
  };
  Reply operator()(const Request& request, ringkernels::context&) const {
    inside.fetch_add(1);
    while (!released.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inside.fetch_sub(1);
    return Reply{request.value};
  }
};

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
    auto echo = rt.launch<Kokkos::DefaultHostExecutionSpace>(slow_echo{}, kernel);
    echo.activate();
    (void)echo.send(slow_echo::Request{7});
    entered = wait_for(2, std::chrono::seconds(10));
    // Both handles and the runtime go now, with both handlers still inside.
  }
  Kokkos::finalize();
  released.store(true);
  const bool left = wait_for(0, std::chrono::seconds(10));
  // The workers drop the memory they kept as they leave their loops.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::printf("outlive_finalize: handlers entered %s, left %s\n", entered ? "yes" : "NO",
              left ? "yes" : "NO");
  return entered && left ? 0 : 1;
}

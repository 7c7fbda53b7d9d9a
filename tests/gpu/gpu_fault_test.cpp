// GPU faults: a handler that traps kills the kernel; the runtime reports the GPU runtime's error
// (CUDA's or HIP's) and never hangs. A trap loses the GPU context, so each case here is its own
// process (ctest runs every test case apart; perf/gpu-suite.sh does the same).
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "gpu_backends.hpp"
#include "test_handlers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {
/// Traps on a negative value (the device's way to fail).
struct trapping {
  struct Request {
    std::int64_t value;
  };
  struct Reply {
    std::int64_t value;
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context&) const {
#if RINGKERNELS_DEVICE_PASS && RINGKERNELS_CUDA_COMPILER
    if (request.value < 0) __trap();
#elif RINGKERNELS_DEVICE_PASS && RINGKERNELS_HIP_COMPILER
    if (request.value < 0) __builtin_trap();  // HIP has no __trap()
#endif
    return Reply{request.value};
  }
};

/// Sends a trapping request to a kernel launched in `mode`; checks the fault is reported with
/// the runtime's error, then leaves the process (the trap destroyed the GPU context: every later
/// GPU call fails, Kokkos' teardown included; all checks before are REQUIREs).
template <class ExecSpace>
[[noreturn]] void trap_and_report(ringkernels::gpu_launch mode, const char* died) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "trap";
  options.launch = mode;
  auto kernel = rt.launch<ExecSpace>(trapping{}, options);
  kernel.activate();
  REQUIRE(kernel.call(trapping::Request{5}).get(1s).value == 5);
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)kernel.call(trapping::Request{-1}).get(10s);
    FAIL("no error after a trap");
  } catch (const ringkernels::error& failure) {
    REQUIRE(failure.code() == ringkernels::errc::handler_failed);
    REQUIRE_THAT(failure.what(),
                 ContainsSubstring(test_support::gpu_runtime<ExecSpace>::error_prefix));
  }
  REQUIRE(std::chrono::steady_clock::now() - start < 5s);
  REQUIRE(kernel.state() == ringkernels::kernel_state::faulted);
  REQUIRE_THAT(kernel.status().fault, ContainsSubstring(died));
  std::printf("trap test: kernel faulted and reported: %s\n", kernel.status().fault.c_str());
  std::fflush(stdout);
  std::_Exit(0);
}

/// A supervised kernel (restart on_fault) that traps: the supervisor cannot relaunch it (the
/// trap took the GPU context) and opens the circuit saying so; the host never hangs.
template <class ExecSpace>
[[noreturn]] void trap_under_supervision() {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "supervised_trap";
  options.restart.policy = ringkernels::restart_policy::on_fault;
  auto kernel = rt.launch<ExecSpace>(trapping{}, options);
  kernel.activate();
  REQUIRE(kernel.call(trapping::Request{5}).get(1s).value == 5);
  REQUIRE(kernel.send(trapping::Request{-1}) == ringkernels::messaging::push_result::ok);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!kernel.status().supervision.circuit_open) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(1ms);
  }
  const auto status = kernel.status();
  REQUIRE(status.state == ringkernels::kernel_state::faulted);
  REQUIRE(status.supervision.restarts == 0);
  REQUIRE_THAT(status.supervision.circuit_reason, ContainsSubstring("took its GPU context"));
  REQUIRE_THAT(status.supervision.last_trigger, ContainsSubstring("persistent kernel died"));
  std::printf("supervised trap: circuit open: %s\n", status.supervision.circuit_reason.c_str());
  std::fflush(stdout);
  std::_Exit(0);
}

/// An actor that counts its pokes and traps on a negative one.
struct trapping_actor {
  struct State {
    std::int64_t pokes = 0;
  };
  struct Poke {
    std::int64_t value = 0;
  };
  using messages = ringkernels::actor_messages<Poke>;
  KOKKOS_FUNCTION void operator()(State& state, const Poke& poke,
                                  ringkernels::actor_context<trapping_actor>&) const {
#if RINGKERNELS_DEVICE_PASS && RINGKERNELS_CUDA_COMPILER
    if (poke.value < 0) __trap();
#elif RINGKERNELS_DEVICE_PASS && RINGKERNELS_HIP_COMPILER
    if (poke.value < 0) __builtin_trap();
#endif
    state.pokes += poke.value;
  }
};

/// A supervised actor system checkpointed, then poked 5 times, then killed by a trap: the
/// circuit opens and reports the loss window (the checkpoint, the time and the 6 host messages
/// since it).
template <class ExecSpace>
[[noreturn]] void trap_after_checkpoint() {
  const std::string path = "/tmp/ringkernels-loss-window." + std::to_string(::getpid()) + ".rkckpt";
  ringkernels::runtime rt;
  ringkernels::actor_options options;
  options.name = "doomed";
  options.actors = 8;
  options.kernel.restart.policy = ringkernels::restart_policy::on_fault;
  auto system = rt.spawn<ExecSpace>(trapping_actor{}, options);
  system.activate();
  for (std::uint64_t id = 0; id < 8; ++id)
    REQUIRE(system.tell(id, trapping_actor::Poke{1}) == ringkernels::messaging::push_result::ok);
  system.quiesce(10s);
  system.deactivate();
  REQUIRE(system.checkpoint(path).actors == 8);
  system.activate();
  for (int i = 0; i < 5; ++i)
    REQUIRE(system.tell(1, trapping_actor::Poke{1}) == ringkernels::messaging::push_result::ok);
  REQUIRE(system.tell(0, trapping_actor::Poke{-1}) == ringkernels::messaging::push_result::ok);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!system.supervision().circuit_open) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(1ms);
  }
  const auto supervision = system.supervision();
  std::remove(path.c_str());
  REQUIRE(supervision.restarts == 0);
  REQUIRE(supervision.last_checkpoint == path);
  REQUIRE(supervision.host_messages_since_checkpoint == 6);
  REQUIRE(supervision.since_checkpoint < 10s);
  REQUIRE_THAT(supervision.circuit_reason, ContainsSubstring("took its GPU context"));
  REQUIRE_THAT(supervision.circuit_reason, ContainsSubstring("6 host message(s) sent since"));
  std::printf("actor system trap: %s\n", supervision.circuit_reason.c_str());
  std::fflush(stdout);
  std::_Exit(0);
}

/// A handler that waits until the host clears the flag it points to.
template <class ExecSpace>
void stall_and_recover(ringkernels::gpu_launch mode) {
  // Allocated before the launch (a resident kernel blocks Kokkos' device-wide fences).
  Kokkos::View<std::uint32_t, typename test_support::gpu_runtime<ExecSpace>::pinned_space> hold(
      Kokkos::view_alloc("hold", Kokkos::WithoutInitializing));
  hold() = 1;
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "stuck";
  options.stall_after = 200ms;
  options.launch = mode;
  auto kernel = rt.launch<ExecSpace>(test_support::stuck{}, options);
  kernel.activate();
  auto future = kernel.call(test_support::stuck::Request{hold.data()});
  std::this_thread::sleep_for(500ms);
  const auto status = kernel.status();
  CHECK(status.stalled);
  CHECK_THAT(status.stall, ContainsSubstring("worker 0"));
  using u32 =
      ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
  u32::store_release(hold.data(), 0u);
  CHECK(future.get(5s).released == 1);
  std::this_thread::sleep_for(50ms);  // the worker beats again on its next poll
  CHECK_FALSE(kernel.status().stalled);
  CHECK(kernel.terminate().stopped);
}

}  // namespace

TEMPLATE_TEST_CASE("a trapping handler faults the kernel with the CUDA error", "[gpu][fault]",
                   RINGKERNELS_GPU_BACKENDS) {
  trap_and_report<TestType>(ringkernels::gpu_launch::automatic, "persistent kernel died");
}

TEMPLATE_TEST_CASE("a trap in an event-driven launch faults the kernel", "[gpu][fault]",
                   RINGKERNELS_GPU_BACKENDS) {
  trap_and_report<TestType>(ringkernels::gpu_launch::event_driven, "event-driven launch died");
}

TEMPLATE_TEST_CASE("the supervisor opens the circuit for a kernel that lost its GPU context",
                   "[gpu][fault]", RINGKERNELS_GPU_BACKENDS) {
  trap_under_supervision<TestType>();
}

TEMPLATE_TEST_CASE("a supervised actor system that lost its GPU context reports the loss window",
                   "[gpu][fault]", RINGKERNELS_GPU_BACKENDS) {
  trap_after_checkpoint<TestType>();
}

TEMPLATE_TEST_CASE("a kernel whose heartbeat stops is reported stalled", "[gpu][fault]",
                   RINGKERNELS_GPU_BACKENDS) {
  stall_and_recover<TestType>(ringkernels::gpu_launch::automatic);
}

TEMPLATE_TEST_CASE("an event-driven launch that hangs is reported stalled", "[gpu][fault]",
                   RINGKERNELS_GPU_BACKENDS) {
  stall_and_recover<TestType>(ringkernels::gpu_launch::event_driven);
}

// The actor-system cases (tests/actors/actor_cases.hpp, system_cases.hpp) on every GPU backend
// (label gpu): one warp per worker, mailboxes in device memory.
#include "gpu_backends.hpp"

#define ACTOR_BACKENDS RINGKERNELS_GPU_BACKENDS
#define ACTOR_TAGS "[gpu][actors]"
#define ACTOR_WORKERS 8
// Checkpoints written on the GPU restore on the host backend the GPU build has, and back.
#define CHECKPOINT_OTHER_BACKEND Kokkos::Serial

#include "../actors/actor_cases.hpp"
#include "../actors/checkpoint_cases.hpp"
#include "../actors/system_cases.hpp"

#include <ringkernels/examples/echo.hpp>

TEMPLATE_TEST_CASE("spawning a system while a kernel is resident is refused, naming it",
                   "[gpu][actors]", RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "resident_echo";
  auto kernel = rt.launch<TestType>(ringkernels::examples::echo{}, options);
  try {
    (void)rt.spawn<TestType>(counter{}, actors_named("late", 10));
    FAIL("spawn must refuse while a kernel is resident");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::wrong_state);
    CHECK_THAT(failure.what(), ContainsSubstring("'resident_echo'"));
  }
  (void)kernel.terminate();
  auto system = rt.spawn<TestType>(counter{}, actors_named("after", 10));  // nothing resident now
  system.activate();
  CHECK(system.ask(3, counter::Get{}).get(5s).value == 3);
}

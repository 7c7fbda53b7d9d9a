// An idle launched kernel costs near 0 % CPU (workers back off to sleeping), and its loop
// iterations are not counted as messages.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include "backends_under_test.hpp"

#include <ctime>
#include <thread>

using namespace std::chrono_literals;

namespace {
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
}  // namespace

TEMPLATE_TEST_CASE("an idle kernel uses at most 2% of a core", "[ringkernels][idle]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "idle";
  auto kernel = rt.launch<TestType>(ringkernels::examples::echo{}, options);
  kernel.activate();
  ringkernels::examples::echo::Request request;
  (void)kernel.call(request).get(1s);  // it works...
  std::this_thread::sleep_for(100ms);  // ...then reaches its sleeping backoff
  const double cpu_before = process_cpu_seconds();
  const auto wall_before = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(1s);
  const double cpu = process_cpu_seconds() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double percent = 100.0 * cpu / wall;
  INFO("idle kernel CPU: " << percent << " % of one core");
  CHECK(percent <= 2.0);
  const auto counters = kernel.snapshot();
  CHECK(counters.processed == 1);
  CHECK(counters.loop_iterations > counters.processed);
}

// The three GPU launch modes and device selection, through the public API (label `gpu`).
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/examples/vector_add.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "echo_stream.hpp"
#include "gpu_backends.hpp"

#include <cstdio>
#include <cstring>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::gpu_launch;
using ringkernels::examples::echo;
using ringkernels::examples::vector_add;

TEMPLATE_TEST_CASE("every launch mode serves the same handlers", "[gpu][launch]",
                   RINGKERNELS_GPU_BACKENDS) {
  const gpu_launch mode =
      GENERATE(gpu_launch::cooperative, gpu_launch::persistent, gpu_launch::event_driven);
  CAPTURE(ringkernels::to_string(mode));
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "modes";
  options.workers = 4;
  options.launch = mode;
  auto kernel = rt.launch<TestType>(echo{}, options);
  CHECK_THAT(kernel.pin_note(),
             ContainsSubstring(std::string(ringkernels::to_string(mode)) + " launch"));
  kernel.activate();
  CHECK(kernel.call(test_support::request_for(9)).get(1s).sequence == 9);
  test_support::stream_checked(kernel, 50'000, options.workers);
  kernel.deactivate();
  const auto counters = kernel.snapshot();
  CHECK(counters.processed == 50'001);
  CHECK(counters.balanced());
  kernel.activate();  // a second activation after idling works in every mode
  CHECK(kernel.call(test_support::request_for(10)).get(1s).sequence == 10);
  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(report.took < 100ms);

  // VectorAdd (inline) answers the same in this mode as on the host backend.
  vector_add::Request add;
  add.n = vector_add::inline_limit;
  for (std::uint32_t i = 0; i < add.n; ++i) {
    add.a[i] = 0.1f * static_cast<float>(i);
    add.b[i] = 1.0f / static_cast<float>(i + 3);
  }
  options.name = "modes_add";
  options.workers = 1;
  auto gpu = rt.launch<TestType>(vector_add{}, options);
  ringkernels::kernel_options host_options;
  host_options.name = "host_add";
  auto host = rt.launch<Kokkos::Serial>(vector_add{}, host_options);
  gpu.activate();
  host.activate();
  const auto on_gpu = gpu.call(add).get(1s);
  const auto on_host = host.call(add).get(1s);
  CHECK(std::memcmp(&on_gpu, &on_host, sizeof on_gpu) == 0);
}

TEMPLATE_TEST_CASE("automatic launch is cooperative on a datacenter GPU", "[gpu][launch]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "auto";
  auto kernel = rt.launch<TestType>(echo{}, options);
  CHECK_THAT(kernel.pin_note(), ContainsSubstring("cooperative launch (automatic"));
}

TEMPLATE_TEST_CASE("kernels run on every device of the machine from one runtime", "[gpu][device]",
                   RINGKERNELS_GPU_BACKENDS) {
  const int devices = test_support::gpu_runtime<TestType>::device_count();
  REQUIRE(devices >= 1);
  ringkernels::runtime rt;
  std::vector<ringkernels::ring_kernel<TestType, echo>> kernels;
  for (int d = 0; d < devices; ++d) {
    ringkernels::kernel_options options;
    options.name = "on_device_" + std::to_string(d);
    options.device = d;
    options.workers = 2;
    kernels.push_back(rt.launch<TestType>(echo{}, options));
    CHECK_THAT(kernels.back().pin_note(), ContainsSubstring("device " + std::to_string(d) + " ("));
    kernels.back().activate();
  }
  for (int d = 0; d < devices; ++d) {
    test_support::stream_checked(kernels[static_cast<std::size_t>(d)], 20'000, 2);
  }
  for (auto& kernel : kernels) CHECK(kernel.terminate().stopped);
  std::printf("kernels ran on %d device(s)\n", devices);

  ringkernels::kernel_options missing;
  missing.name = "missing_device";
  missing.device = devices;
  try {
    (void)rt.launch<TestType>(echo{}, missing);
    FAIL("a device that does not exist was accepted");
  } catch (const ringkernels::error& e) {
    CHECK_THAT(e.what(),
               ContainsSubstring(std::string(test_support::gpu_runtime<TestType>::name) +
                                 " device " + std::to_string(devices) +
                                 " does not exist: this machine has " + std::to_string(devices)));
  }
}

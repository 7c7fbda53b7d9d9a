// Ring kernels resident on the GPU, through the public API (label `gpu`: run on the GPU machine
// by perf/gpu-suite.sh). The same handlers as on the host backends.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/examples/vector_add.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include "echo_stream.hpp"
#include "gpu_backends.hpp"

#include <cstring>
#include <random>

using namespace std::chrono_literals;
using ringkernels::kernel_state;
using ringkernels::examples::echo;
using ringkernels::examples::vector_add;

namespace {
ringkernels::kernel_options named(const std::string& name, int workers = 1) {
  ringkernels::kernel_options options;
  options.name = name;
  options.workers = workers;
  return options;
}
}  // namespace

TEMPLATE_TEST_CASE("a GPU kernel goes through its whole lifecycle", "[gpu][lifecycle]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("life"));
  CHECK(kernel.state() == kernel_state::launched);
  CHECK(rt.queue_names() == std::vector<std::string>{"life.in", "life.out", "life.peer"});
  kernel.activate();
  echo::Request request;
  request.sequence = 77;
  const auto reply = kernel.call(request).get(1s);
  CHECK(reply.sequence == 77);
  CHECK(reply.worker == 0);
  kernel.deactivate();
  kernel.activate();
  CHECK(kernel.call(request).get(1s).sequence == 77);
  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(report.took < 100ms);
  CHECK(kernel.state() == kernel_state::terminated);
}

TEMPLATE_TEST_CASE("100000 messages through a GPU kernel; every reply checked", "[gpu]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto options = named("many", 4);
  options.single_sender = true;
  auto kernel = rt.launch<TestType>(echo{}, options);
  kernel.activate();
  const std::uint64_t total = 100'000;
  test_support::stream_checked(kernel, total, 4);
  kernel.deactivate();
  const auto counters = kernel.snapshot();
  CHECK(counters.processed == total);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("VectorAdd on the GPU matches the host backend bit for bit", "[gpu][parity]",
                   RINGKERNELS_GPU_BACKENDS) {
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(-1e3f, 1e3f);
  std::vector<vector_add::Request> requests(200);
  for (auto& request : requests) {
    request.n = static_cast<std::uint32_t>(1 + random() % vector_add::inline_limit);
    for (std::uint32_t i = 0; i < request.n; ++i) {
      request.a[i] = value(random);
      request.b[i] = value(random);
    }
  }
  ringkernels::runtime rt;
  auto gpu = rt.launch<TestType>(vector_add{}, named("gpu_add"));
  auto host = rt.launch<Kokkos::Serial>(vector_add{}, named("host_add"));
  gpu.activate();
  host.activate();
  for (const auto& request : requests) {
    const auto on_gpu = gpu.call(request).get(1s);
    const auto on_host = host.call(request).get(1s);
    REQUIRE(std::memcmp(&on_gpu, &on_host, sizeof on_gpu) == 0);
  }
}

TEMPLATE_TEST_CASE("VectorAdd by handle in device memory", "[gpu]", RINGKERNELS_GPU_BACKENDS) {
  // Arrays are allocated and filled before the launch and freed after terminate: Kokkos 3.4's
  // deep_copy and cudaFree synchronise the whole device, which waits for a resident kernel.
  struct arrays {
    std::uint32_t n;
    Kokkos::View<float*, Kokkos::CudaSpace> a, b;
    Kokkos::View<float*, Kokkos::CudaHostPinnedSpace> c;
    Kokkos::View<float*, Kokkos::HostSpace> a_host, b_host;
  };
  std::vector<arrays> cases;
  for (std::uint32_t n : {100u, 10000u, 1000000u}) {
    arrays x{n,
             Kokkos::View<float*, Kokkos::CudaSpace>("a", n),
             Kokkos::View<float*, Kokkos::CudaSpace>("b", n),
             Kokkos::View<float*, Kokkos::CudaHostPinnedSpace>(
                 Kokkos::view_alloc("c", Kokkos::WithoutInitializing), n),
             Kokkos::View<float*, Kokkos::HostSpace>("a_host", n),
             Kokkos::View<float*, Kokkos::HostSpace>("b_host", n)};
    for (std::uint32_t i = 0; i < n; ++i) {
      x.a_host(i) = static_cast<float>(i) * 0.5f;
      x.b_host(i) = 3.0f - static_cast<float>(i % 7);
      x.c(i) = -1.0f;
    }
    Kokkos::deep_copy(x.a, x.a_host);
    Kokkos::deep_copy(x.b, x.b_host);
    cases.push_back(x);
  }
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(vector_add{}, named("big_add"));
  kernel.activate();
  for (const auto& x : cases) {
    vector_add::Request request;
    request.n = x.n;
    request.by_handle = 1;
    request.big_a = {x.a.data(), x.n};
    request.big_b = {x.b.data(), x.n};
    request.big_c = {x.c.data(), x.n};
    const auto reply = kernel.call(request).get(10s);
    REQUIRE(reply.status == vector_add::ok);
    CHECK(reply.big_c.data == x.c.data());
    std::uint32_t wrong = 0;
    for (std::uint32_t i = 0; i < x.n; ++i) wrong += x.c(i) != x.a_host(i) + x.b_host(i);
    CHECK(wrong == 0);
  }
  CHECK(kernel.terminate().stopped);
}

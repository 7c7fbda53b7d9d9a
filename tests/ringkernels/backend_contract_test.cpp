// The backend contract (backends/common/backend.hpp) accepts the backends this build has and
// rejects a backend that lacks a requirement: a concept that accepted anything would check
// nothing.
#include <ringkernels/backend_select.hpp>
#include <ringkernels/backends/common/backend.hpp>

#include <catch2/catch_test_macros.hpp>

#include <string>

#if RINGKERNELS_HAS_BACKEND_CONCEPT
namespace {

using probe = ringkernels::detail::contract_probe_handler;

/// A launcher with every member of the contract.
struct complete_launcher {
  std::string start(ringkernels::launch_request<probe, ringkernels::messaging::scope::system>) {
    return {};
  }
  void wake(std::uint32_t) {}
  void wake_all() {}
  bool wait_stopped(std::chrono::steady_clock::time_point) { return true; }
  int still_running() const { return 0; }
  std::optional<std::string> launch_failure() { return std::nullopt; }
  std::string failure_of(std::uint32_t) { return {}; }
  std::string pin_errors() const { return {}; }
  void retire_memory(std::shared_ptr<void>) {}
  static void preload(const ringkernels::kernel_options&) {}
};

/// The predecessor's kind of status: a failure as a string, "" for none.
struct stringly_launcher : complete_launcher {
  std::string launch_failure() { return {}; }
};

template <class Launcher, std::uint32_t Lanes = 1>
struct backend_with {
  using memory_space = Kokkos::HostSpace;
  using data_space = Kokkos::HostSpace;
  static constexpr ringkernels::messaging::scope ring_scope = ringkernels::messaging::scope::system;
  static constexpr bool sealed_frames = false;
  static constexpr bool gpu_threads = false;
  static constexpr std::uint32_t lanes_per_worker = Lanes;
  static void copy_memory(void*, const void*, std::size_t) {}
  template <class Handler>
  using launcher = Launcher;
};

struct no_lanes_backend {
  using memory_space = Kokkos::HostSpace;
  using data_space = Kokkos::HostSpace;
  static constexpr ringkernels::messaging::scope ring_scope = ringkernels::messaging::scope::system;
  static constexpr bool sealed_frames = false;
  static constexpr bool gpu_threads = false;
  static void copy_memory(void*, const void*, std::size_t) {}
  template <class Handler>
  using launcher = complete_launcher;
};

}  // namespace

TEST_CASE("the backend contract accepts this build's backends", "[ringkernels][contract]") {
  STATIC_CHECK(ringkernels::backend<ringkernels::host_backend::traits>);
#if defined(RINGKERNELS_ENABLE_CUDA)
  STATIC_CHECK(ringkernels::backend<ringkernels::cuda_backend::traits>);
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  STATIC_CHECK(ringkernels::backend<ringkernels::hip_backend::traits>);
#endif
  STATIC_CHECK(ringkernels::backend<backend_with<complete_launcher>>);
}

TEST_CASE("the backend contract rejects a backend missing a requirement",
          "[ringkernels][contract]") {
  STATIC_CHECK_FALSE(ringkernels::backend<backend_with<stringly_launcher>>);
  STATIC_CHECK_FALSE(ringkernels::backend<no_lanes_backend>);
  STATIC_CHECK_FALSE(ringkernels::backend<backend_with<complete_launcher, 0>>);
  STATIC_CHECK_FALSE(
      ringkernels::backend<backend_with<complete_launcher, ringkernels::max_lanes_per_worker * 2>>);
}
#endif

// The CPU simulator as a backend (Serial and OpenMP): rings and control block in host memory,
// workers are pinned host threads, one lane each. Checked against the backend contract.
#ifndef RINGKERNELS_BACKENDS_HOST_BACKEND_HPP
#define RINGKERNELS_BACKENDS_HOST_BACKEND_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/host/launch.hpp>
#include <ringkernels/backends/host/memory.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace ringkernels::host_backend {

struct traits {
  using memory_space = Kokkos::HostSpace;  ///< rings and control block
  using data_space = Kokkos::HostSpace;    ///< arrays handlers reach through buffer_handle
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  static constexpr bool sealed_frames = false;          ///< host atomics order frames before stamps
  static constexpr bool gpu_threads = false;            ///< handlers run on host threads
  static constexpr std::uint32_t lanes_per_worker = 1;  ///< a worker is one thread
  template <class Handler>
  using launcher = host_backend::launcher<Handler>;
  /// Nothing blocks a host fence.
  static std::string fence_blockers() { return {}; }
  /// Copies host <-> data space (memcpy).
  static void copy_memory(void* target, const void* source, std::size_t bytes) {
    host_backend::copy_memory(target, source, bytes);
  }
};
#if RINGKERNELS_HAS_BACKEND_CONCEPT
static_assert(ringkernels::backend<traits>, "the CPU simulator satisfies the backend contract");
#endif

}  // namespace ringkernels::host_backend

#endif

// HIP as a backend (mirrors backends/cuda/backend.hpp): host<->kernel rings and the control
// block in fine-grained pinned host memory (memory.hpp); a worker is one 64-lane wavefront of a
// persistent (or event-driven) kernel. Checked against the backend contract. Compiled for
// gfx90a in CI, never run on an AMD GPU (docs/hip.md).
#ifndef RINGKERNELS_BACKENDS_HIP_BACKEND_HPP
#define RINGKERNELS_BACKENDS_HIP_BACKEND_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/hip/launch.hpp>
#include <ringkernels/backends/hip/memory.hpp>
#include <ringkernels/backends/hip/warp.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace ringkernels::hip_backend {

struct traits {
  /// host<->kernel rings and the control block: allocated fine-grained through
  /// messaging::shared_allocator (memory.hpp), not by Kokkos' non-coherent hipHostMalloc.
  using memory_space = Kokkos::Experimental::HIPHostPinnedSpace;
  using data_space = Kokkos::Experimental::HIPSpace;
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  /// Input and output rings carry seals, as on CUDA: a frame and its stamp in one read.
  static constexpr bool sealed_frames = true;
  /// Handlers run on GPU threads: read-modify-writes on pinned host memory are atomic only among
  /// this GPU's threads (PCIe atomics are not assumed: docs/hip.md).
  static constexpr bool gpu_threads = true;
  static constexpr std::uint32_t lanes_per_worker = warp::width;  ///< a worker is one wavefront
  template <class Handler>
  using launcher = hip_backend::launcher<Handler>;
  /// Ring kernels resident on Kokkos' device ("" when none): Kokkos 3.4's device-wide fences
  /// would wait for them forever, as on CUDA.
  static std::string fence_blockers() {
    std::string names;
    for (const auto& name :
         device_residency::process().resident_on(Kokkos::Experimental::HIP().hip_device())) {
      names += (names.empty() ? "'" : ", '") + name + "'";
    }
    return names;
  }
  static void copy_memory(void* target, const void* source, std::size_t bytes) {
    hip_backend::copy_memory(target, source, bytes);
  }
};
#if RINGKERNELS_HAS_BACKEND_CONCEPT
static_assert(ringkernels::backend<traits>, "HIP satisfies the backend contract");
#endif

}  // namespace ringkernels::hip_backend

#endif

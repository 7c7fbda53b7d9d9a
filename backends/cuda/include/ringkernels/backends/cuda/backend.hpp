// CUDA as a backend: host<->kernel rings and the control block in pinned, device-mapped host
// memory; a worker is one warp-sized block of a persistent (or event-driven) kernel. Checked
// against the backend contract.
#ifndef RINGKERNELS_BACKENDS_CUDA_BACKEND_HPP
#define RINGKERNELS_BACKENDS_CUDA_BACKEND_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/cuda/launch.hpp>
#include <ringkernels/backends/cuda/memory.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace ringkernels::cuda_backend {

struct traits {
  using memory_space = Kokkos::CudaHostPinnedSpace;  ///< host<->kernel rings, control block
  using data_space = Kokkos::CudaSpace;
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  /// Input and output rings carry seals: the GPU reads a frame and its stamp in one PCIe round
  /// trip and writes replies without a system fence (messaging/frame_seal.hpp).
  static constexpr bool sealed_frames = true;
  /// Handlers run on GPU threads: their read-modify-writes on pinned host memory (a peer port's
  /// tail) are atomic only among the threads of one GPU (messaging::ring_ref::device_scope_rmw).
  static constexpr bool gpu_threads = true;
  static constexpr std::uint32_t lanes_per_worker = warp::width;  ///< a worker is one warp
  template <class Handler>
  using launcher = cuda_backend::launcher<Handler>;
  /// Ring kernels resident on Kokkos' device ("" when none): while one is, Kokkos 3.4's
  /// device-wide fences (View initialisation, deep_copy) would wait for it forever.
  static std::string fence_blockers() {
    std::string names;
    for (const auto& name : device_residency::process().resident_on(Kokkos::Cuda().cuda_device())) {
      names += (names.empty() ? "'" : ", '") + name + "'";
    }
    return names;
  }
  /// Copies host <-> device memory on its own stream (works while kernels are resident).
  static void copy_memory(void* target, const void* source, std::size_t bytes) {
    cuda_backend::copy_memory(target, source, bytes);
  }
};
#if RINGKERNELS_HAS_BACKEND_CONCEPT
static_assert(ringkernels::backend<traits>, "CUDA satisfies the backend contract");
#endif

}  // namespace ringkernels::cuda_backend

#endif

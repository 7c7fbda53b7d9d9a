// Which backend runs a kernel for a Kokkos execution space: its ring memory, index scope and
// launch path. Only backends this build has (config.hpp) are defined; any other execution space
// is a compile error naming the missing specialisation.
#ifndef RINGKERNELS_BACKEND_SELECT_HPP
#define RINGKERNELS_BACKEND_SELECT_HPP

#include <ringkernels/backends/host/launch.hpp>
#if defined(RINGKERNELS_ENABLE_CUDA)
#include <ringkernels/backends/cuda/launch.hpp>
#endif

#include <Kokkos_Core.hpp>

namespace ringkernels {

template <class ExecSpace>
struct backend_traits;  // no backend for this execution space in this build

/// What Serial and OpenMP share: the CPU simulator (pinned worker threads, host memory).
struct host_backend_traits {
  using memory_space = Kokkos::HostSpace;  ///< rings and control block
  using data_space = Kokkos::HostSpace;    ///< arrays handlers reach through buffer_handle
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  static constexpr bool sealed_frames = false;  ///< host atomics order frames before stamps
  static constexpr bool gpu_threads = false;    ///< handlers run on host threads
  template <class Handler>
  using launcher = host_backend::launcher<Handler>;
};

#if defined(RINGKERNELS_ENABLE_SERIAL) && defined(KOKKOS_ENABLE_SERIAL)
template <>
struct backend_traits<Kokkos::Serial> : host_backend_traits {
  static constexpr const char* name = "serial";
};
#endif

#if defined(RINGKERNELS_ENABLE_OPENMP) && defined(KOKKOS_ENABLE_OPENMP)
template <>
struct backend_traits<Kokkos::OpenMP> : host_backend_traits {
  static constexpr const char* name = "openmp";
};
#endif

#if defined(RINGKERNELS_ENABLE_CUDA) && defined(KOKKOS_ENABLE_CUDA)
template <>
struct backend_traits<Kokkos::Cuda> {
  static constexpr const char* name = "cuda";
  using memory_space = Kokkos::CudaHostPinnedSpace;  ///< host<->kernel rings, control block
  using data_space = Kokkos::CudaSpace;
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  /// Input and output rings carry seals: the GPU reads a frame and its stamp in one PCIe round
  /// trip and writes replies without a system fence (messaging/frame_seal.hpp).
  static constexpr bool sealed_frames = true;
  /// Handlers run on GPU threads: their read-modify-writes on pinned host memory (a peer port's
  /// tail) are atomic only among the threads of one GPU (messaging::ring_ref::device_scope_rmw).
  static constexpr bool gpu_threads = true;
  template <class Handler>
  using launcher = cuda_backend::launcher<Handler>;
};
#endif

}  // namespace ringkernels

#endif

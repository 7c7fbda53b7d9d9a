// GPU execution spaces of this build, for tests labelled `gpu` (run on the GPU machine by
// perf/gpu-suite.sh; CI has no GPU and builds them only), and the few facts a test needs that
// differ per GPU runtime (gpu_runtime<Space>): test bodies are written once and instantiated
// for CUDA and HIP alike.
#ifndef RINGKERNELS_TESTS_GPU_BACKENDS_HPP
#define RINGKERNELS_TESTS_GPU_BACKENDS_HPP

#include <ringkernels/backend_select.hpp>

#include <string>

#if defined(RINGKERNELS_ENABLE_CUDA)
#include <ringkernels/backends/cuda/device_check.hpp>

#include <cuda_runtime_api.h>
#define RINGKERNELS_GPU_BACKENDS Kokkos::Cuda
#elif defined(RINGKERNELS_ENABLE_HIP)
#include <ringkernels/backends/hip/device_check.hpp>

#include <hip/hip_runtime_api.h>
#define RINGKERNELS_GPU_BACKENDS Kokkos::Experimental::HIP
#endif

namespace test_support {

template <class Space>
struct gpu_runtime;

#if defined(RINGKERNELS_ENABLE_CUDA)
template <>
struct gpu_runtime<Kokkos::Cuda> {
  using device_space = Kokkos::CudaSpace;
  using pinned_space = Kokkos::CudaHostPinnedSpace;
  static constexpr const char* name = "CUDA";
  static constexpr const char* error_prefix = "cudaError";  ///< how its error names begin
  static bool lazy_loading() {
    return ringkernels::cuda_backend::device_check::lazy_module_loading();
  }
  static int device_count() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess ? count : -1;
  }
  /// Shrinks the per-thread local-memory reservation to the driver's default; false if the
  /// runtime has no such reservation.
  static bool reset_local_memory_reservation() {
    return cudaDeviceSetLimit(cudaLimitStackSize, 1024) == cudaSuccess;
  }
};
#endif

#if defined(RINGKERNELS_ENABLE_HIP)
template <>
struct gpu_runtime<Kokkos::Experimental::HIP> {
  using device_space = Kokkos::Experimental::HIPSpace;
  using pinned_space = Kokkos::Experimental::HIPHostPinnedSpace;
  static constexpr const char* name = "HIP";
  static constexpr const char* error_prefix = "hipError";
  static bool lazy_loading() {
    return ringkernels::hip_backend::device_check::lazy_module_loading();
  }
  static int device_count() {
    int count = 0;
    return hipGetDeviceCount(&count) == hipSuccess ? count : -1;
  }
  /// ROCm 5.2 has no stack-size limit (scratch is sized per dispatch): nothing to reset.
  static bool reset_local_memory_reservation() { return false; }
};
#endif

}  // namespace test_support

#endif

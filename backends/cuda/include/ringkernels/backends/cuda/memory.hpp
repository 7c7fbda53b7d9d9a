// Copies between host memory and device memory that work while kernels are resident: on a
// dedicated non-blocking stream, waited for by that stream alone. (Kokkos 3.4's deep_copy
// without an instance fences the whole device, which waits for a resident kernel forever:
// docs/cuda.md.) Host only.
#ifndef RINGKERNELS_BACKENDS_CUDA_MEMORY_HPP
#define RINGKERNELS_BACKENDS_CUDA_MEMORY_HPP

#include <ringkernels/backends/cuda/checked_call.hpp>

#include <Kokkos_Core.hpp>

#include <cstddef>

namespace ringkernels::cuda_backend {

/// Copies `bytes` from `source` to `target`, host or device memory either (unified
/// addressing), on Kokkos' device; returns when the copy is done.
inline void copy_memory(void* target, const void* source, std::size_t bytes) {
  if (bytes == 0) return;
  int previous = 0;
  RINGKERNELS_CUDA_CHECK(cudaGetDevice(&previous));
  RINGKERNELS_CUDA_CHECK(cudaSetDevice(Kokkos::Cuda().cuda_device()));
  cudaStream_t stream = nullptr;
  RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  const cudaError_t copied = cudaMemcpyAsync(target, source, bytes, cudaMemcpyDefault, stream);
  const cudaError_t waited = copied == cudaSuccess ? cudaStreamSynchronize(stream) : copied;
  (void)cudaStreamDestroy(stream);
  (void)cudaSetDevice(previous);
  RINGKERNELS_CUDA_CHECK(waited);
}

}  // namespace ringkernels::cuda_backend

#endif

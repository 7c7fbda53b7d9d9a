// Host memory for rings and control blocks that a running HIP kernel sees, and copies that work
// while kernels are resident (mirrors backends/cuda/memory.hpp). Host only.
//
// Why not Kokkos' HIPHostPinnedSpace allocation: Kokkos 3.4 calls hipHostMalloc without flags,
// and with HIP_HOST_COHERENT unset (the default) ROCm then gives non-coherent memory, which the
// GPU may cache: a persistent kernel polling a ring would read its cached copy forever. Rings and
// control blocks are allocated fine-grained (hipHostMallocCoherent | hipHostMallocMapped), so
// system-scope atomics work on them while the kernel runs (docs/hip.md). Their Views are
// unmanaged; the shared_bytes owner frees them with hipHostFree.
#ifndef RINGKERNELS_BACKENDS_HIP_MEMORY_HPP
#define RINGKERNELS_BACKENDS_HIP_MEMORY_HPP

#include <ringkernels/backends/hip/checked_call.hpp>
#include <ringkernels/messaging/shared_bytes.hpp>

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace ringkernels::hip_backend {

/// Copies `bytes` from `source` to `target`, host or device memory either (unified
/// addressing), on Kokkos' device, on a stream of its own (Kokkos 3.4's deep_copy without an
/// instance fences the whole device, which waits for a resident kernel forever); returns when
/// the copy is done.
inline void copy_memory(void* target, const void* source, std::size_t bytes) {
  if (bytes == 0) return;
  int previous = 0;
  RINGKERNELS_HIP_CHECK(hipGetDevice(&previous));
  RINGKERNELS_HIP_CHECK(hipSetDevice(Kokkos::Experimental::HIP().hip_device()));
  hipStream_t stream = nullptr;
  RINGKERNELS_HIP_CHECK(hipStreamCreateWithFlags(&stream, hipStreamNonBlocking));
  const hipError_t copied = hipMemcpyAsync(target, source, bytes, hipMemcpyDefault, stream);
  const hipError_t waited = copied == hipSuccess ? hipStreamSynchronize(stream) : copied;
  (void)hipStreamDestroy(stream);
  (void)hipSetDevice(previous);
  RINGKERNELS_HIP_CHECK(waited);
}

/// Fine-grained pinned host memory, mapped for every device.
inline std::shared_ptr<void> allocate_coherent_host(const std::string& label, std::size_t bytes) {
  void* memory = nullptr;
  const hipError_t allocated =
      hipHostMalloc(&memory, bytes, hipHostMallocCoherent | hipHostMallocMapped);
  if (allocated != hipSuccess) {
    (void)hipGetLastError();
    RINGKERNELS_THROW(
        errc::backend_failure,
        "'" + label + "': hipHostMalloc of " + std::to_string(bytes) +
            " bytes of coherent pinned memory failed: " + hipGetErrorString(allocated));
  }
  return std::shared_ptr<void>(memory, [](void* p) { (void)hipHostFree(p); });
}

}  // namespace ringkernels::hip_backend

namespace ringkernels::messaging {

template <>
struct shared_allocator<Kokkos::Experimental::HIPHostPinnedSpace> {
  static shared_bytes<Kokkos::Experimental::HIPHostPinnedSpace> allocate(const std::string& label,
                                                                         std::size_t bytes) {
    std::shared_ptr<void> owner = hip_backend::allocate_coherent_host(label, bytes);
    return {Kokkos::View<std::byte*, Kokkos::Experimental::HIPHostPinnedSpace>(
                static_cast<std::byte*>(owner.get()), bytes),
            owner};
  }
};

}  // namespace ringkernels::messaging

#endif

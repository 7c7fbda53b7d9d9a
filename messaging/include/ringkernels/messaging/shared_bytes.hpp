// Memory that the host and a resident kernel share while the kernel runs: rings and control
// blocks. Allocated through a customization point, because one backend's Kokkos allocation is
// not visible to a running kernel: Kokkos 3.4's HIPHostPinnedSpace calls hipHostMalloc without
// flags, which on ROCm gives non-coherent memory that the GPU may cache, so a persistent kernel
// would never see a new frame (docs/hip.md). Host only.
#ifndef RINGKERNELS_MESSAGING_SHARED_BYTES_HPP
#define RINGKERNELS_MESSAGING_SHARED_BYTES_HPP

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace ringkernels::messaging {

/// Bytes in MemorySpace. `view` is how they are used; `owner` holds memory a backend allocated
/// itself (then `view` is unmanaged), and is empty when `view` owns its allocation.
template <class MemorySpace>
struct shared_bytes {
  Kokkos::View<std::byte*, MemorySpace> view;
  std::shared_ptr<void> owner;

  std::byte* data() const { return view.data(); }
  std::size_t size() const { return view.extent(0); }
};

/// How shared bytes are allocated in MemorySpace: by default a Kokkos allocation (uninitialised:
/// the caller zeroes what it needs). A backend whose Kokkos allocation does not suit specialises
/// it with the same static member.
template <class MemorySpace>
struct shared_allocator {
  static shared_bytes<MemorySpace> allocate(const std::string& label, std::size_t bytes) {
    return {Kokkos::View<std::byte*, MemorySpace>(
                Kokkos::view_alloc(label, Kokkos::WithoutInitializing), bytes),
            nullptr};
  }
};

#if defined(KOKKOS_ENABLE_HIP)
/// Defined in backends/hip/memory.hpp (fine-grained, coherent pinned memory). Declared here so
/// that a ring in this space without that header is a compile error (an incomplete type), never
/// a silent fallback to memory a running kernel cannot see.
template <>
struct shared_allocator<Kokkos::Experimental::HIPHostPinnedSpace>;
#endif

}  // namespace ringkernels::messaging

#endif

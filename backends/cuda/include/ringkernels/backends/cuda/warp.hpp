// The warp primitives the shared GPU dispatch loop (backends/common/gpu_dispatch.hpp) runs on,
// for CUDA: a worker is one NVIDIA warp of 32 lanes. HIP's warp.hpp defines the same members
// for 64-lane wavefronts. Device code only.
#ifndef RINGKERNELS_BACKENDS_CUDA_WARP_HPP
#define RINGKERNELS_BACKENDS_CUDA_WARP_HPP

#include <cuda/atomic>

#include <cstdint>

namespace ringkernels::cuda_backend {

struct warp {
  static constexpr std::uint32_t width = 32;
  /// One bit per lane (a ballot).
  using mask_type = unsigned;
  static constexpr mask_type all_lanes = 0xffffffffu;

  __device__ static unsigned lane() { return threadIdx.x % width; }
  /// `value` as lane `from` holds it, in every lane.
  template <class T>
  __device__ static T broadcast(T value, unsigned from) {
    return __shfl_sync(all_lanes, value, static_cast<int>(from));
  }
  __device__ static mask_type ballot(bool predicate) { return __ballot_sync(all_lanes, predicate); }
  /// How many lanes from lane 0 on have their bit set without a gap.
  __device__ static std::uint32_t leading_lanes(mask_type mask) {
    return ~mask == 0 ? width : static_cast<std::uint32_t>(__ffs(~mask) - 1);
  }
  __device__ static std::uint32_t count(mask_type mask) {
    return static_cast<std::uint32_t>(__popc(mask));
  }
  /// Set bits of `mask` below `lane`: a lane's rank among the lanes that said yes.
  __device__ static std::uint32_t count_below(mask_type mask, unsigned lane) {
    return static_cast<std::uint32_t>(__popc(mask & ((1u << lane) - 1u)));
  }
  __device__ static void sync() { __syncwarp(all_lanes); }
  __device__ static void sleep(unsigned nanoseconds) { __nanosleep(nanoseconds); }

  /// Fences, scope in the name: system reaches host memory and other devices, device this GPU.
  __device__ static void fence_acq_rel_system() {
    cuda::atomic_thread_fence(cuda::std::memory_order_acq_rel, cuda::thread_scope_system);
  }
  __device__ static void fence_acquire_device() {
    cuda::atomic_thread_fence(cuda::std::memory_order_acquire, cuda::thread_scope_device);
  }
  __device__ static void fence_release_device() {
    cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_device);
  }
  __device__ static void fence_release_system() {
    cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_system);
  }

  /// The word's latest value from memory rather than a cache (`ld.global.cv`), possibly stale;
  /// it orders nothing (an acquire read follows when it changed).
  __device__ static std::uint32_t load_uncached(const std::uint32_t* word) {
    std::uint32_t value = 0;
    asm volatile("ld.global.cv.u32 %0, [%1];" : "=r"(value) : "l"(word) : "memory");
    return value;
  }
};

}  // namespace ringkernels::cuda_backend

#endif

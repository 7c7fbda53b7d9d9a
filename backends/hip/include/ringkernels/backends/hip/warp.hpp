// The warp primitives the shared GPU dispatch loop (backends/common/gpu_dispatch.hpp) runs on,
// for HIP: a worker is one AMD wavefront of 64 lanes (CDNA: MI100, MI200/MI250X). CUDA's
// warp.hpp defines the same members for 32-lane warps. Device code only; compiled for gfx90a in
// CI and never run (docs/hip.md).
//
// ROCm 5.2's HIP has no *_sync warp functions: a worker's block is exactly one wavefront, whose
// lanes run in lockstep, so the plain __shfl/__ballot see every lane, and a block barrier is the
// wavefront barrier (it also orders the shared-memory (LDS) staging of the poll).
#ifndef RINGKERNELS_BACKENDS_HIP_WARP_HPP
#define RINGKERNELS_BACKENDS_HIP_WARP_HPP

#include <hip/hip_runtime.h>

#include <cstdint>

namespace ringkernels::hip_backend {

struct warp {
  static constexpr std::uint32_t width = 64;
  /// One bit per lane (a ballot).
  using mask_type = unsigned long long;

  __device__ static unsigned lane() { return threadIdx.x % width; }
  /// `value` as lane `from` holds it, in every lane.
  template <class T>
  __device__ static T broadcast(T value, unsigned from) {
    return __shfl(value, static_cast<int>(from), static_cast<int>(width));
  }
  __device__ static mask_type ballot(bool predicate) { return __ballot(predicate); }
  /// How many lanes from lane 0 on have their bit set without a gap.
  __device__ static std::uint32_t leading_lanes(mask_type mask) {
    return ~mask == 0 ? width : static_cast<std::uint32_t>(__ffsll(~mask) - 1);
  }
  __device__ static std::uint32_t count(mask_type mask) {
    return static_cast<std::uint32_t>(__popcll(mask));
  }
  /// Set bits of `mask` below `lane`: a lane's rank among the lanes that said yes.
  __device__ static std::uint32_t count_below(mask_type mask, unsigned lane) {
    return static_cast<std::uint32_t>(__popcll(mask & ((1ull << lane) - 1ull)));
  }
  __device__ static void sync() { __syncthreads(); }
  /// s_sleep takes an immediate: each s_sleep 1 idles the wavefront ~64 clocks (~40 ns at
  /// MI250X's 1.7 GHz), so a longer sleep is a loop of them. Idle backoff only: not a timer.
  __device__ static void sleep(unsigned nanoseconds) {
    for (unsigned slept = 0; slept < nanoseconds; slept += 40) __builtin_amdgcn_s_sleep(1);
  }

  /// Fences, scope in the name: system ("" in the builtin) reaches host memory and other
  /// devices, agent this GPU.
  __device__ static void fence_acq_rel_system() { __builtin_amdgcn_fence(__ATOMIC_ACQ_REL, ""); }
  __device__ static void fence_acquire_device() {
    __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "agent");
  }
  __device__ static void fence_release_device() {
    __builtin_amdgcn_fence(__ATOMIC_RELEASE, "agent");
  }
  __device__ static void fence_release_system() { __builtin_amdgcn_fence(__ATOMIC_RELEASE, ""); }

  /// The word's latest value from memory, possibly stale; it orders nothing. A relaxed
  /// system-scope atomic load: the compiler sets the cache-bypass bits, so a line the GPU cached
  /// is not served (the rings are fine-grained memory, docs/hip.md).
  __device__ static std::uint32_t load_uncached(const std::uint32_t* word) {
    return __hip_atomic_load(word, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_SYSTEM);
  }
};

}  // namespace ringkernels::hip_backend

#endif

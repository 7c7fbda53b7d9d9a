// The one portability header: device/host branches go through these macros, never through
// scattered #ifdef __CUDA_ARCH__ (architecture decision, style.md).
#ifndef RINGKERNELS_CORE_PORTABILITY_HPP
#define RINGKERNELS_CORE_PORTABILITY_HPP

#include <Kokkos_Macros.hpp>

#include <ringkernels/core/config.hpp>

/// Marks a function callable from host and device code (a Kokkos function).
#define RINGKERNELS_FUNCTION KOKKOS_FUNCTION
#define RINGKERNELS_INLINE_FUNCTION KOKKOS_INLINE_FUNCTION
/// Keeps a cold path (a dead letter) out of the hot loop it is called from: inlined, its local
/// copies and stores cost a GPU worker loop registers it needs for every message.
#define RINGKERNELS_NOINLINE __attribute__((noinline))

// RINGKERNELS_DEVICE_PASS is 1 while a compiler is generating device code (the CUDA or HIP
// device pass of a translation unit), 0 for host code. Kokkos 3.4 lacks KOKKOS_IF_ON_DEVICE.
#if defined(__CUDA_ARCH__) || (defined(__HIP_DEVICE_COMPILE__) && __HIP_DEVICE_COMPILE__)
#define RINGKERNELS_DEVICE_PASS 1
#else
#define RINGKERNELS_DEVICE_PASS 0
#endif

// Which GPU toolchain compiles this translation unit (host and device passes alike).
#if defined(__CUDACC__)
#define RINGKERNELS_CUDA_COMPILER 1
#else
#define RINGKERNELS_CUDA_COMPILER 0
#endif
#if defined(__HIPCC__)
#define RINGKERNELS_HIP_COMPILER 1
#else
#define RINGKERNELS_HIP_COMPILER 0
#endif

#include <cstdint>
#if !RINGKERNELS_DEVICE_PASS
#include <chrono>
#endif

namespace ringkernels {

/// Physical time in nanoseconds, callable from host and device code. Host: the system clock
/// (comparable across processes). CUDA device: %globaltimer, which the driver keeps close to
/// the host's clock. HIP device: wall_clock64() at its documented 100 MHz.
RINGKERNELS_INLINE_FUNCTION std::uint64_t physical_time_ns() {
#if RINGKERNELS_DEVICE_PASS && RINGKERNELS_CUDA_COMPILER
  std::uint64_t now;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  return now;
#elif RINGKERNELS_DEVICE_PASS && RINGKERNELS_HIP_COMPILER
  return static_cast<std::uint64_t>(wall_clock64()) * 10;
#else
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
#endif
}

/// 16 bytes moved as one unit. GPU compilers get their native 16-byte vector type, whose copy
/// is one 128-bit load or store; a struct of two words became two 64-bit accesses, and every
/// access a lane makes to mapped host memory is its own PCIe transaction (docs/cuda.md).
#if RINGKERNELS_CUDA_COMPILER || RINGKERNELS_HIP_COMPILER
using chunk16 = ulonglong2;
#else
struct alignas(16) chunk16 {
  std::uint64_t x;
  std::uint64_t y;
};
#endif
static_assert(sizeof(chunk16) == 16 && alignof(chunk16) == 16, "chunk16 is one 16-byte unit");

/// Loads 16 bytes so that a poll sees the memory's current bytes, not a cached copy, without
/// ordering the load (a weak load: one thread's loads stay in flight together).
/// CUDA: `ld.global.cv` (cache as volatile: fetched again on every access). HIP: relaxed
/// system-scope atomic loads, which the compiler issues with the cache-bypass bits, so a line
/// cached by the GPU's L2 is not served (two 8-byte loads; a plain load of non-coherent memory
/// would return the cached line forever). Host: a plain load (host caches are coherent).
RINGKERNELS_INLINE_FUNCTION chunk16 load_chunk_uncached(const chunk16* source) {
#if RINGKERNELS_DEVICE_PASS && RINGKERNELS_CUDA_COMPILER
  chunk16 value;
  asm volatile("ld.global.cv.v2.u64 {%0, %1}, [%2];"
               : "=l"(value.x), "=l"(value.y)
               : "l"(source)
               : "memory");
  return value;
#elif RINGKERNELS_DEVICE_PASS && RINGKERNELS_HIP_COMPILER
  const auto* words = reinterpret_cast<const std::uint64_t*>(source);
  chunk16 value;
  value.x = __hip_atomic_load(words, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_SYSTEM);
  value.y = __hip_atomic_load(words + 1, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_SYSTEM);
  return value;
#else
  return *source;
#endif
}

/// Stores 16 bytes through to memory without waiting for a fence, so a host poller sees them
/// soon. CUDA: `st.global.wt` (write-through). HIP: relaxed system-scope atomic stores
/// (written past the GPU's caches). Host: a plain store.
RINGKERNELS_INLINE_FUNCTION void store_chunk_through(chunk16* target, const chunk16& value) {
#if RINGKERNELS_DEVICE_PASS && RINGKERNELS_CUDA_COMPILER
  asm volatile("st.global.wt.v2.u64 [%0], {%1, %2};" ::"l"(target), "l"(value.x), "l"(value.y)
               : "memory");
#elif RINGKERNELS_DEVICE_PASS && RINGKERNELS_HIP_COMPILER
  auto* words = reinterpret_cast<std::uint64_t*>(target);
  __hip_atomic_store(words, static_cast<std::uint64_t>(value.x), __ATOMIC_RELAXED,
                     __HIP_MEMORY_SCOPE_SYSTEM);
  __hip_atomic_store(words + 1, static_cast<std::uint64_t>(value.y), __ATOMIC_RELAXED,
                     __HIP_MEMORY_SCOPE_SYSTEM);
#else
  *target = value;
#endif
}

#if RINGKERNELS_HIP_COMPILER
/// HIP's scoped atomics (clang builtins), named so that portable code never spells a builtin.
/// `Scope` is one of hip_scope_{system,agent,workgroup}; orders are the __ATOMIC_* constants.
namespace hip {
inline constexpr int scope_system = __HIP_MEMORY_SCOPE_SYSTEM;
inline constexpr int scope_agent = __HIP_MEMORY_SCOPE_AGENT;
inline constexpr int scope_workgroup = __HIP_MEMORY_SCOPE_WORKGROUP;

template <int Order, int Scope, class T>
RINGKERNELS_INLINE_FUNCTION T atomic_load(T* p) {
  return __hip_atomic_load(p, Order, Scope);
}
template <int Order, int Scope, class T>
RINGKERNELS_INLINE_FUNCTION void atomic_store(T* p, T value) {
  __hip_atomic_store(p, value, Order, Scope);
}
template <int Order, int Scope, class T>
RINGKERNELS_INLINE_FUNCTION T atomic_fetch_add(T* p, T value) {
  return __hip_atomic_fetch_add(p, value, Order, Scope);
}
/// Strong CAS, acq_rel on success, acquire on failure.
template <int Scope, class T>
RINGKERNELS_INLINE_FUNCTION bool atomic_compare_exchange(T* p, T& expected, T desired) {
  return __hip_atomic_compare_exchange_strong(p, &expected, desired, __ATOMIC_ACQ_REL,
                                              __ATOMIC_ACQUIRE, Scope);
}
}  // namespace hip
#endif

}  // namespace ringkernels

#if defined(RINGKERNELS_ENABLE_CUDA) && !RINGKERNELS_CUDA_COMPILER && \
    !defined(RINGKERNELS_HOST_ONLY_TU)
#error \
    "RINGKERNELS_ENABLE_CUDA is defined but this file is not compiled by nvcc (or nvcc_wrapper); \
compile Kokkos code with the compiler Kokkos was built with, or define RINGKERNELS_HOST_ONLY_TU"
#endif
#if defined(RINGKERNELS_ENABLE_HIP) && !RINGKERNELS_HIP_COMPILER && \
    !defined(RINGKERNELS_HOST_ONLY_TU)
#error \
    "RINGKERNELS_ENABLE_HIP is defined but this file is not compiled by hipcc (or clang in HIP \
mode); compile Kokkos code with the compiler Kokkos was built with, or define RINGKERNELS_HOST_ONLY_TU"
#endif

#endif

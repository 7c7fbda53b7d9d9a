// The one portability header: device/host branches go through these macros, never through
// scattered #ifdef __CUDA_ARCH__ (architecture decision, style.md).
#ifndef RINGKERNELS_CORE_PORTABILITY_HPP
#define RINGKERNELS_CORE_PORTABILITY_HPP

#include <Kokkos_Macros.hpp>

#include <ringkernels/core/config.hpp>

/// Marks a function callable from host and device code (a Kokkos function).
#define RINGKERNELS_FUNCTION KOKKOS_FUNCTION
#define RINGKERNELS_INLINE_FUNCTION KOKKOS_INLINE_FUNCTION

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

}  // namespace ringkernels

#if defined(RINGKERNELS_ENABLE_CUDA) && !RINGKERNELS_CUDA_COMPILER && \
    !defined(RINGKERNELS_HOST_ONLY_TU)
#error \
    "RINGKERNELS_ENABLE_CUDA is defined but this file is not compiled by nvcc (or nvcc_wrapper); \
compile Kokkos code with the compiler Kokkos was built with, or define RINGKERNELS_HOST_ONLY_TU"
#endif

#endif

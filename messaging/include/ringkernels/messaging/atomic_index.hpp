// Atomic access to ring indices with the memory scope in the type and the order at every call.
//
// Why not Kokkos::atomic_*: they are relaxed and device-scoped, which is not enough for a
// mailbox shared by the host and a GPU (architecture decision 3). Why not volatile: volatile
// orders nothing.
//
//   scope::system  indices in host or pinned device-mapped host memory, shared by host threads
//                  and GPU kernels (cuda::thread_scope_system; on the host a plain host atomic)
//   scope::device  indices in device memory, shared by blocks of kernels on one GPU
//   scope::block   indices in shared memory, shared by warps of one block
//
// On the host, std::atomic_ref (C++20) is used where the standard library has it, the GCC/Clang
// __atomic builtins otherwise (C++17); both compile to the same instructions.
#ifndef RINGKERNELS_MESSAGING_ATOMIC_INDEX_HPP
#define RINGKERNELS_MESSAGING_ATOMIC_INDEX_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>

#if RINGKERNELS_CUDA_COMPILER
#include <cuda/atomic>
#elif !RINGKERNELS_HIP_COMPILER
#include <atomic>
#endif

namespace ringkernels::messaging {

enum class scope { system, device, block };

namespace detail {

#if RINGKERNELS_CUDA_COMPILER
template <scope S>
struct cuda_scope;
template <>
struct cuda_scope<scope::system> {
  static constexpr auto value = cuda::thread_scope_system;
};
template <>
struct cuda_scope<scope::device> {
  static constexpr auto value = cuda::thread_scope_device;
};
template <>
struct cuda_scope<scope::block> {
  static constexpr auto value = cuda::thread_scope_block;
};
template <class T, scope S>
using atomic_ref_t = cuda::atomic_ref<T, cuda_scope<S>::value>;
#endif

}  // namespace detail

/// Atomic operations on an index or counter of type T (32- or 64-bit), visible at scope S.
/// The pointee must be naturally aligned and accessed only through this type while shared.
template <class T, scope S>
struct atomic_index {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "indices are 32- or 64-bit");

#if RINGKERNELS_CUDA_COMPILER
  RINGKERNELS_INLINE_FUNCTION static T load_acquire(T* p) {
    return detail::atomic_ref_t<T, S>(*p).load(cuda::std::memory_order_acquire);
  }
  RINGKERNELS_INLINE_FUNCTION static T load_relaxed(T* p) {
    return detail::atomic_ref_t<T, S>(*p).load(cuda::std::memory_order_relaxed);
  }
  RINGKERNELS_INLINE_FUNCTION static void store_release(T* p, T value) {
    detail::atomic_ref_t<T, S>(*p).store(value, cuda::std::memory_order_release);
  }
  RINGKERNELS_INLINE_FUNCTION static void store_relaxed(T* p, T value) {
    detail::atomic_ref_t<T, S>(*p).store(value, cuda::std::memory_order_relaxed);
  }
  RINGKERNELS_INLINE_FUNCTION static T fetch_add_relaxed(T* p, T value) {
    return detail::atomic_ref_t<T, S>(*p).fetch_add(value, cuda::std::memory_order_relaxed);
  }
  /// Strong CAS, acq_rel on success (publishes and observes), acquire on failure.
  RINGKERNELS_INLINE_FUNCTION static bool compare_exchange(T* p, T& expected, T desired) {
    return detail::atomic_ref_t<T, S>(*p).compare_exchange_strong(
        expected, desired, cuda::std::memory_order_acq_rel, cuda::std::memory_order_acquire);
  }
#elif RINGKERNELS_HIP_COMPILER
  // The builtins live in core/portability.hpp (hip::); S maps to HIP's scopes one to one.
  static constexpr int hip_scope = S == scope::system   ? hip::scope_system
                                   : S == scope::device ? hip::scope_agent
                                                        : hip::scope_workgroup;
  RINGKERNELS_INLINE_FUNCTION static T load_acquire(T* p) {
    return hip::atomic_load<__ATOMIC_ACQUIRE, hip_scope>(p);
  }
  RINGKERNELS_INLINE_FUNCTION static T load_relaxed(T* p) {
    return hip::atomic_load<__ATOMIC_RELAXED, hip_scope>(p);
  }
  RINGKERNELS_INLINE_FUNCTION static void store_release(T* p, T value) {
    hip::atomic_store<__ATOMIC_RELEASE, hip_scope>(p, value);
  }
  RINGKERNELS_INLINE_FUNCTION static void store_relaxed(T* p, T value) {
    hip::atomic_store<__ATOMIC_RELAXED, hip_scope>(p, value);
  }
  RINGKERNELS_INLINE_FUNCTION static T fetch_add_relaxed(T* p, T value) {
    return hip::atomic_fetch_add<__ATOMIC_RELAXED, hip_scope>(p, value);
  }
  RINGKERNELS_INLINE_FUNCTION static bool compare_exchange(T* p, T& expected, T desired) {
    return hip::atomic_compare_exchange<hip_scope>(p, expected, desired);
  }
#elif defined(__cpp_lib_atomic_ref)
  // Host compilers: every host atomic is visible system-wide, whatever S says.
  static T load_acquire(T* p) { return std::atomic_ref<T>(*p).load(std::memory_order_acquire); }
  static T load_relaxed(T* p) { return std::atomic_ref<T>(*p).load(std::memory_order_relaxed); }
  static void store_release(T* p, T value) {
    std::atomic_ref<T>(*p).store(value, std::memory_order_release);
  }
  static void store_relaxed(T* p, T value) {
    std::atomic_ref<T>(*p).store(value, std::memory_order_relaxed);
  }
  static T fetch_add_relaxed(T* p, T value) {
    return std::atomic_ref<T>(*p).fetch_add(value, std::memory_order_relaxed);
  }
  static bool compare_exchange(T* p, T& expected, T desired) {
    return std::atomic_ref<T>(*p).compare_exchange_strong(
        expected, desired, std::memory_order_acq_rel, std::memory_order_acquire);
  }
#else
  static T load_acquire(T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
  static T load_relaxed(T* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
  static void store_release(T* p, T value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }
  static void store_relaxed(T* p, T value) { __atomic_store_n(p, value, __ATOMIC_RELAXED); }
  static T fetch_add_relaxed(T* p, T value) {
    return __atomic_fetch_add(p, value, __ATOMIC_RELAXED);
  }
  static bool compare_exchange(T* p, T& expected, T desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
  }
#endif
};

}  // namespace ringkernels::messaging

#endif

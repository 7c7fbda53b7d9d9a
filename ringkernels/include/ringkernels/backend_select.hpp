// Which backend runs a kernel for a Kokkos execution space. The backends themselves (their
// memory spaces, index scope, lanes and launcher) are defined and checked against the backend
// contract in backends/<name>/backend.hpp; this maps execution spaces to them and names them.
// Only backends this build has (config.hpp) are defined; any other execution space is a
// compile error naming the missing specialisation.
#ifndef RINGKERNELS_BACKEND_SELECT_HPP
#define RINGKERNELS_BACKEND_SELECT_HPP

#include <ringkernels/backends/host/backend.hpp>
#if defined(RINGKERNELS_ENABLE_CUDA)
#include <ringkernels/backends/cuda/backend.hpp>
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
#include <ringkernels/backends/hip/backend.hpp>
#endif

#include <Kokkos_Core.hpp>

namespace ringkernels {

template <class ExecSpace>
struct backend_traits;  // no backend for this execution space in this build

#if defined(RINGKERNELS_ENABLE_SERIAL) && defined(KOKKOS_ENABLE_SERIAL)
template <>
struct backend_traits<Kokkos::Serial> : host_backend::traits {
  static constexpr const char* name = "serial";
};
#endif

#if defined(RINGKERNELS_ENABLE_OPENMP) && defined(KOKKOS_ENABLE_OPENMP)
template <>
struct backend_traits<Kokkos::OpenMP> : host_backend::traits {
  static constexpr const char* name = "openmp";
};
#endif

#if defined(RINGKERNELS_ENABLE_CUDA) && defined(KOKKOS_ENABLE_CUDA)
template <>
struct backend_traits<Kokkos::Cuda> : cuda_backend::traits {
  static constexpr const char* name = "cuda";
};
#endif

#if defined(RINGKERNELS_ENABLE_HIP) && defined(KOKKOS_ENABLE_HIP)
template <>
struct backend_traits<Kokkos::Experimental::HIP> : hip_backend::traits {
  static constexpr const char* name = "hip";
};
#endif

}  // namespace ringkernels

#endif

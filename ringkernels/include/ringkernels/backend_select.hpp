// Which backend runs a kernel for a Kokkos execution space: its ring memory, index scope and
// launch path. Only backends this build has (config.hpp) are defined; any other execution space
// is a compile error naming the missing specialisation.
#ifndef RINGKERNELS_BACKEND_SELECT_HPP
#define RINGKERNELS_BACKEND_SELECT_HPP

#include <ringkernels/backends/host/launch.hpp>

#include <Kokkos_Core.hpp>

namespace ringkernels {

template <class ExecSpace>
struct backend_traits;  // no backend for this execution space in this build

#if defined(RINGKERNELS_ENABLE_SERIAL) && defined(KOKKOS_ENABLE_SERIAL)
template <>
struct backend_traits<Kokkos::Serial> {
  static constexpr const char* name = "serial";
  using memory_space = Kokkos::HostSpace;
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  template <class Handler>
  using launcher = host_backend::launcher<Handler>;
};
#endif

#if defined(RINGKERNELS_ENABLE_OPENMP) && defined(KOKKOS_ENABLE_OPENMP)
template <>
struct backend_traits<Kokkos::OpenMP> {
  static constexpr const char* name = "openmp";
  using memory_space = Kokkos::HostSpace;
  static constexpr messaging::scope ring_scope = messaging::scope::system;
  template <class Handler>
  using launcher = host_backend::launcher<Handler>;
};
#endif

}  // namespace ringkernels

#endif

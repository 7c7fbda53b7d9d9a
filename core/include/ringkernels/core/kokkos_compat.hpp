// The only place that knows which Kokkos version RingKernels is compiled against.
// Supported: Kokkos 3.4.01 ... 5.x, through the stable core API plus these shims.
//   - fence with a label:   3.4 has only Kokkos::fence();       4.x/5.x take a label.
//   - host mirror type:     3.4 has View::HostMirror;           5.2 deprecates it for
//   host_mirror_type.
//   - HIP execution space:  3.4 has Kokkos::Experimental::HIP;  4.x/5.x have Kokkos::HIP.
//   - concurrency:          static in 3.4, an instance member in 5.x: call it on an instance.
#ifndef RINGKERNELS_CORE_KOKKOS_COMPAT_HPP
#define RINGKERNELS_CORE_KOKKOS_COMPAT_HPP

#include <Kokkos_Core.hpp>

#include <string>

#define RINGKERNELS_KOKKOS_VERSION_AT_LEAST(major, minor) \
  (KOKKOS_VERSION >= ((major)*10000 + (minor)*100))

namespace ringkernels::compat {

/// Global fence; the label is shown by Kokkos tools where the Kokkos version supports labels.
inline void fence(const std::string& label) {
#if RINGKERNELS_KOKKOS_VERSION_AT_LEAST(3, 6)
  Kokkos::fence(label);
#else
  (void)label;
  Kokkos::fence();
#endif
}

/// The host mirror type of a View, spelled the way the Kokkos in use wants it.
#if RINGKERNELS_KOKKOS_VERSION_AT_LEAST(4, 0)
template <class View>
using host_mirror_t = typename View::host_mirror_type;
#else
template <class View>
using host_mirror_t = typename View::HostMirror;
#endif

/// Number of hardware threads an execution space instance can use.
template <class ExecSpace>
int concurrency(const ExecSpace& space = ExecSpace()) {
  return static_cast<int>(space.concurrency());
}

/// The Kokkos version as "major.minor.patch".
inline std::string kokkos_version_string() {
  return std::to_string(KOKKOS_VERSION / 10000) + "." + std::to_string(KOKKOS_VERSION / 100 % 100) +
         "." + std::to_string(KOKKOS_VERSION % 100);
}

}  // namespace ringkernels::compat

#if defined(KOKKOS_ENABLE_HIP)
namespace ringkernels::compat {
#if RINGKERNELS_KOKKOS_VERSION_AT_LEAST(4, 0)
using hip_space = Kokkos::HIP;
#else
using hip_space = Kokkos::Experimental::HIP;
#endif
}  // namespace ringkernels::compat
#endif

#endif

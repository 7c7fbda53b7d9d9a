// The execution spaces whose backends this build has: tests written once over this list
// (Catch2 TEMPLATE_LIST_TEST_CASE) run on every enabled backend.
#ifndef RINGKERNELS_TESTS_BACKENDS_UNDER_TEST_HPP
#define RINGKERNELS_TESTS_BACKENDS_UNDER_TEST_HPP

#include <ringkernels/backend_select.hpp>

#include <tuple>

namespace test_support {

template <class List, class Space>
struct append;
template <class... Spaces, class Space>
struct append<std::tuple<Spaces...>, Space> {
  using type = std::tuple<Spaces..., Space>;
};

using no_backends = std::tuple<>;
#if defined(RINGKERNELS_ENABLE_SERIAL)
using with_serial = append<no_backends, Kokkos::Serial>::type;
#else
using with_serial = no_backends;
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
using host_backends = append<with_serial, Kokkos::OpenMP>::type;
#else
using host_backends = with_serial;
#endif

}  // namespace test_support

// The same list for TEMPLATE_TEST_CASE, whose test names then carry the execution space's name
// (TEMPLATE_LIST_TEST_CASE would number them instead).
#if defined(RINGKERNELS_ENABLE_SERIAL) && defined(RINGKERNELS_ENABLE_OPENMP)
#define RINGKERNELS_HOST_BACKENDS Kokkos::Serial, Kokkos::OpenMP
#elif defined(RINGKERNELS_ENABLE_SERIAL)
#define RINGKERNELS_HOST_BACKENDS Kokkos::Serial
#elif defined(RINGKERNELS_ENABLE_OPENMP)
#define RINGKERNELS_HOST_BACKENDS Kokkos::OpenMP
#endif

#endif

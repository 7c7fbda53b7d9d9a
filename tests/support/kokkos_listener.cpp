// Initialises Kokkos before the first test and finalises it after the last.
#include <Kokkos_Core.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#include <cstdlib>

namespace {
class kokkos_listener : public Catch::EventListenerBase {
 public:
  using Catch::EventListenerBase::EventListenerBase;
  void testRunStarting(const Catch::TestRunInfo&) override {
    // Workers are pinned by the library, not by OpenMP: say so, which silences Kokkos'
    // OMP_PROC_BIND warning (libgomp read the unset variable, "no binding", at load time).
    setenv("OMP_PROC_BIND", "false", 0);
    if (!Kokkos::is_initialized()) Kokkos::initialize();
  }
  void testRunEnded(const Catch::TestRunStats&) override {
    if (Kokkos::is_initialized()) Kokkos::finalize();
  }
};
}  // namespace
CATCH_REGISTER_LISTENER(kokkos_listener)

// Initialises Kokkos before the first test and finalises it after the last.
#include <Kokkos_Core.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>

namespace {
class kokkos_listener : public Catch::EventListenerBase {
 public:
  using Catch::EventListenerBase::EventListenerBase;
  void testRunStarting(const Catch::TestRunInfo&) override {
    if (!Kokkos::is_initialized()) Kokkos::initialize();
  }
  void testRunEnded(const Catch::TestRunStats&) override {
    if (Kokkos::is_initialized()) Kokkos::finalize();
  }
};
}  // namespace
CATCH_REGISTER_LISTENER(kokkos_listener)

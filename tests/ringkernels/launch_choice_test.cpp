#include <ringkernels/backends/common/launch_choice.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;
using ringkernels::gpu_launch;

namespace {
ringkernels::gpu_facts datacenter_gpu() {
  ringkernels::gpu_facts facts;
  facts.where = "device 0 (test GPU)";
  facts.cooperative_launch = true;
  facts.maps_host_memory = true;
  facts.resident_blocks = 132 * 32;
  facts.grid = 8;
  return facts;
}
std::string error_of(gpu_launch mode, const ringkernels::gpu_facts& facts) {
  try {
    (void)ringkernels::choose_gpu_launch(mode, facts);
  } catch (const ringkernels::error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("automatic launch is cooperative where the device allows it", "[launch]") {
  const auto choice = ringkernels::choose_gpu_launch(gpu_launch::automatic, datacenter_gpu());
  CHECK(choice.mode == gpu_launch::cooperative);
  CHECK_THAT(choice.reason, ContainsSubstring("8 worker block(s)"));
}

TEST_CASE("automatic launch falls back to persistent then event-driven", "[launch]") {
  auto facts = datacenter_gpu();
  facts.cooperative_launch = false;
  CHECK(ringkernels::choose_gpu_launch(gpu_launch::automatic, facts).mode ==
        gpu_launch::persistent);

  auto watchdog = datacenter_gpu();
  watchdog.exec_timeout = true;
  const auto timed = ringkernels::choose_gpu_launch(gpu_launch::automatic, watchdog);
  CHECK(timed.mode == gpu_launch::event_driven);
  CHECK_THAT(timed.reason, ContainsSubstring("run-time limit"));

  auto crowded = datacenter_gpu();
  crowded.grid = 5000;
  const auto many = ringkernels::choose_gpu_launch(gpu_launch::automatic, crowded);
  CHECK(many.mode == gpu_launch::event_driven);
  CHECK_THAT(many.reason, ContainsSubstring("5000 worker block(s), 4224 can be resident"));
}

TEST_CASE("a requested mode the device cannot run is an error naming the numbers", "[launch]") {
  auto no_coop = datacenter_gpu();
  no_coop.cooperative_launch = false;
  CHECK_THAT(error_of(gpu_launch::cooperative, no_coop),
             ContainsSubstring("cudaDevAttrCooperativeLaunch = 0"));

  auto crowded = datacenter_gpu();
  crowded.grid = 5000;
  CHECK_THAT(error_of(gpu_launch::persistent, crowded),
             ContainsSubstring("5000 worker block(s), 4224 can be resident"));
  CHECK_THAT(error_of(gpu_launch::cooperative, crowded), ContainsSubstring("event_driven"));

  auto watchdog = datacenter_gpu();
  watchdog.exec_timeout = true;
  CHECK_THAT(error_of(gpu_launch::persistent, watchdog), ContainsSubstring("run-time limit"));
  CHECK(ringkernels::choose_gpu_launch(gpu_launch::event_driven, watchdog).mode ==
        gpu_launch::event_driven);

  auto unmapped = datacenter_gpu();
  unmapped.maps_host_memory = false;
  CHECK_THAT(error_of(gpu_launch::event_driven, unmapped), ContainsSubstring("pinned host memory"));
  auto empty = datacenter_gpu();
  empty.grid = 0;
  CHECK_THAT(error_of(gpu_launch::automatic, empty), ContainsSubstring("at least one worker"));
}

#include <ringkernels/core/topology.hpp>

#include <catch2/catch_test_macros.hpp>

#include <thread>

TEST_CASE("hwloc sees this machine's cores and hardware threads", "[core][topology]") {
  ringkernels::topology machine;
  const auto summary = machine.summary();
  CHECK(summary.packages >= 1);
  CHECK(summary.cores >= 1);
  CHECK(summary.processing_units >= summary.cores);
  CHECK(summary.processing_units >= static_cast<int>(std::thread::hardware_concurrency()) / 2);
  CHECK_FALSE(summary.hwloc_version.empty());
  const std::string text = ringkernels::describe(summary);
  CHECK(text.find("cores " + std::to_string(summary.cores)) != std::string::npos);
}

TEST_CASE("pinning plans cover every worker and say when cores are short", "[core][topology]") {
  ringkernels::topology machine;
  const int cores = machine.core_count();
  const auto compact = machine.plan_pinning(ringkernels::pin_policy::compact, cores);
  REQUIRE(compact.core_of_worker.size() == static_cast<std::size_t>(cores));
  for (int w = 0; w < cores; ++w) CHECK(compact.core_of_worker[w] == w);
  CHECK(compact.note.empty());

  const auto crowded = machine.plan_pinning(ringkernels::pin_policy::spread, cores * 2 + 1);
  CHECK(crowded.core_of_worker.size() == static_cast<std::size_t>(cores * 2 + 1));
  CHECK(crowded.note.find("share cores") != std::string::npos);
  for (const auto& core : crowded.core_of_worker) {
    REQUIRE(core.has_value());
    CHECK(*core < cores);
  }
  const auto unpinned = machine.plan_pinning(ringkernels::pin_policy::none, 3);
  for (const auto& core : unpinned.core_of_worker) CHECK_FALSE(core.has_value());
}

TEST_CASE("a pinned thread runs on its core", "[core][topology]") {
  ringkernels::topology machine;
  const int last = machine.core_count() - 1;
  std::string failure = "not run";
  int seen = -2;
  std::thread worker([&] {
    failure = machine.pin_current_thread(last);
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    seen = machine.current_core();
  });
  worker.join();
  CHECK(failure.empty());
  CHECK(seen == last);
  CHECK_FALSE(machine.pin_current_thread(machine.core_count() + 100).empty());
}

#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("latency histograms bucket by powers of two", "[ringkernels][telemetry]") {
  ringkernels::latency_histogram histogram;
  for (int i = 0; i < 90; ++i) histogram.record(100);   // bucket [64, 128)
  for (int i = 0; i < 10; ++i) histogram.record(5000);  // bucket [4096, 8192)
  CHECK(histogram.count() == 100);
  CHECK(histogram.percentile_upper_ns(50) == 128);
  CHECK(histogram.percentile_upper_ns(99) == 8192);
  CHECK(histogram.buckets()[6] == 90);
}

TEST_CASE("a snapshot renders as JSON and Prometheus text", "[ringkernels][telemetry]") {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "shown";
  auto kernel =
      rt.launch<Kokkos::DefaultHostExecutionSpace>(ringkernels::examples::echo{}, options);
  kernel.activate();
  for (int i = 0; i < 3; ++i) (void)kernel.call(ringkernels::examples::echo::Request{}).get(1s);
  const auto snapshot = kernel.snapshot();
  CHECK(snapshot.processed == 3);
  const auto json = nlohmann::json::parse(snapshot.to_json());
  CHECK(json["kernel"] == "shown");
  CHECK(json["processed"] == 3);
  CHECK(json["loop_iterations"].is_number_unsigned());
  CHECK(json["end_to_end_ns"]["counts"].size() == ringkernels::latency_histogram::bucket_count);
  const std::string text = snapshot.to_prometheus();
  CHECK_THAT(text, ContainsSubstring("ringkernels_messages_processed_total{kernel=\"shown\""));
  CHECK_THAT(text, ContainsSubstring("ringkernels_messages_dropped_total{kernel=\"shown\""));
  CHECK_THAT(
      text, ContainsSubstring("ringkernels_end_to_end_latency_ns_count{kernel=\"shown\",backend="));
  std::uint64_t calls = 0;
  for (auto count : snapshot.end_to_end_ns) calls += count;
  CHECK(calls == 3);
}

TEST_CASE("JSON escapes what a kernel name may hold", "[ringkernels][telemetry]") {
  ringkernels::telemetry_snapshot snapshot;
  snapshot.kernel = "quote\" back\\slash\nline";
  snapshot.processed = 7;
  const auto json = nlohmann::json::parse(ringkernels::to_json({snapshot, snapshot}));
  REQUIRE(json["kernels"].size() == 2);
  CHECK(json["kernels"][1]["kernel"] == snapshot.kernel);
  CHECK(json["kernels"][0]["processed"] == 7);
}

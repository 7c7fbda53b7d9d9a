// The Prometheus endpoint through the public API: a runtime asked for one serves every kernel's
// counters at /metrics, and they move between scrapes. The scrape is a plain HTTP GET over a
// socket (what a Prometheus server does), so the test needs no HTTP library.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {

/// The body of GET /metrics from 127.0.0.1:port ("" when the connection fails); every read has a
/// 5 s deadline.
std::string scrape(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval deadline{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, n);
    }
  }
  close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string{} : response.substr(body + 4);
}

/// The value of the first sample line that starts with `series` ("name{labels}"), or -1.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("the metrics endpoint serves every kernel's counters and they move between scrapes",
          "[ringkernels][telemetry][metrics]") {
  if (!ringkernels::detail::metrics_endpoint::available()) SKIP("built without prometheus-cpp");
  ringkernels::runtime_options setup;
  setup.metrics_address = "127.0.0.1:0";  // any free port
  ringkernels::runtime rt(setup);
  REQUIRE(rt.metrics_port() > 0);
  ringkernels::kernel_options options;
  options.name = "scraped";
  auto kernel =
      rt.launch<Kokkos::DefaultHostExecutionSpace>(ringkernels::examples::echo{}, options);
  kernel.activate();
  const std::string processed = "ringkernels_messages_processed_total{backend=\"" +
                                std::string(kernel.backend()) + "\",kernel=\"scraped\"}";
  for (int i = 0; i < 5; ++i) (void)kernel.call(ringkernels::examples::echo::Request{}).get(1s);
  const std::string first = scrape(rt.metrics_port());
  CHECK(sample(first, processed) == 5);
  CHECK_THAT(first, ContainsSubstring("# TYPE ringkernels_end_to_end_latency_ns histogram"));
  CHECK_THAT(first, ContainsSubstring("ringkernels_kernel_state{backend="));
  CHECK_THAT(first, ContainsSubstring("state=\"active\"} 1"));
  for (int i = 0; i < 7; ++i) (void)kernel.call(ringkernels::examples::echo::Request{}).get(1s);
  const std::string second = scrape(rt.metrics_port());
  CHECK(sample(second, processed) == 12);
  // The JSON snapshot is the same collection.
  const auto json = nlohmann::json::parse(rt.telemetry_json());
  REQUIRE(json["kernels"].size() == 1);
  CHECK(json["kernels"][0]["kernel"] == "scraped");
  CHECK(json["kernels"][0]["processed"] == 12);
  CHECK(rt.telemetry().size() == 1);
  CHECK(kernel.terminate().stopped);
}

TEST_CASE("a metrics address that cannot be bound is refused, naming it",
          "[ringkernels][telemetry][metrics]") {
  if (!ringkernels::detail::metrics_endpoint::available()) SKIP("built without prometheus-cpp");
  ringkernels::runtime_options setup;
  setup.metrics_address = "127.0.0.1:0";
  ringkernels::runtime first(setup);
  setup.metrics_address = "127.0.0.1:" + std::to_string(first.metrics_port());  // taken
  try {
    ringkernels::runtime second(setup);
    FAIL("a second endpoint on a taken port was accepted");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::invalid_argument);
    CHECK_THAT(failure.message(), ContainsSubstring("cannot listen on '" + setup.metrics_address));
  }
  CHECK(!scrape(first.metrics_port()).empty());  // the first endpoint still serves
}

// The Prometheus endpoint of a runtime (runtime_options::metrics_address): prometheus-cpp's pull
// exposer (civetweb) serves http://ADDRESS/metrics, and each scrape collects the runtime's
// telemetry snapshots afresh, the same collection runtime::telemetry_json() prints. Host only.
// Built when prometheus-cpp was found (RINGKERNELS_WITH_PROMETHEUS); without it, asking for an
// endpoint is an error that says so.
#ifndef RINGKERNELS_DETAIL_METRICS_ENDPOINT_HPP
#define RINGKERNELS_DETAIL_METRICS_ENDPOINT_HPP

#include <ringkernels/core/telemetry.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ringkernels::detail {

class metrics_endpoint {
 public:
  using collect_function = std::function<std::vector<telemetry_snapshot>()>;

  /// Starts serving at `address` ("127.0.0.1:9464"; port 0 picks a free one). Throws
  /// ringkernels::error: invalid_argument for an address that cannot be bound, unsupported in a
  /// build without prometheus-cpp.
  metrics_endpoint(const std::string& address, collect_function collect);
  ~metrics_endpoint();
  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  /// The port it listens on.
  int port() const;

  /// Whether this build can serve metrics at all.
  static bool available();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace ringkernels::detail

#endif

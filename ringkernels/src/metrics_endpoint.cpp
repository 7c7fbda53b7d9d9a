// The Prometheus endpoint (detail/metrics_endpoint.hpp): telemetry snapshots turned into
// prometheus-cpp metric families at each scrape.
#include <ringkernels/core/error.hpp>
#include <ringkernels/detail/metrics_endpoint.hpp>

#if defined(RINGKERNELS_HAVE_PROMETHEUS)
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>
#endif

#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

namespace ringkernels::detail {

#if defined(RINGKERNELS_HAVE_PROMETHEUS)
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

/// The families of one scrape, filled kernel by kernel (one metric per kernel in each family).
class families {
 public:
  void counter(const std::string& name, const std::string& help, ClientMetric::Label reason,
               const telemetry_snapshot& s, std::uint64_t value) {
    ClientMetric& m = add(name, help, MetricType::Counter, s, std::move(reason));
    m.counter.value = static_cast<double>(value);
  }
  void counter(const std::string& name, const std::string& help, const telemetry_snapshot& s,
               std::uint64_t value) {
    counter(name, help, {}, s, value);
  }
  void gauge(const std::string& name, const std::string& help, ClientMetric::Label label,
             const telemetry_snapshot& s, double value) {
    add(name, help, MetricType::Gauge, s, std::move(label)).gauge.value = value;
  }
  /// A latency histogram: bucket b holds [2^b, 2^(b+1)) ns. The sum is not recorded, only
  /// estimated from the bucket midpoints (the HELP text says so).
  void histogram(const std::string& name, const std::string& help, const telemetry_snapshot& s,
                 const std::array<std::uint64_t, latency_histogram::bucket_count>& buckets) {
    ClientMetric& m = add(name, help, MetricType::Histogram, s, {});
    std::uint64_t cumulative = 0;
    double sum = 0;
    for (int b = 0; b < latency_histogram::bucket_count; ++b) {
      const std::uint64_t count = buckets[static_cast<std::size_t>(b)];
      cumulative += count;
      sum += static_cast<double>(count) * 1.5 * static_cast<double>(std::uint64_t{1} << b);
      m.histogram.bucket.push_back({cumulative, static_cast<double>(std::uint64_t{1} << (b + 1))});
    }
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = sum;
  }
  std::vector<MetricFamily> take() { return std::move(families_); }

 private:
  ClientMetric& add(const std::string& name, const std::string& help, MetricType type,
                    const telemetry_snapshot& s, ClientMetric::Label extra) {
    MetricFamily* family = nullptr;
    for (auto& f : families_) {
      if (f.name == "ringkernels_" + name) family = &f;
    }
    if (family == nullptr) {
      families_.push_back(MetricFamily{"ringkernels_" + name, help, type, {}});
      family = &families_.back();
    }
    ClientMetric metric;
    metric.label = {{"backend", s.backend}, {"kernel", s.kernel}};
    if (!extra.name.empty()) metric.label.push_back(std::move(extra));
    family->metric.push_back(std::move(metric));
    return family->metric.back();
  }

  std::vector<MetricFamily> families_;
};

std::vector<MetricFamily> to_families(const std::vector<telemetry_snapshot>& snapshots) {
  families out;
  for (const telemetry_snapshot& s : snapshots) {
    out.counter("messages_sent_total", "Messages the host enqueued for the kernel.", s, s.sent);
    out.counter("peer_messages_received_total",
                "Messages peer kernels enqueued at the kernel's peer port.", s, s.peer_received);
    out.counter("messages_received_total", "Frames workers took from their input rings.", s,
                s.received);
    out.counter("messages_processed_total", "Messages a handler ran on to completion.", s,
                s.processed);
    out.counter("replies_sent_total", "Replies workers queued.", s, s.replies_sent);
    out.counter("replies_received_total", "Replies the host took off the rings.", s,
                s.replies_received);
    out.counter("replies_abandoned_total",
                "Replies to calls nobody waited for any more (dropped or timed-out futures).", s,
                s.replies_abandoned);
    const char* dropped = "Messages dropped, by reason.";
    out.counter("messages_dropped_total", dropped, {"reason", "malformed"}, s, s.dropped_malformed);
    out.counter("messages_dropped_total", dropped, {"reason", "handler_failed"}, s,
                s.dropped_handler_failed);
    out.counter("messages_dropped_total", dropped, {"reason", "reply_lost"}, s,
                s.dropped_reply_lost);
    out.counter("messages_dropped_total", dropped, {"reason", "oldest"}, s, s.dropped_oldest);
    out.counter("sends_refused_full_total", "Sends refused because the input was full.", s,
                s.refused_full);
    out.counter("sends_dropped_newest_total", "Sends dropped by the drop_newest policy.", s,
                s.dropped_newest);
    out.counter("loop_iterations_total", "Dispatch loop polls, busy or idle (not messages).", s,
                s.loop_iterations);
    const char* depth = "Frames waiting in the kernel's queues.";
    out.gauge("queue_depth", depth, {"queue", "in"}, s, static_cast<double>(s.pending));
    out.gauge("queue_depth", depth, {"queue", "out"}, s, static_cast<double>(s.reply_queue_depth));
    out.gauge("kernel_state", "1 for the kernel's lifecycle state (label state).",
              {"state", s.state}, s, 1.0);
    out.gauge("uptime_seconds", "Seconds since the kernel was first activated.", {}, s,
              s.uptime_seconds);
    out.counter("restarts_total", "Relaunches by the runtime's supervisor.", s, s.restarts);
    out.gauge("circuit_open", "1 when the supervisor gave up on the kernel.", {}, s,
              s.circuit_open ? 1.0 : 0.0);
    out.histogram("handler_latency_ns",
                  "Sampled handler times, ns (log2 buckets; sum estimated from bucket midpoints).",
                  s, s.handler_ns);
    out.histogram("end_to_end_latency_ns",
                  "call() round trips, ns (log2 buckets; sum estimated from bucket midpoints).", s,
                  s.end_to_end_ns);
  }
  return out.take();
}

class snapshot_collectable final : public prometheus::Collectable {
 public:
  explicit snapshot_collectable(metrics_endpoint::collect_function collect)
      : collect_(std::move(collect)) {}
  std::vector<MetricFamily> Collect() const override { return to_families(collect_()); }

 private:
  metrics_endpoint::collect_function collect_;
};

}  // namespace

struct metrics_endpoint::state {
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<snapshot_collectable> collectable;
};

metrics_endpoint::metrics_endpoint(const std::string& address, collect_function collect)
    : state_(std::make_unique<state>()) {
  try {
    state_->exposer = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& failure) {
    RINGKERNELS_THROW(errc::invalid_argument, "metrics endpoint: cannot listen on '" + address +
                                                  "' (" + failure.what() + ")");
  }
  state_->collectable = std::make_shared<snapshot_collectable>(std::move(collect));
  state_->exposer->RegisterCollectable(state_->collectable);
}

metrics_endpoint::~metrics_endpoint() = default;

int metrics_endpoint::port() const {
  const auto ports = state_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

bool metrics_endpoint::available() { return true; }

#else

struct metrics_endpoint::state {};

metrics_endpoint::metrics_endpoint(const std::string& address, collect_function) {
  RINGKERNELS_THROW(errc::unsupported,
                    "metrics endpoint '" + address +
                        "': this build has no Prometheus support (configure with "
                        "prometheus-cpp installed: Debian prometheus-cpp-dev)");
}

metrics_endpoint::~metrics_endpoint() = default;

int metrics_endpoint::port() const { return 0; }

bool metrics_endpoint::available() { return false; }

#endif

}  // namespace ringkernels::detail

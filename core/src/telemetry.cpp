#include <ringkernels/core/telemetry.hpp>

// JSON through nlohmann-json (header-only, private to this file: not part of the installed
// interface), so names with quotes or control characters come out escaped.
#include <nlohmann/json.hpp>

#include <sstream>

namespace ringkernels {

void latency_histogram::record(std::uint64_t nanoseconds) noexcept {
  int bucket = 0;
  while (bucket + 1 < bucket_count && (nanoseconds >> (bucket + 1)) != 0) ++bucket;
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t latency_histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

std::array<std::uint64_t, latency_histogram::bucket_count> latency_histogram::buckets()
    const noexcept {
  std::array<std::uint64_t, bucket_count> copy{};
  for (int b = 0; b < bucket_count; ++b) {
    copy[static_cast<std::size_t>(b)] =
        buckets_[static_cast<std::size_t>(b)].load(std::memory_order_relaxed);
  }
  return copy;
}

std::uint64_t latency_histogram::percentile_upper_ns(double p) const noexcept {
  const auto copy = buckets();
  std::uint64_t total = 0;
  for (auto value : copy) total += value;
  if (total == 0) return 0;
  const auto target = static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (int b = 0; b < bucket_count; ++b) {
    seen += copy[static_cast<std::size_t>(b)];
    if (seen > target || seen == total) return std::uint64_t{1} << (b + 1);
  }
  return std::uint64_t{1} << bucket_count;
}

namespace {

/// {"bucket_upper_ns": [2, 4, ...], "counts": [...]}
nlohmann::ordered_json histogram_json(
    const std::array<std::uint64_t, latency_histogram::bucket_count>& buckets) {
  nlohmann::ordered_json upper = nlohmann::ordered_json::array();
  for (int b = 0; b < latency_histogram::bucket_count; ++b) {
    upper.push_back(std::uint64_t{1} << (b + 1));
  }
  return {{"bucket_upper_ns", std::move(upper)}, {"counts", buckets}};
}

/// The snapshot as a JSON object (the keys in a fixed order, the names a contract).
nlohmann::ordered_json snapshot_json(const telemetry_snapshot& s) {
  return {{"kernel", s.kernel},
          {"backend", s.backend},
          {"state", s.state},
          {"sent", s.sent},
          {"peer_received", s.peer_received},
          {"received", s.received},
          {"processed", s.processed},
          {"replies_sent", s.replies_sent},
          {"replies_received", s.replies_received},
          {"replies_abandoned", s.replies_abandoned},
          {"replies_malformed", s.replies_malformed},
          {"dropped",
           {{"malformed", s.dropped_malformed},
            {"handler_failed", s.dropped_handler_failed},
            {"reply_lost", s.dropped_reply_lost},
            {"oldest", s.dropped_oldest}}},
          {"refused_full", s.refused_full},
          {"dropped_newest", s.dropped_newest},
          {"loop_iterations", s.loop_iterations},
          {"pending", s.pending},
          {"reply_queue_depth", s.reply_queue_depth},
          {"uptime_seconds", s.uptime_seconds},
          {"restarts", s.restarts},
          {"circuit_open", s.circuit_open},
          {"handler_ns_sampled", histogram_json(s.handler_ns)},
          {"end_to_end_ns", histogram_json(s.end_to_end_ns)}};
}

void histogram_prometheus(
    std::ostringstream& out, const std::string& metric, const std::string& labels,
    const std::array<std::uint64_t, latency_histogram::bucket_count>& buckets) {
  out << "# TYPE " << metric << " histogram\n";
  std::uint64_t cumulative = 0;
  for (int b = 0; b < latency_histogram::bucket_count; ++b) {
    cumulative += buckets[static_cast<std::size_t>(b)];
    out << metric << "_bucket{" << labels << ",le=\"" << (std::uint64_t{1} << (b + 1)) << "\"} "
        << cumulative << "\n";
  }
  out << metric << "_bucket{" << labels << ",le=\"+Inf\"} " << cumulative << "\n";
  out << metric << "_count{" << labels << "} " << cumulative << "\n";
}

}  // namespace

std::string telemetry_snapshot::to_json() const { return snapshot_json(*this).dump(); }

std::string to_json(const std::vector<telemetry_snapshot>& snapshots) {
  nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
  for (const auto& snapshot : snapshots) kernels.push_back(snapshot_json(snapshot));
  return nlohmann::ordered_json{{"kernels", std::move(kernels)}}.dump();
}

std::string telemetry_snapshot::to_prometheus() const {
  std::ostringstream out;
  const std::string labels = "kernel=\"" + kernel + "\",backend=\"" + backend + "\"";
  const auto counter = [&](const char* name, std::uint64_t value, const char* help) {
    out << "# HELP ringkernels_" << name << " " << help << "\n# TYPE ringkernels_" << name
        << " counter\nringkernels_" << name << "{" << labels << "} " << value << "\n";
  };
  counter("messages_sent_total", sent, "Messages the host enqueued for the kernel.");
  counter("peer_messages_received_total", peer_received,
          "Messages peer kernels enqueued at the kernel's peer port.");
  counter("messages_received_total", received, "Frames workers took from their input rings.");
  counter("messages_processed_total", processed, "Messages a handler ran on to completion.");
  counter("replies_sent_total", replies_sent, "Replies workers queued.");
  counter("replies_received_total", replies_received, "Replies the host took off the rings.");
  counter("replies_abandoned_total", replies_abandoned,
          "Replies to calls nobody waited for any more (dropped or timed-out futures).");
  counter("replies_malformed_total", replies_malformed, "Reply frames that failed their checks.");
  out << "# HELP ringkernels_messages_dropped_total Messages dropped, by reason.\n"
      << "# TYPE ringkernels_messages_dropped_total counter\n"
      << "ringkernels_messages_dropped_total{" << labels << ",reason=\"malformed\"} "
      << dropped_malformed << "\n"
      << "ringkernels_messages_dropped_total{" << labels << ",reason=\"handler_failed\"} "
      << dropped_handler_failed << "\n"
      << "ringkernels_messages_dropped_total{" << labels << ",reason=\"reply_lost\"} "
      << dropped_reply_lost << "\n"
      << "ringkernels_messages_dropped_total{" << labels << ",reason=\"oldest\"} " << dropped_oldest
      << "\n";
  counter("sends_refused_full_total", refused_full, "Sends refused because the input was full.");
  counter("sends_dropped_newest_total", dropped_newest,
          "Sends dropped by the drop_newest policy because the input was full.");
  counter("loop_iterations_total", loop_iterations, "Dispatch loop polls, busy or idle.");
  counter("restarts_total", restarts, "Relaunches by the runtime's supervisor.");
  out << "# TYPE ringkernels_circuit_open gauge\nringkernels_circuit_open{" << labels << "} "
      << (circuit_open ? 1 : 0) << "\n";
  out << "# TYPE ringkernels_queue_depth gauge\nringkernels_queue_depth{" << labels
      << ",queue=\"in\"} " << pending << "\nringkernels_queue_depth{" << labels
      << ",queue=\"out\"} " << reply_queue_depth << "\n";
  histogram_prometheus(out, "ringkernels_handler_latency_ns", labels, handler_ns);
  histogram_prometheus(out, "ringkernels_end_to_end_latency_ns", labels, end_to_end_ns);
  return out.str();
}

}  // namespace ringkernels

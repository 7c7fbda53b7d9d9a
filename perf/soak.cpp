#include "soak.hpp"

#include "echo_requests.hpp"
#include "gpu_floor.hpp"

#include <ringkernels/core/error.hpp>
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace ringkernels::perf {
namespace {

using examples::echo;
using clock_type = std::chrono::steady_clock;

/// Streamed requests that may wait for their reply at once (the input ring holds 4,096).
constexpr std::uint64_t max_outstanding = 2048;
/// Calls carry sequence numbers from here on, apart from the streamed ones.
constexpr std::uint64_t call_sequence_base = std::uint64_t{1} << 40;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Resident set size of this process, KiB (/proc/self/statm).
double resident_kib() {
  std::ifstream statm("/proc/self/statm");
  double pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1024.0;
}

/// Standard deviation over mean; 0 for fewer than two samples or a zero mean.
double coefficient_of_variation(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  if (mean == 0) return 0;
  double square = 0;
  for (const double v : values) square += (v - mean) * (v - mean);
  return std::sqrt(square / static_cast<double>(values.size() - 1)) / mean;
}

/// Latency samples of a window: a call per millisecond, room for 4x that.
constexpr std::size_t window_samples = 20'000;

/// A uniform sample of at most `capacity` latencies out of any number (reservoir sampling),
/// in memory allocated once: the overall p50/p99 without keeping every sample of an hour.
class latency_reservoir {
 public:
  static constexpr std::size_t capacity = 65'536;
  latency_reservoir() : kept_(capacity, 0.0) {}
  void add(double ns) {
    if (seen_ < capacity) {
      kept_[seen_] = ns;
    } else {
      const std::uint64_t slot = random_() % (seen_ + 1);
      if (slot < capacity) kept_[slot] = ns;
    }
    ++seen_;
  }
  std::vector<double> samples() const {
    return {kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(std::min(seen_, capacity))};
  }

 private:
  std::vector<double> kept_;
  std::uint64_t seen_ = 0;
  std::mt19937_64 random_{42};
};

/// What the host did and saw; written by one thread each, read by the main thread.
struct soak_tally {
  std::atomic<std::uint64_t> streamed{0};  ///< accepted by send()
  std::atomic<std::uint64_t> received{0};  ///< replies received, in order, checked
  std::atomic<std::uint64_t> wrong{0};     ///< replies out of order or not what echo answers
  std::atomic<std::uint64_t> called{0};    ///< call()s accepted
  std::atomic<std::uint64_t> answered{0};  ///< call()s answered with the right reply
};

/// Streams requests at `rate` per second (unbounded when 0) until `stop`, receiving and
/// checking replies as they come, then drains the replies still owed (up to 5 s). One worker:
/// replies come back in send order, which is checked too.
template <class Kernel>
void stream(Kernel& kernel, double rate, const std::atomic<bool>& stop, soak_tally& tally,
            std::uint64_t& sequence) {
  std::vector<echo::Reply> replies(256);
  const auto start = clock_type::now();
  std::uint64_t sent = 0;  // this call's sends
  std::uint64_t expected = sequence;
  const auto take_replies = [&] {
    const std::size_t got = kernel.receive(replies.data(), replies.size());
    for (std::size_t j = 0; j < got; ++j) {
      const bool ok = replies[j].sequence == expected && reply_matches(replies[j], expected);
      tally.wrong.fetch_add(ok ? 0 : 1, std::memory_order_relaxed);
      ++expected;
    }
    tally.received.fetch_add(got, std::memory_order_relaxed);
    return got;
  };
  while (!stop.load(std::memory_order_relaxed)) {
    const double due = rate > 0 ? rate * seconds_since(start) : 1e300;
    while (static_cast<double>(sent) < due && sequence - expected < max_outstanding) {
      if (kernel.send(make_request(sequence)) != messaging::push_result::ok) break;
      ++sequence;
      ++sent;
      tally.streamed.fetch_add(1, std::memory_order_relaxed);
    }
    if (take_replies() == 0 && static_cast<double>(sent) >= due) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  const auto deadline = clock_type::now() + std::chrono::seconds(5);
  while (expected < sequence && clock_type::now() < deadline) {
    if (take_replies() == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

/// One call() per millisecond until `stop`; each latency into `samples` (under `lock`).
template <class Kernel>
void call_every_millisecond(Kernel& kernel, const std::atomic<bool>& stop, soak_tally& tally,
                            std::mutex& lock, std::vector<double>& samples) {
  std::uint64_t sequence = call_sequence_base;
  while (!stop.load(std::memory_order_relaxed)) {
    const auto start = clock_type::now();
    try {
      auto future = kernel.call(make_request(sequence));
      tally.called.fetch_add(1, std::memory_order_relaxed);
      const echo::Reply reply = future.get(std::chrono::seconds(1));
      const double ns = std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
      if (reply_matches(reply, sequence)) tally.answered.fetch_add(1, std::memory_order_relaxed);
      std::lock_guard guard(lock);
      samples.push_back(ns);
    } catch (const error& failure) {
      if (failure.code() != errc::queue_full) throw;  // full: not accepted, try again later
    }
    ++sequence;
    std::this_thread::sleep_until(start + std::chrono::milliseconds(1));
  }
}

template <class ExecSpace>
void soak(report& out, const soak_options& options) {
  runtime rt;
  kernel_options kernel_settings;
  kernel_settings.name = "soak_echo";
  auto kernel = rt.template launch<ExecSpace>(echo{}, kernel_settings);
  kernel.activate();
  soak_tally tally;
  std::uint64_t sequence = 0;

  // The peak: unpaced streaming for two seconds.
  std::atomic<bool> stop{false};
  std::thread peak_stream([&] { stream(kernel, 0, stop, tally, sequence); });
  const auto peak_start = clock_type::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double peak = static_cast<double>(tally.received.load()) / seconds_since(peak_start);
  stop = true;
  peak_stream.join();
  const double rate = options.rate > 0 ? options.rate : peak / 2;
  std::printf("soak: peak %.3g msg/s; streaming %.3g msg/s and 1,000 calls/s for %d s\n", peak,
              rate, options.seconds);

  stop = false;
  std::mutex lock;
  std::vector<double> window_latency;
  // Every buffer the measurement uses is allocated and touched here, before the first window:
  // memory the soak itself grew into would read as the kernel's RSS growth.
  std::vector<double> throughput, p50, p99, rss;
  const auto windows_wanted = static_cast<std::size_t>(options.seconds / options.window_s) + 2;
  for (auto* series : {&throughput, &p50, &p99, &rss}) series->reserve(windows_wanted);
  std::vector<double> latency(window_samples, 0.0);
  latency.clear();
  window_latency.assign(window_samples, 0.0);
  window_latency.clear();
  latency_reservoir overall;
  std::ofstream csv;
  if (!options.csv.empty()) {
    csv.open(options.csv);
    if (!csv) RINGKERNELS_THROW(errc::invalid_argument, "soak: cannot write " + options.csv);
    csv << "window,end_s,msgs_per_s,call_p50_ns,call_p99_ns,rss_kib\n";
  }
  std::thread streamer([&] { stream(kernel, rate, stop, tally, sequence); });
  std::thread caller([&] { call_every_millisecond(kernel, stop, tally, lock, window_latency); });
  const auto start = clock_type::now();
  const int windows =
      std::max(1, static_cast<int>(std::lround(options.seconds / options.window_s)));
  std::uint64_t received_before = tally.received.load();
  for (int w = 1; w <= windows; ++w) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<clock_type::duration>(
                                              std::chrono::duration<double>(w * options.window_s)));
    const std::uint64_t received_now = tally.received.load();
    {
      std::lock_guard guard(lock);
      latency.assign(window_latency.begin(), window_latency.end());  // within its capacity
      window_latency.clear();
    }
    for (const double ns : latency) overall.add(ns);
    throughput.push_back(static_cast<double>(received_now - received_before) / options.window_s);
    received_before = received_now;
    p50.push_back(latency.empty() ? 0 : percentile(latency, 50));
    p99.push_back(latency.empty() ? 0 : percentile(latency, 99));
    rss.push_back(resident_kib());
    std::printf("soak: window %d/%d: %.3g msg/s, call p50 %.1f us p99 %.1f us, RSS %.0f KiB\n", w,
                windows, throughput.back(), p50.back() / 1e3, p99.back() / 1e3, rss.back());
    std::fflush(stdout);
    if (csv.is_open()) {
      csv << w << ',' << w * options.window_s << ',' << throughput.back() << ',' << p50.back()
          << ',' << p99.back() << ',' << rss.back() << '\n'
          << std::flush;
    }
  }
  stop = true;
  streamer.join();
  caller.join();

  const telemetry_snapshot t = kernel.snapshot();
  const std::uint64_t accepted = tally.streamed.load() + tally.called.load();
  const std::uint64_t balance = t.processed + t.dropped() + t.pending;
  const std::uint64_t lost = (accepted > balance ? accepted - balance : balance - accepted) +
                             (t.sent > accepted ? t.sent - accepted : accepted - t.sent);
  const std::uint64_t missing =
      accepted - std::min(accepted, tally.received.load() + tally.answered.load());
  out.add("soak.seconds", options.seconds, "s", std::to_string(windows) + " windows");
  out.add("soak.peak_msgs_per_s", peak, "msg/s", "unpaced streaming, measured first");
  out.add("soak.rate_msgs_per_s", rate, "msg/s", options.rate > 0 ? "--rate" : "half the peak");
  double mean = 0;
  for (const double v : throughput) mean += v;
  out.add("soak.throughput_msgs_per_s", mean / static_cast<double>(throughput.size()), "msg/s",
          "mean over windows");
  out.add("soak.throughput_cv", coefficient_of_variation(throughput), "", "stddev/mean, windows");
  add_latency(out, "soak.call", overall.samples(), "call().get() while streaming, 1 per ms");
  out.add("soak.p99_cv", coefficient_of_variation(p99), "", "stddev/mean of window p99s");
  out.add("soak.rss_growth_kib", rss.back() - rss.front(), "KiB", "last window - first window");
  out.add("soak.sent", static_cast<double>(accepted), "", "requests accepted (streamed + calls)");
  out.add("soak.wrong", static_cast<double>(tally.wrong.load()), "", "replies out of order/wrong");
  out.add("soak.lost", static_cast<double>(lost), "", "accepted but not processed/dropped/pending");
  out.add("soak.missing", static_cast<double>(missing), "", "accepted, no reply received");
  (void)kernel.terminate();
  if (tally.wrong.load() != 0 || lost != 0 || missing != 0) {
    RINGKERNELS_THROW(errc::backend_failure, "soak: " + std::to_string(tally.wrong.load()) +
                                                 " wrong replies, " + std::to_string(lost) +
                                                 " lost, " + std::to_string(missing) + " missing");
  }
}

}  // namespace

report run_soak(const std::string& backend, const soak_options& options) {
  report out("ringkernels soak --backend " + backend + " --seconds " +
             std::to_string(options.seconds));
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    soak<Kokkos::Cuda>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    out.set_device(gpu_description());
    soak<Kokkos::Experimental::HIP>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial") {
    soak<Kokkos::Serial>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp") {
    soak<Kokkos::OpenMP>(out, options);
    return out;
  }
#endif
  RINGKERNELS_THROW(errc::unsupported, "soak: backend '" + backend + "' is not in this build");
}

}  // namespace ringkernels::perf

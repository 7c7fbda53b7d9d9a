// Benchmark results: a table on stdout and JSON {"results": [{"name", "value", "unit"}, ...]}.
// Result names are contracts (docs/performance.md, scripts): keep them stable.
#ifndef RINGKERNELS_PERF_BENCH_REPORT_HPP
#define RINGKERNELS_PERF_BENCH_REPORT_HPP

#include <string>
#include <utility>
#include <vector>

namespace ringkernels::perf {

struct result {
  std::string name;
  double value;
  std::string unit;
  std::string note;  ///< shown in the table, not in JSON
};

class report {
 public:
  explicit report(std::string title) : title_(std::move(title)) {}
  void add(const std::string& name, double value, const std::string& unit,
           const std::string& note = {});
  /// Value of a result added earlier; throws if absent.
  double value(const std::string& name) const;
  void print_table() const;
  /// Writes the JSON file; throws ringkernels::error when the file cannot be written.
  void write_json(const std::string& path, const std::string& machine) const;
  const std::vector<result>& results() const { return results_; }
  /// Keeps a latency series' samples (ns) for write_samples_csv (add_latency keeps them).
  void keep_samples(const std::string& series, const std::vector<double>& samples);
  /// Writes every kept sample as CSV (series,latency_ns), what `perf/plot.py latency` draws;
  /// throws ringkernels::error when the file cannot be written.
  void write_samples_csv(const std::string& path) const;
  /// The accelerator the numbers come from (empty for CPU-only benchmarks).
  void set_device(std::string device) { device_ = std::move(device); }
  const std::string& device() const { return device_; }

 private:
  std::string title_;
  std::string device_;
  std::vector<result> results_;
  std::vector<std::pair<std::string, std::vector<double>>> samples_;
};

/// The p-th percentile (0..100) of samples (sorted in place).
double percentile(std::vector<double>& samples, double p);

/// Adds `prefix`.p50_ns (with `note`) and `prefix`.p99_ns of latency samples in nanoseconds,
/// the first 1 % dropped as warm-up.
void add_latency(report& out, const std::string& prefix, std::vector<double> samples,
                 const std::string& note);

/// The same under the names `prefix`_p50_ns and `prefix`_p99_ns (the actor benchmarks' and
/// their floors' names: actors.pingpong.cross_worker.one_way_p50_ns).
void add_latency_underscored(report& out, const std::string& prefix, std::vector<double> samples,
                             const std::string& note);

/// "0.85 x floor" — a project number as a ratio of its floor measured in the same run.
std::string ratio_note(double value, double floor_value);

/// One line naming this machine: CPU model, core count, kernel.
std::string machine_description();

}  // namespace ringkernels::perf

#endif

#include "bench_report.hpp"

#include <ringkernels/core/error.hpp>

#include <nlohmann/json.hpp>

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

namespace ringkernels::perf {

void report::add(const std::string& name, double value, const std::string& unit,
                 const std::string& note) {
  results_.push_back({name, value, unit, note});
}

double report::value(const std::string& name) const {
  for (const auto& entry : results_) {
    if (entry.name == name) return entry.value;
  }
  RINGKERNELS_THROW(errc::not_found, "no benchmark result named '" + name + "'");
}

void report::print_table() const {
  std::printf("\n%s\n", title_.c_str());
  if (!device_.empty()) std::printf("device: %s\n", device_.c_str());
  std::printf("%-40s %16s  %-10s %s\n", "name", "value", "unit", "note");
  for (const auto& entry : results_) {
    std::printf("%-40s %16.1f  %-10s %s\n", entry.name.c_str(), entry.value, entry.unit.c_str(),
                entry.note.c_str());
  }
}

void report::write_json(const std::string& path, const std::string& machine) const {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& entry : results_) {
    results.push_back({{"name", entry.name}, {"value", entry.value}, {"unit", entry.unit}});
  }
  const nlohmann::ordered_json document = {{"title", title_},
                                           {"machine", machine},
                                           {"device", device_},
                                           {"results", std::move(results)}};
  std::ofstream out(path);
  if (!out)
    RINGKERNELS_THROW(errc::invalid_argument, "cannot write benchmark JSON to '" + path + "'");
  out << document.dump(2) << "\n";
  if (!out) RINGKERNELS_THROW(errc::backend_failure, "writing '" + path + "' failed");
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size() - 1));
  return samples[index];
}

namespace {
void add_percentiles(report& out, const std::string& p50_name, const std::string& p99_name,
                     std::vector<double> samples, const std::string& note) {
  samples.erase(samples.begin(), samples.begin() + static_cast<long>(samples.size() / 100));
  out.keep_samples(p50_name.substr(0, p50_name.size() - std::string("_p50_ns").size()), samples);
  out.add(p50_name, percentile(samples, 50), "ns", note);
  out.add(p99_name, percentile(samples, 99), "ns");
}
}  // namespace

void report::keep_samples(const std::string& series, const std::vector<double>& samples) {
  samples_.emplace_back(series, samples);
}

void report::write_samples_csv(const std::string& path) const {
  std::ofstream out(path);
  out << "series,latency_ns\n";
  for (const auto& [series, values] : samples_) {
    for (double value : values) out << series << ',' << value << '\n';
  }
  out.flush();
  if (!out) RINGKERNELS_THROW(errc::io_error, "cannot write latency samples to '" + path + "'");
}

void add_latency(report& out, const std::string& prefix, std::vector<double> samples,
                 const std::string& note) {
  add_percentiles(out, prefix + ".p50_ns", prefix + ".p99_ns", std::move(samples), note);
}

void add_latency_underscored(report& out, const std::string& prefix, std::vector<double> samples,
                             const std::string& note) {
  add_percentiles(out, prefix + "_p50_ns", prefix + "_p99_ns", std::move(samples), note);
}

std::string ratio_note(double value, double floor_value) {
  char text[64];
  if (!(floor_value > 0)) return "no floor measured on this backend";
  std::snprintf(text, sizeof text, "%.2f x floor", value / floor_value);
  return text;
}

std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname name{};
  uname(&name);
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) +
         " hardware threads, " + name.sysname + " " + name.release;
}

}  // namespace ringkernels::perf

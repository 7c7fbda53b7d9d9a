// `ringkernels soak --backend B [--seconds N] [--rate R] [--json FILE] [--csv FILE]`
// (perf/soak.hpp; perf/plot.py draws the CSV).
#include "cli.hpp"
#include "soak.hpp"

namespace ringkernels::cli {

int run_soak(const arguments& args) {
  require_known_options(args, "soak",
                        {"backend", "seconds", "rate", "json", "csv", "device", "launch"});
  perf::soak_options options;
  options.seconds = number_option(args, "seconds", options.seconds, 5, 7 * 24 * 3600);
  options.rate = number_option(args, "rate", 0, 1, 2'000'000'000);
  options.csv = option(args, "csv", "");
  const std::string json = option(args, "json", "");
  perf::report result = perf::run_soak(option(args, "backend", "serial"), options);
  print_report(result, json);
  return 0;
}

}  // namespace ringkernels::cli

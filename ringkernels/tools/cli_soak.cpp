// `ringkernels soak --backend B [--seconds N] [--rate R] [--json FILE] [--csv FILE]`
// (perf/soak.hpp; perf/plot.py draws the CSV).
#include "cli.hpp"
#include "soak.hpp"

#include <memory>

namespace ringkernels::cli {

command add_soak(CLI::App& tool, gpu_choice& gpu) {
  struct settings {
    std::string backend = "serial";
    perf::soak_options soak;
    std::string json;
  };
  auto chosen = std::make_shared<settings>();
  command soak;
  soak.app = tool.add_subcommand("soak", "a kernel under steady load: 5 s windows, accounting");
  add_backend_option(*soak.app, chosen->backend, "where the kernel runs");
  soak.app->add_option("--seconds", chosen->soak.seconds, "how long")
      ->check(CLI::Range(5, 7 * 24 * 3600))
      ->capture_default_str();
  soak.app->add_option("--rate", chosen->soak.rate, "messages/s streamed (default: half the peak)")
      ->check(CLI::Range(1, 2'000'000'000));
  soak.app->add_option("--json", chosen->json, "write the results as JSON");
  soak.app->add_option("--csv", chosen->soak.csv, "write the windows as CSV (perf/plot.py soak)");
  add_gpu_options(*soak.app, gpu);
  soak.run = [chosen] {
    perf::report result = perf::run_soak(chosen->backend, chosen->soak);
    print_report(result, chosen->json);
    return 0;
  };
  return soak;
}

}  // namespace ringkernels::cli

// `ringkernels bench ...`: benchmarks that print a table and write JSON.
#include "actor_bench.hpp"
#include "checkpoint_bench.hpp"
#include "cli.hpp"
#include "kernel_bench.hpp"
#include "messaging_bench.hpp"
#include "sssp_bench.hpp"

#include <ringkernels/backends/common/control_block.hpp>

#include <cstdio>

namespace ringkernels::cli {

int run_bench(const arguments& args) {
  require_known_options(args, "bench",
                        {"backend", "json", "workers", "host-threads", "device", "launch", "actors",
                         "pings", "only", "graph", "scale", "delta", "block", "timeout", "path"},
                        {"quick", "no-caf"}, 1);
  const std::string which = args.empty() ? "" : args[0];
  const std::string json = option(args, "json", "");
  perf::kernel_bench_options options;
  options.scale = flag(args, "quick") ? 0.05 : 1.0;
  options.workers = number_option(args, "workers", 0, 1, max_workers_per_kernel);
  options.host_threads = number_option(args, "host-threads", 0, 1, 256);
  perf::report result("");
  if (which == "messaging") {
    result = perf::run_messaging_bench(options.scale);
  } else if (which == "actors") {
    perf::actor_bench_options actor_options;
    actor_options.scale = options.scale;
    actor_options.workers = options.workers;
    actor_options.with_caf = !flag(args, "no-caf");
    actor_options.big_actors =
        static_cast<std::uint64_t>(number_option(args, "actors", 0, 2, 1'000'000'000));
    actor_options.big_pings =
        static_cast<std::uint64_t>(number_option(args, "pings", 0, 1, 1'000'000));
    actor_options.only = option(args, "only", "");
    result = perf::run_actor_bench(option(args, "backend", "serial"), actor_options);
  } else if (which == "sssp") {
    perf::sssp_bench_options sssp_options;
    sssp_options.graph = option(args, "graph", "grid");
    sssp_options.scale = static_cast<std::uint32_t>(number_option(args, "scale", 20, 10, 26));
    sssp_options.workers = options.workers;
    sssp_options.delta = static_cast<std::uint32_t>(
        number_option(args, "delta", static_cast<int>(sssp_options.delta), 0, 1 << 30));
    sssp_options.block = static_cast<std::uint32_t>(
        number_option(args, "block", static_cast<int>(sssp_options.block), 16, 1 << 20));
    sssp_options.timeout_s = number_option(args, "timeout", sssp_options.timeout_s, 1, 3600);
    result = perf::run_sssp_bench(option(args, "backend", "serial"), sssp_options);
  } else if (which == "checkpoint") {
    perf::checkpoint_bench_options checkpoint_options;
    checkpoint_options.workers = options.workers;
    if (const int actors = number_option(args, "actors", 0, 1, 1'000'000'000); actors > 0) {
      checkpoint_options.actors = static_cast<std::uint64_t>(actors);
    } else if (flag(args, "quick")) {
      checkpoint_options.actors = 500'000;
    }
    checkpoint_options.path = option(args, "path", "");
    result = perf::run_checkpoint_bench(option(args, "backend", "serial"), checkpoint_options);
  } else if (which == "roundtrip" || which == "throughput") {
    result = perf::run_kernel_bench(which, option(args, "backend", "serial"), options);
  } else {
    std::fprintf(stderr,
                 "ringkernels bench: unknown benchmark '%s' (messaging, roundtrip, throughput, "
                 "actors, sssp, checkpoint)\n",
                 which.c_str());
    return 2;
  }
  print_report(result, json);
  return 0;
}

void print_report(const perf::report& result, const std::string& json) {
  const std::string machine = perf::machine_description();
  std::printf("machine: %s\n", machine.c_str());
  result.print_table();
  if (!json.empty()) {
    result.write_json(json, machine);
    std::printf("wrote %s\n", json.c_str());
  }
}

}  // namespace ringkernels::cli

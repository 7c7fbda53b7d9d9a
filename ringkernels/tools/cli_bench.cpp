// `ringkernels bench messaging|roundtrip|throughput|actors|sssp|checkpoint|relaunch`: benchmarks
// that print a table and write JSON. The options all benchmarks share sit on `bench` (they may come
// before or after the benchmark's name); each benchmark adds its own.
#include "actor_bench.hpp"
#include "checkpoint_bench.hpp"
#include "cli.hpp"
#include "kernel_bench.hpp"
#include "messaging_bench.hpp"
#include "relaunch_bench.hpp"
#include "sssp_bench.hpp"

#include <ringkernels/backends/common/control_block.hpp>

#include <cstdio>
#include <memory>

namespace ringkernels::cli {
namespace {

/// What every benchmark takes.
struct shared_settings {
  std::string backend = "serial";
  std::string json;
  std::string samples;  ///< CSV of every latency sample (perf/plot.py latency)
  bool quick = false;
  int workers = 0;
  double scale() const { return quick ? 0.05 : 1.0; }
};

/// A benchmark subcommand of `bench` whose work prints `make()`'s report.
CLI::App* add_benchmark(CLI::App& bench, const std::string& name, const std::string& what,
                        std::shared_ptr<shared_settings> shared, std::function<perf::report()> make,
                        std::function<int()>& run_slot) {
  CLI::App* app = bench.add_subcommand(name, what);
  app->footer(
      "Also bench's options: --backend serial|openmp|cuda|hip, --json FILE, --samples FILE,\n"
      "--quick,"
      " --workers N, --device N, --launch MODE (before or after the benchmark's name).");
  app->callback([shared, make, &run_slot] {
    run_slot = [shared, make] {
      const perf::report result = make();
      print_report(result, shared->json);
      if (!shared->samples.empty()) {
        result.write_samples_csv(shared->samples);
        std::printf("wrote %s (perf/plot.py latency draws it)\n", shared->samples.c_str());
      }
      return 0;
    };
  });
  return app;
}

void add_kernel_benches(CLI::App& bench, std::shared_ptr<shared_settings> shared,
                        std::function<int()>& run) {
  auto host_threads = std::make_shared<int>(0);
  add_benchmark(
      bench, "messaging", "queue benchmarks next to the hardware floor", shared,
      [shared] { return perf::run_messaging_bench(shared->scale()); }, run);
  for (const char* which : {"roundtrip", "throughput"}) {
    CLI::App* app = add_benchmark(
        bench, which,
        std::string(which) == "roundtrip"
            ? "request/response latency against a launch per request"
            : "streaming rate (default: 32 workers, 4 host threads on a GPU)",
        shared,
        [shared, host_threads, name = std::string(which)] {
          perf::kernel_bench_options options;
          options.scale = shared->scale();
          options.workers = shared->workers;
          options.host_threads = *host_threads;
          return perf::run_kernel_bench(name, shared->backend, options);
        },
        run);
    app->add_option("--host-threads", *host_threads, "host threads feeding the kernel")
        ->check(CLI::Range(1, 256));
  }
}

void add_actor_bench(CLI::App& bench, std::shared_ptr<shared_settings> shared,
                     std::function<int()>& run) {
  auto options = std::make_shared<perf::actor_bench_options>();
  auto no_caf = std::make_shared<bool>(false);
  CLI::App* app = add_benchmark(
      bench, "actors", "Savina workloads on actors, floors, CAF ratios", shared,
      [shared, options, no_caf] {
        options->scale = shared->scale();
        options->workers = shared->workers;
        options->with_caf = !*no_caf;
        return perf::run_actor_bench(shared->backend, *options);
      },
      run);
  app->add_flag("--no-caf", *no_caf, "skip the C++ Actor Framework comparison");
  app->add_option("--only", options->only, "one workload")
      ->check(CLI::IsMember({"pingpong", "threadring", "big", "counting"}));
  app->add_option("--actors", options->big_actors, "Big's actors")
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1'000'000'000}));
  app->add_option("--pings", options->big_pings, "pings per actor in Big")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
}

void add_sssp_bench(CLI::App& bench, std::shared_ptr<shared_settings> shared,
                    std::function<int()>& run) {
  auto options = std::make_shared<perf::sssp_bench_options>();
  CLI::App* app = add_benchmark(
      bench, "sssp", "shortest paths: actors vs bulk-synchronous Kokkos", shared,
      [shared, options] {
        options->workers = shared->workers;
        return perf::run_sssp_bench(shared->backend, *options);
      },
      run);
  app->add_option("--graph", options->graph, "grid (a 2-D mesh) or kron (Graph500)")
      ->check(CLI::IsMember({"grid", "kron"}))
      ->capture_default_str();
  app->add_option("--scale", options->scale, "about 2^S vertices")
      ->check(CLI::Range(10u, 26u))
      ->capture_default_str();
  app->add_option("--delta", options->delta, "bucket width of the actor version (0: one bucket)")
      ->check(CLI::Range(0u, 1u << 30))
      ->capture_default_str();
  app->add_option("--block", options->block, "vertices per block actor")
      ->check(CLI::Range(16u, 1u << 20))
      ->capture_default_str();
  app->add_option("--timeout", options->timeout_s, "the actor run's deadline, seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
}

void add_checkpoint_bench(CLI::App& bench, std::shared_ptr<shared_settings> shared,
                          std::function<int()>& run) {
  auto options = std::make_shared<perf::checkpoint_bench_options>();
  auto actors = std::make_shared<std::uint64_t>(0);
  CLI::App* app = add_benchmark(
      bench, "checkpoint", "an actor system's states to a checkpoint file and back", shared,
      [shared, options, actors] {
        options->workers = shared->workers;
        if (*actors > 0) {
          options->actors = *actors;
        } else if (shared->quick) {
          options->actors = 500'000;
        }
        return perf::run_checkpoint_bench(shared->backend, *options);
      },
      run);
  app->add_option("--actors", *actors, "actors of 16 B (default 10,000,000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  app->add_option("--path", options->path, "the checkpoint file (default: a temporary one)");
}

void add_relaunch_bench(CLI::App& bench, std::shared_ptr<shared_settings> shared,
                        std::function<int()>& run) {
  auto options = std::make_shared<perf::relaunch_bench_options>();
  auto rounds = std::make_shared<int>(0);
  CLI::App* app = add_benchmark(
      bench, "relaunch", "the supervisor relaunching a stalled kernel, vs a fresh launch", shared,
      [shared, options, rounds] {
        options->rounds = *rounds > 0 ? *rounds : (shared->quick ? 5 : 20);
        return perf::run_relaunch_bench(shared->backend, *options);
      },
      run);
  app->add_option("--rounds", *rounds, "stalls to relaunch (default 20; 5 with --quick)")
      ->check(CLI::Range(1, 10000));
  app->add_option("--stall-after", options->stall_after_ms, "the kernel's stall threshold, ms")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
}

}  // namespace

command add_bench(CLI::App& tool, gpu_choice& gpu) {
  auto shared = std::make_shared<shared_settings>();
  auto run = std::make_shared<std::function<int()>>();
  command bench;
  bench.app = tool.add_subcommand("bench", "benchmarks: a table, and JSON with --json");
  bench.app->require_subcommand(1);
  bench.app->fallthrough();  // the shared options may follow the benchmark's name
  add_backend_option(*bench.app, shared->backend, "where the benchmark runs");
  bench.app->add_option("--json", shared->json, "write the results as JSON");
  bench.app->add_option("--samples", shared->samples,
                        "write every latency sample as CSV (perf/plot.py latency draws it)");
  bench.app->add_flag("--quick", shared->quick, "about 5 % of the messages");
  bench.app->add_option("--workers", shared->workers, "workers of the kernel or actor system")
      ->check(CLI::Range(1, max_workers_per_kernel));
  add_gpu_options(*bench.app, gpu);
  add_kernel_benches(*bench.app, shared, *run);
  add_actor_bench(*bench.app, shared, *run);
  add_sssp_bench(*bench.app, shared, *run);
  add_checkpoint_bench(*bench.app, shared, *run);
  add_relaunch_bench(*bench.app, shared, *run);
  bench.run = [run] { return (*run)(); };
  return bench;
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

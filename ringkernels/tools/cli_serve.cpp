// `ringkernels serve --backend B --metrics HOST:PORT [--seconds N]`: an echo kernel under light
// load (one checked call every 10 ms) while the runtime's Prometheus endpoint serves its
// telemetry at http://HOST:PORT/metrics, until SIGINT/SIGTERM or N seconds. A demo to point a
// Prometheus server (or curl) at; tests/cli scrapes it and checks that the counters move.
#include "cli.hpp"
#include "echo_requests.hpp"

#include <ringkernels/runtime.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

namespace ringkernels::cli {
namespace {

std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) { stop_requested.store(true); }

template <class ExecSpace>
int serve_on(const std::string& backend, const std::string& address, int seconds) {
  using namespace std::chrono_literals;
  runtime_options runtime_setup;
  runtime_setup.metrics_address = address;
  runtime rt(runtime_setup);
  kernel_options options;
  options.name = "serve_echo";
  auto kernel = rt.launch<ExecSpace>(examples::echo{}, options);
  kernel.activate();
  const std::string host = address.substr(0, address.rfind(':'));
  std::printf(
      "serve: metrics at http://%s:%d/metrics; kernel 'serve_echo' on %s, one call per "
      "10 ms; %s\n",
      host.c_str(), rt.metrics_port(), backend.c_str(),
      seconds > 0 ? ("for " + std::to_string(seconds) + " s").c_str() : "Ctrl-C stops");
  std::fflush(stdout);
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  const auto start = std::chrono::steady_clock::now();
  auto next_report = start + 5s;
  std::uint64_t calls = 0, wrong = 0;
  while (!stop_requested.load() && (seconds == 0 || std::chrono::steady_clock::now() - start <
                                                        std::chrono::seconds(seconds))) {
    wrong += perf::reply_matches(kernel.call(perf::make_request(calls)).get(1s), calls) ? 0 : 1;
    ++calls;
    if (std::chrono::steady_clock::now() >= next_report) {
      next_report += 5s;
      std::printf("serve: %llu calls answered\n", static_cast<unsigned long long>(calls));
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(10ms);
  }
  const terminate_report stopped = kernel.terminate();
  std::printf("serve: %llu calls, %llu wrong replies; kernel %s\n",
              static_cast<unsigned long long>(calls), static_cast<unsigned long long>(wrong),
              stopped.stopped ? "stopped" : stopped.detail.c_str());
  return wrong == 0 && stopped.stopped ? 0 : 1;
}

int run_serve(const std::string& backend, const std::string& address, int seconds) {
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial") return serve_on<Kokkos::Serial>(backend, address, seconds);
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp") return serve_on<Kokkos::OpenMP>(backend, address, seconds);
#endif
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") return serve_on<Kokkos::Cuda>(backend, address, seconds);
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") return serve_on<Kokkos::Experimental::HIP>(backend, address, seconds);
#endif
  std::fprintf(stderr, "ringkernels serve: backend '%s' is not built in this configuration\n",
               backend.c_str());
  return 2;
}

}  // namespace

command add_serve(CLI::App& tool, gpu_choice& gpu) {
  struct settings {
    std::string backend = "serial";
    std::string address = "127.0.0.1:9464";
    int seconds = 0;
  };
  auto chosen = std::make_shared<settings>();
  command serve;
  serve.app = tool.add_subcommand(
      "serve", "a kernel under light load, its telemetry at http://HOST:PORT/metrics");
  add_backend_option(*serve.app, chosen->backend, "where the kernel runs");
  serve.app->add_option("--metrics", chosen->address, "HOST:PORT of the Prometheus endpoint")
      ->capture_default_str();
  serve.app->add_option("--seconds", chosen->seconds, "stop after N seconds (default: on a signal)")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  add_gpu_options(*serve.app, gpu);
  serve.run = [chosen] { return run_serve(chosen->backend, chosen->address, chosen->seconds); };
  return serve;
}

}  // namespace ringkernels::cli

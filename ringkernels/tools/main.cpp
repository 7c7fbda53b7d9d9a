// Entry point of the `ringkernels` tool: info, validate, bench, soak, serve.
#include "cli.hpp"

#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/core/error.hpp>

#include <Kokkos_Core.hpp>

#if defined(RINGKERNELS_ENABLE_CUDA)
#include <cuda_runtime_api.h>
#endif

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

void print_usage() {
  std::printf(
      "usage: ringkernels <command> [options]\n"
      "  info                                   topology, Kokkos version, backends\n"
      "  validate [--backend B|all]             the end-to-end validation flow (B: serial, "
      "openmp,\n"
      "                                         cuda, hip; default: best available)\n"
      "  bench messaging [--json FILE]          queue benchmarks next to the hardware floor\n"
      "  bench roundtrip|throughput --backend B [--json FILE] [--quick]\n"
      "  bench throughput ... [--workers N] [--host-threads N]   (default: 32 and 4 on a GPU)\n"
      "  bench actors --backend B [--json FILE] [--quick] [--workers N] [--no-caf]\n"
      "               [--only pingpong|threadring|big|counting] [--actors N] [--pings P] (Big)\n"
      "                                         Savina workloads on actors, floors, CAF ratios\n"
      "  bench sssp --backend B [--graph grid|kron] [--scale S] [--workers N] [--delta D]\n"
      "             [--block V] [--timeout SECONDS] [--json FILE]\n"
      "                                         shortest paths: actors vs bulk-synchronous Kokkos\n"
      "  bench checkpoint --backend B [--actors N] [--path FILE] [--quick] [--json FILE]\n"
      "                                         an actor system's states to a checkpoint and back\n"
      "  soak --backend B [--seconds N] [--rate R] [--json FILE] [--csv FILE]\n"
      "                                         a kernel under steady load: 5 s windows, "
      "accounting\n"
      "  serve --backend B [--metrics HOST:PORT] [--seconds N]\n"
      "                                         a kernel under light load, its telemetry for "
      "Prometheus\n"
      "                                         at http://HOST:PORT/metrics (default "
      "127.0.0.1:9464)\n"
      "options for GPU backends: --device N (the GPU everything runs on; default 0)\n"
      "                          --launch automatic|cooperative|persistent|event-driven\n");
}

/// The CPU simulator's persistent workers are this process's own pinned threads. An OpenMP pool
/// that spins actively after Kokkos::initialize (libgomp's default) steals their cores: on the
/// 2-core development machine it tripled the core-to-core round trip. libgomp reads
/// OMP_WAIT_POLICY when it is loaded, before main, so the tool re-executes itself once with
/// OMP_WAIT_POLICY=passive unless the user chose a policy.
void ensure_passive_openmp_waits(char* argv[]) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run with the active pool
}

/// `--device N` chooses Kokkos' device, so kernels, floors and baselines all run on it. Returns
/// the Kokkos argument for it (empty without --device); throws for a device that is not there.
std::string kokkos_device_argument(const ringkernels::cli::arguments& args) {
  const int device = ringkernels::cli::number_option(args, "device", -1, 0, 1 << 20);
  if (device < 0) return {};  // not given
#if defined(RINGKERNELS_ENABLE_CUDA)
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) count = 0;
  if (device >= count) {
    RINGKERNELS_THROW(ringkernels::errc::invalid_argument,
                      "--device " + std::to_string(device) + ": this machine has " +
                          std::to_string(count) + " CUDA device(s)");
  }
#endif
  return "--kokkos-device-id=" + std::to_string(device);
}

}  // namespace

namespace ringkernels::cli {

std::string option(const arguments& args, const std::string& name, const std::string& fallback) {
  const std::string prefix = "--" + name;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == prefix && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(prefix + "=", 0) == 0) return args[i].substr(prefix.size() + 1);
  }
  return fallback;
}

gpu_launch launch_option(const arguments& args) {
  const std::string text = option(args, "launch", "automatic");
  for (gpu_launch mode : {gpu_launch::automatic, gpu_launch::cooperative, gpu_launch::persistent,
                          gpu_launch::event_driven}) {
    if (text == to_string(mode)) return mode;
  }
  RINGKERNELS_THROW(
      errc::invalid_argument,
      "--launch " + text + ": choose automatic, cooperative, persistent or event-driven");
}

int number_option(const arguments& args, const std::string& name, int fallback, int lowest,
                  int highest) {
  const std::string text = option(args, name, "");
  if (text.empty()) {
    // "--name" last or "--name=" is a value forgotten, not a request for the default.
    for (const auto& arg : args) {
      if (arg == "--" + name || arg == "--" + name + "=") {
        RINGKERNELS_THROW(errc::invalid_argument, "--" + name + " needs a whole number from " +
                                                      std::to_string(lowest) + " to " +
                                                      std::to_string(highest));
      }
    }
    return fallback;
  }
  long value = lowest - 1L;
  try {
    std::size_t used = 0;
    value = std::stol(text, &used);
    if (used != text.size()) value = lowest - 1L;
  } catch (const std::exception&) {
    value = lowest - 1L;
  }
  if (value < lowest || value > highest) {
    RINGKERNELS_THROW(errc::invalid_argument, "--" + name + " wants a whole number from " +
                                                  std::to_string(lowest) + " to " +
                                                  std::to_string(highest) + ", not '" + text + "'");
  }
  return static_cast<int>(value);
}

bool flag(const arguments& args, const std::string& name) {
  for (const auto& arg : args) {
    if (arg == "--" + name) return true;
  }
  return false;
}

void require_known_options(const arguments& args, const std::string& command,
                           const std::vector<std::string>& valued,
                           const std::vector<std::string>& flags, std::size_t positionals) {
  const auto known_list = [&] {
    std::string text;
    for (const auto& name : valued) text += (text.empty() ? "--" : ", --") + name + " V";
    for (const auto& name : flags) text += (text.empty() ? "--" : ", --") + name;
    return text.empty() ? std::string("none") : text;
  };
  const auto in = [](const std::vector<std::string>& names, const std::string& name) {
    for (const auto& known : names) {
      if (known == name) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--kokkos-", 0) == 0) continue;  // Kokkos reads these itself
    if (arg.rfind("--", 0) != 0) {
      if (i < positionals) continue;
      RINGKERNELS_THROW(errc::invalid_argument, "unexpected argument '" + arg + "' for '" +
                                                    command + "' (options: " + known_list() + ")");
    }
    const std::string name =
        arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
    if (in(valued, name)) {
      if (arg.find('=') == std::string::npos) ++i;  // its value is the next word
      continue;
    }
    if (in(flags, name) && arg.find('=') == std::string::npos) continue;
    RINGKERNELS_THROW(errc::invalid_argument, "unknown option '" + arg + "' for '" + command +
                                                  "' (options: " + known_list() + ")");
  }
}

}  // namespace ringkernels::cli

int main(int argc, char* argv[]) {
  ensure_passive_openmp_waits(argv);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  ringkernels::cli::arguments args(argv + 2, argv + argc);
  // Kokkos options (--kokkos-*) are consumed by Kokkos; ours are read from args. Our --device
  // is not shown to Kokkos 3.4 (it reads a deprecated "--device=N" of its own).
  std::string device_argument;
  try {
    device_argument = kokkos_device_argument(args);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "ringkernels %s: %s\n", command.c_str(), failure.what());
    return 2;
  }
  std::vector<char*> kokkos_argv;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--device" && i + 1 < argc) {
      ++i;
      continue;
    }
    if (arg.rfind("--device=", 0) == 0) continue;
    kokkos_argv.push_back(argv[i]);
  }
  if (!device_argument.empty()) kokkos_argv.push_back(device_argument.data());
  int kokkos_argc = static_cast<int>(kokkos_argv.size());
  kokkos_argv.push_back(nullptr);
  // The tool pins its own workers (hwloc); the OpenMP pool only runs ordinary Kokkos work.
  // OMP_PROC_BIND unset means "no binding" to libgomp, which read it at load time; saying so
  // explicitly silences Kokkos' warning on every command. A user's own value is kept.
  setenv("OMP_PROC_BIND", "false", 0);
  try {
    // Before Kokkos starts: `info` also answers on a machine without the build's GPU (Kokkos'
    // CUDA or HIP initialisation aborts there), which is how CI checks a GPU build.
    if (command == "info") return ringkernels::cli::run_info(args);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "ringkernels %s: %s\n", command.c_str(), failure.what());
    return 1;
  }
  Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_argv.data());
  try {
    if (command == "validate") return ringkernels::cli::run_validate(args);
    if (command == "bench") return ringkernels::cli::run_bench(args);
    if (command == "soak") return ringkernels::cli::run_soak(args);
    if (command == "serve") return ringkernels::cli::run_serve(args);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "ringkernels %s: %s\n", command.c_str(), failure.what());
    return 1;
  }
  std::fprintf(stderr, "ringkernels: unknown command '%s'\n", command.c_str());
  print_usage();
  return 2;
}

// Entry point of the `ringkernels` tool: info, validate, bench.
#include "cli.hpp"

#include <ringkernels/core/error.hpp>

#include <Kokkos_Core.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

void print_usage() {
  std::printf(
      "usage: ringkernels <command> [options]\n"
      "  info                                   topology, Kokkos version, backends\n"
      "  validate [--backend B|all]             the end-to-end validation flow (B: serial, "
      "openmp,\n"
      "                                         cuda, hip; default: best available)\n"
      "  bench messaging [--json FILE]          queue benchmarks next to the hardware floor\n"
      "  bench roundtrip|throughput --backend B [--json FILE]\n");
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

bool flag(const arguments& args, const std::string& name) {
  for (const auto& arg : args) {
    if (arg == "--" + name) return true;
  }
  return false;
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
  // Kokkos options (--kokkos-*) are consumed by Kokkos; ours are read from args.
  Kokkos::ScopeGuard kokkos(argc, argv);
  try {
    if (command == "info") return ringkernels::cli::run_info(args);
    if (command == "validate") return ringkernels::cli::run_validate(args);
    if (command == "bench") return ringkernels::cli::run_bench(args);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "ringkernels %s: %s\n", command.c_str(), failure.what());
    return 1;
  }
  std::fprintf(stderr, "ringkernels: unknown command '%s'\n", command.c_str());
  print_usage();
  return 2;
}

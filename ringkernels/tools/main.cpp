// Entry point of the `ringkernels` tool (CLI11): info, validate, bench, soak, serve, help.
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
#include <optional>
#include <string>
#include <vector>

namespace {

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
std::string kokkos_device_argument(int device) {
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

/// "unknown benchmark 'x' (...)" when `words` name a command that needs a subcommand (bench)
/// followed by a word that is none of them: CLI11 would only say that one is required.
std::optional<std::string> unknown_subcommand(CLI::App& tool, const std::vector<char*>& words) {
  if (words.size() < 3 || words[2][0] == '-') return std::nullopt;
  CLI::App* parent = nullptr;
  try {
    parent = tool.get_subcommand(words[1]);
  } catch (const CLI::OptionNotFound&) {
    return std::nullopt;
  }
  std::string known;
  for (const CLI::App* sub : parent->get_subcommands({})) {
    if (sub->get_name() == words[2]) return std::nullopt;
    known += (known.empty() ? "" : ", ") + sub->get_name();
  }
  if (known.empty()) return std::nullopt;
  return "unknown " + std::string(parent->get_name() == "bench" ? "benchmark" : "command") + " '" +
         words[2] + "' (" + known + ")";
}

/// `ringkernels help [COMMAND...]`: the tool's help, or a command's (`help bench actors`).
int print_help(CLI::App& tool, const std::vector<std::string>& topic) {
  CLI::App* about = &tool;
  for (const std::string& name : topic) {
    try {
      about = about->get_subcommand(name);
    } catch (const CLI::OptionNotFound&) {
      std::fprintf(stderr, "ringkernels help: no command '%s'\n", name.c_str());
      return 2;
    }
  }
  std::printf("%s", about->help().c_str());
  return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  using namespace ringkernels::cli;
  ensure_passive_openmp_waits(argv);
  // Kokkos' own options (--kokkos-*) go to Kokkos; the rest is ours.
  std::vector<char*> ours{argv[0]};
  std::vector<char*> kokkos_argv{argv[0]};
  for (int i = 1; i < argc; ++i) {
    (std::string(argv[i]).rfind("--kokkos-", 0) == 0 ? kokkos_argv : ours).push_back(argv[i]);
  }
  CLI::App tool{"RingKernels: ring kernels and actor systems on CPUs and GPUs", "ringkernels"};
  tool.require_subcommand(1);
  tool.footer(
      "Options for GPU backends: --device N (the GPU everything runs on), --launch MODE.\n"
      "Kokkos options (--kokkos-*) pass through to Kokkos. `ringkernels help COMMAND` or\n"
      "`ringkernels COMMAND --help` describes a command.");
  gpu_choice gpu;
  std::vector<command> commands{add_info(tool), add_validate(tool, gpu), add_bench(tool, gpu),
                                add_soak(tool, gpu), add_serve(tool, gpu)};
  std::vector<std::string> topic;
  CLI::App* help = tool.add_subcommand("help", "this text, or a command's: help bench actors");
  help->add_option("command", topic, "a command (and a benchmark)");
  if (ours.size() == 1) {
    std::printf("%s", tool.help().c_str());
    return 2;
  }
  try {
    tool.parse(static_cast<int>(ours.size()), ours.data());
  } catch (const CLI::CallForHelp& asked) {
    return tool.exit(asked);
  } catch (const CLI::ParseError& wrong) {
    // Errors name the command and the option; exit code 2 as for any usage error.
    const std::string command = ours.size() > 1 ? ours[1] : "";
    std::fprintf(stderr, "ringkernels %s: %s\n%s", command.c_str(),
                 unknown_subcommand(tool, ours).value_or(wrong.what()).c_str(),
                 "Run with --help for more information.\n");
    return 2;
  }
  if (help->parsed()) return print_help(tool, topic);
  const command* chosen = nullptr;
  for (const command& candidate : commands) {
    if (candidate.app->parsed()) chosen = &candidate;
  }
  const std::string name = chosen->app->get_name();
  try {
    // Before Kokkos starts: `info` also answers on a machine without the build's GPU (Kokkos'
    // CUDA or HIP initialisation aborts there), which is how CI checks a GPU build.
    if (chosen->before_kokkos) return chosen->run();
    std::string device_argument = kokkos_device_argument(gpu.device);
    if (!device_argument.empty()) kokkos_argv.push_back(device_argument.data());
    int kokkos_argc = static_cast<int>(kokkos_argv.size());
    kokkos_argv.push_back(nullptr);
    // The tool pins its own workers (hwloc); the OpenMP pool only runs ordinary Kokkos work.
    // OMP_PROC_BIND unset means "no binding" to libgomp, which read it at load time; saying
    // so explicitly silences Kokkos' warning on every command. A user's own value is kept.
    setenv("OMP_PROC_BIND", "false", 0);
    Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_argv.data());
    return chosen->run();
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "ringkernels %s: %s\n", name.c_str(), failure.what());
    return 1;
  }
}

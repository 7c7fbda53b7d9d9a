// The `ringkernels` command-line tool, on CLI11: one subcommand per file (cli_*.cpp), each
// registering its options and its work. Subcommand names, option names, JSON result names and
// the final `Passed: N/M` line of validate are contracts that scripts rely on: keep them stable.
#ifndef RINGKERNELS_TOOLS_CLI_HPP
#define RINGKERNELS_TOOLS_CLI_HPP

#include <ringkernels/backends/common/kernel_options.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace ringkernels::perf {
class report;
}

namespace ringkernels::cli {

/// The GPU options every command that runs kernels takes. Kokkos reads the device before it
/// starts, so main() passes it on; the launch mode goes to each kernel's options.
struct gpu_choice {
  int device = -1;  ///< -1: Kokkos' default (0)
  std::string launch = "automatic";
  gpu_launch mode() const;
};

/// A registered subcommand: its parser, and its work, run after Kokkos started (`info` runs
/// before: it answers on a machine without the build's GPU).
struct command {
  CLI::App* app = nullptr;
  std::function<int()> run;
  bool before_kokkos = false;
};

command add_info(CLI::App& tool);
command add_validate(CLI::App& tool, gpu_choice& gpu);
command add_bench(CLI::App& tool, gpu_choice& gpu);
command add_soak(CLI::App& tool, gpu_choice& gpu);
command add_serve(CLI::App& tool, gpu_choice& gpu);

/// --device N and --launch MODE on `app`, into `gpu`.
void add_gpu_options(CLI::App& app, gpu_choice& gpu);
/// --backend B on `app`, into `backend` (checked against the backends this tool knows).
void add_backend_option(CLI::App& app, std::string& backend, const std::string& what);

/// Prints the machine line and `result`'s table; writes its JSON to `json` unless empty.
void print_report(const perf::report& result, const std::string& json);

}  // namespace ringkernels::cli

#endif

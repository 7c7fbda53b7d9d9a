// The `ringkernels` command-line tool: one function per subcommand. Subcommand names, option
// names, JSON result names and the final `Passed: N/M` line of validate are contracts that
// scripts rely on: keep them stable.
#ifndef RINGKERNELS_TOOLS_CLI_HPP
#define RINGKERNELS_TOOLS_CLI_HPP

#include <ringkernels/backends/common/kernel_options.hpp>

#include <string>
#include <vector>

namespace ringkernels::perf {
class report;
}

namespace ringkernels::cli {

using arguments = std::vector<std::string>;

int run_info(const arguments& args);
int run_validate(const arguments& args);
int run_bench(const arguments& args);
int run_soak(const arguments& args);
int run_serve(const arguments& args);
/// Prints the machine line and `result`'s table; writes its JSON to `json` unless empty.
void print_report(const perf::report& result, const std::string& json);

/// Value of "--name VALUE" or "--name=VALUE" in args, or `fallback`.
std::string option(const arguments& args, const std::string& name, const std::string& fallback);
/// "--name N" as a whole number in [lowest, highest], or `fallback` when absent; throws
/// invalid_argument naming the option and the range otherwise.
int number_option(const arguments& args, const std::string& name, int fallback, int lowest,
                  int highest);
/// Whether "--name" appears.
bool flag(const arguments& args, const std::string& name);
/// Refuses what `command` does not know: an option not in `valued` (which take a value) or
/// `flags`, or more than `positionals` leading words. Kokkos' own --kokkos-* options pass.
/// Throws invalid_argument naming the word and the known options (a typo in a batch script
/// must not silently run the defaults).
void require_known_options(const arguments& args, const std::string& command,
                           const std::vector<std::string>& valued,
                           const std::vector<std::string>& flags = {}, std::size_t positionals = 0);
/// "--launch automatic|cooperative|persistent|event-driven" (GPU backends); throws otherwise.
gpu_launch launch_option(const arguments& args);

}  // namespace ringkernels::cli

#endif

// `ringkernels validate [--backend B|all] [--messages N] [--device N] [--launch MODE]`: the
// validation flow per backend, one summary line per backend, and last `Passed: N/M` (a contract:
// scripts read it). Exit code 0 only when every check passed. Backends not in this build are listed
// as skipped, not failed.
#include "cli.hpp"
#include "validate_actors.hpp"
#include "validate_flow.hpp"

#include <ringkernels/build_info.hpp>

#include <cstdio>
#include <optional>

namespace ringkernels::cli {
namespace {

std::optional<validation_result> run_backend(const std::string& name, std::uint64_t messages,
                                             const kernel_options& base) {
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (name == "serial") return validate_with_actors<Kokkos::Serial>(name, messages, base);
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (name == "openmp") return validate_with_actors<Kokkos::OpenMP>(name, messages, base);
#endif
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (name == "cuda") return validate_with_actors<Kokkos::Cuda>(name, messages, base);
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (name == "hip") {
    return validate_with_actors<Kokkos::Experimental::HIP>(name, messages, base);
  }
#endif
  (void)messages;
  (void)base;
  return std::nullopt;  // built, but this backend's ring kernels are not implemented yet
}

}  // namespace

int run_validate(const arguments& args) {
  require_known_options(args, "validate", {"backend", "messages", "device", "launch"});
  const std::string wanted = option(args, "backend", "best");
  const auto messages =
      static_cast<std::uint64_t>(number_option(args, "messages", 1000000, 1, 2000000000));
  kernel_options base;
  base.launch = launch_option(args);
  bool known = wanted == "all" || wanted == "best";
  for (const auto& backend : known_backends()) known = known || backend.name == wanted;
  if (!known) {
    std::fprintf(stderr,
                 "ringkernels validate: unknown backend '%s' (serial, openmp, cuda, hip, all)\n",
                 wanted.c_str());
    return 2;
  }
  for (const auto& backend : known_backends()) {
    if (backend.name == wanted && !backend.built) {
      std::string built;
      for (const auto& other : known_backends()) {
        if (other.built) built += (built.empty() ? "" : ", ") + other.name;
      }
      std::fprintf(stderr,
                   "ringkernels validate: backend '%s' is not built in this configuration "
                   "(built: %s)\n",
                   wanted.c_str(), built.c_str());
      return 2;
    }
  }
  int passed = 0;
  int total = 0;
  std::vector<std::string> summary;
  for (const auto& backend : known_backends()) {
    if (wanted != "all" && wanted != "best" && wanted != backend.name) continue;
    if (!backend.built) {
      if (wanted != "best")
        summary.push_back("[" + backend.name + "] skipped: not built in this configuration");
      continue;
    }
    auto result = run_backend(backend.name, messages, base);
    if (!result) {
      summary.push_back("[" + backend.name +
                        "] skipped: ring kernels not yet implemented for this backend");
      if (wanted == backend.name) ++total;  // asked for explicitly: that is a failure
      continue;
    }
    passed += result->passed;
    total += result->total;
    summary.push_back(
        "[" + backend.name + "] " + std::to_string(result->passed) + "/" +
        std::to_string(result->total) + " checks passed" +
        (result->failures.empty() ? "" : "; first failure: " + result->failures.front()));
    if (wanted == "best") break;
  }
  std::printf("\nSummary\n");
  for (const auto& line : summary) std::printf("%s\n", line.c_str());
  std::printf("Passed: %d/%d\n", passed, total);
  return total > 0 && passed == total ? 0 : 1;
}

}  // namespace ringkernels::cli

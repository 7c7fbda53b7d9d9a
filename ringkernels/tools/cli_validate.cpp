// `ringkernels validate [--backend B|all] [--messages N] [--device N] [--launch MODE]`: the
// validation flow per backend, one summary line per backend, and last `Passed: N/M` (a contract:
// scripts read it). Exit code 0 only when every check passed. Backends not in this build are listed
// as skipped, not failed.
#include "cli.hpp"
#include "validate_actors.hpp"
#include "validate_flow.hpp"

#include <ringkernels/build_info.hpp>

#include <cstdio>
#include <memory>
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

int run_validate(const std::string& wanted, std::uint64_t messages, const gpu_choice& gpu) {
  kernel_options base;
  base.launch = gpu.mode();
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

}  // namespace

command add_validate(CLI::App& tool, gpu_choice& gpu) {
  struct settings {
    std::string backend = "best";
    std::uint64_t messages = 1000000;
  };
  auto chosen = std::make_shared<settings>();
  command validate;
  validate.app = tool.add_subcommand("validate", "the end-to-end validation flow, `Passed: N/M`");
  validate.app
      ->add_option("--backend", chosen->backend,
                   "serial, openmp, cuda, hip, all, or best available")
      ->capture_default_str();
  validate.app->add_option("--messages", chosen->messages, "checked messages per backend")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{2000000000}))
      ->capture_default_str();
  add_gpu_options(*validate.app, gpu);
  validate.run = [chosen, &gpu] { return run_validate(chosen->backend, chosen->messages, gpu); };
  return validate;
}

}  // namespace ringkernels::cli

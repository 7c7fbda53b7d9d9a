// Options shared by several subcommands.
#include "cli.hpp"

#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/core/error.hpp>

namespace ringkernels::cli {

gpu_launch gpu_choice::mode() const {
  for (gpu_launch candidate : {gpu_launch::automatic, gpu_launch::cooperative,
                               gpu_launch::persistent, gpu_launch::event_driven}) {
    if (launch == to_string(candidate)) return candidate;
  }
  RINGKERNELS_THROW(errc::invalid_argument, "--launch " + launch);  // IsMember checked it
}

void add_gpu_options(CLI::App& app, gpu_choice& gpu) {
  app.add_option("--device", gpu.device, "the GPU everything runs on (default 0)")
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--launch", gpu.launch, "how GPU kernels are launched")
      ->check(CLI::IsMember({"automatic", "cooperative", "persistent", "event-driven"}))
      ->capture_default_str();
}

void add_backend_option(CLI::App& app, std::string& backend, const std::string& what) {
  app.add_option("--backend", backend, what)
      ->check(CLI::IsMember({"serial", "openmp", "cuda", "hip"}))
      ->capture_default_str();
}

}  // namespace ringkernels::cli

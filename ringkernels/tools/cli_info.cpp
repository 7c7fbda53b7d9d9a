// `ringkernels info`: what this machine and this build offer.
#include "cli.hpp"

#include <ringkernels/build_info.hpp>
#include <ringkernels/core/kokkos_compat.hpp>
#include <ringkernels/core/topology.hpp>

#include <cstdio>

namespace ringkernels::cli {
namespace {

int run_info() {
  std::printf("RingKernels %s\n", version().c_str());
  std::printf("Kokkos %s\n", compat::kokkos_version_string().c_str());
  std::printf("Backends:\n");
  for (const auto& backend : known_backends()) {
    if (backend.built) {
      std::printf("  %-7s built: %s\n", backend.name.c_str(), backend.hardware.c_str());
    } else {
      std::printf("  %-7s not built\n", backend.name.c_str());
    }
  }
  std::printf("Topology:\n%s", describe(topology().summary()).c_str());
  return 0;
}

}  // namespace

command add_info(CLI::App& tool) {
  command info;
  info.app = tool.add_subcommand("info", "topology, Kokkos version, backends");
  info.run = run_info;
  info.before_kokkos = true;
  return info;
}

}  // namespace ringkernels::cli

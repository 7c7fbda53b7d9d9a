// What this build of RingKernels contains: version and backends. Host only.
#ifndef RINGKERNELS_BUILD_INFO_HPP
#define RINGKERNELS_BUILD_INFO_HPP

#include <ringkernels/core/config.hpp>

#include <string>
#include <vector>

namespace ringkernels {

/// A backend the CLI and the runtime know by name.
struct backend_info {
  std::string name;  ///< "serial", "openmp", "cuda", "hip"
  bool built;        ///< compiled into this build (Kokkos had it and the option was on)
  /// For a built backend: what it was compiled for and where the project has run it, e.g.
  /// "compiled for gfx90a (MI200/MI250X); never run on an AMD GPU" (docs/hip.md).
  std::string hardware;
};

/// Every backend RingKernels knows, in preference order for "best available": cuda, hip,
/// openmp, serial.
std::vector<backend_info> known_backends();

/// Version string, e.g. "0.1.0".
std::string version();

}  // namespace ringkernels

#endif

// Settings read from the environment, so that users can tune a run without recompiling:
//   RINGKERNELS_LOG_LEVEL   trace|debug|info|warn|error|critical|off   (default warn)
//   RINGKERNELS_PIN         compact|spread|none                        (default compact)
//   RINGKERNELS_WORKERS     persistent CPU-simulator workers per kernel, >= 1 (default 1)
// An invalid value is an error naming the variable and the accepted values: a typo in a batch
// script must not silently run with defaults.
#ifndef RINGKERNELS_CORE_ENVIRONMENT_HPP
#define RINGKERNELS_CORE_ENVIRONMENT_HPP

#include <ringkernels/core/logging.hpp>
#include <ringkernels/core/topology.hpp>

#include <functional>
#include <optional>
#include <string>

namespace ringkernels {

struct environment_settings {
  log::level log_level = log::level::warn;
  pin_policy pinning = pin_policy::compact;
  int host_workers = 1;
};

/// Looks a variable up; nullopt when unset. The default reads the process environment.
using environment_lookup = std::function<std::optional<std::string>(const std::string& name)>;

environment_lookup process_environment();

/// Reads the settings; throws ringkernels::error (invalid_argument) on a malformed value.
environment_settings read_environment(const environment_lookup& lookup = process_environment());

}  // namespace ringkernels

#endif

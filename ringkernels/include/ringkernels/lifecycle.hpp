// Kernel lifecycle: created -> launched (resident, inactive) -> active <-> inactive ->
// terminating -> terminated; any live state -> faulted. A call in the wrong state is an error
// that names the state. Host only.
#ifndef RINGKERNELS_LIFECYCLE_HPP
#define RINGKERNELS_LIFECYCLE_HPP

#include <ringkernels/core/error.hpp>

#include <initializer_list>
#include <string>

namespace ringkernels {

enum class kernel_state { created, launched, active, inactive, terminating, terminated, faulted };

inline const char* to_string(kernel_state state) noexcept {
  switch (state) {
    case kernel_state::created: return "created";
    case kernel_state::launched: return "launched";
    case kernel_state::active: return "active";
    case kernel_state::inactive: return "inactive";
    case kernel_state::terminating: return "terminating";
    case kernel_state::terminated: return "terminated";
    case kernel_state::faulted: return "faulted";
  }
  return "unknown";
}

/// Throws errc::wrong_state unless `state` is one of `allowed`.
inline void require_state(const std::string& kernel, const char* operation, kernel_state state,
                          std::initializer_list<kernel_state> allowed) {
  for (kernel_state candidate : allowed) {
    if (candidate == state) return;
  }
  std::string expected;
  for (kernel_state candidate : allowed) {
    expected += (expected.empty() ? "" : " or ") + std::string(to_string(candidate));
  }
  throw error(errc::wrong_state, "kernel '" + kernel + "' is " + to_string(state) + "; " +
                                     operation + "() needs it " + expected);
}

}  // namespace ringkernels

#endif

// Kernel lifecycle: created -> launched (resident, inactive) -> active <-> inactive ->
// terminating -> terminated; any live state -> faulted. A call in the wrong state is an error
// that names the state. Host only.
#ifndef RINGKERNELS_LIFECYCLE_HPP
#define RINGKERNELS_LIFECYCLE_HPP

#include <ringkernels/core/error.hpp>

#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

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

/// A worker of an active kernel whose heartbeat is older than kernel_options::stall_after.
struct worker_stall {
  int worker = 0;
  std::chrono::milliseconds silent_for{0};  ///< since its last heartbeat
};

/// "worker 0: no heartbeat for 512 ms; worker 3: ..." (empty when none stalled).
inline std::string describe(const std::vector<worker_stall>& stalls) {
  std::string text;
  for (const worker_stall& stall : stalls) {
    text += (text.empty() ? "" : "; ") + std::string("worker ") + std::to_string(stall.worker) +
            ": no heartbeat for " + std::to_string(stall.silent_for.count()) + " ms";
  }
  return text;
}

}  // namespace ringkernels

#endif

// Kernel lifecycle: created -> launched (resident, inactive) -> active <-> inactive ->
// terminating -> terminated; any live state -> faulted. A call in the wrong state is an error
// that names the state. Host only.
#ifndef RINGKERNELS_LIFECYCLE_HPP
#define RINGKERNELS_LIFECYCLE_HPP

#include <ringkernels/backends/common/kernel_options.hpp>
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

inline const char* to_string(restart_policy policy) noexcept {
  switch (policy) {
    case restart_policy::never: return "never";
    case restart_policy::on_fault: return "on_fault";
    case restart_policy::on_fault_or_stall: return "on_fault_or_stall";
  }
  return "unknown";
}

/// What the runtime's supervisor did for a kernel (kernel_status::supervision).
struct supervision_status {
  restart_policy policy = restart_policy::never;
  int restarts = 0;            ///< relaunches since the launch
  int restarts_in_window = 0;  ///< of those, within restart_options::window until now
  /// The supervisor gave up on this kernel (too many relaunches, or one that cannot work: a
  /// worker that does not leave its handler, a lost GPU context); `circuit_reason` says why.
  bool circuit_open = false;
  std::string circuit_reason;
  std::string last_trigger;  ///< "fault: ..." or "stall: worker 0: no heartbeat for 212 ms"
  /// The last relaunch: stopping the workers, starting them, and their acknowledgement of the
  /// command they had (run or idle).
  std::chrono::microseconds last_relaunch{0};
  /// From the supervisor's first sight of the last trigger to the kernel running again: the
  /// relaunch plus its backoff (detection itself takes up to stall_after for a stall).
  std::chrono::microseconds last_recovery{0};
  /// The newest checkpoint of this actor system (actor_system::checkpoint), empty if none.
  std::string last_checkpoint;
  /// The loss window, when a GPU kernel died with its context (nothing can be relaunched
  /// there; restore last_checkpoint in a new process): how long before the death the
  /// checkpoint was written, and how many host messages (tell, ask) were sent since — lost,
  /// with whatever the actors sent each other meanwhile.
  std::chrono::milliseconds since_checkpoint{0};
  std::uint64_t host_messages_since_checkpoint = 0;
};

}  // namespace ringkernels

#endif

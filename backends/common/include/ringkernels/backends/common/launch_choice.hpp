// Which way a GPU kernel runs, decided from what the device says, before anything is launched.
// Plain C++ (no GPU headers) so the rules are unit-tested on machines without a GPU.
//
//   cooperative   resident for the kernel's lifetime, launched with the cooperative API, which
//                 guarantees co-residency of all blocks or refuses the launch.
//   persistent    resident too, ordinary launch: for devices without cooperative launch. The
//                 occupancy check stands in for the guarantee (a block that never became
//                 resident would never serve its ring).
//   event_driven  a host thread launches the dispatch loop when frames wait and the loop exits
//                 when its rings are empty: for devices where a kernel must not stay resident
//                 (a display watchdog kills long kernels) or where the workers do not all fit.
#ifndef RINGKERNELS_BACKENDS_COMMON_LAUNCH_CHOICE_HPP
#define RINGKERNELS_BACKENDS_COMMON_LAUNCH_CHOICE_HPP

#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/error.hpp>

#include <string>

namespace ringkernels {

/// What the device reports, gathered by the backend.
struct gpu_facts {
  std::string where;                ///< "device 0 (NVIDIA H200)"
  bool cooperative_launch = false;  ///< cudaDevAttrCooperativeLaunch
  bool exec_timeout = false;        ///< cudaDevAttrKernelExecTimeout: a watchdog kills long kernels
  bool maps_host_memory = false;    ///< can map pinned host memory with unified addressing
  long resident_blocks = 0;         ///< occupancy per SM x SMs, for the dispatch kernel
  int grid = 0;                     ///< worker blocks wanted
};

struct launch_choice {
  gpu_launch mode = gpu_launch::cooperative;
  std::string reason;  ///< why this mode, for the launch summary
};

inline const char* to_string(gpu_launch mode) {
  switch (mode) {
    case gpu_launch::automatic: return "automatic";
    case gpu_launch::cooperative: return "cooperative";
    case gpu_launch::persistent: return "persistent";
    case gpu_launch::event_driven: return "event-driven";
  }
  return "unknown";
}

/// Applies the rules above; throws ringkernels::error naming the numbers when the requested
/// mode cannot work on this device.
inline launch_choice choose_gpu_launch(gpu_launch requested, const gpu_facts& facts) {
  const std::string where = facts.where;
  if (!facts.maps_host_memory) {
    RINGKERNELS_THROW(errc::unsupported, where +
                                             " cannot map pinned host memory with unified "
                                             "addressing; the host<->kernel rings need it");
  }
  if (facts.grid < 1) {
    RINGKERNELS_THROW(errc::invalid_argument, where + ": a kernel needs at least one worker");
  }
  const bool fits = facts.grid <= facts.resident_blocks;
  const std::string occupancy = std::to_string(facts.grid) + " worker block(s), " +
                                std::to_string(facts.resident_blocks) + " can be resident";
  const auto require_residency = [&](const char* mode) {
    if (facts.exec_timeout) {
      RINGKERNELS_THROW(errc::unsupported,
                        where +
                            " has a kernel run-time limit (cudaDevAttrKernelExecTimeout = "
                            "1, e.g. it drives a display): a " +
                            mode + " kernel would be killed; use gpu_launch::event_driven");
    }
    if (!fits) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        where + ": " + occupancy + " (occupancy x SMs); a " + mode +
                            " kernel needs all of them at once: use fewer workers or "
                            "gpu_launch::event_driven");
    }
  };
  switch (requested) {
    case gpu_launch::cooperative:
      if (!facts.cooperative_launch) {
        RINGKERNELS_THROW(errc::unsupported, where +
                                                 " does not support cooperative launch "
                                                 "(cudaDevAttrCooperativeLaunch = 0); use "
                                                 "gpu_launch::persistent");
      }
      require_residency("cooperative");
      return {gpu_launch::cooperative, "requested; " + occupancy};
    case gpu_launch::persistent:
      require_residency("persistent");
      return {gpu_launch::persistent, "requested; " + occupancy};
    case gpu_launch::event_driven: return {gpu_launch::event_driven, "requested"};
    case gpu_launch::automatic: break;
  }
  if (facts.exec_timeout) {
    return {gpu_launch::event_driven,
            "automatic: the device has a kernel run-time limit, a resident kernel would be killed"};
  }
  if (!fits) return {gpu_launch::event_driven, "automatic: " + occupancy};
  if (!facts.cooperative_launch) {
    return {gpu_launch::persistent,
            "automatic: no cooperative launch on this device; " + occupancy};
  }
  return {gpu_launch::cooperative, "automatic; " + occupancy};
}

}  // namespace ringkernels

#endif

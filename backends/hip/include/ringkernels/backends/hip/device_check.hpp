// What an AMD device can do for a ring kernel (decision 6), gathered before anything is launched
// (mirrors backends/cuda/device_check.hpp); launch_choice.hpp turns it into a launch mode or an
// error that names the numbers. Compiled for gfx90a, never run (docs/hip.md).
#ifndef RINGKERNELS_BACKENDS_HIP_DEVICE_CHECK_HPP
#define RINGKERNELS_BACKENDS_HIP_DEVICE_CHECK_HPP

#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/backends/hip/checked_call.hpp>
#include <ringkernels/core/error.hpp>

#include <hip/hip_runtime_api.h>

#include <cstdlib>
#include <string>

namespace ringkernels::hip_backend {

/// The device checks a launch runs (gpu::launcher reaches them through hip_runtime, which
/// derives from this). Host only.
struct device_check {
  static int device_attribute(hipDeviceAttribute_t attribute, int device) {
    int value = 0;
    RINGKERNELS_HIP_CHECK(hipDeviceGetAttribute(&value, attribute, device));
    return value;
  }

  /// The device a kernel asks for: -1 means Kokkos' device. Throws for one that does not exist.
  static int resolve_device(int requested, int kokkos_device) {
    if (requested < 0) return kokkos_device;
    int count = 0;
    RINGKERNELS_HIP_CHECK(hipGetDeviceCount(&count));
    if (requested >= count) {
      RINGKERNELS_THROW(errc::invalid_argument, "HIP device " + std::to_string(requested) +
                                                    " does not exist: this machine has " +
                                                    std::to_string(count) + " (devices 0.." +
                                                    std::to_string(count - 1) + ")");
    }
    return requested;
  }

  /// "device 0 (AMD Instinct MI250X)": safe beside a resident kernel.
  static std::string device_name(int device) {
    hipDeviceProp_t properties{};
    RINGKERNELS_HIP_CHECK(hipGetDeviceProperties(&properties, device));
    return "device " + std::to_string(device) + " (" + properties.name + ")";
  }

  /// Whether the runtime loads a kernel's code object at its first use rather than at start-up
  /// (ROCm 5's HIP_ENABLE_DEFERRED_LOADING, on unless set to 0): then, as with CUDA's lazy
  /// loading, the first use of a kernel's code beside a resident kernel may wait for it.
  static bool lazy_module_loading() {
    const char* deferred = std::getenv("HIP_ENABLE_DEFERRED_LOADING");
    return deferred == nullptr || std::string(deferred) != "0";
  }

  /// The facts for `grid` blocks of `block` threads of `kernel` on `device`. HIP reports no host
  /// mapping attribute for AMD devices: every ROCm device maps pinned host memory (hipHostMalloc
  /// always maps), so `maps_host_memory` is the unified-addressing attribute where it is set.
  static gpu_facts gather_facts(int device, const void* kernel, int grid, int block) {
    hipDeviceProp_t properties{};
    RINGKERNELS_HIP_CHECK(hipGetDeviceProperties(&properties, device));
    gpu_facts facts;
    facts.where = device_name(device);
    facts.cooperative_launch = device_attribute(hipDeviceAttributeCooperativeLaunch, device) != 0;
    facts.exec_timeout = device_attribute(hipDeviceAttributeKernelExecTimeout, device) != 0;
    facts.maps_host_memory = device_attribute(hipDeviceAttributeCanMapHostMemory, device) != 0;
    int per_cu = 0;
    RINGKERNELS_HIP_CHECK(hipOccupancyMaxActiveBlocksPerMultiprocessor(&per_cu, kernel, block, 0));
    facts.resident_blocks = static_cast<long>(per_cu) * properties.multiProcessorCount;
    facts.grid = grid;
    return facts;
  }

  /// Fills in the private (scratch) memory per thread that `kernel` needs. ROCm 5.2 has no stack
  /// limit to grow (hipDeviceSetLimit knows only the heap): the runtime sizes scratch per dispatch,
  /// so the reservation counts as what the kernel needs.
  static void measure_local_memory(const void* kernel, residency_facts& facts) {
    hipFuncAttributes attributes{};
    RINGKERNELS_HIP_CHECK(hipFuncGetAttributes(&attributes, kernel));
    facts.needs = attributes.localSizeBytes;
    facts.reserved = facts.needs;
  }

  /// Nothing to reserve ahead on HIP (see measure_local_memory): the rule of
  /// must_grow_local_memory() never fires when the reservation is what the kernel needs.
  static void reserve_local_memory(const residency_facts& /*facts*/) {}
};

}  // namespace ringkernels::hip_backend

#endif

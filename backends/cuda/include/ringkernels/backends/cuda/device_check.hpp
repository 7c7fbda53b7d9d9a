// What a device can do for a ring kernel (decision 6), gathered before anything is launched;
// launch_choice.hpp turns it into a launch mode or an error that names the numbers (the
// predecessor segfaulted inside cuLaunchCooperativeKernel instead).
#ifndef RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP
#define RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP

#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/core/error.hpp>

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <string>

namespace ringkernels::cuda_backend {

/// The device checks a launch runs (gpu::launcher reaches them through cuda_runtime, which
/// derives from this). Host only.
struct device_check {
  static int device_attribute(cudaDeviceAttr attribute, int device) {
    int value = 0;
    RINGKERNELS_CUDA_CHECK(cudaDeviceGetAttribute(&value, attribute, device));
    return value;
  }

  /// The device a kernel asks for: -1 means Kokkos' device. Throws for one that does not exist.
  static int resolve_device(int requested, int kokkos_device) {
    if (requested < 0) return kokkos_device;
    int count = 0;
    RINGKERNELS_CUDA_CHECK(cudaGetDeviceCount(&count));
    if (requested >= count) {
      RINGKERNELS_THROW(errc::invalid_argument, "CUDA device " + std::to_string(requested) +
                                                    " does not exist: this machine has " +
                                                    std::to_string(count) + " (devices 0.." +
                                                    std::to_string(count - 1) + ")");
    }
    return requested;
  }

  /// "device 0 (NVIDIA H200)": safe beside a resident kernel (touches no kernel code).
  static std::string device_name(int device) {
    cudaDeviceProp properties{};
    RINGKERNELS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
    return "device " + std::to_string(device) + " (" + properties.name + ")";
  }

  /// Whether the driver loads kernel code at first use (the default since CUDA 12.2) rather than
  /// when the context is created (CUDA_MODULE_LOADING=EAGER, read by the driver at start-up).
  static bool lazy_module_loading() {
    const char* mode = std::getenv("CUDA_MODULE_LOADING");
    return mode == nullptr || std::string(mode) != "EAGER";
  }

  /// The facts for `grid` blocks of `block` threads of `kernel` on `device`.
  static gpu_facts gather_facts(int device, const void* kernel, int grid, int block) {
    cudaDeviceProp properties{};
    RINGKERNELS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
    gpu_facts facts;
    facts.where = device_name(device);
    facts.cooperative_launch = device_attribute(cudaDevAttrCooperativeLaunch, device) != 0;
    facts.exec_timeout = device_attribute(cudaDevAttrKernelExecTimeout, device) != 0;
    facts.maps_host_memory = device_attribute(cudaDevAttrCanMapHostMemory, device) != 0 &&
                             device_attribute(cudaDevAttrUnifiedAddressing, device) != 0;
    int per_sm = 0;
    RINGKERNELS_CUDA_CHECK(
        cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, block, 0));
    facts.resident_blocks = static_cast<long>(per_sm) * properties.multiProcessorCount;
    facts.grid = grid;
    return facts;
  }

  /// Fills in the local memory per thread that `kernel` needs and that the current device
  /// reserves now.
  static void measure_local_memory(const void* kernel, residency_facts& facts) {
    cudaFuncAttributes attributes{};
    RINGKERNELS_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
    facts.needs = attributes.localSizeBytes;
    RINGKERNELS_CUDA_CHECK(cudaDeviceGetLimit(&facts.reserved, cudaLimitStackSize));
  }

  /// Grows the current device's reservation before a launch that needs more, while nothing is
  /// resident (a launch would grow it too, but an event-driven kernel launches later, when a
  /// resident kernel may have arrived); throws instead of waiting forever (device_residency.hpp).
  static void reserve_local_memory(const residency_facts& facts) {
    if (must_grow_local_memory(facts)) {
      RINGKERNELS_CUDA_CHECK(cudaDeviceSetLimit(cudaLimitStackSize, facts.needs));
    }
  }
};

}  // namespace ringkernels::cuda_backend

#endif

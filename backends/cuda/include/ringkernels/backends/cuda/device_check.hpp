// Validation before a persistent launch (decision 6): the predecessor segfaulted inside
// cuLaunchCooperativeKernel; here each unmet requirement is an error that names the numbers.
#ifndef RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP
#define RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP

#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/core/error.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace ringkernels::cuda_backend {

struct launch_check {
  int device = 0;
  std::string device_name;
  int multiprocessors = 0;
  int blocks_per_multiprocessor = 0;  ///< occupancy of the persistent kernel
  bool host_native_atomics = false;   ///< informational: the GPU does no RMW on host memory
  std::string summary;
};

inline int device_attribute(cudaDeviceAttr attribute, int device) {
  int value = 0;
  RINGKERNELS_CUDA_CHECK(cudaDeviceGetAttribute(&value, attribute, device));
  return value;
}

/// Checks that `grid` blocks of `block` threads of `kernel` can all be resident at once on
/// `device` with a cooperative launch, and that the device can reach pinned host memory.
inline launch_check check_persistent_launch(int device, const void* kernel, int grid, int block) {
  launch_check check;
  check.device = device;
  cudaDeviceProp properties{};
  RINGKERNELS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  check.device_name = properties.name;
  check.multiprocessors = properties.multiProcessorCount;
  const std::string where = "device " + std::to_string(device) + " (" + check.device_name + ")";
  if (device_attribute(cudaDevAttrCooperativeLaunch, device) == 0) {
    RINGKERNELS_THROW(errc::unsupported, where +
                                             " does not support cooperative launch "
                                             "(cudaDevAttrCooperativeLaunch = 0)");
  }
  if (device_attribute(cudaDevAttrCanMapHostMemory, device) == 0 ||
      device_attribute(cudaDevAttrUnifiedAddressing, device) == 0) {
    RINGKERNELS_THROW(errc::unsupported,
                      where +
                          " cannot map pinned host memory with unified addressing; the "
                          "host<->kernel rings need it");
  }
  RINGKERNELS_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
      &check.blocks_per_multiprocessor, kernel, block, 0));
  const long resident = static_cast<long>(check.blocks_per_multiprocessor) * check.multiprocessors;
  if (grid < 1 || grid > resident) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      where + ": " + std::to_string(grid) + " workers (blocks of " +
                          std::to_string(block) + " threads) cannot all be resident: occupancy " +
                          std::to_string(check.blocks_per_multiprocessor) + " blocks/SM x " +
                          std::to_string(check.multiprocessors) +
                          " SMs = " + std::to_string(resident));
  }
  check.host_native_atomics = device_attribute(cudaDevAttrHostNativeAtomicSupported, device) != 0;
  check.summary = where + ", " + std::to_string(check.multiprocessors) + " SMs, " +
                  std::to_string(grid) + " resident block(s) of " + std::to_string(block) +
                  " threads (max " + std::to_string(resident) + "), host-native atomics " +
                  (check.host_native_atomics ? "yes" : "no (not needed: loads/stores only)");
  return check;
}

}  // namespace ringkernels::cuda_backend

#endif

// What a device can do for a ring kernel (decision 6), gathered before anything is launched;
// launch_choice.hpp turns it into a launch mode or an error that names the numbers (the
// predecessor segfaulted inside cuLaunchCooperativeKernel instead).
#ifndef RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP
#define RINGKERNELS_BACKENDS_CUDA_DEVICE_CHECK_HPP

#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/launch_choice.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace ringkernels::cuda_backend {

inline int device_attribute(cudaDeviceAttr attribute, int device) {
  int value = 0;
  RINGKERNELS_CUDA_CHECK(cudaDeviceGetAttribute(&value, attribute, device));
  return value;
}

/// The device a kernel asks for: -1 means Kokkos' device. Throws for one that does not exist.
inline int resolve_device(int requested, int kokkos_device) {
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

/// The facts for `grid` blocks of `block` threads of `kernel` on `device`.
inline gpu_facts gather_facts(int device, const void* kernel, int grid, int block) {
  cudaDeviceProp properties{};
  RINGKERNELS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  gpu_facts facts;
  facts.where = "device " + std::to_string(device) + " (" + properties.name + ")";
  facts.cooperative_launch = device_attribute(cudaDevAttrCooperativeLaunch, device) != 0;
  facts.exec_timeout = device_attribute(cudaDevAttrKernelExecTimeout, device) != 0;
  facts.maps_host_memory = device_attribute(cudaDevAttrCanMapHostMemory, device) != 0 &&
                           device_attribute(cudaDevAttrUnifiedAddressing, device) != 0;
  int per_sm = 0;
  RINGKERNELS_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, block, 0));
  facts.resident_blocks = static_cast<long>(per_sm) * properties.multiProcessorCount;
  facts.grid = grid;
  return facts;
}

}  // namespace ringkernels::cuda_backend

#endif

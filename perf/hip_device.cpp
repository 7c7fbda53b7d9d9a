// What the benchmarks say about an AMD device (perf/gpu_floor.cpp says it for CUDA, beside the
// floor programs, which have no HIP version yet: on HIP the benchmarks report no floor ratios).
#include "gpu_floor.hpp"

#if defined(RINGKERNELS_ENABLE_HIP)
#include <ringkernels/backends/hip/checked_call.hpp>

#include <Kokkos_Core.hpp>

namespace ringkernels::perf {

int gpu_multiprocessors() {
  int count = 0;
  RINGKERNELS_HIP_CHECK(hipDeviceGetAttribute(&count, hipDeviceAttributeMultiprocessorCount,
                                              Kokkos::Experimental::HIP().hip_device()));
  return count;
}

std::string gpu_description() {
  const int device = Kokkos::Experimental::HIP().hip_device();
  hipDeviceProp_t properties{};
  RINGKERNELS_HIP_CHECK(hipGetDeviceProperties(&properties, device));
  int runtime_version = 0;
  RINGKERNELS_HIP_CHECK(hipRuntimeGetVersion(&runtime_version));
  return std::string(properties.name) + " (" + properties.gcnArchName + ", device " +
         std::to_string(device) + ", " + std::to_string(properties.multiProcessorCount) +
         " CUs), HIP runtime " + std::to_string(runtime_version / 10000000) + "." +
         std::to_string(runtime_version / 100000 % 100);
}

}  // namespace ringkernels::perf

#endif

// The one checked-call macro of the HIP backend (mirrors backends/cuda/checked_call.hpp).
// Compiled where a HIP toolchain exists; no AMD GPU is available to this project's CI.
#ifndef RINGKERNELS_BACKENDS_HIP_CHECKED_CALL_HPP
#define RINGKERNELS_BACKENDS_HIP_CHECKED_CALL_HPP

#include <ringkernels/core/gpu_error.hpp>

#include <hip/hip_runtime_api.h>

namespace ringkernels::hip_backend {

inline gpu_error_severity classify(hipError_t code) noexcept {
  switch (code) {
    case hipErrorIllegalAddress:
    case hipErrorLaunchFailure:
    case hipErrorIllegalState:
    case hipErrorAssert:
    case hipErrorECCNotCorrectable:
    case hipErrorLaunchTimeOut:
    case hipErrorUnknown: return gpu_error_severity::context_killing;
    default: return gpu_error_severity::recoverable;
  }
}

inline void check(hipError_t code, const char* call_text, const char* file, int line) {
  if (code == hipSuccess) return;
  if (classify(code) == gpu_error_severity::recoverable) (void)hipGetLastError();
  detail::raise_gpu_error("HIP", call_text, hipGetErrorName(code), hipGetErrorString(code),
                          classify(code), file, line);
}

}  // namespace ringkernels::hip_backend

#define RINGKERNELS_HIP_CHECK(call) \
  ::ringkernels::hip_backend::check((call), #call, __FILE__, __LINE__)

#endif

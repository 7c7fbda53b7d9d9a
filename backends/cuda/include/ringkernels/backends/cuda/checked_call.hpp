// The one checked-call macro of the CUDA backend: every CUDA runtime call goes through it.
// Context-killing errors (illegal address, launch failure, ECC, ...) throw errc::context_lost:
// after one of them every call on the context fails and resident kernels must be relaunched.
// Everything else throws errc::backend_failure.
#ifndef RINGKERNELS_BACKENDS_CUDA_CHECKED_CALL_HPP
#define RINGKERNELS_BACKENDS_CUDA_CHECKED_CALL_HPP

#include <ringkernels/core/gpu_error.hpp>

#include <cuda_runtime_api.h>

namespace ringkernels::cuda_backend {

/// Errors after which the CUDA context is unusable ("sticky" errors in the CUDA documentation).
inline gpu_error_severity classify(cudaError_t code) noexcept {
  switch (code) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
    case cudaErrorECCUncorrectable:
    case cudaErrorLaunchTimeout:
    case cudaErrorUnknown: return gpu_error_severity::context_killing;
    default: return gpu_error_severity::recoverable;
  }
}

/// Throws ringkernels::error for a failed call; does nothing for cudaSuccess.
inline void check(cudaError_t code, const char* call_text, const char* file, int line) {
  if (code == cudaSuccess) return;
  if (classify(code) == gpu_error_severity::recoverable) {
    (void)cudaGetLastError();  // clear the non-sticky error so later calls are not blamed
  }
  detail::raise_gpu_error("CUDA", call_text, cudaGetErrorName(code), cudaGetErrorString(code),
                          classify(code), file, line);
}

}  // namespace ringkernels::cuda_backend

#define RINGKERNELS_CUDA_CHECK(call) \
  ::ringkernels::cuda_backend::check((call), #call, __FILE__, __LINE__)

#endif

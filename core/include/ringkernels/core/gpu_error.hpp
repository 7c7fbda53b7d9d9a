// What GPU backends share about failed API calls: whether the failure killed the context.
// Each backend's checked-call macro (backends/cuda/checked_call.hpp, backends/hip/checked_call.hpp)
// classifies its own error codes and reports through raise_gpu_error().
#ifndef RINGKERNELS_CORE_GPU_ERROR_HPP
#define RINGKERNELS_CORE_GPU_ERROR_HPP

#include <string_view>

namespace ringkernels {

/// After a context-killing error (illegal address, launch failure, ECC) every later call on the
/// device fails too: resident kernels must be marked faulted and relaunched in a new context.
enum class gpu_error_severity { recoverable, context_killing };

namespace detail {

/// Throws ringkernels::error: errc::context_lost for context-killing failures,
/// errc::backend_failure otherwise. The message names the backend, the call text, the error
/// name and description, and the location.
[[noreturn]] void raise_gpu_error(std::string_view backend, std::string_view call_text,
                                  std::string_view error_name, std::string_view error_text,
                                  gpu_error_severity severity, std::string_view file, int line);

}  // namespace detail
}  // namespace ringkernels

#endif

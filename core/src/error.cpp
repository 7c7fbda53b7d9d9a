#include <ringkernels/core/error.hpp>
#include <ringkernels/core/gpu_error.hpp>

#include <string>

namespace ringkernels {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::wrong_state: return "wrong_state";
    case errc::not_found: return "not_found";
    case errc::unsupported: return "unsupported";
    case errc::timed_out: return "timed_out";
    case errc::backend_failure: return "backend_failure";
    case errc::context_lost: return "context_lost";
    case errc::handler_failed: return "handler_failed";
    case errc::queue_full: return "queue_full";
    case errc::io_error: return "io_error";
  }
  return "unknown";
}

namespace {
std::string compose(errc code, const std::string& message, std::string_view file, int line) {
  std::string text = std::string(to_string(code)) + ": " + message;
  if (!file.empty()) {
    text += " [at " + std::string(file) + ":" + std::to_string(line) + "]";
  }
  return text;
}
}  // namespace

error::error(errc code, const std::string& message, std::string_view file, int line)
    : std::runtime_error(compose(code, message, file, line)), code_(code), message_(message) {}

namespace detail {

void raise_gpu_error(std::string_view backend, std::string_view call_text,
                     std::string_view error_name, std::string_view error_text,
                     gpu_error_severity severity, std::string_view file, int line) {
  const bool fatal = severity == gpu_error_severity::context_killing;
  std::string message = std::string(backend) + " call `" + std::string(call_text) +
                        "` failed: " + std::string(error_name) + " (" + std::string(error_text) +
                        ")";
  if (fatal) {
    message += "; the device context is lost, resident kernels on it must be relaunched";
  }
  throw error(fatal ? errc::context_lost : errc::backend_failure, message, file, line);
}

}  // namespace detail
}  // namespace ringkernels

// The error type of every setup-path failure. Hot-path operations return result enums instead
// (messaging/push_result.hpp); setup errors throw this with a message that says what and where.
#ifndef RINGKERNELS_CORE_ERROR_HPP
#define RINGKERNELS_CORE_ERROR_HPP

#include <stdexcept>
#include <string>
#include <string_view>

namespace ringkernels {

/// What kind of failure an error is; callers branch on this, people read the message.
enum class errc {
  invalid_argument,  ///< bad input from the caller (sizes, names, options)
  wrong_state,       ///< an operation not allowed in the object's current lifecycle state
  not_found,         ///< a name or id that does not exist
  unsupported,       ///< the build or the hardware lacks what was asked for
  timed_out,         ///< a deadline passed
  backend_failure,   ///< a GPU/OS call failed; the device context is still usable
  context_lost,      ///< a GPU call failed in a way that kills the context (relaunch needed)
  handler_failed,    ///< a user handler threw or trapped
  queue_full,        ///< a queue had no room; nothing was enqueued (back off and try again)
  io_error,          ///< a file could not be opened, read or written (the message names it)
};

/// Name of an error category, e.g. "wrong_state".
const char* to_string(errc code) noexcept;

/// The error thrown by setup paths. what() reads "<category>: <message> [at file:line]".
class error : public std::runtime_error {
 public:
  error(errc code, const std::string& message, std::string_view file = {}, int line = 0);

  errc code() const noexcept { return code_; }
  /// The message without the category prefix and location suffix.
  const std::string& message() const noexcept { return message_; }

 private:
  errc code_;
  std::string message_;
};

/// Throws ringkernels::error with the caller's file and line.
#define RINGKERNELS_THROW(code, message) \
  throw ::ringkernels::error((code), (message), __FILE__, __LINE__)

}  // namespace ringkernels

#endif

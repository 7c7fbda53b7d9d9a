// Logging for RingKernels: one spdlog logger named "ringkernels" behind a small interface, so
// that no public header (and nothing nvcc compiles for a device) includes spdlog or fmt.
// The level comes from RINGKERNELS_LOG_LEVEL (trace, debug, info, warn, error, critical, off);
// the default is warn, so a library embedded in a scientific code stays quiet.
#ifndef RINGKERNELS_CORE_LOGGING_HPP
#define RINGKERNELS_CORE_LOGGING_HPP

#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace ringkernels::log {

enum class level { trace, debug, info, warn, error, critical, off };

/// Parses "trace" ... "off" (case-insensitive); nullopt for anything else.
std::optional<level> parse_level(std::string_view text) noexcept;
const char* to_string(level value) noexcept;

/// The level read from RINGKERNELS_LOG_LEVEL at first use (warn when unset; an invalid value
/// is reported once on stderr and ignored). @threadsafe
level current_level() noexcept;
/// Overrides the level for the rest of the process. @threadsafe
void set_level(level value) noexcept;
/// Whether a message at this level would be written. @threadsafe
inline bool enabled(level value) noexcept { return value >= current_level(); }

/// Writes one message through the "ringkernels" spdlog logger. @threadsafe
void write(level value, std::string_view message);

/// Streams the arguments into one message; nothing is formatted when the level is off.
template <class... Args>
void emit(level value, Args&&... args) {
  if (!enabled(value)) return;
  std::ostringstream text;
  (text << ... << std::forward<Args>(args));
  write(value, text.str());
}

template <class... Args>
void debug(Args&&... args) {
  emit(level::debug, std::forward<Args>(args)...);
}
template <class... Args>
void info(Args&&... args) {
  emit(level::info, std::forward<Args>(args)...);
}
template <class... Args>
void warn(Args&&... args) {
  emit(level::warn, std::forward<Args>(args)...);
}
template <class... Args>
void error(Args&&... args) {
  emit(level::error, std::forward<Args>(args)...);
}

}  // namespace ringkernels::log

#endif

// The only translation unit that includes spdlog/fmt (header-only: no shared library to carry).
#define RINGKERNELS_HOST_ONLY_TU
#include <ringkernels/core/logging.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace ringkernels::log {
namespace {

constexpr level kDefaultLevel = level::warn;

spdlog::level::level_enum to_spdlog(level value) {
  switch (value) {
    case level::trace: return spdlog::level::trace;
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
    case level::critical: return spdlog::level::critical;
    case level::off: return spdlog::level::off;
  }
  return spdlog::level::warn;
}

level level_from_environment() {
  const char* text = std::getenv("RINGKERNELS_LOG_LEVEL");
  if (text == nullptr || *text == '\0') return kDefaultLevel;
  if (auto parsed = parse_level(text)) return *parsed;
  std::fprintf(stderr,
               "ringkernels: ignoring RINGKERNELS_LOG_LEVEL='%s' (expected trace, debug, info, "
               "warn, error, critical or off); using warn\n",
               text);
  return kDefaultLevel;
}

std::atomic<int>& level_storage() {
  static std::atomic<int> stored{static_cast<int>(level_from_environment())};
  return stored;
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto created = spdlog::get("ringkernels");
    if (!created) created = spdlog::stderr_color_mt("ringkernels");
    created->set_level(spdlog::level::trace);  // filtering happens in enabled()
    created->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
    return created;
  }();
  return *instance;
}

}  // namespace

std::optional<level> parse_level(std::string_view text) noexcept {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (level candidate : {level::trace, level::debug, level::info, level::warn, level::error,
                          level::critical, level::off}) {
    if (lower == to_string(candidate)) return candidate;
  }
  if (lower == "warning") return level::warn;
  return std::nullopt;
}

const char* to_string(level value) noexcept {
  switch (value) {
    case level::trace: return "trace";
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    case level::critical: return "critical";
    case level::off: return "off";
  }
  return "warn";
}

level current_level() noexcept {
  return static_cast<level>(level_storage().load(std::memory_order_relaxed));
}

void set_level(level value) noexcept {
  level_storage().store(static_cast<int>(value), std::memory_order_relaxed);
}

void write(level value, std::string_view message) {
  if (!enabled(value) || value == level::off) return;
  logger().log(to_spdlog(value), "{}", message);
}

}  // namespace ringkernels::log

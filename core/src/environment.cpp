#define RINGKERNELS_HOST_ONLY_TU
#include <ringkernels/core/environment.hpp>
#include <ringkernels/core/error.hpp>

#include <charconv>
#include <cstdlib>

namespace ringkernels {

environment_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

environment_settings read_environment(const environment_lookup& lookup) {
  environment_settings settings;
  if (auto text = lookup("RINGKERNELS_LOG_LEVEL")) {
    auto parsed = log::parse_level(*text);
    if (!parsed) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "RINGKERNELS_LOG_LEVEL='" + *text +
                            "' is not one of trace, debug, info, warn, error, critical, off");
    }
    settings.log_level = *parsed;
  }
  if (auto text = lookup("RINGKERNELS_PIN")) {
    auto parsed = parse_pin_policy(*text);
    if (!parsed) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "RINGKERNELS_PIN='" + *text + "' is not one of compact, spread, none");
    }
    settings.pinning = *parsed;
  }
  if (auto text = lookup("RINGKERNELS_WORKERS")) {
    int workers = 0;
    auto [end, status] = std::from_chars(text->data(), text->data() + text->size(), workers);
    if (status != std::errc() || end != text->data() + text->size() || workers < 1 ||
        workers > 1024) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "RINGKERNELS_WORKERS='" + *text + "' is not an integer in 1..1024");
    }
    settings.host_workers = workers;
  }
  return settings;
}

}  // namespace ringkernels

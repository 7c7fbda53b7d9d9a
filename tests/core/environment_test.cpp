#include <ringkernels/core/environment.hpp>
#include <ringkernels/core/error.hpp>

#include <catch2/catch_test_macros.hpp>

#include <map>

namespace {
ringkernels::environment_lookup fake(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}
}  // namespace

TEST_CASE("unset variables give the documented defaults", "[core][config]") {
  const auto settings = ringkernels::read_environment(fake({}));
  CHECK(settings.log_level == ringkernels::log::level::warn);
  CHECK(settings.pinning == ringkernels::pin_policy::compact);
  CHECK(settings.host_workers == 1);
}

TEST_CASE("valid variables are read", "[core][config]") {
  const auto settings = ringkernels::read_environment(fake({{"RINGKERNELS_LOG_LEVEL", "debug"},
                                                            {"RINGKERNELS_PIN", "spread"},
                                                            {"RINGKERNELS_WORKERS", "4"}}));
  CHECK(settings.log_level == ringkernels::log::level::debug);
  CHECK(settings.pinning == ringkernels::pin_policy::spread);
  CHECK(settings.host_workers == 4);
}

TEST_CASE("a malformed variable is an error naming it", "[core][config]") {
  for (auto [name, value] : std::map<std::string, std::string>{{"RINGKERNELS_LOG_LEVEL", "loud"},
                                                               {"RINGKERNELS_PIN", "tight"},
                                                               {"RINGKERNELS_WORKERS", "0"},
                                                               {"RINGKERNELS_WORKERS", "3x"}}) {
    try {
      (void)ringkernels::read_environment(fake({{name, value}}));
      FAIL("no error for " << name << "=" << value);
    } catch (const ringkernels::error& failure) {
      CHECK(failure.code() == ringkernels::errc::invalid_argument);
      CHECK(std::string(failure.what()).find(name) != std::string::npos);
    }
  }
}

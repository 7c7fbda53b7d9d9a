#include <ringkernels/core/logging.hpp>

#include <catch2/catch_test_macros.hpp>

namespace rklog = ringkernels::log;

TEST_CASE("log levels parse from their names and nothing else", "[core][logging]") {
  CHECK(rklog::parse_level("trace") == rklog::level::trace);
  CHECK(rklog::parse_level("DEBUG") == rklog::level::debug);
  CHECK(rklog::parse_level("warning") == rklog::level::warn);
  CHECK(rklog::parse_level("off") == rklog::level::off);
  CHECK_FALSE(rklog::parse_level("verbose").has_value());
  CHECK_FALSE(rklog::parse_level("").has_value());
}

TEST_CASE("the level filters what is written", "[core][logging]") {
  const rklog::level saved = rklog::current_level();
  rklog::set_level(rklog::level::error);
  CHECK_FALSE(rklog::enabled(rklog::level::info));
  CHECK(rklog::enabled(rklog::level::error));
  CHECK(rklog::enabled(rklog::level::critical));
  rklog::set_level(rklog::level::trace);
  CHECK(rklog::enabled(rklog::level::debug));
  rklog::info("logging test message ", 42, " through the ringkernels logger");  // must not throw
  rklog::set_level(saved);
}

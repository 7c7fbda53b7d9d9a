#include <ringkernels/core/logging.hpp>

#include <catch2/catch_test_macros.hpp>

namespace log = ringkernels::log;

TEST_CASE("log levels parse from their names and nothing else", "[core][logging]") {
  CHECK(log::parse_level("trace") == log::level::trace);
  CHECK(log::parse_level("DEBUG") == log::level::debug);
  CHECK(log::parse_level("warning") == log::level::warn);
  CHECK(log::parse_level("off") == log::level::off);
  CHECK_FALSE(log::parse_level("verbose").has_value());
  CHECK_FALSE(log::parse_level("").has_value());
}

TEST_CASE("the level filters what is written", "[core][logging]") {
  const log::level saved = log::current_level();
  log::set_level(log::level::error);
  CHECK_FALSE(log::enabled(log::level::info));
  CHECK(log::enabled(log::level::error));
  CHECK(log::enabled(log::level::critical));
  log::set_level(log::level::trace);
  CHECK(log::enabled(log::level::debug));
  log::info("logging test message ", 42, " through the ringkernels logger");  // must not throw
  log::set_level(saved);
}

#include <ringkernels/messaging/queue_registry.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

namespace msg = ringkernels::messaging;
using Catch::Matchers::ContainsSubstring;

namespace {
struct ring_a {
  int id;
};
struct ring_b {
  int id;
};
}  // namespace

TEST_CASE("queues are named <kernel>.<port>", "[messaging][registry]") {
  CHECK(msg::queue_name("vector_add", msg::ports::input) == "vector_add.in");
  CHECK(msg::queue_name("vector_add", msg::ports::output) == "vector_add.out");
  CHECK_THROWS_AS(msg::queue_name("", "in"), ringkernels::error);
  CHECK_THROWS_AS(msg::queue_name("a.b", "in"), ringkernels::error);
  CHECK_THROWS_AS(msg::queue_name("k", "in put"), ringkernels::error);
}

TEST_CASE("lookup returns the typed queue that was registered", "[messaging][registry]") {
  msg::queue_registry registry;
  ring_a in{1};
  ring_a out{2};
  registry.add("vector_add", "in", in);
  const auto handle = registry.add("vector_add", "out", out);
  CHECK(handle.name == "vector_add.out");
  CHECK(registry.find<ring_a>("vector_add.in")->id == 1);
  CHECK(registry.find<ring_a>("vector_add.out")->id == 2);
  CHECK(registry.names() == std::vector<std::string>{"vector_add.in", "vector_add.out"});
  CHECK_THROWS_AS(registry.add("vector_add", "in", in), ringkernels::error);
}

TEST_CASE("an unknown name is an error listing the known names", "[messaging][registry]") {
  msg::queue_registry registry;
  ring_a in{1};
  registry.add("echo", "in", in);
  try {
    (void)registry.find<ring_a>("echo.input");
    FAIL("no error");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::not_found);
    CHECK_THAT(failure.what(), ContainsSubstring("'echo.input'"));
    CHECK_THAT(failure.what(), ContainsSubstring("known queues: echo.in"));
  }
  CHECK_THROWS_AS(registry.find<ring_b>("echo.in"), ringkernels::error);  // wrong type
}

TEST_CASE("removing a kernel removes its queues only", "[messaging][registry]") {
  msg::queue_registry registry;
  ring_a q{0};
  registry.add("a", "in", q);
  registry.add("a", "out", q);
  registry.add("b", "in", q);
  CHECK(registry.remove_kernel("a") == 2);
  CHECK(registry.names() == std::vector<std::string>{"b.in"});
}

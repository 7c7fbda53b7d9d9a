#include <ringkernels/core/error.hpp>
#include <ringkernels/messaging/dedup_window.hpp>

#include <catch2/catch_test_macros.hpp>

namespace msg = ringkernels::messaging;

TEST_CASE("a duplicate inside the window is refused", "[messaging][dedup]") {
  msg::dedup_window window(4);
  CHECK(window.admit(10));
  CHECK(window.admit(0));  // id 0 is a valid id
  CHECK_FALSE(window.admit(10));
  CHECK_FALSE(window.admit(0));
  CHECK(window.duplicates() == 2);
  CHECK(window.size() == 2);
}

TEST_CASE("the window slides: exactly the oldest id is forgotten", "[messaging][dedup]") {
  msg::dedup_window window(3);
  CHECK(window.admit(1));
  CHECK(window.admit(2));
  CHECK(window.admit(3));
  CHECK(window.admit(4));  // forgets 1, the oldest
  CHECK_FALSE(window.contains(1));
  CHECK(window.contains(2));
  CHECK(window.contains(3));
  CHECK(window.contains(4));
  CHECK_FALSE(window.admit(2));  // still inside the window
  CHECK(window.admit(1));        // outside again: admitted, forgets 2
  CHECK_FALSE(window.contains(2));
  CHECK(window.size() == 3);
}

TEST_CASE("a long stream keeps exactly the last N ids", "[messaging][dedup]") {
  constexpr std::size_t n = 1000;
  msg::dedup_window window(n);
  for (std::uint64_t id = 0; id < 100000; ++id) {
    REQUIRE(window.admit(id * 7919));
    if (id >= n) REQUIRE_FALSE(window.contains((id - n) * 7919));
    REQUIRE(window.contains((id >= n - 1 ? id - (n - 1) : 0) * 7919));
  }
  CHECK(window.size() == n);
  for (std::uint64_t id = 100000 - n; id < 100000; ++id) CHECK_FALSE(window.admit(id * 7919));
}

TEST_CASE("a window of size zero is an error", "[messaging][dedup]") {
  CHECK_THROWS_AS(msg::dedup_window(0), ringkernels::error);
}

TEST_CASE("the largest id 2^64-1 is deduplicated like any other", "[messaging][dedup]") {
  constexpr std::uint64_t largest = ~std::uint64_t{0};
  msg::dedup_window window(4);
  CHECK(window.admit(largest));
  CHECK(window.contains(largest));
  CHECK_FALSE(window.admit(largest));
  CHECK(window.duplicates() == 1);
  // It is forgotten in its turn, like any id, and id 0 beside it stays distinct.
  CHECK(window.admit(0));
  for (std::uint64_t id = 1; id <= 3; ++id) CHECK(window.admit(largest - id));
  CHECK_FALSE(window.contains(largest));
  CHECK(window.admit(largest));
}

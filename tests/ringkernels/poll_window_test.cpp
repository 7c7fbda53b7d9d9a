#include <ringkernels/backends/common/poll_window.hpp>

#include <catch2/catch_test_macros.hpp>

using ringkernels::poll_window;

TEST_CASE("lone requests keep the poll window at one slot", "[poll_window]") {
  poll_window window(32);
  CHECK(window.width() == 1);
  for (int request = 0; request < 100; ++request) {
    window.after_pass(1);  // the request
    CHECK(window.width() == 1);
    window.after_pass(0);  // empty polls until the next one
    window.after_pass(0);
  }
  CHECK(window.width() == 1);
}

TEST_CASE("a burst doubles the window up to the limit", "[poll_window]") {
  poll_window window(32);
  window.after_pass(1);
  CHECK(window.width() == 1);
  window.after_pass(1);  // a second full pass at once: a burst
  CHECK(window.width() == 2);
  window.after_pass(2);
  CHECK(window.width() == 4);
  window.after_pass(4);
  window.after_pass(8);
  window.after_pass(16);
  CHECK(window.width() == 32);
  window.after_pass(32);
  CHECK(window.width() == 32);
}

TEST_CASE("a smaller batch shrinks the window with room to spare", "[poll_window]") {
  poll_window window(32);
  for (int pass = 0; pass < 8; ++pass) window.after_pass(window.width());
  REQUIRE(window.width() == 32);
  window.after_pass(24);
  CHECK(window.width() == 32);  // 24 + 12, capped
  window.after_pass(10);
  CHECK(window.width() == 15);
  window.after_pass(1);
  CHECK(window.width() == 1);
}

TEST_CASE("reset returns to one slot and a small limit caps the window", "[poll_window]") {
  poll_window window(4);
  for (int pass = 0; pass < 8; ++pass) window.after_pass(window.width());
  CHECK(window.width() == 4);
  window.reset();
  CHECK(window.width() == 1);
  window.after_pass(1);
  CHECK(window.width() == 1);  // the streak restarted with reset
  poll_window zero(0);
  CHECK(zero.width() == 1);
  zero.after_pass(1);
  zero.after_pass(1);
  CHECK(zero.width() == 1);
}

// Properties of the hybrid logical clock (core/clock.hpp), under real, random and adversarial
// physical times: every clock only grows, a receive is later than what it received, and
// causality holds across clocks. The first version packed Unix microseconds into 48 bits and
// returned equal or smaller timestamps back to back: the wall-clock cases below caught it.
#include <ringkernels/core/clock.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <random>
#include <vector>

using ringkernels::hlc_physical_us;
using ringkernels::hlc_timestamp;
using ringkernels::hybrid_logical_clock;
using ringkernels::physical_time_ns;

TEST_CASE("back-to-back ticks on the wall clock are strictly increasing", "[core][clock]") {
  hybrid_logical_clock clock;
  hlc_timestamp previous = clock.tick(hlc_physical_us(physical_time_ns()));
  int equal_or_smaller = 0;
  for (int i = 0; i < 100000; ++i) {
    const hlc_timestamp next = clock.tick(hlc_physical_us(physical_time_ns()));
    if (!(previous < next)) ++equal_or_smaller;
    previous = next;
  }
  CHECK(equal_or_smaller == 0);
  // Today's wall clock fits the physical field with decades to spare.
  CHECK(previous.physical_us() > 0);
  CHECK(previous.physical_us() < hlc_timestamp::physical_max / 2);
}

TEST_CASE("physical time converts from the epoch, saturating at both ends", "[core][clock]") {
  CHECK(hlc_physical_us(0) == 0);
  CHECK(hlc_physical_us(hlc_timestamp::epoch_ns) == 0);
  CHECK(hlc_physical_us(hlc_timestamp::epoch_ns + 5000) == 5);
  CHECK(hlc_physical_us(~std::uint64_t{0}) <= hlc_timestamp::physical_max);
}

TEST_CASE("a clock only grows under random and adversarial physical times", "[core][clock]") {
  std::mt19937_64 random(12345);
  hybrid_logical_clock clock;
  hlc_timestamp previous = clock.last();
  const std::uint64_t base = 1'000'000'000;
  for (int i = 0; i < 200000; ++i) {
    std::uint64_t now = 0;
    switch (random() % 5) {
      case 0: now = base + random() % 1000; break;       // jitter around a point
      case 1: now = base - random() % 1'000'000; break;  // the clock jumps backwards
      case 2: now = previous.physical_us(); break;       // stuck clock
      case 3: now = random() % (hlc_timestamp::physical_max / 2); break;  // far ahead
      default: now = previous.physical_us() + random() % 3; break;        // crawling forward
    }
    const hlc_timestamp next =
        random() % 2 == 0 ? clock.tick(now) : clock.receive(hlc_timestamp{random() >> 2}, now);
    REQUIRE(previous < next);
    previous = next;
  }
}

TEST_CASE("a receive is later than the timestamp it received, even at the logical limit",
          "[core][clock]") {
  hybrid_logical_clock clock;
  // A remote clock far ahead whose logical counter is full: (1000 us, max) -> (1001 us, 0).
  const hlc_timestamp remote = hlc_timestamp::make(1000, hlc_timestamp::logical_max);
  const hlc_timestamp received = clock.receive(remote, 10);
  CHECK(remote < received);
  CHECK(received.physical_us() == 1001);
  CHECK(received.logical() == 0);

  // Local and remote at the same microsecond, both full.
  hybrid_logical_clock other;
  (void)other.receive(remote, 10);  // other is at (1001, 0)
  const hlc_timestamp same = hlc_timestamp::make(1001, hlc_timestamp::logical_max);
  const hlc_timestamp merged = other.receive(same, 10);
  CHECK(same < merged);

  // Ticks past the logical limit borrow a microsecond and keep growing.
  hybrid_logical_clock busy;
  hlc_timestamp previous = busy.tick(500);
  for (std::uint64_t i = 0; i < 3 * (hlc_timestamp::logical_max + 1); ++i) {
    const hlc_timestamp next = busy.tick(500);
    REQUIRE(previous < next);
    previous = next;
  }
  CHECK(previous.physical_us() > 500);
}

TEST_CASE("at the wrap horizon the clock saturates and never goes back", "[core][clock]") {
  hybrid_logical_clock clock;
  hlc_timestamp previous = clock.tick(~std::uint64_t{0});  // past the horizon: saturated
  CHECK(previous.physical_us() == hlc_timestamp::physical_max);
  for (int i = 0; i < 3 * static_cast<int>(hlc_timestamp::logical_max); ++i) {
    const hlc_timestamp next = i % 2 == 0 ? clock.tick(5) : clock.receive(previous, 5);
    REQUIRE_FALSE(next < previous);
    previous = next;
  }
}

TEST_CASE("causality holds across clocks whose physical times disagree", "[core][clock]") {
  // Three clocks pass messages at random; each clock's physical time is skewed and jumps
  // around. Every receive must be later than the send it answers, and every event later than
  // the event before it on the same clock: causality, whatever the physical clocks say.
  std::mt19937_64 random(777);
  hybrid_logical_clock clocks[3];
  const std::uint64_t skew[3] = {0, 5000, 20};
  std::uint64_t wall = 1'000'000;
  for (int i = 0; i < 100000; ++i) {
    wall += random() % 3;
    const int from = static_cast<int>(random() % 3);
    const int to = static_cast<int>((from + 1 + random() % 2) % 3);
    const std::uint64_t jitter = random() % 50;
    const hlc_timestamp sent = clocks[from].tick(wall + skew[from] - jitter);
    const hlc_timestamp before = clocks[to].last();
    const hlc_timestamp received = clocks[to].receive(sent, wall + skew[to] - jitter);
    REQUIRE(sent < received);
    REQUIRE(before < received);
  }
}

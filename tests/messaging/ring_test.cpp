// Single-threaded semantics of frame rings: order, content, edges, wrap-around, limits.
#include <ringkernels/messaging/ring_buffer.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "payload_pattern.hpp"

#include <vector>

namespace msg = ringkernels::messaging;
using host_ring = msg::ring_buffer<Kokkos::HostSpace>;
using producer = msg::ring_producer<msg::scope::system>;
using consumer = msg::ring_consumer<msg::scope::system>;

namespace {

msg::ring_options options(std::uint32_t slots, std::uint32_t max_payload,
                          msg::ring_producers producers = msg::ring_producers::single,
                          msg::backpressure policy = msg::backpressure::reject) {
  msg::ring_options result;
  result.slot_count = slots;
  result.max_payload = max_payload;
  result.producers = producers;
  result.policy = policy;
  return result;
}

msg::push_result push_pattern(producer& p, std::uint64_t sequence, std::uint32_t max_payload) {
  std::vector<std::byte> bytes(max_payload);
  msg::frame_header header{};
  header.payload_bytes = test_support::pattern_size(0, sequence, max_payload);
  header.message_id = sequence;
  test_support::fill_pattern(bytes.data(), header.payload_bytes, 0, sequence);
  return p.try_push(header, bytes.data());
}

/// Pops one frame and checks it is `sequence` with the right content.
void pop_pattern(consumer& c, std::uint64_t sequence, std::uint32_t max_payload) {
  REQUIRE(c.available(1) == 1);
  const msg::frame_view view = c.frame(0);
  CHECK(view.header->message_id == sequence);
  CHECK(view.header->payload_bytes == test_support::pattern_size(0, sequence, max_payload));
  CHECK(test_support::matches_pattern(view.payload, view.header->payload_bytes, 0, sequence));
  c.release(1);
}

}  // namespace

TEST_CASE("frames come out in order with their content", "[messaging][ring]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  host_ring ring("test.in", options(16, 200, producers));
  producer p(ring.ref());
  consumer c(ring.ref());
  CHECK(c.available(8) == 0);
  for (std::uint64_t i = 0; i < 10; ++i) REQUIRE(push_pattern(p, i, 200) == msg::push_result::ok);
  CHECK(c.available(64) == 10);
  for (std::uint64_t i = 0; i < 10; ++i) pop_pattern(c, i, 200);
  CHECK(c.available(8) == 0);
}

TEST_CASE("a full ring refuses, an emptied one accepts again", "[messaging][ring]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  host_ring ring("test.in", options(8, 32, producers));
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 8; ++i) REQUIRE(push_pattern(p, i, 32) == msg::push_result::ok);
  CHECK(push_pattern(p, 8, 32) == msg::push_result::full);
  CHECK(ring.counters().refused_full == 1);
  pop_pattern(c, 0, 32);
  CHECK(push_pattern(p, 8, 32) == msg::push_result::ok);
  CHECK(push_pattern(p, 9, 32) == msg::push_result::full);
  for (std::uint64_t i = 1; i <= 8; ++i) pop_pattern(c, i, 32);
  CHECK(c.available(1) == 0);
  const auto counters = ring.counters();
  CHECK(counters.pushed == 9);
  CHECK(counters.released == 9);
}

TEST_CASE("wrap-around works from every starting offset", "[messaging][ring]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  constexpr std::uint32_t slots = 8;
  for (std::uint32_t offset = 0; offset < slots; ++offset) {
    host_ring ring("test.in", options(slots, 48, producers));
    producer p(ring.ref());
    consumer c(ring.ref());
    std::uint64_t next_push = 0;
    std::uint64_t next_pop = 0;
    for (std::uint32_t i = 0; i < offset; ++i) {  // move head and tail to `offset`
      REQUIRE(push_pattern(p, next_push++, 48) == msg::push_result::ok);
      pop_pattern(c, next_pop++, 48);
    }
    for (int round = 0; round < 3; ++round) {  // fill completely across the wrap, drain
      for (std::uint32_t i = 0; i < slots; ++i) {
        REQUIRE(push_pattern(p, next_push++, 48) == msg::push_result::ok);
      }
      REQUIRE(push_pattern(p, next_push, 48) == msg::push_result::full);
      REQUIRE(c.available(slots * 2) == slots);
      for (std::uint32_t i = 0; i < slots; ++i) pop_pattern(c, next_pop++, 48);
    }
  }
}

TEST_CASE("batched push publishes a prefix and batched release frees it", "[messaging][ring]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  host_ring ring("test.in", options(16, 64, producers));
  producer p(ring.ref());
  consumer c(ring.ref());
  std::vector<msg::frame_header> headers(20);
  std::vector<std::vector<std::byte>> payloads(20, std::vector<std::byte>(64));
  std::vector<const void*> pointers(20);
  for (std::uint64_t i = 0; i < 20; ++i) {
    headers[i] = {};
    headers[i].payload_bytes = test_support::pattern_size(0, i, 64);
    headers[i].message_id = i;
    test_support::fill_pattern(payloads[i].data(), headers[i].payload_bytes, 0, i);
    pointers[i] = payloads[i].data();
  }
  CHECK(p.try_push_n(headers.data(), pointers.data(), 20) == 16);  // only 16 fit
  REQUIRE(c.available(32) == 16);
  for (std::uint32_t i = 0; i < 16; ++i) {
    CHECK(c.frame(i).header->message_id == i);
    CHECK(
        test_support::matches_pattern(c.frame(i).payload, c.frame(i).header->payload_bytes, 0, i));
  }
  c.release(16);
  CHECK(p.try_push_n(headers.data() + 16, pointers.data() + 16, 4) == 4);
  for (std::uint64_t i = 16; i < 20; ++i) pop_pattern(c, i, 64);
}

TEST_CASE("frame limits: empty and oversize frames are refused and counted", "[messaging][ring]") {
  host_ring ring("test.in", options(4, 64));
  producer p(ring.ref());
  consumer c(ring.ref());
  std::vector<std::byte> bytes(128);
  msg::frame_header header{};
  header.payload_bytes = 0;
  CHECK(p.try_push(header, bytes.data()) == msg::push_result::empty_frame);
  header.payload_bytes = 65;
  CHECK(p.try_push(header, bytes.data()) == msg::push_result::too_large);
  header.payload_bytes = 64;
  CHECK(p.try_push(header, bytes.data()) == msg::push_result::ok);
  CHECK(ring.counters().refused_invalid == 2);
  CHECK(c.available(4) == 1);
}

TEST_CASE("queue memory scales with the frame limit, not a global maximum", "[messaging][ring]") {
  host_ring small("test.small", options(4096, 159));
  CHECK(small.bytes() == sizeof(msg::ring_control) + 4096 * 256);  // ~1 MB, not 257 MB
  const auto sized = msg::ring_options::for_bytes(1 << 20, 64);
  CHECK(sized.slot_count == 8192);  // 1 MiB / 128 B per slot, a power of two
  const auto odd = msg::ring_options::for_bytes(1 << 20, 100);
  CHECK(odd.slot_count == 4096);  // 1 MiB / 192 B = 5461 slots, rounded down
}

TEST_CASE("bad ring options are refused with a clear error", "[messaging][ring]") {
  CHECK_THROWS_AS(host_ring("test.bad", options(4, 0)), ringkernels::error);
  CHECK_THROWS_AS(host_ring("test.bad", options(4, msg::max_payload_limit + 1)),
                  ringkernels::error);
  CHECK_THROWS_AS(host_ring("test.bad", options(1, 64)), ringkernels::error);
}

TEST_CASE("a closed ring refuses pushes but can be drained", "[messaging][ring]") {
  host_ring ring("test.in", options(4, 64));
  producer p(ring.ref());
  consumer c(ring.ref());
  REQUIRE(push_pattern(p, 0, 64) == msg::push_result::ok);
  ring.close();
  CHECK(push_pattern(p, 1, 64) == msg::push_result::closed);
  CHECK_FALSE(c.drained_and_closed());
  pop_pattern(c, 0, 64);
  CHECK(c.drained_and_closed());
  CHECK(ring.counters().closed);
}

TEST_CASE("try_pop checks the header before copying: a corrupt length is skipped and counted",
          "[messaging][ring]") {
  // Before the fix try_pop copied header.payload_bytes bytes into a buffer whose size it never
  // learned (ASan: heap-buffer-overflow READ of 65,536 with a corrupt header).
  host_ring ring("corrupt", options(8, 64));
  producer p(ring.ref());
  consumer c(ring.ref());
  const std::uint64_t value = 42;
  msg::frame_header header{};
  header.payload_bytes = sizeof value;
  REQUIRE(p.try_push(header, &value) == msg::push_result::ok);
  ring.ref().slot(0)->payload_bytes = 65536;  // above the ring's limit
  REQUIRE(p.try_push(header, &value) == msg::push_result::ok);
  ring.ref().slot(1)->payload_bytes = 32;  // within the limit, longer than the caller's buffer
  REQUIRE(p.try_push(header, &value) == msg::push_result::ok);
  ring.ref().slot(2)->flags = 1u << 30;  // a flag this version does not know
  REQUIRE(p.try_push(header, &value) == msg::push_result::ok);

  std::uint64_t out = 0;
  msg::frame_header got{};
  CHECK(c.try_pop(got, &out, sizeof out) == msg::pop_result::malformed);
  CHECK(c.try_pop(got, &out, sizeof out) == msg::pop_result::malformed);
  CHECK(c.try_pop(got, &out, sizeof out) == msg::pop_result::malformed);
  CHECK(out == 0);  // nothing was copied from the bad frames
  CHECK(c.try_pop(got, out) == msg::pop_result::ok);
  CHECK(out == 42);
  CHECK(c.try_pop(got, out) == msg::pop_result::empty);
  CHECK(ring.counters().skipped_malformed == 3);
}

// Each backpressure policy, and what it counts.
#include <ringkernels/messaging/ring_buffer.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <chrono>
#include <thread>

namespace msg = ringkernels::messaging;
using host_ring = msg::ring_buffer<Kokkos::HostSpace>;
using producer = msg::ring_producer<msg::scope::system>;
using consumer = msg::ring_consumer<msg::scope::system>;

namespace {
host_ring make_ring(msg::backpressure policy, msg::ring_producers producers) {
  msg::ring_options options;
  options.slot_count = 4;
  options.max_payload = 8;
  options.policy = policy;
  options.producers = producers;
  return host_ring("test.in", options);
}
msg::push_result push_value(producer& p, std::uint64_t value) {
  msg::frame_header header{};
  header.payload_bytes = sizeof value;
  header.message_id = value;
  return p.try_push(header, &value);
}
std::uint64_t pop_value(consumer& c) {
  msg::frame_header header{};
  std::uint64_t value = ~0ull;
  REQUIRE(c.try_pop(header, value) == msg::pop_result::ok);
  CHECK(header.message_id == value);
  return value;
}
}  // namespace

TEST_CASE("reject: a full ring returns full and keeps what it has", "[messaging][backpressure]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  auto ring = make_ring(msg::backpressure::reject, producers);
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(push_value(p, i) == msg::push_result::ok);
  CHECK(push_value(p, 4) == msg::push_result::full);
  for (std::uint64_t i = 0; i < 4; ++i) CHECK(pop_value(c) == i);
  const auto counters = ring.counters();
  CHECK(counters.refused_full == 1);
  CHECK(counters.dropped_newest + counters.dropped_oldest == 0);
}

TEST_CASE("drop_newest: the pushed frame is dropped and counted", "[messaging][backpressure]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  auto ring = make_ring(msg::backpressure::drop_newest, producers);
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(push_value(p, i) == msg::push_result::ok);
  CHECK(push_value(p, 4) == msg::push_result::dropped_newest);
  CHECK(push_value(p, 5) == msg::push_result::dropped_newest);
  for (std::uint64_t i = 0; i < 4; ++i) CHECK(pop_value(c) == i);
  CHECK(ring.counters().dropped_newest == 2);
}

TEST_CASE("drop_oldest: the oldest pending frame makes room and is counted",
          "[messaging][backpressure]") {
  const auto producers = GENERATE(msg::ring_producers::single, msg::ring_producers::multiple);
  auto ring = make_ring(msg::backpressure::drop_oldest, producers);
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(push_value(p, i) == msg::push_result::ok);
  CHECK(push_value(p, 4) == msg::push_result::ok_dropped_oldest);
  CHECK(push_value(p, 5) == msg::push_result::ok_dropped_oldest);
  for (std::uint64_t i = 2; i < 6; ++i) CHECK(pop_value(c) == i);  // 0 and 1 were dropped
  CHECK(c.available(1) == 0);
  const auto counters = ring.counters();
  CHECK(counters.dropped_oldest == 2);
  CHECK(counters.pushed == 6);
  CHECK(counters.released == 6);  // 4 read + 2 dropped
}

TEST_CASE("drop_oldest never drops a batch the consumer holds", "[messaging][backpressure]") {
  auto ring = make_ring(msg::backpressure::drop_oldest, msg::ring_producers::single);
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(push_value(p, i) == msg::push_result::ok);
  REQUIRE(c.available(2) == 2);  // consumer claims frames 0 and 1
  // While frames 0 and 1 are read nothing older can go (dropping frame 2 would not free the
  // slot at the tail), so the new frame is dropped instead: producers never wait.
  CHECK(push_value(p, 4) == msg::push_result::dropped_newest);
  CHECK(c.frame(0).header->message_id == 0);
  CHECK(c.frame(1).header->message_id == 1);
  c.release(2);
  CHECK(ring.counters().dropped_newest == 1);
  CHECK(push_value(p, 4) == msg::push_result::ok);
  CHECK(push_value(p, 5) == msg::push_result::ok);
  CHECK(push_value(p, 6) == msg::push_result::ok_dropped_oldest);  // drops 2
  for (std::uint64_t i = 3; i < 7; ++i) CHECK(pop_value(c) == i);
}

TEST_CASE("block: waits for space until the deadline", "[messaging][backpressure]") {
  auto ring = make_ring(msg::backpressure::block, msg::ring_producers::single);
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(push_value(p, i) == msg::push_result::ok);
  msg::frame_header header{};
  header.payload_bytes = 8;
  std::uint64_t value = 4;
  header.message_id = value;
  const auto start = std::chrono::steady_clock::now();
  CHECK(msg::push_blocking(p, header, &value, start + std::chrono::milliseconds(20)) ==
        msg::push_result::timed_out);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(20));
  CHECK(ring.counters().refused_full == 0);  // waiting is not refusing

  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    consumer late(ring.ref());
    CHECK(pop_value(late) == 0);
  });
  CHECK(msg::push_blocking(p, header, &value,
                           std::chrono::steady_clock::now() + std::chrono::seconds(10)) ==
        msg::push_result::ok);
  reader.join();
}

// Concurrency stress: producers and a consumer on separate threads, every frame's content and
// per-producer order checked. RINGKERNELS_STRESS_FRAMES overrides the frame count (the TSan
// preset uses fewer: instrumentation slows every access ~10x).
#include <ringkernels/messaging/ring_buffer.hpp>

#include <catch2/catch_test_macros.hpp>

#include "payload_pattern.hpp"

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace msg = ringkernels::messaging;
using host_ring = msg::ring_buffer<Kokkos::HostSpace>;

namespace {

std::uint64_t stress_frames() {
  if (const char* text = std::getenv("RINGKERNELS_STRESS_FRAMES")) return std::stoull(text);
  return 10'000'000;
}

constexpr std::uint32_t max_payload = 96;

void produce(const host_ring& ring, std::uint32_t id, std::uint64_t frames) {
  msg::ring_producer<msg::scope::system> producer(ring.ref());
  std::byte bytes[max_payload];
  ringkernels::backoff waiting;
  for (std::uint64_t seq = 0; seq < frames; ++seq) {
    msg::frame_header header{};
    header.payload_bytes = test_support::pattern_size(id, seq, max_payload);
    header.type_id = id;
    header.message_id = seq;
    test_support::fill_pattern(bytes, header.payload_bytes, id, seq);
    while (producer.try_push(header, bytes) == msg::push_result::full) waiting.pause();
    waiting.reset();
  }
}

struct check_result {
  std::uint64_t received = 0;
  std::uint64_t bad_content = 0;
  std::uint64_t out_of_order = 0;
};

/// Consumes until `expected` frames (or, for drop_oldest, until producers are done and the
/// ring is empty). Order: each producer's sequence numbers must strictly increase, and must be
/// consecutive unless frames may be dropped.
check_result consume(const host_ring& ring, std::uint32_t producers, std::uint64_t expected,
                     bool gaps_allowed, const std::atomic<int>* producers_done) {
  msg::ring_consumer<msg::scope::system> consumer(ring.ref());
  std::vector<std::uint64_t> next(producers, 0);
  check_result result;
  ringkernels::backoff waiting;
  for (;;) {
    const std::uint32_t n = consumer.available(64);
    if (n == 0) {
      if (result.received == expected) break;
      if (producers_done != nullptr && producers_done->load() == static_cast<int>(producers) &&
          consumer.available(64) == 0) {
        break;
      }
      waiting.pause();
      continue;
    }
    waiting.reset();
    for (std::uint32_t i = 0; i < n; ++i) {
      const msg::frame_view frame = consumer.frame(i);
      const std::uint32_t id = frame.header->type_id;
      const std::uint64_t seq = frame.header->message_id;
      if (id >= producers ||
          frame.header->payload_bytes != test_support::pattern_size(id, seq, max_payload) ||
          !test_support::matches_pattern(frame.payload, frame.header->payload_bytes, id, seq)) {
        ++result.bad_content;
        continue;
      }
      if (gaps_allowed ? seq < next[id] : seq != next[id]) ++result.out_of_order;
      next[id] = seq + 1;
    }
    result.received += n;
    consumer.release(n);
  }
  return result;
}

void run_stress(std::uint32_t producers, msg::backpressure policy) {
  msg::ring_options options;
  options.slot_count = 1024;
  options.max_payload = max_payload;
  options.producers = producers > 1 ? msg::ring_producers::multiple : msg::ring_producers::single;
  options.policy = policy;
  host_ring ring("stress.in", options);
  const std::uint64_t per_producer = stress_frames() / producers;
  const bool drops = policy == msg::backpressure::drop_oldest;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (std::uint32_t id = 0; id < producers; ++id) {
    threads.emplace_back([&, id] {
      produce(ring, id, per_producer);
      done.fetch_add(1);
    });
  }
  const check_result result =
      consume(ring, producers, per_producer * producers, drops, drops ? &done : nullptr);
  for (auto& thread : threads) thread.join();
  const auto counters = ring.counters();
  CHECK(result.bad_content == 0);
  CHECK(result.out_of_order == 0);
  if (drops) {
    CHECK(result.received + counters.dropped_oldest + counters.dropped_newest ==
          per_producer * producers);
    CHECK(counters.pushed + counters.dropped_newest == per_producer * producers);
  } else {
    CHECK(result.received == per_producer * producers);
    CHECK(counters.dropped_oldest + counters.dropped_newest == 0);
  }
  if (!drops) {
    CHECK(counters.pushed == per_producer * producers);
    CHECK(counters.released == per_producer * producers);
  }
}

}  // namespace

TEST_CASE("SPSC stress: every frame arrives intact and in order", "[messaging][stress]") {
  run_stress(1, msg::backpressure::reject);
}

TEST_CASE("MPSC stress, 2 producers: every frame intact; per-producer order",
          "[messaging][stress]") {
  run_stress(2, msg::backpressure::reject);
}

TEST_CASE("MPSC stress, 4 producers: every frame intact; per-producer order",
          "[messaging][stress]") {
  run_stress(4, msg::backpressure::reject);
}

TEST_CASE("drop_oldest stress: received + dropped = sent and order kept", "[messaging][stress]") {
  run_stress(1, msg::backpressure::drop_oldest);
  run_stress(3, msg::backpressure::drop_oldest);
}

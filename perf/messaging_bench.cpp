#include "messaging_bench.hpp"

#include "cpu_floor.hpp"

#include <ringkernels/core/error.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

namespace ringkernels::perf {
namespace {

namespace msg = ringkernels::messaging;
using host_ring = msg::ring_buffer<Kokkos::HostSpace>;
using clock_type = std::chrono::steady_clock;

constexpr std::uint32_t consumer_batch_max = 256;

/// Drains `total` frames, checking each frame's id and first payload word against the expected
/// per-producer sequence. Returns false on any mismatch.
bool consume_checked(const host_ring& ring, std::uint64_t total, std::uint32_t producers) {
  msg::ring_consumer<msg::scope::system> consumer(ring.ref());
  std::vector<std::uint64_t> next(producers, 0);
  bool ok = true;
  for (std::uint64_t done = 0; done < total;) {
    const std::uint32_t n = consumer.available(consumer_batch_max);
    for (std::uint32_t i = 0; i < n; ++i) {
      const msg::frame_view frame = consumer.frame(i);
      std::uint64_t first_word = 0;
      std::memcpy(&first_word, frame.payload, sizeof first_word);
      const std::uint32_t producer = frame.header->type_id;
      ok = ok && producer < producers && frame.header->message_id == next[producer] &&
           first_word == next[producer];
      if (producer < producers) ++next[producer];
    }
    if (n > 0) consumer.release(n);
    done += n;
  }
  return ok;
}

/// Pushes `count` frames of `payload_bytes`, publishing every `batch` frames.
void produce(const host_ring& ring, std::uint32_t producer_id, std::uint64_t count,
             std::uint32_t payload_bytes, std::uint32_t batch) {
  msg::ring_producer<msg::scope::system> producer(ring.ref());
  std::vector<std::byte> payload(payload_bytes * batch);
  std::vector<msg::frame_header> headers(batch);
  std::vector<const void*> payloads(batch);
  for (std::uint32_t i = 0; i < batch; ++i) payloads[i] = payload.data() + i * payload_bytes;
  for (std::uint64_t sent = 0; sent < count;) {
    const auto k = static_cast<std::uint32_t>(std::min<std::uint64_t>(batch, count - sent));
    for (std::uint32_t i = 0; i < k; ++i) {
      headers[i] = msg::frame_header{};
      headers[i].payload_bytes = payload_bytes;
      headers[i].type_id = producer_id;
      headers[i].message_id = sent + i;
      const std::uint64_t word = sent + i;
      std::memcpy(payload.data() + i * payload_bytes, &word, sizeof word);
    }
    if (k == 1) {
      while (producer.try_push(headers[0], payloads[0]) != msg::push_result::ok) {
      }
      sent += 1;
    } else {
      sent += producer.try_push_n(headers.data(), payloads.data(), k);
    }
  }
}

double stream(const topology& machine, int core_a, int core_b, std::uint32_t producers,
              std::uint32_t payload_bytes, std::uint32_t batch, std::uint64_t per_producer) {
  msg::ring_options options;
  options.slot_count = 4096;
  options.max_payload = payload_bytes;
  options.producers = producers > 1 ? msg::ring_producers::multiple : msg::ring_producers::single;
  host_ring ring("bench.stream", options);
  bool ok = false;
  const auto start = clock_type::now();
  std::thread consumer = pinned_thread(machine, producers > 1 ? -1 : core_b, [&] {
    ok = consume_checked(ring, per_producer * producers, producers);
  });
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    threads.push_back(pinned_thread(machine, producers > 1 ? -1 : core_a, [&, p] {
      produce(ring, p, per_producer, payload_bytes, batch);
    }));
  }
  for (auto& thread : threads) thread.join();
  consumer.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (!ok) RINGKERNELS_THROW(errc::backend_failure, "messaging benchmark: a frame arrived wrong");
  return static_cast<double>(per_producer * producers) / seconds;
}

void roundtrip(const topology& machine, int core_a, int core_b, std::uint64_t iterations,
               report& out) {
  msg::ring_options options;
  options.slot_count = 64;
  options.max_payload = 64;
  host_ring ping("bench.ping", options);
  host_ring pong("bench.pong", options);
  std::vector<double> samples;
  samples.reserve(iterations);
  std::atomic<bool> failed{false};
  std::thread echo = pinned_thread(machine, core_b, [&] {
    msg::ring_consumer<msg::scope::system> in(ping.ref());
    msg::ring_producer<msg::scope::system> back(pong.ref());
    for (std::uint64_t i = 0; i < iterations; ++i) {
      while (in.available(1) == 0) {
      }
      const msg::frame_view frame = in.frame(0);
      if (back.try_push(*frame.header, frame.payload) != msg::push_result::ok) failed = true;
      in.release(1);
    }
  });
  std::thread timer = pinned_thread(machine, core_a, [&] {
    msg::ring_producer<msg::scope::system> out_ring(ping.ref());
    msg::ring_consumer<msg::scope::system> replies(pong.ref());
    std::byte payload[64] = {};
    for (std::uint64_t i = 0; i < iterations; ++i) {
      msg::frame_header header{};
      header.payload_bytes = 64;
      header.message_id = i;
      std::memcpy(payload, &i, sizeof i);
      const auto start = clock_type::now();
      if (out_ring.try_push(header, payload) != msg::push_result::ok) failed = true;
      while (replies.available(1) == 0) {
      }
      if (replies.frame(0).header->message_id != i) failed = true;
      replies.release(1);
      samples.push_back(
          std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
    }
  });
  timer.join();
  echo.join();
  if (failed) RINGKERNELS_THROW(errc::backend_failure, "queue round trip: a reply was wrong");
  add_latency(out, "queue.roundtrip", std::move(samples), "one 64 B frame each way");
}

}  // namespace

report run_messaging_bench(double scale) {
  report out("ringkernels bench messaging");
  topology machine;
  const int core_a = 0;
  const int core_b = machine.core_count() > 1 ? 1 : 0;
  const auto count = [scale](double n) { return static_cast<std::uint64_t>(n * scale) + 1000; };

  measure_core_roundtrip(machine, core_a, core_b, out);
  const double floor1 = measure_bare_spsc(machine, core_a, core_b, 1, count(50e6));
  const double floor32 = measure_bare_spsc(machine, core_a, core_b, 32, count(50e6));
  out.add("floor.spsc.64B.batch1.msgs_per_s", floor1, "msg/s", "bare array ring, no framing");
  out.add("floor.spsc.64B.batch32.msgs_per_s", floor32, "msg/s");

  const double spsc1 = stream(machine, core_a, core_b, 1, 64, 1, count(30e6));
  const double spsc32 = stream(machine, core_a, core_b, 1, 64, 32, count(50e6));
  const double spsc256 = stream(machine, core_a, core_b, 1, 256, 32, count(20e6));
  const double mpsc = stream(machine, core_a, core_b, 2, 64, 1, count(10e6));
  out.add("spsc.64B.batch1.msgs_per_s", spsc1, "msg/s", ratio_note(spsc1, floor1));
  out.add("spsc.64B.batch32.msgs_per_s", spsc32, "msg/s", ratio_note(spsc32, floor32));
  out.add("spsc.256B.batch32.msgs_per_s", spsc256, "msg/s");
  out.add("mpsc.2p.64B.batch1.msgs_per_s", mpsc, "msg/s",
          "3 threads on the machine's cores, unpinned");
  roundtrip(machine, core_a, core_b, count(1e6), out);
  return out;
}

}  // namespace ringkernels::perf

// Messages through the public API: none lost, content exact, concurrent callers.
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "backends_under_test.hpp"
#include "payload_pattern.hpp"
#include "test_handlers.hpp"

#include <random>
#include <thread>

using namespace std::chrono_literals;
using echo = ringkernels::examples::echo;

namespace {
ringkernels::kernel_options named(const std::string& name, int workers = 1) {
  ringkernels::kernel_options options;
  options.name = name;
  options.workers = workers;
  return options;
}
std::uint64_t messages(std::uint64_t full) {
  if (const char* text = std::getenv("RINGKERNELS_STRESS_FRAMES")) {
    return std::min<std::uint64_t>(full, std::stoull(text));
  }
  return full;
}
}  // namespace

TEMPLATE_TEST_CASE("1M messages: every reply arrives once; intact", "[ringkernels][stress]",
                   RINGKERNELS_HOST_BACKENDS) {
  const int workers = GENERATE(1, 2);
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("million", workers));
  kernel.activate();
  const std::uint64_t total = messages(1'000'000);
  std::vector<bool> seen(total, false);
  std::vector<echo::Request> batch(128);
  std::vector<echo::Reply> replies(256);
  std::uint64_t sent = 0, received = 0, bad = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (received < total && std::chrono::steady_clock::now() < deadline) {
    if (sent < total) {
      const std::size_t k = std::min<std::uint64_t>(batch.size(), total - sent);
      for (std::size_t j = 0; j < k; ++j) {
        batch[j].sequence = sent + j;
        for (int w = 0; w < 7; ++w) batch[j].words[w] = test_support::mix(sent + j + w);
      }
      sent += kernel.send_batch(batch.data(), k);
    }
    const std::size_t got = kernel.receive(replies.data(), replies.size());
    for (std::size_t j = 0; j < got; ++j) {
      const auto& reply = replies[j];
      std::uint64_t sum = reply.sequence;
      bool ok = reply.sequence < total && !seen[reply.sequence];
      for (int w = 0; ok && w < 6; ++w) {
        ok = reply.words[w] == test_support::mix(reply.sequence + w);
        sum += reply.words[w];
      }
      sum += test_support::mix(reply.sequence + 6);
      ok = ok && reply.checksum == static_cast<std::uint32_t>(sum) &&
           reply.worker < static_cast<std::uint32_t>(workers);
      if (ok) seen[reply.sequence] = true;
      bad += ok ? 0 : 1;
    }
    received += got;
  }
  CHECK(received == total);
  CHECK(bad == 0);
  kernel.deactivate();
  const auto counters = kernel.snapshot();
  CHECK(counters.sent == total);
  CHECK(counters.processed == total);
  CHECK(counters.replies_sent == total);
  CHECK(counters.balanced());
  CHECK(counters.loop_iterations > 0);
}

TEMPLATE_TEST_CASE("random payload sizes come back transformed exactly", "[ringkernels]",
                   RINGKERNELS_HOST_BACKENDS) {
  using handler = test_support::reverse_bytes;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(handler{}, named("sizes"));
  kernel.activate();
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    handler::Request request;
    request.length = static_cast<std::uint32_t>(random() % (handler::capacity + 1));
    for (std::uint32_t b = 0; b < request.length; ++b)
      request.bytes[b] = static_cast<std::uint8_t>(random());
    const auto reply = kernel.call(request).get(1s);
    REQUIRE(reply.length == request.length);
    for (std::uint32_t b = 0; b < request.length; ++b) {
      REQUIRE(reply.bytes[b] ==
              static_cast<std::uint8_t>(request.bytes[request.length - 1 - b] + 1));
    }
  }
}

TEMPLATE_TEST_CASE("4 concurrent callers each get their own replies", "[ringkernels][stress]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("callers"));
  kernel.activate();
  const std::uint64_t per_caller = messages(20'000);
  std::atomic<std::uint64_t> wrong{0};
  std::vector<std::thread> callers;
  for (std::uint64_t c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (std::uint64_t i = 0; i < per_caller; ++i) {
        echo::Request request;
        request.sequence = (c << 32) | i;
        try {
          if (kernel.call(request).get(5s).sequence != request.sequence) ++wrong;
        } catch (...) {
          ++wrong;
        }
      }
    });
  }
  for (auto& caller : callers) caller.join();
  CHECK(wrong == 0);
  kernel.deactivate();
  const auto counters = kernel.snapshot();
  CHECK(counters.processed == 4 * per_caller);
  CHECK(counters.replies_received == 4 * per_caller);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("2 host threads stream to their own workers", "[ringkernels][stress]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  auto options = named("lanes", 2);
  options.pinning = ringkernels::pin_policy::none;
  auto kernel = rt.launch<TestType>(echo{}, options);
  kernel.activate();
  const std::uint64_t per_thread = messages(200'000);
  std::uint64_t bad[2] = {0, 0};
  std::uint64_t received[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      std::vector<bool> seen(per_thread, false);
      std::vector<echo::Request> batch(64);
      std::vector<echo::Reply> replies(256);
      std::uint64_t sent = 0;
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (received[t] < per_thread && std::chrono::steady_clock::now() < deadline) {
        if (sent < per_thread && sent - received[t] < 2000) {
          const std::size_t k = std::min<std::uint64_t>(batch.size(), per_thread - sent);
          for (std::size_t j = 0; j < k; ++j) {
            batch[j].sequence = sent + j;
            batch[j].words[0] = static_cast<std::uint64_t>(t);
          }
          sent += kernel.send_batch_to(t, batch.data(), k);
        }
        const std::size_t got = kernel.receive_from(t, replies.data(), replies.size());
        for (std::size_t j = 0; j < got; ++j) {
          const auto& r = replies[j];
          // Each thread sees only its own worker's replies to its own requests, once each.
          const bool ok = r.worker == static_cast<unsigned>(t) &&
                          r.words[0] == static_cast<std::uint64_t>(t) && r.sequence < per_thread &&
                          !seen[r.sequence];
          if (ok) seen[r.sequence] = true;
          bad[t] += ok ? 0 : 1;
        }
        received[t] += got;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 2; ++t) {
    CHECK(received[t] == per_thread);
    CHECK(bad[t] == 0);
  }
  CHECK_THROWS_AS(kernel.send_batch_to(2, nullptr, 0), ringkernels::error);
  CHECK_THROWS_AS(kernel.receive_from(-1, nullptr, 0), ringkernels::error);
  kernel.deactivate();
  CHECK(kernel.snapshot().balanced());
}

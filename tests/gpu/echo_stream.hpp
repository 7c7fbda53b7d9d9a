// Streams echo requests through a GPU kernel (pipelined through send_batch/receive) and checks
// every reply once: shared by the GPU tests.
#ifndef RINGKERNELS_TESTS_GPU_ECHO_STREAM_HPP
#define RINGKERNELS_TESTS_GPU_ECHO_STREAM_HPP

#include <ringkernels/examples/echo.hpp>

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

namespace test_support {
inline ringkernels::examples::echo::Request request_for(std::uint64_t sequence) {
  ringkernels::examples::echo::Request request;
  request.sequence = sequence;
  for (int w = 0; w < 7; ++w) request.words[w] = sequence * 131 + static_cast<std::uint64_t>(w);
  return request;
}

/// Streams `total` requests through `kernel` (pipelined) and checks every reply once.
template <class Kernel>
void stream_checked(Kernel& kernel, std::uint64_t total, int workers) {
  std::vector<bool> seen(total, false);
  std::vector<ringkernels::examples::echo::Request> batch(64);
  std::vector<ringkernels::examples::echo::Reply> replies(256);
  std::uint64_t sent = 0, received = 0, bad = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (received < total && std::chrono::steady_clock::now() < deadline) {
    if (sent < total && sent - received < 4000) {
      const std::size_t k = std::min<std::uint64_t>(batch.size(), total - sent);
      for (std::size_t j = 0; j < k; ++j) batch[j] = request_for(sent + j);
      sent += kernel.send_batch(batch.data(), k);
    }
    const std::size_t got = kernel.receive(replies.data(), replies.size());
    for (std::size_t j = 0; j < got; ++j) {
      const auto& r = replies[j];
      bool ok =
          r.sequence < total && !seen[r.sequence] && r.worker < static_cast<unsigned>(workers);
      for (int w = 0; ok && w < 6; ++w) ok = r.words[w] == request_for(r.sequence).words[w];
      if (ok) seen[r.sequence] = true;
      bad += ok ? 0 : 1;
    }
    received += got;
  }
  CHECK(received == total);
  CHECK(bad == 0);
}
}  // namespace test_support

#endif

// Small helpers shared by the ring-kernel tests: options with a name, and waiting for a
// condition with a deadline (persistent kernels hang rather than fail: every wait is bounded).
#ifndef RINGKERNELS_TESTS_KERNEL_HELPERS_HPP
#define RINGKERNELS_TESTS_KERNEL_HELPERS_HPP

#include <ringkernels/backends/common/kernel_options.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace test_support {

/// Options for a kernel called `name` with rings of `capacity` slots.
inline ringkernels::kernel_options named(const std::string& name, std::uint32_t capacity = 256) {
  ringkernels::kernel_options options;
  options.name = name;
  options.queue_capacity = capacity;
  return options;
}

/// Polls `done` every `step` until it is true (true) or `limit` has passed (false).
template <class Predicate>
bool eventually(Predicate&& done, std::chrono::milliseconds limit = std::chrono::seconds(10),
                std::chrono::microseconds step = std::chrono::microseconds(200)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

}  // namespace test_support

#endif

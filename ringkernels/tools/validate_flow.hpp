// The validation flow of `ringkernels validate`, written once for every backend: the
// predecessor's flow (create runtime, launch, activate, resolve queues, VectorAdd cases with
// latencies, then 1,000,000 messages with every reply checked, deactivate, terminate) printing
// each step. Host code; the handler runs wherever ExecSpace runs.
#ifndef RINGKERNELS_TOOLS_VALIDATE_FLOW_HPP
#define RINGKERNELS_TOOLS_VALIDATE_FLOW_HPP

#include <ringkernels/core/kokkos_compat.hpp>
#include <ringkernels/examples/vector_add.hpp>
#include <ringkernels/runtime.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ringkernels::cli {

struct validation_result {
  std::string backend;
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
};

namespace detail {

using clock_type = std::chrono::steady_clock;
using examples::vector_add;

inline double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

/// Tracks and prints pass/fail per case.
struct checklist {
  validation_result& result;
  void check(bool ok, const std::string& what, const std::string& detail = {}) {
    ++result.total;
    if (ok) {
      ++result.passed;
    } else {
      result.failures.push_back(what + (detail.empty() ? "" : ": " + detail));
    }
    std::printf("[%s]    %s %s%s%s\n", result.backend.c_str(), ok ? "PASS" : "FAIL", what.c_str(),
                detail.empty() ? "" : " - ", detail.c_str());
    std::fflush(stdout);
  }
};

/// Arrays for a by-handle VectorAdd of n elements: inputs in the backend's data space (device
/// memory on a GPU), the result where the host can read it without a copy. They are allocated
/// and filled before the kernel is launched and freed after it terminates: on a GPU, Kokkos
/// 3.4's deep_copy and View deallocation synchronise the whole device, which waits for a
/// resident kernel (docs/cuda.md).
template <class ExecSpace>
struct vector_buffers {
  using data_space = typename backend_traits<ExecSpace>::data_space;
  using result_space = typename backend_traits<ExecSpace>::memory_space;  // host-reachable
  std::uint32_t n = 0;
  Kokkos::View<float*, data_space> a, b;
  Kokkos::View<float*, result_space> c;
  compat::host_mirror_t<Kokkos::View<float*, data_space>> a_host, b_host;

  explicit vector_buffers(std::uint32_t size)
      : n(size),
        a(Kokkos::view_alloc("validate.a", Kokkos::WithoutInitializing), size),
        b(Kokkos::view_alloc("validate.b", Kokkos::WithoutInitializing), size),
        c(Kokkos::view_alloc("validate.c", Kokkos::WithoutInitializing), size) {
    a_host = Kokkos::create_mirror_view(a);
    b_host = Kokkos::create_mirror_view(b);
    for (std::uint32_t i = 0; i < n; ++i) {
      a_host(i) = 0.5f * static_cast<float>(i) + 1.0f;
      b_host(i) = 2.0f - 0.25f * static_cast<float>(i % 97);
      c(i) = -1.0f;
    }
    Kokkos::deep_copy(a, a_host);
    Kokkos::deep_copy(b, b_host);
  }
};

/// One VectorAdd request/reply of `n` elements, inline (n <= 25) or by handle (`buffers`);
/// checks C = A + B bit for bit and prints send, receive and total latency.
template <class ExecSpace, class Kernel>
void vector_case(Kernel& kernel, std::uint32_t n, const vector_buffers<ExecSpace>* buffers,
                 checklist& list) {
  const bool by_handle = buffers != nullptr;
  vector_add::Request request;
  request.n = n;
  request.by_handle = by_handle ? 1u : 0u;
  if (by_handle) {
    request.big_a = buffer_handle<const float>{buffers->a.data(), n};
    request.big_b = buffer_handle<const float>{buffers->b.data(), n};
    request.big_c = buffer_handle<float>{buffers->c.data(), n};
  } else {
    for (std::uint32_t i = 0; i < n; ++i) {
      request.a[i] = 0.5f * static_cast<float>(i) + 1.0f;
      request.b[i] = 2.0f - 0.25f * static_cast<float>(i % 97);
    }
  }
  const std::string what =
      std::string(by_handle ? "handle" : "inline") + " vector, " + std::to_string(n) + " elements";
  try {
    const auto start = clock_type::now();
    auto future = kernel.call(request);
    const auto sent = clock_type::now();
    const vector_add::Reply reply = future.get(std::chrono::seconds(5));
    const auto received = clock_type::now();
    std::uint32_t wrong = 0;
    if (by_handle) {
      for (std::uint32_t i = 0; i < n; ++i) {
        wrong += buffers->c(i) != buffers->a_host(i) + buffers->b_host(i);
      }
      wrong += reply.big_c.data != buffers->c.data() ? 1u : 0u;
    } else {
      for (std::uint32_t i = 0; i < n; ++i) wrong += reply.c[i] != request.a[i] + request.b[i];
    }
    char detail[160];
    std::snprintf(detail, sizeof detail, "send %.1f us, receive %.1f us, total %.1f us%s",
                  micros(sent - start), micros(received - sent), micros(received - start),
                  wrong == 0 && reply.status == vector_add::ok ? "" : ", WRONG RESULT");
    list.check(wrong == 0 && reply.status == vector_add::ok && reply.n == n, what, detail);
  } catch (const std::exception& failure) {
    list.check(false, what, failure.what());
  }
}

/// Sends `total` inline VectorAdds pipelined and checks every reply; prints progress.
template <class Kernel>
void bulk_case(Kernel& kernel, std::uint64_t total, checklist& list, const std::string& backend) {
  constexpr std::uint32_t n = 10;
  constexpr std::size_t window = 2048;
  std::vector<vector_add::Request> batch(256);
  std::vector<vector_add::Reply> replies(256);
  std::vector<bool> seen(total, false);
  std::uint64_t sent = 0, checked = 0, wrong = 0, next_progress = total / 4;
  const auto start = clock_type::now();
  auto deadline = start + std::chrono::seconds(30);
  while (checked < total && clock_type::now() < deadline) {
    if (sent < total && sent - checked < window) {
      const std::size_t k = std::min<std::uint64_t>(
          batch.size(), std::min<std::uint64_t>(total - sent, window - (sent - checked)));
      for (std::size_t j = 0; j < k; ++j) {
        auto& r = batch[j];
        r.n = n;
        for (std::uint32_t i = 0; i < n; ++i) {
          r.a[i] = static_cast<float>(sent + j + i);  // exact below 2^24
          r.b[i] = 0.25f * static_cast<float>(i);
        }
      }
      sent += kernel.send_batch(batch.data(), k);
    }
    const std::size_t got = kernel.receive(replies.data(), replies.size());
    for (std::size_t j = 0; j < got; ++j) {
      const auto& reply = replies[j];
      const auto sequence = static_cast<std::uint64_t>(reply.c[0]);
      bool ok =
          reply.status == vector_add::ok && reply.n == n && sequence < total && !seen[sequence];
      for (std::uint32_t i = 0; ok && i < n; ++i) {
        ok = reply.c[i] == static_cast<float>(sequence + i) + 0.25f * static_cast<float>(i);
      }
      if (ok) seen[sequence] = true;
      wrong += ok ? 0 : 1;
    }
    checked += got;
    if (checked >= next_progress && next_progress > 0) {
      const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
      std::printf("[%s]    bulk: %llu/%llu replies checked, %.2f M msg/s\n", backend.c_str(),
                  static_cast<unsigned long long>(checked), static_cast<unsigned long long>(total),
                  static_cast<double>(checked) / seconds / 1e6);
      std::fflush(stdout);
      next_progress += total / 4;
    }
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  char detail[200];
  std::snprintf(detail, sizeof detail,
                "%llu sent, %llu replies checked, %llu wrong, %.2f s, %.2f M msg/s",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(checked),
                static_cast<unsigned long long>(wrong), seconds,
                static_cast<double>(checked) / seconds / 1e6);
  list.check(checked == total && wrong == 0, std::to_string(total) + " VectorAdd messages", detail);
}

}  // namespace detail

/// Runs the whole flow on ExecSpace's backend.
template <class ExecSpace>
validation_result validate_backend(const std::string& backend, std::uint64_t bulk_messages,
                                   const kernel_options& base) {
  using detail::clock_type;
  validation_result result;
  result.backend = backend;
  detail::checklist list{result};
  const char* b = backend.c_str();
  try {
    std::vector<std::unique_ptr<detail::vector_buffers<ExecSpace>>> buffers;
    for (std::uint32_t n : {100u, 10000u, 1000000u}) {
      buffers.push_back(std::make_unique<detail::vector_buffers<ExecSpace>>(n));
    }
    std::printf("[%s] 1. creating the runtime\n", b);
    runtime rt;
    std::printf("[%s] 2. creating the kernel wrapper (handler: VectorAdd)\n", b);
    kernel_options options = base;  // --launch for GPU backends
    options.name = "vector_add";
    options.queue_capacity = 4096;
    const auto launch_start = clock_type::now();
    std::printf("[%s] 3. launching\n", b);
    auto kernel = rt.launch<ExecSpace>(examples::vector_add{}, options);
    std::printf("[%s]    launched in %.1f ms: queues", b,
                detail::micros(clock_type::now() - launch_start) / 1000);
    for (const auto& name : rt.queue_names()) std::printf(" %s", name.c_str());
    std::printf(
        "; capacity %u slots per worker ring, frame limit %u B, ring memory %.2f MB, %d "
        "worker(s)%s%s\n",
        options.queue_capacity, kernel.frame_limit(),
        static_cast<double>(kernel.ring_bytes()) / 1e6, options.workers,
        kernel.pin_note().empty() ? "" : "; ", kernel.pin_note().c_str());
    const auto activate_start = clock_type::now();
    kernel.activate();
    std::printf("[%s] 4. activated in %.1f us\n", b,
                detail::micros(clock_type::now() - activate_start));
    std::printf("[%s] 5. resolving queues\n", b);
    bool resolved = true;
    using ring_group = std::vector<
        std::unique_ptr<messaging::ring_buffer<typename backend_traits<ExecSpace>::memory_space>>>;
    for (const char* port : {"in", "out"}) {
      try {
        auto handle = rt.queues().template find<ring_group>(std::string("vector_add.") + port);
        std::printf("[%s]    %s -> %zu ring(s) of %llu slots\n", b, handle.name.c_str(),
                    handle->size(), static_cast<unsigned long long>((*handle)[0]->slot_count()));
      } catch (const std::exception& failure) {
        resolved = false;
        std::printf("[%s]    %s\n", b, failure.what());
      }
    }
    list.check(resolved, "queue names vector_add.in and vector_add.out resolve");
    std::printf("[%s] 6. VectorAdd requests (5 s timeout each)\n", b);
    for (std::uint32_t n : {10u, 25u}) detail::vector_case<ExecSpace>(kernel, n, nullptr, list);
    for (const auto& arrays : buffers) {
      detail::vector_case<ExecSpace>(kernel, arrays->n, arrays.get(), list);
    }
    detail::bulk_case(kernel, bulk_messages, list, backend);
    std::printf("[%s] 7. deactivating and terminating\n", b);
    kernel.deactivate();
    const telemetry_snapshot quiet = kernel.snapshot();
    const terminate_report report = kernel.terminate();
    const telemetry_snapshot final_counters = kernel.snapshot();
    std::printf(
        "[%s]    terminated in %.2f ms, %llu pending; uptime %.2f s; sent %llu, processed %llu, "
        "dropped %llu, replies %llu, loop iterations %llu\n",
        b, detail::micros(report.took) / 1000, static_cast<unsigned long long>(report.pending),
        final_counters.uptime_seconds, static_cast<unsigned long long>(final_counters.sent),
        static_cast<unsigned long long>(final_counters.processed),
        static_cast<unsigned long long>(final_counters.dropped()),
        static_cast<unsigned long long>(final_counters.replies_received),
        static_cast<unsigned long long>(final_counters.loop_iterations));
    list.check(report.stopped && report.took <= std::chrono::milliseconds(100),
               "terminate within 100 ms", report.detail);
    list.check(
        quiet.balanced() && quiet.processed == quiet.sent && quiet.replies_sent == quiet.processed,
        "counters: sent = processed + dropped + pending, every message replied");
  } catch (const std::exception& failure) {
    list.check(false, "validation flow", failure.what());
  }
  return result;
}

}  // namespace ringkernels::cli

#endif

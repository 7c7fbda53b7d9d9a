// The CPU simulator's launch path: N persistent worker threads ("blocks"), each pinned with
// hwloc to its own core, each running the shared dispatch loop with the user's handler.
#ifndef RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP

#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/dispatch_loop.hpp>
#include <ringkernels/kernel_options.hpp>
#include <ringkernels/telemetry.hpp>

#include <Kokkos_Core.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ringkernels::host_backend {

/// Idle and invoke hooks of the dispatch loop on the CPU: growing backoff (spin, pause, yield,
/// sleep up to 1 ms: an idle kernel costs near 0 % CPU) and exceptions caught per handler call.
class hooks {
 public:
  hooks(std::string* failure, latency_histogram* handler_times)
      : waiting_(idle_tuning()), failure_(failure), handler_times_(handler_times) {}

  /// Sleeps grow to 4 ms: at 1 ms, timer wake-ups alone cost 2-3 % of a core on the 2-core
  /// VM (measured by tests/ringkernels/idle_test.cpp); at 4 ms an idle worker costs < 1 % and a
  /// message after a long idle spell waits at most 4 ms (a busy kernel never sleeps).
  static backoff::tuning idle_tuning() {
    backoff::tuning tuning;
    tuning.max_sleep = std::chrono::microseconds(4000);
    return tuning;
  }
  void idle() { waiting_.pause(); }
  void busy() { waiting_.reset(); }
  template <class Call>
  bool invoke(Call&& call) {
    try {
      // One call in 64 is timed: a clock read per message would cost more than many handlers.
      if (handler_times_ != nullptr && (++calls_ & 63) == 0) {
        const auto start = std::chrono::steady_clock::now();
        call();
        handler_times_->record(
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - start)
                                           .count()));
      } else {
        call();
      }
      return true;
    } catch (const std::exception& thrown) {
      *failure_ = std::string("handler threw: ") + thrown.what();
    } catch (...) {
      *failure_ = "handler threw an exception not derived from std::exception";
    }
    return false;
  }

 private:
  backoff waiting_;
  std::string* failure_;
  latency_histogram* handler_times_;
  std::uint64_t calls_ = 0;
};

/// The worker threads of one kernel. Host only; not thread-safe (the kernel serialises calls).
class worker_pool {
 public:
  using worker_body = std::function<void(std::uint32_t worker, std::string& failure)>;

  worker_pool() = default;
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;
  ~worker_pool() { join_all(); }

  /// Starts one thread per entry of `plan`, pinned as the plan says; returns the pinning notes.
  std::string start(const topology& machine, const pin_plan& plan, worker_body body) {
    const std::size_t workers = plan.core_of_worker.size();
    failures_ = std::make_unique<std::string[]>(workers);
    finished_ = std::make_unique<std::atomic<bool>[]>(workers);
    pin_errors_ = std::make_unique<std::string[]>(workers);
    for (std::size_t w = 0; w < workers; ++w) {
      finished_[w] = false;
      const auto core = plan.core_of_worker[w];
      threads_.emplace_back([this, &machine, core, w, body] {
        if (core) pin_errors_[w] = machine.pin_current_thread(*core);
        body(static_cast<std::uint32_t>(w), failures_[w]);
        finished_[w].store(true, std::memory_order_release);
      });
    }
    return plan.note;
  }

  /// Waits until every worker has left its loop or `deadline` passes; true if all left.
  bool wait_finished(std::chrono::steady_clock::time_point deadline) {
    backoff waiting;
    for (;;) {
      bool all = true;
      for (std::size_t w = 0; w < threads_.size(); ++w) {
        all = all && finished_[w].load(std::memory_order_acquire);
      }
      if (all) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
  }

  /// Joins finished workers; a worker stuck in a handler is detached (it cannot be killed) and
  /// reported by the caller.
  void join_all() {
    for (std::size_t w = 0; w < threads_.size(); ++w) {
      if (!threads_[w].joinable()) continue;
      if (finished_[w].load(std::memory_order_acquire)) {
        threads_[w].join();
      } else {
        threads_[w].detach();
      }
    }
  }

  /// The failure message of worker `w`. Call only after seeing that worker's `faulted` flag
  /// (acquire): the worker writes the message before it publishes the flag (release).
  std::string failure_of(std::uint32_t w) const { return failures_[w]; }

  std::string pin_errors() const {
    std::string text;
    for (std::size_t w = 0; w < threads_.size(); ++w) {
      if (!pin_errors_[w].empty())
        text += "worker " + std::to_string(w) + ": " + pin_errors_[w] + "; ";
    }
    return text;
  }

 private:
  std::vector<std::thread> threads_;
  std::unique_ptr<std::string[]> failures_;
  std::unique_ptr<std::atomic<bool>[]> finished_;
  std::unique_ptr<std::string[]> pin_errors_;
};

/// Launches the shared dispatch loop for `Handler` on pinned CPU threads.
template <class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;

  /// Starts one pinned thread per worker. (kernel_options' GPU fields do not apply here.)
  std::string start(const topology& machine, const pin_plan& plan, const Handler& handler,
                    std::vector<binding_type> bindings, latency_histogram* handler_times,
                    const kernel_options& /*options*/) {
    bindings_ = std::move(bindings);
    return pool_.start(machine, plan,
                       [this, handler, handler_times](std::uint32_t worker, std::string& failure) {
                         hooks worker_hooks(&failure, handler_times);
                         run_dispatch_loop(handler, bindings_[worker], worker_hooks);
                       });
  }
  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    const bool stopped = pool_.wait_finished(deadline);
    pool_.join_all();
    return stopped;
  }
  /// CPU workers stop only through their faulted flag (failure_of); the launch itself cannot
  /// die the way a GPU kernel can.
  std::string launch_failure() const { return {}; }
  /// Host memory can be freed at once: dropping the last reference does it.
  void retire_memory(std::shared_ptr<void> /*memory*/) {}
  /// Why worker `w` stopped; valid once its `faulted` flag was seen.
  std::string failure_of(std::uint32_t w) const { return pool_.failure_of(w); }
  std::string pin_errors() const { return pool_.pin_errors(); }

 private:
  worker_pool pool_;
  std::vector<binding_type> bindings_;
};

}  // namespace ringkernels::host_backend

#endif

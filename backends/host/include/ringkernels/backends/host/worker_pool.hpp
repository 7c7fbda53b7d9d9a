// The CPU simulator's threads: one pinned thread per worker, and the parking spot where an idle
// worker sleeps until a sender or a command wakes it. Host only.
#ifndef RINGKERNELS_BACKENDS_HOST_WORKER_POOL_HPP
#define RINGKERNELS_BACKENDS_HOST_WORKER_POOL_HPP

#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/topology.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ringkernels::host_backend {

/// Where an idle worker sleeps, and how a sender wakes it (issue 14: a request that found its
/// worker asleep waited up to 4 ms). The worker announces its sleep, looks for work once more,
/// then waits; a sender that published a frame looks at the announcement and wakes it. Both
/// sides use a read-modify-write of `sleeping_` (acq_rel), not fences (which ThreadSanitizer
/// does not model): the two RMWs are ordered, and whichever comes second sees the first side's
/// work: the worker's look finds the frame (it acquired the sender's RMW, which followed the
/// frame's publication), or the sender finds the sleeper. Senders pay one locked instruction
/// on a line the worker writes only when it sleeps.
class parking_spot {
 public:
  /// Sleeps up to `limit` unless `has_work()` already says there is something to do, or until
  /// woken.
  template <class HasWork>
  void park(std::chrono::microseconds limit, HasWork&& has_work) {
    std::unique_lock lock(mutex_);
    (void)sleeping_.exchange(1, std::memory_order_acq_rel);
    if (!has_work()) wake_.wait_for(lock, limit, [this] { return woken_; });
    woken_ = false;
    sleeping_.store(0, std::memory_order_relaxed);
  }

  /// Wakes the worker if it sleeps. Call after publishing what it should see.
  void wake() {
    if (sleeping_.fetch_add(0, std::memory_order_acq_rel) == 0) return;
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint32_t> sleeping_{0};
  bool woken_ = false;  // under mutex_
};
/// The worker threads of one kernel. Host only; not thread-safe (the kernel serialises calls).
///
/// A worker can outlive its pool: a handler that never returns cannot be interrupted, so
/// terminate() gives up on it after its deadline and the thread is detached. Everything such a
/// thread can still touch is owned jointly by the pool and every thread (shared_state): its
/// flags, failure texts, the handler's histogram, and the kernel's rings and control block,
/// which the kernel parks here when it goes (park()). The last thread to leave frees them.
class worker_pool {
 public:
  using worker_body =
      std::function<void(std::uint32_t worker, std::string& failure, parking_spot& parking)>;

  worker_pool() = default;
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;
  ~worker_pool() { join_all(); }

  /// Starts one thread per entry of `plan`, pinned as the plan says; returns the pinning notes.
  /// `machine` must outlive the threads' start (the kernel's runtime state holds it). Again
  /// after wait_finished() said every earlier thread left (a relaunch): they were joined.
  std::string start(const topology& machine, const pin_plan& plan, worker_body body) {
    join_all();
    threads_.clear();
    const std::size_t workers = plan.core_of_worker.size();
    state_ = std::make_shared<shared_state>(workers);
    for (std::size_t w = 0; w < workers; ++w) {
      const auto core = plan.core_of_worker[w];
      threads_.emplace_back([state = state_, &machine, core, w, body] {
        if (core) state->pin_errors[w] = machine.pin_current_thread(*core);
        body(static_cast<std::uint32_t>(w), state->failures[w], state->parking[w]);
        state->finished[w].store(true, std::memory_order_release);
        state->running.fetch_sub(1, std::memory_order_acq_rel);
      });
    }
    return plan.note;
  }

  /// Waits until every worker has left its loop or `deadline` passes; true if all left.
  bool wait_finished(std::chrono::steady_clock::time_point deadline) {
    backoff waiting;
    for (;;) {
      if (still_running() == 0) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
  }

  /// Workers that have not left their loop (stuck in a handler).
  int still_running() const { return state_ ? state_->running.load(std::memory_order_acquire) : 0; }

  /// Joins finished workers; a worker stuck in a handler is detached (it cannot be killed) and
  /// reported by the caller. It keeps the shared state, and what was parked there, alive.
  void join_all() {
    for (std::size_t w = 0; w < threads_.size(); ++w) {
      if (!threads_[w].joinable()) continue;
      if (state_->finished[w].load(std::memory_order_acquire)) {
        threads_[w].join();
      } else {
        threads_[w].detach();
      }
    }
  }

  /// Wakes worker `w` if it is parked (a frame or a command for it was just published).
  void wake(std::uint32_t w) {
    if (state_) state_->parking[w].wake();
  }
  void wake_all() {
    for (std::size_t w = 0; state_ && w < threads_.size(); ++w) state_->parking[w].wake();
  }

  /// Keeps `memory` alive until the last worker thread has left (at once if none runs).
  void park(std::shared_ptr<void> memory) {
    if (state_ && still_running() > 0) state_->parked = std::move(memory);
  }

  /// The failure message of worker `w`. Call only after seeing that worker's `faulted` flag
  /// (acquire): the worker writes the message before it publishes the flag (release).
  std::string failure_of(std::uint32_t w) const { return state_->failures[w]; }

  std::string pin_errors() const {
    std::string text;
    for (std::size_t w = 0; state_ && w < threads_.size(); ++w) {
      if (!state_->pin_errors[w].empty())
        text += "worker " + std::to_string(w) + ": " + state_->pin_errors[w] + "; ";
    }
    return text;
  }

 private:
  struct shared_state {
    explicit shared_state(std::size_t workers)
        : failures(workers),
          finished(std::make_unique<std::atomic<bool>[]>(workers)),
          pin_errors(workers),
          parking(std::make_unique<parking_spot[]>(workers)),
          running(static_cast<int>(workers)) {
      for (std::size_t w = 0; w < workers; ++w) finished[w] = false;
    }
    std::vector<std::string> failures;
    std::unique_ptr<std::atomic<bool>[]> finished;
    std::vector<std::string> pin_errors;
    std::unique_ptr<parking_spot[]> parking;
    std::atomic<int> running;
    std::shared_ptr<void> parked;  ///< the kernel's memory, while a detached worker may use it
  };

  std::vector<std::thread> threads_;
  std::shared_ptr<shared_state> state_;
};
}  // namespace ringkernels::host_backend

#endif

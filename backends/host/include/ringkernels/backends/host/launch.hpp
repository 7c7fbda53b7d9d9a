// The CPU simulator's launch path: N persistent worker threads ("blocks"), each pinned with
// hwloc to its own core, each running the shared dispatch loop with the user's handler.
#ifndef RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP

#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>

#include <Kokkos_Core.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
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

/// Idle and invoke hooks of the dispatch loop on the CPU: growing backoff (spin, pause, yield,
/// then parked sleeps that a sender or a command cuts short: an idle kernel costs near 0 % CPU
/// and still wakes within microseconds) and exceptions caught per handler call.
class hooks {
 public:
  using work_check = std::function<bool()>;
  /// `has_work` closes the window between a last poll and a sleep (parking_spot); `peer_fed`
  /// says whether messages can come that wake nobody (a peer port is connected).
  /// `parked_limit` is the longest parked sleep (parked_sleep_limit()).
  hooks(std::string* failure, latency_histogram* handler_times, parking_spot* parking,
        work_check has_work, work_check peer_fed, std::chrono::microseconds parked_limit)
      : progressive_(idle_tuning()),
        parked_(parked_tuning(parked_limit)),
        failure_(failure),
        handler_times_(handler_times),
        parking_(parking),
        has_work_(std::move(has_work)),
        peer_fed_(std::move(peer_fed)) {}

  /// Sleeps grow to 4 ms: at 1 ms, timer wake-ups alone cost 2-3 % of a core on the 2-core
  /// VM (measured by tests/ringkernels/idle_test.cpp); at 4 ms an idle worker costs < 1 %. A
  /// busy kernel never sleeps.
  static backoff::tuning idle_tuning() {
    backoff::tuning tuning;
    tuning.max_sleep = std::chrono::microseconds(4000);
    return tuning;
  }
  /// A worker whose messages all come with a wake (host senders, commands) skips the yields
  /// and the shortest sleeps: each costs CPU while idle, and the wake makes them unnecessary
  /// for latency. A peer-fed worker keeps the progressive steps: a peer's message comes
  /// without a wake (kernels ping-ponging through peer ports took 0.7 ms a hit with long
  /// steps, 17 us with short ones).
  static backoff::tuning parked_tuning(std::chrono::microseconds limit) {
    backoff::tuning tuning = idle_tuning();
    tuning.yields = 0;
    // One step, the whole limit: the wake, not the step, bounds latency, and every shorter
    // step is a wake-up that costs CPU (with a caller every 5 ms, steps from 0.5 ms cost 2.5 %
    // of a core on the 2-core VM).
    tuning.first_sleep = limit;
    tuning.max_sleep = limit;
    return tuning;
  }
  /// How long a parked worker sleeps at most: a sender or a command wakes it, so the limit
  /// only bounds how stale its heartbeat gets (a quarter of `stall_after`, the stall
  /// detector's threshold) and costs a wake-up per step. 50 ms: 4 ms steps cost 2.5 % of a
  /// core under ASan on the 2-core VM, over the 2 % idle budget (tests/ringkernels/idle_test).
  static std::chrono::microseconds parked_sleep_limit(std::chrono::milliseconds stall_after) {
    const std::chrono::microseconds quarter = stall_after / 4;
    const std::chrono::microseconds longest = std::chrono::milliseconds(50);
    const std::chrono::microseconds shortest = std::chrono::microseconds(500);
    return quarter > longest ? longest : (quarter < shortest ? shortest : quarter);
  }
  void idle() {
    if (parking_ == nullptr) {
      progressive_.pause();
      return;
    }
    backoff& waiting = peer_fed_ && peer_fed_() ? progressive_ : parked_;
    waiting.pause_with([this](std::chrono::microseconds step) { parking_->park(step, has_work_); });
  }
  /// Waiting for room in a full reply ring: the host's receive wakes nobody, so the steps stay
  /// short (progressive, up to 4 ms) instead of parking for up to parked_sleep_limit().
  void wait_for_room() { progressive_.pause(); }
  void busy() {
    progressive_.reset();
    parked_.reset();
  }
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
  backoff progressive_;  // sleeps from 2 us up: for peer-fed workers and without parking
  backoff parked_;       // long sleeps that a wake cuts short
  std::string* failure_;
  latency_histogram* handler_times_;
  parking_spot* parking_;
  work_check has_work_;
  work_check peer_fed_;
  std::uint64_t calls_ = 0;
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
  /// `machine` must outlive the threads' start (the kernel's runtime state holds it).
  std::string start(const topology& machine, const pin_plan& plan, worker_body body) {
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

/// Whether a parked worker would find something to do at once. Looked at after the worker
/// announced its sleep, it closes the window in which a sender published a frame but saw no
/// sleeper. Only what the worker could act on counts: a new command; frames, while running
/// and while its reply ring has room (a worker waiting for reply space waits for the host's
/// drain, which does not wake it: it sleeps its step). A halted worker (handler failure)
/// waits for the host's recovery (idle) or terminate.
inline bool has_work(const worker_binding<messaging::scope::system>& binding) {
  using access = control_access<messaging::scope::system>;
  const auto front_ready = [](const messaging::ring_ref<messaging::scope::system>& ring) {
    if (ring.control == nullptr) return false;
    return ring.committed(access::u64::load_acquire(&ring.control->head));
  };
  const kernel_command command = access::command(binding.control);
  const std::uint32_t seen =
      access::u32::load_acquire(&binding.control->workers()[binding.worker].acknowledged);
  if (seen == halted_acknowledgement) return command != kernel_command::run;
  if (static_cast<std::uint32_t>(command) != seen) return true;
  if (command != kernel_command::run) return false;
  if (binding.out.depth() >= binding.out.slot_count) return false;
  return front_ready(binding.in) || front_ready(binding.peer_in);
}

/// Launches the shared dispatch loop for `Handler` on pinned CPU threads.
template <class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;

  /// Persistent workers per core the CPU simulator accepts. Each worker is a thread that
  /// polls; more of them than cores starve each other (measured on the 2-core machine: 1,000
  /// workers took 3.6 s to launch and held both cores while idle; 2,000 never finished
  /// launching). Beyond this a launch is refused, naming the numbers.
  static constexpr int max_workers_per_core = 4;

  /// Starts one pinned thread per worker. (kernel_options' GPU fields do not apply here.)
  /// Each thread holds its own copies of the handler, the bindings and the histogram's owner.
  std::string start(const topology& machine, const pin_plan& plan, const Handler& handler,
                    std::vector<binding_type> bindings,
                    std::shared_ptr<latency_histogram> handler_times,
                    const kernel_options& options) {
    const int cores = machine.core_count() > 0 ? machine.core_count() : 1;
    if (options.workers > max_workers_per_core * cores) {
      RINGKERNELS_THROW(
          errc::invalid_argument,
          "kernel '" + options.name + "': " + std::to_string(options.workers) + " workers on " +
              std::to_string(cores) + " cores; the CPU simulator runs at most " +
              std::to_string(max_workers_per_core) + " persistent workers per core (" +
              std::to_string(max_workers_per_core * cores) + " here)");
    }
    auto shared_bindings = std::make_shared<const std::vector<binding_type>>(std::move(bindings));
    const auto parked_limit = hooks::parked_sleep_limit(options.stall_after);
    return pool_.start(
        machine, plan,
        [handler, handler_times, shared_bindings, parked_limit](
            std::uint32_t worker, std::string& failure, parking_spot& parking) {
          const binding_type& binding = (*shared_bindings)[worker];
          hooks worker_hooks(
              &failure, handler_times.get(), &parking, [&binding] { return has_work(binding); },
              [&binding] { return detail::peer_port_enabled(binding); }, parked_limit);
          run_dispatch_loop(handler, binding, worker_hooks);
        });
  }
  /// A frame or a command for worker `w` was published: wake it if it sleeps.
  void wake(std::uint32_t w) { pool_.wake(w); }
  void wake_all() { pool_.wake_all(); }
  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    const bool stopped = pool_.wait_finished(deadline);
    pool_.join_all();
    return stopped;
  }
  /// Workers still inside a handler after wait_stopped() gave up on them.
  int still_running() const { return pool_.still_running(); }
  /// CPU workers stop only through their faulted flag (failure_of); the launch itself cannot
  /// die the way a GPU kernel can.
  std::string launch_failure() const { return {}; }
  /// Host memory is freed when the last reference goes: at once, or when a detached worker
  /// (stuck in a handler past terminate's deadline) finally leaves.
  void retire_memory(std::shared_ptr<void> memory) { pool_.park(std::move(memory)); }
  /// Why worker `w` stopped; valid once its `faulted` flag was seen.
  std::string failure_of(std::uint32_t w) const { return pool_.failure_of(w); }
  std::string pin_errors() const { return pool_.pin_errors(); }

 private:
  worker_pool pool_;
};

}  // namespace ringkernels::host_backend

#endif

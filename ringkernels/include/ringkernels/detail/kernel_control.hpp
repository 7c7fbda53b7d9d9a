// A kernel's lifecycle as the host drives it through the control block: the state word,
// commands and their acknowledgements (each wait with a deadline), faults (a worker's flag or
// a launch that died), recovery from a host handler's failure, and stalls (heartbeats older
// than options.stall_after). Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_CONTROL_HPP
#define RINGKERNELS_DETAIL_KERNEL_CONTROL_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/portability.hpp>
#include <ringkernels/lifecycle.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ringkernels::detail {

/// The control side of one kernel whose control block is indexed at scope `S`, launched by
/// `Launcher`. Commands are serialised by the kernel's lifecycle mutex (callers hold it); the
/// state, fault and stall queries are @threadsafe.
template <messaging::scope S, class Launcher>
class kernel_control {
 public:
  using clock_type = std::chrono::steady_clock;
  using access = control_access<S>;

  kernel_control(const kernel_options& options, Launcher& launcher)
      : options_(options), launcher_(launcher) {}

  /// The control block the workers watch (once the rings exist).
  void attach(control_block* block) { block_ = block; }

  kernel_state state() const { return state_.load(std::memory_order_acquire); }
  void set_state(kernel_state value) { state_.store(value, std::memory_order_release); }
  /// The word senders check (kernel_sender); terminate() stores `terminating` with seq_cst.
  std::atomic<kernel_state>& state_word() { return state_; }

  /// Sends `what` to every worker and waits for their acknowledgements; on a timeout the
  /// previous command is restored (the state keeps saying what the workers do) and it throws.
  /// Caller holds the lifecycle mutex.
  void command(kernel_command what, const char* operation, kernel_state target) {
    if (what == kernel_command::run) {
      require_state(options_.name, operation, state(),
                    {kernel_state::launched, kernel_state::inactive});
    } else {
      require_state(options_.name, operation, state(), {kernel_state::active});
    }
    const kernel_command previous = access::command(block_);
    access::set_command(block_, what);
    launcher_.wake_all();
    try {
      wait_acknowledged(what, operation, /*faulted_count_as_done=*/true);
    } catch (const error&) {
      access::set_command(block_, previous);
      launcher_.wake_all();
      throw;
    }
    if (what == kernel_command::run) record_clock_offsets();
    set_state(target);
  }

  /// Tells every worker to leave its loop (terminate(): no acknowledgement is waited for).
  void order_terminate() {
    access::set_command(block_, kernel_command::terminate);
    launcher_.wake_all();
  }

  /// A host handler threw: its worker halted (the message counted as dropped). Brings every
  /// worker back to idle and clears the fault, so the kernel is inactive again. A GPU kernel
  /// that died took its context with it: that cannot be undone here. Caller holds the
  /// lifecycle mutex.
  void recover_from_fault() {
    if (const std::optional<std::string> died = launcher_.launch_failure()) {
      RINGKERNELS_THROW(errc::wrong_state, "kernel '" + options_.name + "' faulted (" + *died +
                                               "); it cannot be reactivated: terminate it and "
                                               "launch it again");
    }
    access::set_command(block_, kernel_command::idle);
    launcher_.wake_all();
    wait_acknowledged(kernel_command::idle, "activate", /*faulted_count_as_done=*/false);
    for (int w = 0; w < options_.workers; ++w) {
      access::u32::store_release(&block_->workers()[w].faulted, 0u);
    }
    access::u32::store_release(&block_->any_faulted, 0u);
    {
      std::lock_guard lock(fault_mutex_);
      fault_.clear();
    }
    set_state(kernel_state::inactive);
  }

  /// The command the workers were last given.
  kernel_command commanded() const { return access::command(block_); }

  /// Before new workers start on this control block (a relaunch; the old ones have left): no
  /// fault, no acknowledgement, command idle. Caller holds the lifecycle mutex.
  void reset_for_relaunch() {
    access::set_command(block_, kernel_command::idle);
    for (int w = 0; w < options_.workers; ++w) {
      access::u32::store_release(&block_->workers()[w].faulted, 0u);
      access::u32::store_release(&block_->workers()[w].acknowledged, halted_acknowledgement);
    }
    access::u32::store_release(&block_->any_faulted, 0u);
    std::lock_guard lock(fault_mutex_);
    fault_.clear();
  }

  /// Gives relaunched workers `what` and waits for every acknowledgement. Unlike command(),
  /// the state is neither checked nor changed: it says what the kernel does until the
  /// relaunch is over. Caller holds the lifecycle mutex.
  void resume(kernel_command what, const char* operation) {
    access::set_command(block_, what);
    launcher_.wake_all();
    wait_acknowledged(what, operation, /*faulted_count_as_done=*/false);
    if (what == kernel_command::run) record_clock_offsets();
  }

  /// The kernel cannot go on (a relaunch failed: `why`).
  void mark_faulted(const std::string& why) {
    {
      std::lock_guard lock(fault_mutex_);
      fault_ = why;
    }
    set_state(kernel_state::faulted);
  }

  /// Moves a live kernel to `faulted` when a worker raised its flag or the launch died.
  void refresh_fault() {
    const kernel_state now = state();
    if (now == kernel_state::faulted || now == kernel_state::terminated ||
        now == kernel_state::created || block_ == nullptr) {
      return;
    }
    if (launch_check_due()) {
      std::lock_guard lock(fault_mutex_);
      if (std::optional<std::string> died = launcher_.launch_failure()) {
        fault_ = std::move(*died);
        set_state(kernel_state::faulted);
        return;
      }
    }
    for (int w = 0; w < options_.workers; ++w) {
      if (access::u32::load_acquire(&block_->workers()[w].faulted) == 0) continue;
      // The worker wrote its message before publishing the flag just acquired.
      const std::string message = launcher_.failure_of(static_cast<std::uint32_t>(w));
      {
        std::lock_guard lock(fault_mutex_);
        fault_ = "worker " + std::to_string(w) +
                 " faulted: " + (message.empty() ? "unknown failure" : message);
      }
      set_state(kernel_state::faulted);
      return;
    }
  }

  std::string fault_message() {
    std::lock_guard lock(fault_mutex_);
    return fault_;
  }

  /// Workers of an active kernel whose heartbeat is older than options.stall_after.
  std::vector<worker_stall> stalls() {
    if (state() != kernel_state::active) return {};
    const std::int64_t host_us = static_cast<std::int64_t>(physical_time_ns() / 1000);
    const std::int64_t limit_us =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.stall_after).count();
    std::lock_guard lock(fault_mutex_);
    std::vector<worker_stall> stalled;
    for (std::size_t w = 0; w < clock_offsets_us_.size(); ++w) {
      const auto beat = static_cast<std::int64_t>(access::read(&block_->workers()[w].heartbeat));
      const std::int64_t age_us = host_us - (beat + clock_offsets_us_[w]);
      if (age_us > limit_us) {
        stalled.push_back({static_cast<int>(w), std::chrono::milliseconds(age_us / 1000)});
      }
    }
    return stalled;
  }

 private:
  /// A GPU kernel that traps sets no flag: the launcher is asked, at most every millisecond
  /// (cudaStreamQuery costs about a microsecond, too much for every poll of a waiter).
  bool launch_check_due() {
    const auto now_ticks = clock_type::now().time_since_epoch().count();
    auto last = last_launch_check_.load(std::memory_order_relaxed);
    const auto period =
        std::chrono::duration_cast<clock_type::duration>(std::chrono::milliseconds(1)).count();
    return now_ticks - last >= period &&
           last_launch_check_.compare_exchange_strong(last, now_ticks, std::memory_order_relaxed);
  }

  /// Waits until every worker has acted on `what` (or, if `faulted_count_as_done`, faulted).
  void wait_acknowledged(kernel_command what, const char* operation, bool faulted_count_as_done) {
    const auto deadline = clock_type::now() + options_.acknowledge_timeout;
    backoff waiting;
    for (;;) {
      int pending_workers = 0;
      for (int w = 0; w < options_.workers; ++w) {
        worker_counters& c = block_->workers()[w];
        if (access::u32::load_acquire(&c.acknowledged) != static_cast<std::uint32_t>(what) &&
            (!faulted_count_as_done || access::u32::load_acquire(&c.faulted) == 0)) {
          ++pending_workers;
        }
      }
      if (pending_workers == 0) return;
      if (clock_type::now() >= deadline) {
        RINGKERNELS_THROW(errc::timed_out,
                          "kernel '" + options_.name + "': " + std::to_string(pending_workers) +
                              " worker(s) did not acknowledge " + operation + "() within " +
                              std::to_string(options_.acknowledge_timeout.count()) + " ms");
      }
      waiting.pause();
    }
  }

  /// Each worker stamped its heartbeat with its own clock (a GPU's %globaltimer need not agree
  /// with the host's clock) just before acknowledging: remember the difference.
  void record_clock_offsets() {
    const std::int64_t host_us = static_cast<std::int64_t>(physical_time_ns() / 1000);
    std::lock_guard lock(fault_mutex_);
    clock_offsets_us_.assign(static_cast<std::size_t>(options_.workers), 0);
    for (int w = 0; w < options_.workers; ++w) {
      const auto beat = static_cast<std::int64_t>(access::read(&block_->workers()[w].heartbeat));
      clock_offsets_us_[static_cast<std::size_t>(w)] = host_us - beat;
    }
  }

  const kernel_options& options_;
  Launcher& launcher_;
  control_block* block_ = nullptr;
  std::atomic<kernel_state> state_{kernel_state::created};
  std::mutex fault_mutex_;
  std::string fault_;                           ///< under fault_mutex_
  std::vector<std::int64_t> clock_offsets_us_;  ///< under fault_mutex_
  std::atomic<clock_type::rep> last_launch_check_{0};
};

}  // namespace ringkernels::detail

#endif

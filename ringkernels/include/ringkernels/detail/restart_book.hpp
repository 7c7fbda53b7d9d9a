// One kernel's supervision bookkeeping: when a fault or stall is due for a relaunch (the first
// at once, later ones after a doubling backoff), when the circuit opens (too many relaunches
// within the window, or a relaunch that cannot work), and what status() reports. Decides only;
// the kernel relaunches (kernel_impl::supervise). Host only, @threadsafe. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_RESTART_BOOK_HPP
#define RINGKERNELS_DETAIL_RESTART_BOOK_HPP

#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/lifecycle.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace ringkernels::detail {

class restart_book {
 public:
  using clock_type = std::chrono::steady_clock;

  explicit restart_book(const restart_options& options) : options_(options) {
    status_.policy = options.policy;
  }

  /// What to do about a kernel that shows `trigger` now.
  enum class verdict {
    wait,      ///< backing off (or the circuit is open): look again later
    relaunch,  ///< relaunch it now, then call relaunched() or failed()
  };

  /// A fault or stall is seen at `now` ("fault: ...", "stall: ..."). The first sight of a
  /// trigger starts its backoff; past max_restarts within the window it opens the circuit.
  verdict seen(const std::string& trigger, clock_type::time_point now) {
    std::lock_guard lock(mutex_);
    if (status_.circuit_open) return verdict::wait;
    if (!due_) {
      forget_before(now - options_.window);
      status_.last_trigger = trigger;
      const int recent = static_cast<int>(relaunched_at_.size());
      if (recent >= options_.max_restarts) {
        open_circuit(std::to_string(recent) + " relaunch(es) within " +
                     std::to_string(options_.window.count()) + " ms (max_restarts " +
                     std::to_string(options_.max_restarts) + "); then " + trigger);
        return verdict::wait;
      }
      first_seen_ = now;
      due_ = now + backoff_before(recent);
    }
    return now >= *due_ ? verdict::relaunch : verdict::wait;
  }

  /// The trigger went away before its relaunch (a slow handler returned): nothing is due.
  void cleared() {
    std::lock_guard lock(mutex_);
    due_.reset();
  }

  /// The relaunch succeeded at `now` and took `took`.
  void relaunched(clock_type::time_point now, std::chrono::microseconds took) {
    std::lock_guard lock(mutex_);
    relaunched_at_.push_back(now);
    ++status_.restarts;
    status_.last_relaunch = took;
    status_.last_recovery =
        std::chrono::duration_cast<std::chrono::microseconds>(now - first_seen_);
    due_.reset();
  }

  /// The relaunch could not be done (`why`): the circuit opens.
  void failed(const std::string& why) {
    std::lock_guard lock(mutex_);
    open_circuit("relaunch after " + status_.last_trigger + " failed: " + why);
  }

  /// A checkpoint was written now, when the host had sent `host_sent` messages.
  void checkpoint_written(const std::string& path, std::uint64_t host_sent) {
    std::lock_guard lock(mutex_);
    status_.last_checkpoint = path;
    checkpoint_at_ = clock_type::now();
    checkpoint_host_sent_ = host_sent;
  }

  /// The GPU context died now, when the host had sent `host_sent` messages: records the loss
  /// window since the last checkpoint and says it in words ("" without a checkpoint).
  std::string context_lost(std::uint64_t host_sent) {
    std::lock_guard lock(mutex_);
    if (status_.last_checkpoint.empty()) return "; no checkpoint was written";
    status_.since_checkpoint =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - checkpoint_at_);
    status_.host_messages_since_checkpoint = host_sent - checkpoint_host_sent_;
    return "; the last checkpoint, '" + status_.last_checkpoint + "', was written " +
           std::to_string(status_.since_checkpoint.count()) + " ms before, and " +
           std::to_string(status_.host_messages_since_checkpoint) +
           " host message(s) sent since are lost with the context";
  }

  supervision_status status(clock_type::time_point now) {
    std::lock_guard lock(mutex_);
    forget_before(now - options_.window);
    supervision_status copy = status_;
    copy.restarts_in_window = static_cast<int>(relaunched_at_.size());
    return copy;
  }

 private:
  /// No wait before the first relaunch in the window; `backoff` before the second, doubling.
  std::chrono::milliseconds backoff_before(int recent) const {
    if (recent == 0) return std::chrono::milliseconds(0);
    std::chrono::milliseconds wait = options_.backoff;
    for (int i = 1; i < recent && wait < options_.max_backoff; ++i) wait *= 2;
    return wait < options_.max_backoff ? wait : options_.max_backoff;
  }

  void forget_before(clock_type::time_point oldest) {
    while (!relaunched_at_.empty() && relaunched_at_.front() < oldest) relaunched_at_.pop_front();
  }

  void open_circuit(std::string reason) {
    status_.circuit_open = true;
    status_.circuit_reason = std::move(reason);
    due_.reset();
  }

  const restart_options options_;
  std::mutex mutex_;
  supervision_status status_;                         ///< under mutex_
  std::deque<clock_type::time_point> relaunched_at_;  ///< within the window, under mutex_
  std::optional<clock_type::time_point> due_;         ///< a relaunch is due then; under mutex_
  clock_type::time_point first_seen_{};               ///< of the trigger due_ is for
  clock_type::time_point checkpoint_at_{};            ///< under mutex_
  std::uint64_t checkpoint_host_sent_ = 0;            ///< under mutex_
};

}  // namespace ringkernels::detail

#endif

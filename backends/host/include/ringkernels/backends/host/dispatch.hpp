// The dispatch loop's CPU side: the hooks run_dispatch_loop() calls to idle (growing backoff,
// then parked sleeps a sender cuts short), to wait for room in a full reply ring, and to call
// the handler (exceptions caught and reported, one call in 64 timed); and the check a parking
// worker makes before it sleeps. Host only.
#ifndef RINGKERNELS_BACKENDS_HOST_DISPATCH_HPP
#define RINGKERNELS_BACKENDS_HOST_DISPATCH_HPP

#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/host/worker_pool.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/telemetry.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <string>

namespace ringkernels::host_backend {

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
}  // namespace ringkernels::host_backend

#endif

// The event-driven mode (launch_choice.hpp), for every GPU backend: no kernel stays resident. A
// host thread watches the control block and the input rings in pinned memory (host reads, no
// PCIe) and launches the dispatch loop when a command changed or frames wait; the loop runs
// until its rings are empty (gpu::loop_pass::until_idle) and exits. Every 100 ms it also launches
// once with nothing to do, so the workers' heartbeats stay fresh and a hung launch is still
// reported stalled. `Runtime` is the backend's runtime API (cuda/launch.hpp, hip/launch.hpp).
#ifndef RINGKERNELS_BACKENDS_COMMON_GPU_EVENT_PUMP_HPP
#define RINGKERNELS_BACKENDS_COMMON_GPU_EVENT_PUMP_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/core/backoff.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ringkernels::gpu {

template <class Runtime>
class event_pump {
 public:
  using binding_type = worker_binding<messaging::scope::system>;
  using error_type = typename Runtime::error_type;
  using stream_type = typename Runtime::stream_type;
  /// Enqueues one pass of the dispatch kernel on the stream; returns the launch error.
  using launch_function = std::function<error_type(stream_type)>;

  static std::shared_ptr<event_pump> start(int device, stream_type stream,
                                           const binding_type* bindings, std::size_t workers,
                                           launch_function launch) {
    auto pump =
        std::shared_ptr<event_pump>(new event_pump(stream, bindings, workers, std::move(launch)));
    // The thread holds its own reference: a pump stuck in a hung launch outlives its launcher.
    pump->thread_ = std::thread([pump, device] { pump->run(device); });
    return pump;
  }

  ~event_pump() {
    if (thread_.joinable()) thread_.detach();
  }

  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    backoff waiting;
    while (!stopped_.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
    if (thread_.joinable()) thread_.join();
    return true;
  }

  /// Why a launch or its synchronisation failed; nullopt while launches succeed.
  std::optional<std::string> failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

  /// The launcher is going away: stop launching; a thread stuck in a hung launch is detached.
  void abandon() {
    abandoned_.store(true, std::memory_order_release);
    if (wait_stopped(std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) return;
    if (thread_.joinable()) thread_.detach();  // it checks abandoned_ before touching anything
  }

 private:
  event_pump(stream_type stream, const binding_type* bindings, std::size_t workers,
             launch_function launch)
      : stream_(stream), bindings_(bindings), workers_(workers), launch_(std::move(launch)) {}

  void run(int device) {
    using access = control_access<messaging::scope::system>;
    using clock = std::chrono::steady_clock;
    constexpr auto refresh = std::chrono::milliseconds(100);
    error_type state = Runtime::set_device(device);
    backoff::tuning tuning;
    tuning.max_sleep = std::chrono::microseconds(50);  // the wake-up latency of an idle kernel
    backoff waiting(tuning);
    auto seen = static_cast<kernel_command>(~0u);
    auto last_launch = clock::now() - refresh;
    while (state == Runtime::success && !abandoned_.load(std::memory_order_acquire)) {
      const kernel_command command = access::command(bindings_[0].control);
      const bool due = command != seen || (command == kernel_command::run && frames_waiting()) ||
                       clock::now() - last_launch >= refresh;
      if (!due) {
        waiting.pause();
        continue;
      }
      waiting.reset();
      state = launch_(stream_);
      if (state == Runtime::success) state = Runtime::synchronize(stream_);
      seen = command;
      last_launch = clock::now();
      if (command == kernel_command::terminate) break;
    }
    if (state != Runtime::success) {
      std::lock_guard lock(mutex_);
      failure_ = Runtime::describe_death(state, "event-driven launch");
    }
    stopped_.store(true, std::memory_order_release);
  }

  /// Whether any worker's input ring, or worker 0's peer port once connected, has a complete
  /// frame at its front.
  bool frames_waiting() const {
    using index = messaging::atomic_index<std::uint64_t, messaging::scope::system>;
    const auto waiting = [](const auto& ring) {
      return ring.committed(index::load_acquire(&ring.control->head));
    };
    if (workers_ == 0) return false;
    for (std::size_t w = 0; w < workers_; ++w) {
      if (waiting(bindings_[w].in)) return true;
    }
    const auto& peer = bindings_[0].peer_in;
    return peer.control != nullptr &&
           control_access<messaging::scope::system>::u32::load_acquire(
               &bindings_[0].control->peer_in_enabled) != 0 &&
           waiting(peer);
  }

  stream_type stream_;
  const binding_type* bindings_;
  std::size_t workers_;
  launch_function launch_;
  std::thread thread_;
  std::atomic<bool> abandoned_{false};
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::optional<std::string> failure_;  ///< under mutex_
};

}  // namespace ringkernels::gpu

#endif

// The CPU simulator's launch path: N persistent worker threads ("blocks"), each pinned with
// hwloc to its own core, each running the shared dispatch loop with the user's handler.
#ifndef RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_HOST_LAUNCH_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/backends/host/dispatch.hpp>
#include <ringkernels/backends/host/worker_pool.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ringkernels::host_backend {

/// Launches the shared dispatch loop for `Handler` on pinned CPU threads.
template <class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;

  /// Nothing to load ahead on the CPU (the GPU launchers load code and reserve memory).
  static void preload(const kernel_options& /*options*/) {}

  /// Persistent workers per core the CPU simulator accepts. Each worker is a thread that
  /// polls; more of them than cores starve each other (measured on the 2-core machine: 1,000
  /// workers took 3.6 s to launch and held both cores while idle; 2,000 never finished
  /// launching). Beyond this a launch is refused, naming the numbers.
  static constexpr int max_workers_per_core = 4;

  /// Starts one pinned thread per worker, as `request.plan` says (kernel_options' GPU fields do
  /// not apply here). Each thread holds its own copies of the handler, the bindings and the
  /// histogram's owner. Called again after wait_stopped() returned true, it starts new threads
  /// on the same rings (the supervisor's relaunch).
  std::string start(launch_request<Handler, messaging::scope::system> request) {
    const kernel_options& options = request.options;
    const int cores = request.machine.core_count() > 0 ? request.machine.core_count() : 1;
    if (options.workers > max_workers_per_core * cores) {
      RINGKERNELS_THROW(
          errc::invalid_argument,
          "kernel '" + options.name + "': " + std::to_string(options.workers) + " workers on " +
              std::to_string(cores) + " cores; the CPU simulator runs at most " +
              std::to_string(max_workers_per_core) + " persistent workers per core (" +
              std::to_string(max_workers_per_core * cores) + " here)");
    }
    auto bindings = std::make_shared<const std::vector<binding_type>>(std::move(request.bindings));
    const auto parked_limit = hooks::parked_sleep_limit(options.stall_after);
    return pool_.start(
        request.machine, request.plan,
        [handler = request.handler, handler_times = request.handler_times, bindings, parked_limit](
            std::uint32_t worker, std::string& failure, parking_spot& parking) {
          const binding_type& binding = (*bindings)[worker];
          if constexpr (handler_traits<Handler>::runs_own_loop) {
            // Its messages also come from other workers, which wake nobody: no long parking.
            hooks worker_hooks(
                &failure, handler_times.get(), &parking, [&binding] { return has_work(binding); },
                [] { return true; }, parked_limit);
            handler.run_worker(binding, worker_hooks, /*until_idle=*/false);
          } else {
            hooks worker_hooks(
                &failure, handler_times.get(), &parking, [&binding] { return has_work(binding); },
                [&binding] { return detail::peer_port_enabled(binding); }, parked_limit);
            run_dispatch_loop(handler, binding, worker_hooks);
          }
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
  std::optional<std::string> launch_failure() const { return std::nullopt; }
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

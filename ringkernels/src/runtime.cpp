#include <ringkernels/core/environment.hpp>
#include <ringkernels/runtime.hpp>

#include <algorithm>

namespace ringkernels {

runtime::runtime() : runtime(runtime_options{}) {}

runtime::runtime(const runtime_options& options)
    : shared_(std::make_shared<detail::runtime_state>()) {
  log::set_level(read_environment().log_level);
  log::info("runtime: ", describe(shared_->machine.summary()));
  if (!options.metrics_address.empty()) {
    metrics_ = std::make_unique<detail::metrics_endpoint>(options.metrics_address,
                                                          [this] { return telemetry(); });
    log::info("runtime: metrics at http://", options.metrics_address, "/metrics (port ",
              metrics_->port(), ")");
  }
}

runtime::~runtime() {
  metrics_.reset();  // no scrape may collect while the kernels go
  std::lock_guard lock(kernels_mutex_);
  supervisor_.reset();  // no relaunch while the kernels go
  for (auto& weak : kernels_) {
    if (auto kernel = weak.lock()) kernel->shut_down();
  }
}

std::vector<telemetry_snapshot> runtime::telemetry() {
  std::vector<std::shared_ptr<detail::kernel_base>> alive;
  {
    std::lock_guard lock(kernels_mutex_);
    for (const auto& weak : kernels_) {
      if (auto kernel = weak.lock()) alive.push_back(std::move(kernel));
    }
  }
  std::vector<telemetry_snapshot> snapshots;
  snapshots.reserve(alive.size());
  for (const auto& kernel : alive) snapshots.push_back(kernel->snapshot());
  return snapshots;
}

std::string runtime::telemetry_json() { return to_json(telemetry()); }

void runtime::remember(std::shared_ptr<detail::kernel_base> kernel, const kernel_options& options) {
  std::lock_guard lock(kernels_mutex_);
  std::erase_if(kernels_, [](const auto& weak) { return weak.expired(); });
  kernels_.push_back(kernel);
  if (options.restart.policy == restart_policy::never) return;
  // A quarter of the stall threshold (a stall is seen within 1.25 x stall_after), at least
  // every 25 ms (a fault is relaunched within that), at most every millisecond.
  const auto period = std::clamp(options.stall_after / 4, std::chrono::milliseconds(1),
                                 std::chrono::milliseconds(25));
  if (!supervisor_) supervisor_ = std::make_unique<detail::supervisor>();
  supervisor_->watch(kernel, period);
}

}  // namespace ringkernels

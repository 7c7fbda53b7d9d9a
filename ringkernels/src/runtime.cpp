#include <ringkernels/core/environment.hpp>
#include <ringkernels/runtime.hpp>

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

void runtime::remember(std::shared_ptr<detail::kernel_base> kernel) {
  std::lock_guard lock(kernels_mutex_);
  std::erase_if(kernels_, [](const auto& weak) { return weak.expired(); });
  kernels_.push_back(kernel);
}

}  // namespace ringkernels

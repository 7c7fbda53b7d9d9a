#include <ringkernels/core/environment.hpp>
#include <ringkernels/runtime.hpp>

namespace ringkernels {

runtime::runtime() : shared_(std::make_shared<detail::runtime_state>()) {
  log::set_level(read_environment().log_level);
  log::info("runtime: ", describe(shared_->machine.summary()));
}

runtime::~runtime() {
  std::lock_guard lock(kernels_mutex_);
  for (auto& weak : kernels_) {
    if (auto kernel = weak.lock()) kernel->shut_down();
  }
}

void runtime::remember(std::shared_ptr<detail::kernel_base> kernel) {
  std::lock_guard lock(kernels_mutex_);
  std::erase_if(kernels_, [](const auto& weak) { return weak.expired(); });
  kernels_.push_back(kernel);
}

}  // namespace ringkernels

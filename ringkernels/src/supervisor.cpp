#include <ringkernels/detail/kernel_impl.hpp>
#include <ringkernels/detail/supervisor.hpp>

namespace ringkernels::detail {

supervisor::~supervisor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void supervisor::watch(std::weak_ptr<kernel_base> kernel, std::chrono::milliseconds period) {
  std::lock_guard lock(mutex_);
  watched_.push_back(std::move(kernel));
  if (period < period_) period_ = period;
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

std::vector<std::shared_ptr<kernel_base>> supervisor::alive() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<kernel_base>> kernels;
  std::erase_if(watched_, [&](const std::weak_ptr<kernel_base>& weak) {
    std::shared_ptr<kernel_base> kernel = weak.lock();
    if (!kernel) return true;
    kernels.push_back(std::move(kernel));
    return false;
  });
  return kernels;
}

void supervisor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    {
      // Held only for this pass: a kernel whose last handle went meanwhile is freed here.
      const std::vector<std::shared_ptr<kernel_base>> kernels = alive();
      for (const auto& kernel : kernels) kernel->supervise();
    }
    lock.lock();
  }
}

}  // namespace ringkernels::detail

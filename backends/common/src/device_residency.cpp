#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/core/error.hpp>

#include <algorithm>
#include <utility>

namespace ringkernels {

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
  return text;
}
}  // namespace

bool must_grow_local_memory(const residency_facts& facts) {
  if (facts.needs <= facts.reserved) return false;
  if (facts.resident.empty()) return true;
  RINGKERNELS_THROW(
      errc::wrong_state,
      "kernel '" + facts.kernel + "' needs " + std::to_string(facts.needs) +
          " B of local memory per thread but " + facts.where + " reserves " +
          std::to_string(facts.reserved) + " B while " + joined(facts.resident) +
          (facts.resident.size() == 1 ? " is" : " are") +
          " resident; the CUDA driver grows the reservation only on an idle device, so this "
          "launch would wait forever. Launch the kernel with the larger messages first, "
          "terminate the resident kernels before launching it, or reserve more before any "
          "launch with cudaDeviceSetLimit(cudaLimitStackSize, " +
          std::to_string(facts.needs) + ")");
}

void require_loadable(const residency_facts& facts) {
  if (!facts.lazy_loading || facts.loaded || facts.resident.empty()) return;
  RINGKERNELS_THROW(
      errc::wrong_state,
      "kernel '" + facts.kernel + "' runs a handler type whose GPU code is not loaded on " +
          facts.where + " yet, and " + joined(facts.resident) +
          (facts.resident.size() == 1 ? " is" : " are") +
          " resident there; with lazy module loading (CUDA_MODULE_LOADING is not EAGER) the "
          "CUDA driver loads code only on an idle device, so this launch would wait forever. "
          "Set CUDA_MODULE_LOADING=EAGER before the process starts, launch kernels of new "
          "handler types before the others, or terminate the resident kernels first");
}

device_residency::ticket::ticket(ticket&& other) noexcept
    : book_(std::exchange(other.book_, nullptr)),
      device_(other.device_),
      kernel_(std::move(other.kernel_)) {}

device_residency::ticket& device_residency::ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    release();
    book_ = std::exchange(other.book_, nullptr);
    device_ = other.device_;
    kernel_ = std::move(other.kernel_);
  }
  return *this;
}

void device_residency::ticket::release() noexcept {
  if (book_ != nullptr) std::exchange(book_, nullptr)->leave(device_, kernel_);
}

device_residency& device_residency::process() {
  static device_residency book;
  return book;
}

void device_residency::bury(std::shared_ptr<void> memory) {
  std::lock_guard lock(mutex_);
  if (any_resident_locked()) {
    graveyard_.push_back(std::move(memory));
  } else {
    memory.reset();
  }
}

std::size_t device_residency::buried() const {
  std::lock_guard lock(mutex_);
  return graveyard_.size();
}

bool device_residency::any_resident_locked() const {
  for (const auto& [device, names] : resident_) {
    if (!names.empty()) return true;
  }
  return false;
}

std::vector<std::string> device_residency::resident_on(int device) const {
  std::lock_guard lock(mutex_);
  return resident_locked(device);
}

std::vector<std::string> device_residency::resident_locked(int device) const {
  const auto found = resident_.find(device);
  return found == resident_.end() ? std::vector<std::string>{} : found->second;
}

void device_residency::leave(int device, const std::string& kernel) noexcept {
  std::lock_guard lock(mutex_);
  auto& names = resident_[device];
  const auto found = std::find(names.begin(), names.end(), kernel);
  if (found != names.end()) names.erase(found);
  if (!any_resident_locked()) graveyard_.clear();  // frees under the lock: see bury()
}

}  // namespace ringkernels

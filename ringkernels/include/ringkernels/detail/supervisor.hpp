// The runtime's supervisor: one thread, started with the first kernel or actor system that
// asks for relaunches (kernel_options::restart), that looks at each such kernel every few
// milliseconds and lets it act on a fault or stall (kernel_base::supervise). Host only.
// Nothing here is API.
#ifndef RINGKERNELS_DETAIL_SUPERVISOR_HPP
#define RINGKERNELS_DETAIL_SUPERVISOR_HPP

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ringkernels::detail {

class kernel_base;

class supervisor {
 public:
  supervisor() = default;
  /// Stops and joins the thread: no kernel is looked at after this returns.
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Looks at `kernel` every `period` from now on, until it is gone. @threadsafe
  void watch(std::weak_ptr<kernel_base> kernel, std::chrono::milliseconds period);

 private:
  void run();
  /// The kernels still alive; drops the others.
  std::vector<std::shared_ptr<kernel_base>> alive();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                            ///< under mutex_
  std::vector<std::weak_ptr<kernel_base>> watched_;  ///< under mutex_
  std::chrono::milliseconds period_{25};             ///< the shortest asked; under mutex_
  std::thread thread_;
};

}  // namespace ringkernels::detail

#endif

// The CUDA launch path: the shared dispatch loop as a persistent kernel, one block per worker,
// launched once with cudaLaunchCooperativeKernel on a dedicated non-blocking stream (never the
// legacy default stream, so user Kokkos work keeps running beside it). Rings and the control
// block live in pinned, device-mapped host memory; the GPU touches them with system-scope loads
// and stores only (no read-modify-write across PCIe, which needs host-native atomics).
#ifndef RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP

#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/backends/cuda/device_check.hpp>
#include <ringkernels/backends/cuda/warp_dispatch.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/dispatch_loop.hpp>
#include <ringkernels/telemetry.hpp>

#include <Kokkos_Core.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ringkernels::cuda_backend {

/// Idle and invoke hooks of the dispatch loop on the GPU: __nanosleep with growing steps (a
/// resident kernel that idles must not keep the SM's issue slots busy) and a plain call (device
/// code has no exceptions; a trap kills the kernel and the host reports the CUDA error).
struct device_hooks {
  unsigned sleep_ns = 0;
  unsigned idle_polls = 0;
  /// Sleeps grow to 1 us while a request may be about to arrive (a reply is often followed by
  /// the caller's next request within a few us), then to 16 us after ~4000 idle polls.
  RINGKERNELS_INLINE_FUNCTION void idle() {
#if RINGKERNELS_DEVICE_PASS
    const unsigned cap = ++idle_polls < 4096 ? 1024u : 16384u;
    sleep_ns = sleep_ns == 0 ? 32 : (sleep_ns * 2 > cap ? cap : sleep_ns * 2);
    __nanosleep(sleep_ns);
#endif
  }
  RINGKERNELS_INLINE_FUNCTION void busy() {
    sleep_ns = 0;
    idle_polls = 0;
  }
  template <class Call>
  RINGKERNELS_INLINE_FUNCTION bool invoke(Call&& call) {
    call();
    return true;
  }
};

/// One block (one warp) per worker; the warp runs the dispatch loop for its worker, each lane
/// handling one frame of a batch (warp_dispatch.hpp).
template <class Handler>
__global__ void persistent_dispatch(Handler handler,
                                    const worker_binding<messaging::scope::system>* bindings) {
  const worker_binding<messaging::scope::system> binding = bindings[blockIdx.x];
  run_warp_dispatch(handler, binding);
}

inline constexpr int threads_per_block = 32;

template <class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;

  launcher() = default;
  launcher(const launcher&) = delete;
  launcher& operator=(const launcher&) = delete;
  ~launcher() {
    if (stream_ != nullptr) (void)cudaStreamDestroy(stream_);
  }

  /// Validates the device against the grid, then launches the persistent kernel. Throws
  /// ringkernels::error naming the numbers when the kernel cannot be resident.
  std::string start(const topology& /*machine*/, const pin_plan& /*plan*/, const Handler& handler,
                    std::vector<binding_type> bindings, latency_histogram* /*handler_times*/) {
    const int device = Kokkos::Cuda().cuda_device();
    RINGKERNELS_CUDA_CHECK(cudaSetDevice(device));
    const int grid = static_cast<int>(bindings.size());
    const launch_check check = check_persistent_launch(
        device, reinterpret_cast<const void*>(&persistent_dispatch<Handler>), grid,
        threads_per_block);
    bindings_ = Kokkos::View<binding_type*, Kokkos::CudaHostPinnedSpace>(
        Kokkos::view_alloc("ringkernels.bindings", Kokkos::WithoutInitializing), bindings.size());
    for (std::size_t i = 0; i < bindings.size(); ++i) bindings_(i) = bindings[i];
    RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    const binding_type* device_bindings = bindings_.data();
    void* arguments[] = {const_cast<Handler*>(&handler), &device_bindings};
    RINGKERNELS_CUDA_CHECK(
        cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(&persistent_dispatch<Handler>),
                                    dim3(grid), dim3(threads_per_block), arguments, 0, stream_));
    return check.summary;
  }

  /// Waits until the kernel has exited or `deadline` passes; true if it exited.
  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    backoff waiting;
    for (;;) {
      const cudaError_t state = cudaStreamQuery(stream_);
      if (state != cudaErrorNotReady) {
        if (state != cudaSuccess) record_failure(state);
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
  }

  /// Why the kernel died (a trap, an illegal address...), or empty while it runs or after a
  /// clean exit.
  std::string launch_failure() {
    if (failure_.empty() && stream_ != nullptr) {
      const cudaError_t state = cudaStreamQuery(stream_);
      if (state != cudaSuccess && state != cudaErrorNotReady) record_failure(state);
    }
    return failure_;
  }
  /// Device code has no exceptions: a worker-level failure is the kernel's failure.
  std::string failure_of(std::uint32_t /*worker*/) { return launch_failure(); }
  std::string pin_errors() const { return {}; }

 private:
  void record_failure(cudaError_t state) {
    failure_ = std::string("the persistent kernel died: ") + cudaGetErrorName(state) + " (" +
               cudaGetErrorString(state) + ")" +
               (classify(state) == gpu_error_severity::context_killing
                    ? "; the CUDA context is lost, relaunch the process"
                    : "");
  }

  cudaStream_t stream_ = nullptr;
  Kokkos::View<binding_type*, Kokkos::CudaHostPinnedSpace> bindings_;
  std::string failure_;
};

}  // namespace ringkernels::cuda_backend

#endif

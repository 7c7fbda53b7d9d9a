// The CUDA launch path: the shared dispatch loop, one warp-sized block per worker, in one of the
// three modes of launch_choice.hpp: resident for the kernel's lifetime (cooperative or ordinary
// launch) or started by a host thread whenever frames wait (event_pump.hpp). Always on a
// dedicated non-blocking stream (never the legacy default stream, so user Kokkos work keeps
// running beside it). Rings and the control block live in pinned, device-mapped host memory;
// the GPU touches them with system-scope loads and stores, and makes no read-modify-write on
// them across PCIe (which needs host-native atomics) except on a peer port whose senders are
// all on this GPU: those are device-scope (messaging::ring_ref::device_scope_rmw, docs/cuda.md).
#ifndef RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/backends/cuda/device_check.hpp>
#include <ringkernels/backends/cuda/dispatch.hpp>
#include <ringkernels/backends/cuda/event_pump.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>

#include <Kokkos_Core.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ringkernels::cuda_backend {

/// One block (one warp) per worker; the warp runs the dispatch loop for its worker, each lane
/// handling one frame of a batch (dispatch.hpp). `pass` says whether it stays resident.
template <class Handler>
__global__ void dispatch_kernel(Handler handler,
                                const worker_binding<messaging::scope::system>* bindings,
                                loop_pass pass) {
  const worker_binding<messaging::scope::system> binding = bindings[blockIdx.x];
  if constexpr (handler_traits<Handler>::runs_own_loop) {
    if (threadIdx.x % warp_width != 0) return;  // an own loop runs on one lane per worker
    device_hooks hooks;
    handler.run_worker(binding, hooks, pass == loop_pass::until_idle);
  } else {
    run_warp_dispatch(handler, binding, pass);
  }
}

/// One warp per worker block: the lanes of a worker are the warp's.
inline constexpr int threads_per_block = static_cast<int>(warp_width);

/// Makes `device` current for the caller's scope and restores the previous one after: Kokkos
/// keeps working on its own device whatever device a kernel was launched on.
class device_scope {
 public:
  explicit device_scope(int device) {
    RINGKERNELS_CUDA_CHECK(cudaGetDevice(&previous_));
    RINGKERNELS_CUDA_CHECK(cudaSetDevice(device));
  }
  ~device_scope() { (void)cudaSetDevice(previous_); }
  device_scope(const device_scope&) = delete;
  device_scope& operator=(const device_scope&) = delete;

 private:
  int previous_ = 0;
};

/// A kernel on another device than Kokkos' reaches Kokkos' device memory (View handles) only
/// through peer access: enable it where the pair supports it and say so.
inline std::string enable_peer_access(int device, int kokkos_device) {
  if (device == kokkos_device) return {};
  int can = 0;
  RINGKERNELS_CUDA_CHECK(cudaDeviceCanAccessPeer(&can, device, kokkos_device));
  if (can == 0) {
    return "; no peer access to device " + std::to_string(kokkos_device) +
           " memory (View handles made by Kokkos cannot be used by this kernel)";
  }
  const cudaError_t enabled = cudaDeviceEnablePeerAccess(kokkos_device, 0);
  if (enabled == cudaErrorPeerAccessAlreadyEnabled) {
    (void)cudaGetLastError();
  } else {
    RINGKERNELS_CUDA_CHECK(enabled);
  }
  return "; peer access to device " + std::to_string(kokkos_device) + " memory enabled";
}

template <class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;

  launcher() = default;
  launcher(const launcher&) = delete;
  launcher& operator=(const launcher&) = delete;
  ~launcher() {
    if (pump_) pump_->abandon();
    // A kernel still running (it did not stop within its terminate deadline) stays in the book:
    // its device keeps its local-memory reservation until the process ends.
    if (residency_.held() && stream_ != nullptr && cudaStreamQuery(stream_) == cudaErrorNotReady) {
      residency_.keep_forever();
    }
    if (stream_ != nullptr) (void)cudaStreamDestroy(stream_);
    device_residency::process().bury(
        std::make_shared<Kokkos::View<binding_type*, Kokkos::CudaHostPinnedSpace>>(
            std::move(bindings_)));
  }

  /// Chooses the launch mode from the device's facts, then launches (or starts the pump).
  /// Throws ringkernels::error naming the numbers when the requested mode cannot work.
  /// (The request's pinning plan and handler-time histogram are for CPU workers.)
  std::string start(launch_request<Handler, messaging::scope::system> request) {
    const kernel_options& options = request.options;
    const Handler& handler = request.handler;
    const std::vector<binding_type>& bindings = request.bindings;
    const int kokkos_device = Kokkos::Cuda().cuda_device();
    const int device = resolve_device(options.device, kokkos_device);
    const device_scope on(device);
    const int grid = static_cast<int>(bindings.size());
    const void* kernel = reinterpret_cast<const void*>(&dispatch_kernel<Handler>);
    const std::string peer = enable_peer_access(device, kokkos_device);
    bindings_ = Kokkos::View<binding_type*, Kokkos::CudaHostPinnedSpace>(
        Kokkos::view_alloc("ringkernels.bindings", Kokkos::WithoutInitializing), bindings.size());
    for (std::size_t i = 0; i < bindings.size(); ++i) bindings_(i) = bindings[i];
    RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    std::string summary;
    // Under the book's lock, in this order: nothing may touch the kernel's code (the occupancy
    // query loads it) before require_loadable() has said that loading it cannot wait forever.
    residency_ =
        device_residency::process().admit(device, kernel, options.name, [&](const device_now& now) {
          residency_facts facts{.kernel = options.name,
                                .where = device_name(device),
                                .resident = now.resident,
                                .lazy_loading = lazy_module_loading(),
                                .loaded = now.function_loaded};
          require_loadable(facts);
          const launch_choice choice = choose_gpu_launch(
              options.launch, gather_facts(device, kernel, grid, threads_per_block));
          measure_local_memory(kernel, facts);
          reserve_local_memory(facts);
          launch(device, choice.mode, handler, grid);
          summary = facts.where + ", " + to_string(choice.mode) + " launch (" + choice.reason +
                    "), " + std::to_string(threads_per_block) + " threads per worker block, " +
                    std::to_string(facts.needs) + " B local memory per thread" + peer;
          return choice.mode != gpu_launch::event_driven;
        });
    return summary;
  }

  /// Loads the kernel's code and reserves its local memory on its device now, if nothing is
  /// resident there (else the launch decides, as always): a kernel launched later, beside
  /// others, then neither loads code nor grows the reservation (device_residency.hpp).
  static void preload(const kernel_options& options) {
    const int device = resolve_device(options.device, Kokkos::Cuda().cuda_device());
    const device_scope on(device);
    const void* kernel = reinterpret_cast<const void*>(&dispatch_kernel<Handler>);
    device_residency::process().preload(device, kernel, [&](const device_now& now) {
      if (!now.resident.empty()) return now.function_loaded;
      residency_facts facts{.kernel = options.name, .where = device_name(device)};
      measure_local_memory(kernel, facts);  // cudaFuncGetAttributes loads the code
      reserve_local_memory(facts);
      return true;
    });
  }

  /// Pinned memory the kernel used (rings, control block), handed over when the kernel object
  /// goes: cudaFreeHost would wait forever for any kernel still resident, so the book frees it
  /// once none is.
  void retire_memory(std::shared_ptr<void> memory) {
    device_residency::process().bury(std::move(memory));
  }

  /// Waits until the kernel has exited (or the pump has stopped) or `deadline` passes.
  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    const bool stopped = wait_exited(deadline);
    still_running_ = stopped ? 0 : static_cast<int>(bindings_.extent(0));
    return stopped;
  }

  /// A GPU worker polls; it never sleeps where the host could wake it (its idle backoff is a
  /// bounded __nanosleep, docs/cuda.md).
  void wake(std::uint32_t /*worker*/) {}
  void wake_all() {}

  /// Worker blocks still resident after wait_stopped() gave up on them.
  int still_running() const { return still_running_; }

  /// Why the kernel died (a trap, an illegal address...); nullopt while it runs or after a
  /// clean exit.
  std::optional<std::string> launch_failure() {
    if (pump_) return pump_->failure();
    if (!failure_ && stream_ != nullptr) {
      const cudaError_t state = cudaStreamQuery(stream_);
      if (state != cudaSuccess && state != cudaErrorNotReady) record_failure(state);
    }
    return failure_;
  }
  /// Device code has no exceptions: a worker-level failure is the kernel's failure.
  std::string failure_of(std::uint32_t /*worker*/) { return launch_failure().value_or(""); }
  std::string pin_errors() const { return {}; }

 private:
  bool wait_exited(std::chrono::steady_clock::time_point deadline) {
    if (pump_) return pump_->wait_stopped(deadline);
    backoff waiting;
    for (;;) {
      const cudaError_t state = cudaStreamQuery(stream_);
      if (state != cudaErrorNotReady) {
        if (state != cudaSuccess) record_failure(state);
        residency_.release();
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
  }

  void launch(int device, gpu_launch mode, const Handler& handler, int grid) {
    const binding_type* device_bindings = bindings_.data();
    if (mode == gpu_launch::event_driven) {
      pump_ = event_pump::start(device, stream_, device_bindings, bindings_.size(),
                                [handler, device_bindings, grid](cudaStream_t stream) {
                                  dispatch_kernel<Handler><<<grid, threads_per_block, 0, stream>>>(
                                      handler, device_bindings, loop_pass::until_idle);
                                  return cudaGetLastError();
                                });
    } else if (mode == gpu_launch::cooperative) {
      loop_pass pass = loop_pass::resident;
      void* arguments[] = {const_cast<Handler*>(&handler), &device_bindings, &pass};
      RINGKERNELS_CUDA_CHECK(
          cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(&dispatch_kernel<Handler>),
                                      dim3(grid), dim3(threads_per_block), arguments, 0, stream_));
    } else {
      dispatch_kernel<Handler>
          <<<grid, threads_per_block, 0, stream_>>>(handler, device_bindings, loop_pass::resident);
      RINGKERNELS_CUDA_CHECK(cudaGetLastError());
    }
  }

  void record_failure(cudaError_t state) {
    failure_ = describe_kernel_death(state, "persistent kernel");
  }

  cudaStream_t stream_ = nullptr;
  device_residency::ticket residency_;  // held while the kernel is resident
  Kokkos::View<binding_type*, Kokkos::CudaHostPinnedSpace> bindings_;
  std::shared_ptr<event_pump> pump_;
  std::optional<std::string> failure_;
  int still_running_ = 0;
};

}  // namespace ringkernels::cuda_backend

#endif

// The launch path of every GPU backend, written once over the backend's runtime API (`Runtime`:
// cuda/launch.hpp's cuda_runtime, hip/launch.hpp's hip_runtime). The shared dispatch loop runs
// one warp-sized block per worker in one of the three modes of launch_choice.hpp: resident for
// the kernel's lifetime (cooperative or ordinary launch) or started by a host thread whenever
// frames wait (gpu_event_pump.hpp). Always on a dedicated non-blocking stream (never the legacy
// default stream, so user Kokkos work keeps running beside it). Host code; compiled by nvcc or
// hipcc with the backend that includes it.
//
// What `Runtime` provides (static members): error_type, stream_type, success, not_ready,
// peer_access_already_enabled, memory_space (pinned host memory for the worker bindings),
// check(error, text, file, line), get_device, set_device, clear_last_error, can_access_peer,
// enable_peer_access, create_stream, destroy_stream, query, synchronize, describe_death,
// kokkos_device; the device checks (resolve_device, device_name, lazy_module_loading,
// gather_facts, measure_local_memory, reserve_local_memory: the backend's device_check); and
// the launches (kernel_launches below: threads_per_block, kernel_function, launch).
#ifndef RINGKERNELS_BACKENDS_COMMON_GPU_LAUNCHER_HPP
#define RINGKERNELS_BACKENDS_COMMON_GPU_LAUNCHER_HPP

#include <ringkernels/backends/common/backend.hpp>
#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/gpu_dispatch.hpp>
#include <ringkernels/backends/common/gpu_event_pump.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/messaging/shared_bytes.hpp>

#include <chrono>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

/// Calls the runtime API `call` and throws ringkernels::error for a failure (the backend's checked
/// call: context-killing errors apart).
#define RINGKERNELS_GPU_CHECK(Runtime, call) Runtime::check((call), #call, __FILE__, __LINE__)

namespace ringkernels::gpu {

/// Makes `device` current for the caller's scope and restores the previous one after: Kokkos
/// keeps working on its own device whatever device a kernel was launched on.
template <class Runtime>
class device_scope {
 public:
  explicit device_scope(int device) {
    RINGKERNELS_GPU_CHECK(Runtime, Runtime::get_device(&previous_));
    RINGKERNELS_GPU_CHECK(Runtime, Runtime::set_device(device));
  }
  ~device_scope() { (void)Runtime::set_device(previous_); }
  device_scope(const device_scope&) = delete;
  device_scope& operator=(const device_scope&) = delete;

 private:
  int previous_ = 0;
};

/// A kernel on another device than Kokkos' reaches Kokkos' device memory (View handles) only
/// through peer access: enable it where the pair supports it and say so.
template <class Runtime>
std::string enable_peer_access(int device, int kokkos_device) {
  if (device == kokkos_device) return {};
  int can = 0;
  RINGKERNELS_GPU_CHECK(Runtime, Runtime::can_access_peer(&can, device, kokkos_device));
  if (can == 0) {
    return "; no peer access to device " + std::to_string(kokkos_device) +
           " memory (View handles made by Kokkos cannot be used by this kernel)";
  }
  const auto enabled = Runtime::enable_peer_access(kokkos_device);
  if (enabled == Runtime::peer_access_already_enabled) {
    Runtime::clear_last_error();
  } else {
    RINGKERNELS_GPU_CHECK(Runtime, enabled);
  }
  return "; peer access to device " + std::to_string(kokkos_device) + " memory enabled";
}

/// The dispatch kernel's launches, the same source for every GPU runtime: `Runtime` derives
/// from this and provides launch_cooperative(function, grid, block, arguments, stream) and
/// last_error(); `Warp` is its warp (gpu_dispatch.hpp).
template <class Runtime, class Warp>
struct kernel_launches {
  /// One warp per worker block: the lanes of a worker are the warp's.
  static constexpr int threads_per_block = static_cast<int>(Warp::width);

  /// The dispatch kernel for a handler, as the runtime API's untyped function handle.
  template <class Handler>
  static const void* kernel_function() {
    return reinterpret_cast<const void*>(&dispatch_kernel<Warp, Handler>);
  }
  /// Enqueues the dispatch kernel on `stream`: a cooperative launch, or an ordinary one (the
  /// persistent and event-driven modes). Returns the launch's error.
  template <class Handler, class Stream>
  static auto launch(gpu_launch mode, int grid, Stream stream, const Handler& handler,
                     const worker_binding<messaging::scope::system>* bindings, loop_pass pass) {
    if (mode == gpu_launch::cooperative) {
      void* arguments[] = {const_cast<Handler*>(&handler), &bindings, &pass};
      return Runtime::launch_cooperative(kernel_function<Handler>(), dim3(grid),
                                         dim3(threads_per_block), arguments, stream);
    }
    dispatch_kernel<Warp, Handler><<<grid, threads_per_block, 0, stream>>>(handler, bindings, pass);
    return Runtime::last_error();
  }
};

template <class Runtime, class Handler>
class launcher {
 public:
  using binding_type = worker_binding<messaging::scope::system>;
  using stream_type = typename Runtime::stream_type;
  using error_type = typename Runtime::error_type;

  launcher() = default;
  launcher(const launcher&) = delete;
  launcher& operator=(const launcher&) = delete;
  ~launcher() {
    if (pump_) pump_->abandon();
    // A kernel still running (it did not stop within its terminate deadline) stays in the book:
    // its device keeps its local-memory reservation until the process ends.
    if (residency_.held() && stream_ != nullptr && Runtime::query(stream_) == Runtime::not_ready) {
      residency_.keep_forever();
    }
    if (stream_ != nullptr) (void)Runtime::destroy_stream(stream_);
    device_residency::process().bury(std::move(bindings_memory_));
  }

  /// Chooses the launch mode from the device's facts, then launches (or starts the pump).
  /// Throws ringkernels::error naming the numbers when the requested mode cannot work.
  /// (The request's pinning plan and handler-time histogram are for CPU workers.) Called again
  /// after wait_stopped() returned true (the supervisor's relaunch), it launches again on the
  /// same stream and bindings: nothing is allocated (pinned allocations can wait for resident
  /// kernels).
  std::string start(launch_request<Handler, messaging::scope::system> request) {
    const kernel_options& options = request.options;
    const Handler& handler = request.handler;
    const int kokkos_device = Runtime::kokkos_device();
    const int device = Runtime::resolve_device(options.device, kokkos_device);
    const device_scope<Runtime> on(device);
    const int grid = static_cast<int>(request.bindings.size());
    const void* kernel = Runtime::template kernel_function<Handler>();
    const std::string peer = enable_peer_access<Runtime>(device, kokkos_device);
    if (bindings_ == nullptr) keep_bindings(request.bindings);
    if (stream_ == nullptr) RINGKERNELS_GPU_CHECK(Runtime, Runtime::create_stream(&stream_));
    still_running_ = 0;
    std::string summary;
    // Under the book's lock, in this order: nothing may touch the kernel's code (the occupancy
    // query loads it) before require_loadable() has said that loading it cannot wait forever.
    residency_ =
        device_residency::process().admit(device, kernel, options.name, [&](const device_now& now) {
          residency_facts facts{.kernel = options.name,
                                .where = Runtime::device_name(device),
                                .resident = now.resident,
                                .lazy_loading = Runtime::lazy_module_loading(),
                                .loaded = now.function_loaded};
          require_loadable(facts);
          const launch_choice choice = choose_gpu_launch(
              options.launch,
              Runtime::gather_facts(device, kernel, grid, Runtime::threads_per_block));
          Runtime::measure_local_memory(kernel, facts);
          Runtime::reserve_local_memory(facts);
          launch(device, choice.mode, handler, grid);
          summary = facts.where + ", " + to_string(choice.mode) + " launch (" + choice.reason +
                    "), " + std::to_string(Runtime::threads_per_block) +
                    " threads per worker block, " + std::to_string(facts.needs) +
                    " B local memory per thread" + peer;
          return choice.mode != gpu_launch::event_driven;
        });
    return summary;
  }

  /// Loads the kernel's code and reserves its local memory on its device now, if nothing is
  /// resident there (else the launch decides, as always): a kernel launched later, beside
  /// others, then neither loads code nor grows the reservation (device_residency.hpp).
  static void preload(const kernel_options& options) {
    const int device = Runtime::resolve_device(options.device, Runtime::kokkos_device());
    const device_scope<Runtime> on(device);
    const void* kernel = Runtime::template kernel_function<Handler>();
    device_residency::process().preload(device, kernel, [&](const device_now& now) {
      if (!now.resident.empty()) return now.function_loaded;
      residency_facts facts{.kernel = options.name, .where = Runtime::device_name(device)};
      Runtime::measure_local_memory(kernel, facts);  // the attribute query loads the code
      Runtime::reserve_local_memory(facts);
      return true;
    });
  }

  /// Pinned memory the kernel used (rings, control block), handed over when the kernel object
  /// goes: freeing pinned memory waits for any kernel still resident (cudaFreeHost does), so
  /// the book frees it once none is.
  void retire_memory(std::shared_ptr<void> memory) {
    device_residency::process().bury(std::move(memory));
  }

  /// Waits until the kernel has exited (or the pump has stopped) or `deadline` passes.
  bool wait_stopped(std::chrono::steady_clock::time_point deadline) {
    const bool stopped = wait_exited(deadline);
    still_running_ = stopped ? 0 : static_cast<int>(workers_);
    return stopped;
  }

  /// A GPU worker polls; it never sleeps where the host could wake it (its idle backoff is a
  /// bounded sleep on the device, docs/cuda.md).
  void wake(std::uint32_t /*worker*/) {}
  void wake_all() {}

  /// Worker blocks still resident after wait_stopped() gave up on them.
  int still_running() const { return still_running_; }

  /// Why the kernel died (a trap, an illegal address...); nullopt while it runs or after a
  /// clean exit.
  std::optional<std::string> launch_failure() {
    if (pump_) return pump_->failure();
    if (!failure_ && stream_ != nullptr) {
      const error_type state = Runtime::query(stream_);
      if (state != Runtime::success && state != Runtime::not_ready) record_failure(state);
    }
    return failure_;
  }
  /// Device code has no exceptions: a worker-level failure is the kernel's failure.
  std::string failure_of(std::uint32_t /*worker*/) { return launch_failure().value_or(""); }
  std::string pin_errors() const { return {}; }

 private:
  /// The workers' bindings, in pinned host memory the kernel reads (allocated as rings are:
  /// messaging::shared_allocator, fine-grained on HIP).
  void keep_bindings(const std::vector<binding_type>& bindings) {
    auto bytes = messaging::shared_allocator<typename Runtime::memory_space>::allocate(
        "ringkernels.bindings", sizeof(binding_type) * bindings.size());
    bindings_ = reinterpret_cast<binding_type*>(bytes.data());
    workers_ = bindings.size();
    for (std::size_t i = 0; i < bindings.size(); ++i) new (bindings_ + i) binding_type(bindings[i]);
    bindings_memory_ =
        std::make_shared<messaging::shared_bytes<typename Runtime::memory_space>>(std::move(bytes));
  }

  bool wait_exited(std::chrono::steady_clock::time_point deadline) {
    if (pump_) return pump_->wait_stopped(deadline);
    backoff waiting;
    for (;;) {
      const error_type state = Runtime::query(stream_);
      if (state != Runtime::not_ready) {
        if (state != Runtime::success) record_failure(state);
        residency_.release();
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiting.pause();
    }
  }

  void launch(int device, gpu_launch mode, const Handler& handler, int grid) {
    const binding_type* device_bindings = bindings_;
    if (mode == gpu_launch::event_driven) {
      pump_ = event_pump<Runtime>::start(device, stream_, device_bindings, workers_,
                                         [handler, device_bindings, grid](stream_type stream) {
                                           return Runtime::launch(gpu_launch::event_driven, grid,
                                                                  stream, handler, device_bindings,
                                                                  loop_pass::until_idle);
                                         });
    } else {
      RINGKERNELS_GPU_CHECK(Runtime, Runtime::launch(mode, grid, stream_, handler, device_bindings,
                                                     loop_pass::resident));
    }
  }

  void record_failure(error_type state) {
    failure_ = Runtime::describe_death(state, "persistent kernel");
  }

  stream_type stream_ = nullptr;
  device_residency::ticket residency_;  // held while the kernel is resident
  std::shared_ptr<void> bindings_memory_;
  binding_type* bindings_ = nullptr;
  std::size_t workers_ = 0;
  std::shared_ptr<event_pump<Runtime>> pump_;
  std::optional<std::string> failure_;
  int still_running_ = 0;
};

}  // namespace ringkernels::gpu

#endif

// The backend contract: what every backend provides, as C++20 concepts, checked with
// static_assert in each backend's backend.hpp. A new backend (HIP) is "copy the CUDA folder's
// shape, fill in the calls, and make its static_assert pass".
//
// A backend is a traits type (host_backend::traits, cuda_backend::traits) naming its memory
// spaces, the scope of its ring indices, how its frames are published, how many lanes one
// worker has, and a launcher class template that runs the shared dispatch loop for a handler.
#ifndef RINGKERNELS_BACKENDS_COMMON_BACKEND_HPP
#define RINGKERNELS_BACKENDS_COMMON_BACKEND_HPP

#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>

#include <chrono>
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
#include <concepts>
#define RINGKERNELS_HAS_BACKEND_CONCEPT 1
#else
#define RINGKERNELS_HAS_BACKEND_CONCEPT 0  // C++17 users: the contract is checked in C++20 builds
#endif
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ringkernels {

/// Everything a launcher may need to start a kernel's workers; each backend takes what it uses
/// (the CPU pins threads by `plan`; a GPU ignores it and chooses its launch mode from the
/// device). Host only.
template <class Handler, messaging::scope S>
struct launch_request {
  const topology& machine;                           ///< the host (CPU workers are pinned on it)
  pin_plan plan;                                     ///< the core of each CPU worker
  const Handler& handler;                            ///< copied into every worker
  std::vector<worker_binding<S>> bindings;           ///< one per worker: its rings and counters
  std::shared_ptr<latency_histogram> handler_times;  ///< where CPU workers record handler times
  const kernel_options& options;                     ///< workers, device, launch mode, timeouts
};

namespace detail {
/// A handler with a reply, to check launchers against the contract without a user's handler.
struct contract_probe_handler {
  struct Request {
    int value;
  };
  struct Reply {
    int value;
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request, context&) const {
    return {request.value};
  }
};
}  // namespace detail

#if RINGKERNELS_HAS_BACKEND_CONCEPT
/// What the kernel (ringkernels/detail/kernel_impl.hpp) asks of a backend's launcher. Every
/// member is called by the host, under the kernel's lifecycle unless it says otherwise.
template <class L, class Handler, messaging::scope S>
concept kernel_launcher = requires(L launcher, launch_request<Handler, S> request,
                                   std::uint32_t worker,
                                   std::chrono::steady_clock::time_point deadline,
                                   std::shared_ptr<void> memory) {
  /// Starts the workers (or the launch mode that starts them on demand); returns a one-line
  /// summary for logs (mode, device, pinning). Throws ringkernels::error naming the numbers
  /// when the launch cannot work; nothing keeps running then.
  { launcher.start(std::move(request)) } -> std::same_as<std::string>;
  /// A frame or a command for `worker` was published: wake it if it sleeps (senders call this,
  /// from any thread). Backends whose workers never sleep do nothing.
  { launcher.wake(worker) } -> std::same_as<void>;
  { launcher.wake_all() } -> std::same_as<void>;
  /// Waits until every worker has left its loop or `deadline` passes; true if all left.
  { launcher.wait_stopped(deadline) } -> std::same_as<bool>;
  /// Workers still inside their loop after wait_stopped() gave up on them.
  { launcher.still_running() } -> std::same_as<int>;
  /// Why the launch itself died (a GPU trap, an illegal address); nullopt while it runs or
  /// after a clean exit. Called from any thread that checks for faults.
  { launcher.launch_failure() } -> std::same_as<std::optional<std::string>>;
  /// Why worker `worker` stopped; valid once its `faulted` flag was seen (acquire).
  { launcher.failure_of(worker) } -> std::same_as<std::string>;
  /// Where pinning did not go as planned, or empty.
  { launcher.pin_errors() } -> std::same_as<std::string>;
  /// Takes the kernel's rings and control block and frees them when nothing can touch them
  /// any more (a GPU kernel still resident, a CPU worker stuck in a handler).
  { launcher.retire_memory(memory) } -> std::same_as<void>;
  /// Before start(), while nothing else may be resident: loads what a later start() would
  /// otherwise have to load beside resident kernels (GPU code, local memory). Static.
  { L::preload(request.options) } -> std::same_as<void>;
};

/// A backend's traits type. Checked in each backend's backend.hpp:
/// `static_assert(ringkernels::backend<traits>);`
template <class B>
concept backend = requires {
  /// Where rings and the control block live (host-reachable: the host reads and writes them).
  typename B::memory_space;
  /// Where the arrays a handler reaches through a buffer_handle live.
  typename B::data_space;
  /// Scope of ring indices: system when host threads and the workers share the rings.
  requires std::same_as<std::remove_cv_t<decltype(B::ring_scope)>, messaging::scope>;
  /// Whether input and output rings carry frame seals (messaging/frame_seal.hpp): true where
  /// a reader would otherwise need a second round trip to learn that a frame is complete.
  requires std::same_as < std::remove_cv_t<decltype(B::sealed_frames)>,
  bool > ;
  /// Whether handlers run on GPU threads (their read-modify-writes on pinned host memory are
  /// atomic only among the threads of that GPU: messaging::ring_ref::device_scope_rmw).
  requires std::same_as < std::remove_cv_t<decltype(B::gpu_threads)>,
  bool > ;
  /// Lanes of one worker that handle frames side by side: 1 on a CPU, the warp width on a
  /// GPU (32 on NVIDIA, 64 on AMD). Peer message ids reserve room for them.
  requires std::same_as<std::remove_cv_t<decltype(B::lanes_per_worker)>, std::uint32_t>;
  requires B::lanes_per_worker >= 1 && B::lanes_per_worker <= max_lanes_per_worker;
  /// Copies bytes between host memory and the data space, also while kernels are resident
  /// (actor states are read and written through it).
  B::copy_memory(static_cast<void*>(nullptr), static_cast<const void*>(nullptr), std::size_t{0});
  /// The launcher for a handler.
  typename B::template launcher<detail::contract_probe_handler>;
}
&&kernel_launcher<typename B::template launcher<detail::contract_probe_handler>,
                  detail::contract_probe_handler, B::ring_scope>;
#endif

}  // namespace ringkernels

#endif

// How to launch a ring kernel.
#ifndef RINGKERNELS_BACKENDS_COMMON_KERNEL_OPTIONS_HPP
#define RINGKERNELS_BACKENDS_COMMON_KERNEL_OPTIONS_HPP

#include <ringkernels/core/topology.hpp>
#include <ringkernels/messaging/push_result.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace ringkernels {

/// How a GPU kernel runs (host backends ignore it). docs/cuda.md explains each.
enum class gpu_launch {
  automatic,    ///< cooperative if it can be, else persistent, else event-driven; says why
  cooperative,  ///< one persistent cooperative launch (cudaLaunchCooperativeKernel)
  persistent,   ///< one persistent ordinary launch; every worker block must still fit at once
  event_driven  ///< no resident kernel: a host thread launches the loop when frames wait
};

/// What the runtime's supervisor does when a kernel (or actor system) faults or stalls
/// (docs/operations.md, "Supervision").
enum class restart_policy {
  never,              ///< report only (status()); the default
  on_fault,           ///< relaunch the workers after a fault (a host handler threw)
  on_fault_or_stall,  ///< the same, and after a stall (a heartbeat older than stall_after)
};

/// How the supervisor relaunches: the first relaunch comes at once, each later one within
/// `window` after a backoff that doubles from `backoff` up to `max_backoff`; a fault or stall
/// past `max_restarts` relaunches within `window` opens the circuit: the supervisor stops
/// acting on the kernel and status() says why.
struct restart_options {
  restart_policy policy = restart_policy::never;
  int max_restarts = 3;
  std::chrono::milliseconds window{60000};
  std::chrono::milliseconds backoff{10};
  std::chrono::milliseconds max_backoff{1000};
};

/// The most slots a kernel's ring may have (16 M).
inline constexpr std::uint32_t max_queue_capacity = 1u << 24;

struct kernel_options {
  /// Kernel name: 1-64 of [A-Za-z0-9_-]; its queues are "<name>.in", "<name>.out", "<name>.peer".
  std::string name;
  /// Slots of each worker's input and output ring (rounded up to a power of two), 1 ..
  /// max_queue_capacity. All rings of a kernel together must also fit in half of the host's
  /// physical memory (they live in host or pinned host memory); launch checks both first.
  std::uint32_t queue_capacity = 4096;
  /// Persistent workers: CPU threads on the host backends, blocks on GPUs.
  int workers = 1;
  /// CPU pinning of host workers.
  pin_policy pinning = pin_policy::compact;
  /// True when each worker's input ring has one sending thread: one thread sends to the kernel,
  /// or each thread sends only to its own workers with send_batch_to(). The input rings are
  /// then single-producer (no CAS per message); two threads sending to one ring is then a bug.
  bool single_sender = false;
  /// What a host send (send, call, tell, ask, their batches) does when the worker's input ring
  /// is full: `reject` returns push_result::full (nothing lost: the caller decides); `block`
  /// waits with backoff up to block_timeout, then returns push_result::timed_out;
  /// `drop_newest` drops the new message (push_result::dropped_newest, counted in the
  /// telemetry's dropped_newest); `drop_oldest` drops the oldest waiting message to make room
  /// (counted in dropped_oldest; ring kernels on the host backends only: GPU workers do not
  /// claim their batches, and an actor system has counted the oldest message as sent).
  messaging::backpressure backpressure = messaging::backpressure::reject;
  /// How long a send waits for room under the `block` policy.
  std::chrono::milliseconds block_timeout{1000};
  /// Most frames a worker takes per batch (one index read and one release per batch).
  std::uint32_t max_batch = 64;
  /// How long terminate() waits for the workers (decision 5: at most 100 ms).
  std::chrono::milliseconds terminate_timeout{100};
  /// A worker whose heartbeat is older than this while the kernel is active is reported stalled
  /// (a handler that never returns, a hung device).
  std::chrono::milliseconds stall_after{1000};
  /// How long activate()/deactivate() wait for every worker to acknowledge.
  std::chrono::milliseconds acknowledge_timeout{2000};
  /// GPU backends: how the kernel runs (docs/cuda.md), and on which device (-1: Kokkos' own).
  gpu_launch launch = gpu_launch::automatic;
  int device = -1;
  /// Whether the runtime's supervisor relaunches this kernel after a fault or a stall.
  restart_options restart;
};

/// What terminate() observed.
struct terminate_report {
  std::uint64_t pending = 0;          ///< requests still queued when the workers stopped
  bool stopped = true;                ///< every worker left its loop within the timeout
  std::chrono::microseconds took{0};  ///< from the request to the last worker leaving
  std::string detail;                 ///< why not stopped, or the fault that ended the kernel
  /// Workers still inside a handler when terminate gave up on them (0 when stopped). Their
  /// kernel's memory stays allocated until they leave.
  int workers_still_running = 0;
};

}  // namespace ringkernels

#endif

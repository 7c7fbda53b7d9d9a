// The control block: lifecycle commands from the host and honest counters from the workers, in
// memory both can reach (host memory for the CPU simulator; pinned device-mapped host memory for
// GPUs). Control is not data: commands never travel through the message rings (decision 5).
#ifndef RINGKERNELS_BACKENDS_COMMON_CONTROL_BLOCK_HPP
#define RINGKERNELS_BACKENDS_COMMON_CONTROL_BLOCK_HPP

#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/messaging/atomic_index.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstddef>
#include <cstdint>

namespace ringkernels {

/// What the host asks every worker of a kernel to do.
enum class kernel_command : std::uint32_t {
  idle = 0,       ///< resident, not consuming (launched or deactivated)
  run = 1,        ///< consume and handle messages
  terminate = 2,  ///< leave the dispatch loop
};

// context::stop_requested() and actor_context::stop_requested() compare with this number.
static_assert(static_cast<std::uint32_t>(kernel_command::terminate) == 2u);

/// What a worker halted by a handler failure shows as its acknowledged command: none.
inline constexpr std::uint32_t halted_acknowledgement = 0xffffffffu;

/// Why a message was dropped instead of processed. Each has its own counter.
enum class drop_reason : std::uint32_t {
  malformed = 0,       ///< payload size does not match the handler's request type
  handler_failed = 1,  ///< the handler threw (host) or the worker faulted on it
  reply_lost = 2,      ///< the reply could not be queued before terminate
  count = 3
};

/// Counters of one worker. Written only by that worker (single writer: plain relaxed stores of
/// incremented values, no read-modify-write), read by the host at any time. One cache line
/// apart from every other worker's.
struct alignas(64) worker_counters {
  std::uint64_t received;      ///< frames taken from the input ring
  std::uint64_t processed;     ///< messages a handler ran on to completion
  std::uint64_t replies_sent;  ///< replies pushed to the output ring
  std::uint64_t dropped[static_cast<int>(drop_reason::count)];
  std::uint64_t loop_iterations;  ///< polls of the rings, busy or idle (not messages!)
  std::uint64_t heartbeat;        ///< physical time (us) of the last loop iteration
  std::uint32_t acknowledged;     ///< the last kernel_command this worker acted on
  std::uint32_t faulted;          ///< 1 when the worker stopped on a failure
  /// Peer messages each lane sent, stored when its dispatch loop ends: the next launch's
  /// contexts continue the ids from there (an event-driven GPU kernel relaunches per burst).
  std::uint64_t peer_sends[max_lanes_per_worker];
};

/// Shared by the host and all workers of one kernel; the workers' counters follow it in the
/// same allocation (control_block_bytes()).
struct alignas(64) control_block {
  std::uint32_t command;  ///< kernel_command, written by the host
  std::uint32_t worker_count;
  /// Where context::send_to_peer goes (runtime::connect); read by workers when they start
  /// running, so it may change only while the kernel is not active.
  messaging::ring_ref<messaging::scope::system> peer_out;
  /// 1 once another kernel was connected to this one's peer port (runtime::connect).
  std::uint32_t peer_in_enabled;
  /// 1 once any worker stopped on a failure (besides its own `faulted`): senders read this one
  /// word, on a line workers do not write while healthy, to refuse sends no worker would read.
  std::uint32_t any_faulted;

  RINGKERNELS_INLINE_FUNCTION worker_counters* workers() {
    return reinterpret_cast<worker_counters*>(this + 1);
  }
};

inline constexpr int max_workers_per_kernel = 4096;
static_assert(max_workers_per_kernel <= 1 << peer_id_worker_bits, "peer ids name every worker");

/// Bytes to allocate for a control block with `workers` workers.
RINGKERNELS_INLINE_FUNCTION constexpr std::size_t control_block_bytes(int workers) {
  return sizeof(control_block) + static_cast<std::size_t>(workers) * sizeof(worker_counters);
}

/// Access helpers with the scope of the memory the block lives in.
template <messaging::scope S>
struct control_access {
  using u32 = messaging::atomic_index<std::uint32_t, S>;
  using u64 = messaging::atomic_index<std::uint64_t, S>;

  RINGKERNELS_INLINE_FUNCTION static kernel_command command(control_block* block) {
    return static_cast<kernel_command>(u32::load_acquire(&block->command));
  }
  RINGKERNELS_INLINE_FUNCTION static void set_command(control_block* block, kernel_command value) {
    u32::store_release(&block->command, static_cast<std::uint32_t>(value));
  }
  RINGKERNELS_INLINE_FUNCTION static std::uint64_t read(std::uint64_t* counter) {
    return u64::load_relaxed(counter);
  }
};

}  // namespace ringkernels

#endif

// The dispatch loop: one source for every backend (architecture: "The dispatch loop").
//
//   loop until terminate:
//     not active      -> back off; continue            (resident, idle)
//     claim a batch   -> one index read, many frames
//     empty           -> back off; count the iteration; continue
//     each frame      -> handler(request, ctx); reply into the output ring
//     release input   -> one store per batch; counters updated once per batch
//
// The per-frame work is the batch step (batch_step.hpp), which the GPU loop shares; this file
// is the CPU's loop around it. What differs per backend comes in through Hooks: how to idle (park
// on the CPU, woken by senders and commands; __nanosleep on a GPU), how to wait for room in a full
// reply ring (short steps: the host's receive wakes nobody), and how to call the handler (the CPU
// simulator catches exceptions).
#ifndef RINGKERNELS_BACKENDS_COMMON_DISPATCH_LOOP_HPP
#define RINGKERNELS_BACKENDS_COMMON_DISPATCH_LOOP_HPP

#include <ringkernels/backends/common/batch_step.hpp>
#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels {
namespace detail {

/// Whether this worker reads a peer port: worker 0 of a kernel runtime::connect() made a target
/// (read when `run` is acknowledged; on a GPU every poll of the port crosses PCIe).
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION bool peer_port_enabled(const worker_binding<S>& binding) {
  return binding.peer_in.control != nullptr &&
         control_access<S>::u32::load_acquire(&binding.control->peer_in_enabled) != 0;
}

/// Sets up `lane`'s context for peer messages: its ids continue from the count its last
/// dispatch loop stored (save_peer_sends); the port itself is bound at `run` (connect() writes
/// it while the kernel is not active, so it is read only after the acquire load of `run`).
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void resume_peer_ids(worker_counters& counters, std::uint32_t lane,
                                                 context& ctx) {
  ctx.impl_resume_peer_ids(lane, control_access<S>::u64::load_relaxed(&counters.peer_sends[lane]));
}

/// Stores how many peer messages `lane` sent, for the lane's next dispatch loop.
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void save_peer_sends(worker_counters& counters, std::uint32_t lane,
                                                 const context& ctx) {
  if (ctx.has_peer()) {
    control_access<S>::u64::store_relaxed(&counters.peer_sends[lane], ctx.impl_peer_sends());
  }
}

/// What a worker does when it sees a command it has not acted on: make the counters current
/// and acknowledge (release) with a fresh heartbeat, which lets the host relate this worker's
/// clock to its own. Shared by the CPU loop and the GPU warp loop.
template <messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void acknowledge_command(worker_counters& counters,
                                                     const worker_tally& tally,
                                                     kernel_command command) {
  using access = control_access<S>;
  tally.publish<S>(counters);
  access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
  access::u32::store_release(&counters.acknowledged, static_cast<std::uint32_t>(command));
}

}  // namespace detail

/// Runs one worker until the kernel is told to terminate or the handler fails.
template <class Handler, class Hooks, messaging::scope S>
RINGKERNELS_INLINE_FUNCTION void run_dispatch_loop(const Handler& handler,
                                                   const worker_binding<S>& binding, Hooks& hooks) {
  using access = control_access<S>;
  worker_counters& counters = binding.control->workers()[binding.worker];
  hybrid_logical_clock clock;
  context ctx;
  ctx.impl_bind(binding.name, binding.worker, &clock);
  ctx.impl_bind_control(&binding.control->command);
  detail::resume_peer_ids<S>(counters, 0, ctx);  // a CPU worker is one lane
  messaging::ring_consumer<S> in(binding.in);
  messaging::ring_producer<S> out(binding.out);
  // The output ring is never closed while its worker runs (terminate goes through the control
  // block): skip the closed check, a read across PCIe per reply on a GPU.
  out.skip_closed_check();
  detail::worker_tally tally;
  tally.resume<S>(counters);  // a relaunched worker continues the counts
  // Peers are polled only once connected: on a GPU every poll is a read across PCIe.
  bool has_peer_in = false;
  messaging::ring_consumer<messaging::scope::system> peer_in(binding.peer_in);  // maybe unbound
  detail::held_reply_for<Handler> held;  // a reply waiting for space while not running
  // Stopped after a handler failure: takes nothing until the host recovers the kernel (it
  // commands idle, which this worker then acknowledges afresh) or terminates it.
  bool halted = false;
  std::uint32_t acknowledged = ~0u;
  kernel_command command = kernel_command::idle;
  std::uint32_t busy_streak = 0;
  for (std::uint64_t iteration = 0;; ++iteration) {
    // While messages keep coming, the command is re-read every 8th iteration only: on a GPU
    // each read crosses PCIe. Control latency stays bounded (8 batches).
    if (busy_streak % 8 == 0) command = access::command(binding.control);
    ++tally.loop_iterations;
    if (iteration % 256 == 0) {
      tally.publish<S>(counters);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
    }
    if (halted) {
      if (command == kernel_command::terminate) break;
      if (command != kernel_command::idle) {
        hooks.idle();
        continue;
      }
      halted = false;  // the host is recovering the kernel: acknowledge idle below
    }
    if (static_cast<std::uint32_t>(command) != acknowledged) {
      acknowledged = static_cast<std::uint32_t>(command);
      if (command == kernel_command::run) {
        has_peer_in = detail::peer_port_enabled(binding);
        ctx.impl_bind_peer(binding.control->peer_out);
      }
      detail::acknowledge_command<S>(counters, tally, command);
    }
    if (command == kernel_command::terminate) {
      if (held.held) ++tally.dropped[static_cast<int>(drop_reason::reply_lost)];
      break;
    }
    // A held reply goes out before any new request is taken, whatever the command.
    if (!detail::flush_held_reply(held, out, tally) || command != kernel_command::run) {
      busy_streak = 0;  // not busy: read the command on every idle pass
      access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      tally.publish<S>(counters);
      // A held reply waits for the host to drain replies, which wakes nobody: short steps.
      if (held.held) {
        hooks.wait_for_room();
      } else {
        hooks.idle();
      }
      continue;
    }
    detail::batch_count batch =
        detail::dispatch_batch(handler, hooks, binding, in, out, true, ctx, tally, &held);
    std::uint32_t handled = batch.taken;
    if (!batch.failed && has_peer_in) {
      // Peer messages are handled like requests; their replies (if any) are not sent back.
      batch = detail::dispatch_batch(handler, hooks, binding, peer_in, out, false, ctx, tally);
      handled += batch.taken;
    }
    const bool failed = batch.failed;
    busy_streak = handled > 0 ? busy_streak + 1 : 0;
    if (handled > 0) tally.publish<S>(counters);
    if (failed) {
      // The failed message was counted as dropped (handler_failed) and released; the rest
      // stays queued. Say so, then wait for recovery or terminate. The acknowledgement is
      // withdrawn, so the host's recovery sees this worker's fresh `idle`, not an old one.
      access::u32::store_release(&counters.acknowledged, halted_acknowledgement);
      acknowledged = halted_acknowledgement;
      access::u32::store_release(&counters.faulted, 1u);
      access::u32::store_release(&binding.control->any_faulted, 1u);
      halted = true;
      busy_streak = 0;
      continue;
    }
    if (handled == 0) {
      // Idle iterations are cheap to stamp; busy ones stamp every 256 iterations (above).
      access::u64::store_relaxed(&counters.loop_iterations, tally.loop_iterations);
      access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
      hooks.idle();
    } else {
      hooks.busy();
    }
  }
  detail::save_peer_sends<S>(counters, 0, ctx);
  tally.publish<S>(counters);
  access::u64::store_relaxed(&counters.heartbeat, physical_time_ns() / 1000);
}

}  // namespace ringkernels

#endif

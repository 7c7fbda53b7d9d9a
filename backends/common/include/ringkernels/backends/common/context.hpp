// What a handler sees besides its request: which kernel and worker it runs on, the current
// message's metadata, the hybrid logical clock, and a port to a peer kernel (kernel-to-kernel
// messages that never pass through the host). Device-compatible: a context lives in the worker's
// registers/stack for the duration of a batch.
#ifndef RINGKERNELS_BACKENDS_COMMON_CONTEXT_HPP
#define RINGKERNELS_BACKENDS_COMMON_CONTEXT_HPP

#include <ringkernels/core/clock.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
#include <type_traits>

namespace ringkernels {

/// Bytes for a kernel's name in a context: the longest name (64, queue_registry.hpp) and its NUL.
inline constexpr int kernel_name_capacity = 65;

/// A GPU worker is a warp (32 lanes on NVIDIA) or a wavefront (64 on AMD), and each of its
/// lanes handles messages with a context of its own.
inline constexpr std::uint32_t max_lanes_per_worker = 64;
/// A peer message's id says who sent it: the worker (the top 12 bits), the lane (6 bits) and
/// that lane's count of sends (46 bits). The count continues across activations and
/// event-driven relaunches (worker_counters::peer_sends), so ids are unique per sending kernel
/// until one lane sent 2^46 messages.
inline constexpr int peer_id_sequence_bits = 46;
inline constexpr int peer_id_lane_bits = 6;
inline constexpr int peer_id_worker_bits = 64 - peer_id_sequence_bits - peer_id_lane_bits;
static_assert(max_lanes_per_worker == 1u << peer_id_lane_bits, "a lane number fills its bits");

class context {
 public:
  context() = default;

  /// The kernel's name ("vector_add"), NUL-terminated.
  RINGKERNELS_INLINE_FUNCTION const char* kernel_name() const { return name_; }
  /// Index of the worker (CPU thread or GPU block) running this handler call.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t worker_index() const { return worker_; }
  /// Message id and correlation id of the request being handled.
  RINGKERNELS_INLINE_FUNCTION std::uint64_t message_id() const { return message_id_; }
  RINGKERNELS_INLINE_FUNCTION std::uint64_t correlation_id() const { return correlation_id_; }
  /// The sender's HLC timestamp of the request being handled.
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp sent_at() const { return sent_at_; }
  /// A new HLC timestamp for an event in this handler, later than the request's send time
  /// (the clock merges the sender's timestamp lazily: reading the physical clock costs ~20 ns,
  /// too much to pay per message when the handler never asks).
  RINGKERNELS_INLINE_FUNCTION hlc_timestamp now() {
    const std::uint64_t now_us = hlc_physical_us(physical_time_ns());
    if (sent_at_.packed > clock_->last().packed) return clock_->receive(sent_at_, now_us);
    return clock_->tick(now_us);
  }

  /// Whether the host asked this kernel's workers to leave their loop (terminate, or the
  /// supervisor's relaunch after a stall): a handler that runs long (a solver loop, a wait on
  /// device memory) should look now and then and return when it says so. A look is one read of
  /// the control block (on a GPU, across PCIe). @note Device and host callable.
  RINGKERNELS_INLINE_FUNCTION bool stop_requested() const {
    return command_ != nullptr &&
           messaging::atomic_index<std::uint32_t, messaging::scope::system>::load_acquire(
               const_cast<std::uint32_t*>(command_)) == stop_command;
  }

  /// Whether this kernel was connected to a peer (runtime::connect).
  RINGKERNELS_INLINE_FUNCTION bool has_peer() const { return peer_.control != nullptr; }

  /// Sends `message` to the connected peer kernel's peer port. The peer's handler receives it
  /// as its Request (sizes must match; a mismatch is counted there as malformed). Returns the
  /// ring's result (full, closed, ...); never blocks. @note Device and host callable.
  template <class T>
  RINGKERNELS_INLINE_FUNCTION messaging::push_result send_to_peer(const T& message) {
    static_assert(std::is_trivially_copyable_v<T>, "peer messages must be trivially copyable");
    if (!has_peer()) return messaging::push_result::closed;
    messaging::frame_header header{};
    header.payload_bytes = static_cast<std::uint32_t>(sizeof(T));
    constexpr std::uint64_t sequence_mask = (std::uint64_t{1} << peer_id_sequence_bits) - 1;
    header.message_id =
        (static_cast<std::uint64_t>(worker_) << (peer_id_sequence_bits + peer_id_lane_bits)) |
        (static_cast<std::uint64_t>(lane_) << peer_id_sequence_bits) |
        (++peer_sequence_ & sequence_mask);
    header.correlation_id = message_id_;
    header.timestamp = now().packed;
    messaging::ring_producer<messaging::scope::system> producer(peer_);
    return producer.try_push(header, &message);
  }

  // --- runtime side (detail): set up by the dispatch loop -------------------------------------
  RINGKERNELS_INLINE_FUNCTION void impl_bind(const char* name, std::uint32_t worker,
                                             hybrid_logical_clock* clock) {
    for (int i = 0; i < kernel_name_capacity; ++i) {
      name_[i] = name[i];
      if (name[i] == '\0') break;
    }
    name_[kernel_name_capacity - 1] = '\0';
    worker_ = worker;
    clock_ = clock;
  }
  /// Where the host's commands are (the control block's command word): stop_requested().
  RINGKERNELS_INLINE_FUNCTION void impl_bind_control(const std::uint32_t* command) {
    command_ = command;
  }
  /// This context is `lane`'s, which sent `sent` peer messages in earlier dispatch loops: its
  /// peer message ids continue from there.
  RINGKERNELS_INLINE_FUNCTION void impl_resume_peer_ids(std::uint32_t lane, std::uint64_t sent) {
    lane_ = lane;
    peer_sequence_ = sent;
  }
  /// Where send_to_peer goes (unbound: nowhere).
  RINGKERNELS_INLINE_FUNCTION void impl_bind_peer(
      const messaging::ring_ref<messaging::scope::system>& peer) {
    peer_ = peer;
  }
  /// Peer messages this lane has sent (for the next context of the lane to continue).
  RINGKERNELS_INLINE_FUNCTION std::uint64_t impl_peer_sends() const { return peer_sequence_; }
  RINGKERNELS_INLINE_FUNCTION void impl_set_message(const messaging::frame_header& header) {
    message_id_ = header.message_id;
    correlation_id_ = header.correlation_id;
    sent_at_ = hlc_timestamp{header.timestamp};
  }

 private:
  char name_[kernel_name_capacity] = {};
  std::uint32_t worker_ = 0;
  std::uint32_t lane_ = 0;
  std::uint64_t message_id_ = 0;
  std::uint64_t correlation_id_ = 0;
  std::uint64_t peer_sequence_ = 0;
  hlc_timestamp sent_at_{};
  hybrid_logical_clock* clock_ = nullptr;
  const std::uint32_t* command_ = nullptr;
  messaging::ring_ref<messaging::scope::system> peer_{};
  /// kernel_command::terminate (control_block.hpp includes this header, not the other way).
  static constexpr std::uint32_t stop_command = 2u;
};

}  // namespace ringkernels

#endif

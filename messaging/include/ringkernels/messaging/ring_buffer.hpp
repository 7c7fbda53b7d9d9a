// An owning frame ring allocated in a Kokkos memory space (host memory, pinned device-mapped
// host memory, or device memory). Host-side object; hand ref() to producers and consumers,
// including kernels.
#ifndef RINGKERNELS_MESSAGING_RING_BUFFER_HPP
#define RINGKERNELS_MESSAGING_RING_BUFFER_HPP

#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/messaging/frame_ring.hpp>
#include <ringkernels/messaging/shared_bytes.hpp>

#include <Kokkos_Core.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace ringkernels::messaging {

/// Which index scope a ring in MemorySpace needs. Host memory and pinned mapped memory can be
/// shared with a GPU: system scope. Device memory is shared by that device's blocks only.
template <class MemorySpace>
struct scope_of {
  static constexpr scope value = scope::system;
};
#if defined(KOKKOS_ENABLE_CUDA)
template <>
struct scope_of<Kokkos::CudaSpace> {
  static constexpr scope value = scope::device;
};
#endif
#if defined(KOKKOS_ENABLE_HIP)
template <>
struct scope_of<Kokkos::Experimental::HIPSpace> {
  static constexpr scope value = scope::device;
};
#endif

/// How to build a ring. Capacity is in slots (rounded up to a power of two); memory is
/// slot_count * slot_stride(max_payload) plus one control block: it scales with the queue's own
/// frame limit, never with a global maximum.
struct ring_options {
  std::uint32_t slot_count = 1024;
  std::uint32_t max_payload = 256;  ///< frame limit in bytes, 1 .. max_payload_limit
  ring_producers producers = ring_producers::single;
  backpressure policy = backpressure::reject;
  /// Frames carry seals (frame_seal.hpp): for rings a GPU reads or writes across PCIe.
  bool sealed = false;

  /// Options for a ring of about `capacity_bytes` (at least 2 slots).
  static ring_options for_bytes(std::size_t capacity_bytes, std::uint32_t max_payload) {
    ring_options options;
    options.max_payload = max_payload;
    const std::size_t slots = capacity_bytes / slot_stride(max_payload);
    std::uint32_t count = 2;
    while (count * 2ull <= slots && count < (1u << 30)) count *= 2;
    options.slot_count = count;
    return options;
  }
};

/// Counters of a ring, read on the host.
struct ring_counters {
  std::uint64_t pushed = 0;    ///< tail: frames enqueued (reserved, for multi-producer rings)
  std::uint64_t released = 0;  ///< head: frames freed by the consumer or dropped
  std::uint64_t dropped_newest = 0;
  std::uint64_t dropped_oldest = 0;
  std::uint64_t refused_full = 0;
  std::uint64_t refused_invalid = 0;
  std::uint64_t skipped_malformed = 0;  ///< frames the consumer skipped as malformed (try_pop)
  bool closed = false;
};

template <class MemorySpace>
class ring_buffer {
 public:
  using memory_space = MemorySpace;
  static constexpr scope index_scope = scope_of<MemorySpace>::value;
  using ref_type = ring_ref<index_scope>;

  ring_buffer(const std::string& label, const ring_options& options)
      : options_(options), label_(label) {
    validate(label, options);
    std::uint64_t slots = 1;
    while (slots < options.slot_count) slots *= 2;
    const std::size_t stride = slot_stride(options.max_payload);
    const std::size_t bytes = sizeof(ring_control) + slots * stride;
    // Indices, counters and commit stamps must start at 0. Host-reachable memory is zeroed by
    // this thread (a Kokkos parallel fill would wake the OpenMP pool, whose spinning threads
    // then compete with the ring's own threads); device memory by a Kokkos fill.
    storage_ = shared_allocator<MemorySpace>::allocate(label, bytes);
    if constexpr (host_accessible) {
      std::memset(static_cast<void*>(storage_.data()), 0, bytes);
    } else {
      Kokkos::deep_copy(storage_.view, std::byte{0});
    }
    ref_.control = reinterpret_cast<ring_control*>(storage_.data());
    ref_.slots = storage_.data() + sizeof(ring_control);
    ref_.slot_count = slots;
    ref_.stride = static_cast<std::uint32_t>(stride);
    ref_.max_payload = options.max_payload;
    ref_.producers = options.producers;
    ref_.policy = options.policy;
    ref_.sealed = options.sealed;
  }

  const ref_type& ref() const { return ref_; }
  const ring_options& options() const { return options_; }
  std::uint64_t slot_count() const { return ref_.slot_count; }
  /// Bytes of memory the ring occupies in its memory space.
  std::size_t bytes() const { return storage_.size(); }
  std::string label() const { return label_; }

  /// Refuses further pushes (push_result::closed); frames already queued stay readable.
  void close() {
    if constexpr (host_accessible) {
      atomic_index<std::uint32_t, index_scope>::store_release(&ref_.control->closed, 1u);
    } else {
      Kokkos::View<std::uint32_t, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> flag(
          &ref_.control->closed);
      Kokkos::deep_copy(flag, 1u);
    }
  }

  ring_counters counters() const {
    ring_control copy{};
    if constexpr (host_accessible) {
      using u64 = atomic_index<std::uint64_t, index_scope>;
      ring_control* c = ref_.control;
      copy.tail = u64::load_acquire(&c->tail);
      copy.head = u64::load_acquire(&c->head);
      copy.dropped_newest = u64::load_relaxed(&c->dropped_newest);
      copy.dropped_oldest = u64::load_relaxed(&c->dropped_oldest);
      copy.refused_full = u64::load_relaxed(&c->refused_full);
      copy.refused_invalid = u64::load_relaxed(&c->refused_invalid);
      copy.skipped_malformed = u64::load_relaxed(&c->skipped_malformed);
      copy.closed = atomic_index<std::uint32_t, index_scope>::load_acquire(&c->closed);
    } else {
      Kokkos::View<ring_control, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> dst(
          &copy);
      Kokkos::View<ring_control, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> src(
          ref_.control);
      Kokkos::deep_copy(dst, src);
    }
    ring_counters result;
    result.pushed = copy.tail;
    result.released = copy.head;
    result.dropped_newest = copy.dropped_newest;
    result.dropped_oldest = copy.dropped_oldest;
    result.refused_full = copy.refused_full;
    result.refused_invalid = copy.refused_invalid;
    result.skipped_malformed = copy.skipped_malformed;
    result.closed = copy.closed != 0;
    return result;
  }

 private:
  static constexpr bool host_accessible =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemorySpace>::accessible;

  static void validate(const std::string& label, const ring_options& options) {
    if (options.max_payload == 0 || options.max_payload > max_payload_limit) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "ring '" + label + "': frame limit " + std::to_string(options.max_payload) +
                            " bytes is outside 1.." + std::to_string(max_payload_limit) +
                            "; pass larger data as a device-memory handle");
    }
    if (options.slot_count < 2 || options.slot_count > (1u << 30)) {
      RINGKERNELS_THROW(errc::invalid_argument, "ring '" + label + "': slot count " +
                                                    std::to_string(options.slot_count) +
                                                    " is outside 2..2^30");
    }
  }

  ring_options options_;
  std::string label_;
  shared_bytes<MemorySpace> storage_;
  ref_type ref_;
};

/// Host only: pushes with the block policy's semantics — waits with backoff for space until
/// `deadline`, then returns push_result::timed_out. Other results return at once.
template <scope S, class Clock, class Duration>
push_result push_blocking(ring_producer<S>& producer, const frame_header& header,
                          const void* payload, std::chrono::time_point<Clock, Duration> deadline) {
  backoff waiting;
  for (;;) {
    const push_result result = producer.try_push(header, payload);
    if (result != push_result::full) return result;
    if (Clock::now() >= deadline) return push_result::timed_out;
    waiting.pause();
  }
}

}  // namespace ringkernels::messaging

#endif

// A kernel's memory: one input and one output ring per worker, the peer port, and the control
// block, allocated at launch in the backend's memory space and freed only when nothing can
// touch them any more (retire()). Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_RINGS_HPP
#define RINGKERNELS_DETAIL_KERNEL_RINGS_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/logging.hpp>
#include <ringkernels/messaging/queue_registry.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ringkernels::detail {

/// Rings and control block of one kernel, in `MemorySpace`, indexed at scope `S`.
/// Not thread-safe: allocated and retired under the kernel's lifecycle; the rings themselves
/// are used concurrently through their own protocols.
template <class MemorySpace, messaging::scope S>
class kernel_rings {
 public:
  using ring_type = messaging::ring_buffer<MemorySpace>;
  using ring_list = std::vector<std::unique_ptr<ring_type>>;

  /// Allocates every ring and a zeroed control block (once; a second call does nothing).
  /// `sealed`: the backend's input and output rings carry frame seals.
  void allocate(const kernel_options& options, std::uint32_t frame_limit, bool sealed) {
    if (!inputs_.empty()) return;
    messaging::ring_options in_options;
    in_options.slot_count = options.queue_capacity;
    in_options.max_payload = frame_limit;
    in_options.producers = options.single_sender ? messaging::ring_producers::single
                                                 : messaging::ring_producers::multiple;
    in_options.sealed = sealed;
    in_options.policy = options.backpressure;
    messaging::ring_options out_options = in_options;
    out_options.policy = messaging::backpressure::reject;       // workers wait for room in theirs
    out_options.producers = messaging::ring_producers::single;  // one worker writes each
    for (int w = 0; w < options.workers; ++w) {
      inputs_.push_back(std::make_unique<ring_type>(options.name + ".in", in_options));
      outputs_.push_back(std::make_unique<ring_type>(options.name + ".out", out_options));
    }
    if constexpr (S == messaging::scope::system) {
      messaging::ring_options peer_options = in_options;
      peer_options.producers = messaging::ring_producers::multiple;  // any peer worker sends
      peer_options.sealed = false;  // its senders (CPU or GPU) publish with release stores
      peer_options.policy = messaging::backpressure::reject;  // a peer kernel never waits
      peer_input_ = std::make_unique<ring_type>(options.name + ".peer", peer_options);
    }
    control_storage_ = messaging::shared_allocator<MemorySpace>::allocate(
        options.name + ".control", control_block_bytes(options.workers));
    std::memset(static_cast<void*>(control_storage_.data()), 0, control_storage_.size());
    control()->worker_count = static_cast<std::uint32_t>(options.workers);
  }

  bool allocated() const { return control_storage_.data() != nullptr; }

  /// Registers the queues as `owner`'s; on a taken name, removes what it had added and throws.
  void register_queues(messaging::queue_registry& registry, const std::string& kernel,
                       const void* owner) {
    try {
      registry.add(kernel, messaging::ports::input, inputs_, owner);
      registry.add(kernel, messaging::ports::output, outputs_, owner);
      if (peer_input_) registry.add(kernel, "peer", *peer_input_, owner);
    } catch (...) {
      registry.remove_owned(owner);
      throw;
    }
  }

  /// What worker `w` runs on (the peer port goes to worker 0).
  worker_binding<S> binding_for(int w, const kernel_options& options) const {
    worker_binding<S> binding;
    binding.control = control();
    binding.worker = static_cast<std::uint32_t>(w);
    binding.max_batch = options.max_batch;
    binding.in = inputs_[static_cast<std::size_t>(w)]->ref();
    binding.out = outputs_[static_cast<std::size_t>(w)]->ref();
    if (w == 0) binding.peer_in = peer_input_ref();
    std::strncpy(binding.name, options.name.c_str(), kernel_name_capacity - 1);
    return binding;
  }

  control_block* control() const {
    return reinterpret_cast<control_block*>(control_storage_.data());
  }
  ring_type& input(std::uint32_t w) const { return *inputs_[w]; }
  const ring_list& outputs() const { return outputs_; }

  /// The peer input ring, for runtime::connect (unbound where the backend has none).
  messaging::ring_ref<messaging::scope::system> peer_input_ref() const {
    if constexpr (S == messaging::scope::system) {
      return peer_input_ ? peer_input_->ref() : messaging::ring_ref<messaging::scope::system>{};
    } else {
      return {};
    }
  }

  /// Waiting frames the drop_oldest policy dropped from the input rings (they were sent).
  std::uint64_t dropped_oldest() const {
    std::uint64_t total = 0;
    for (const auto& ring : inputs_) total += ring->counters().dropped_oldest;
    return total;
  }

  /// Frames a peer reserved a slot for in the peer ring (its tail; refused pushes do not move
  /// it): the peer-fed side of the telemetry balance.
  std::uint64_t peer_received() const { return peer_input_ ? peer_input_->counters().pushed : 0; }

  /// No sender may push any more (after the workers stopped).
  void close_inputs() {
    for (auto& ring : inputs_) ring->close();
    if (peer_input_) peer_input_->close();
  }

  /// Frames queued for the workers, peer port included.
  std::uint64_t pending() const {
    std::uint64_t total = 0;
    for (const auto& ring : inputs_) total += ring->ref().depth();
    if (peer_input_) total += peer_input_->ref().depth();
    return total;
  }
  std::uint64_t reply_queue_depth() const {
    std::uint64_t total = 0;
    for (const auto& ring : outputs_) total += ring->ref().depth();
    return total;
  }
  std::size_t bytes() const {
    std::size_t total = 0;
    for (const auto& ring : inputs_) total += ring->bytes();
    for (const auto& ring : outputs_) total += ring->bytes();
    if (peer_input_) total += peer_input_->bytes();
    return total;
  }

  /// Hands the memory over for the backend to free when nothing can touch it (retire_memory).
  std::shared_ptr<void> retire(std::string kernel) {
    auto memory = std::make_shared<retired_memory>(std::move(kernel));
    memory->inputs = std::move(inputs_);
    memory->outputs = std::move(outputs_);
    memory->peer_input = std::move(peer_input_);
    memory->control = std::move(control_storage_);
    return memory;
  }

 private:
  /// The rings and control block after the kernel object is gone.
  struct retired_memory {
    explicit retired_memory(std::string kernel) : name(std::move(kernel)) {}
    retired_memory(const retired_memory&) = delete;
    retired_memory& operator=(const retired_memory&) = delete;
    ~retired_memory() {
      if (control.data() == nullptr || Kokkos::is_initialized()) return;
      // Kokkos aborts the process when an allocation is freed after Kokkos::finalize. Memory
      // that outlived it (a handle kept past the ScopeGuard, or a worker stuck in a handler
      // that left only then) is leaked instead, and said so. README: destroy ring kernels and
      // the runtime before Kokkos::finalize.
      log::warn("kernel '" + name +
                "': its ring memory outlived Kokkos::finalize and is leaked (destroy ring "
                "kernels and the runtime before Kokkos::finalize / the ScopeGuard)");
      for (auto& ring : inputs) (void)ring.release();
      for (auto& ring : outputs) (void)ring.release();
      (void)peer_input.release();
      new messaging::shared_bytes<MemorySpace>(std::move(control));  // never freed
    }
    std::string name;
    ring_list inputs, outputs;
    std::unique_ptr<ring_type> peer_input;
    messaging::shared_bytes<MemorySpace> control;
  };

  ring_list inputs_;
  ring_list outputs_;
  std::unique_ptr<ring_type> peer_input_;
  messaging::shared_bytes<MemorySpace> control_storage_;
};

}  // namespace ringkernels::detail

#endif

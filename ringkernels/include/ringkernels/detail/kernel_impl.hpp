// The shared state behind a ring_kernel handle: rings, control block, workers, lifecycle, the
// reply router and host-side counters. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_IMPL_HPP
#define RINGKERNELS_DETAIL_KERNEL_IMPL_HPP

#include <ringkernels/backend_select.hpp>
#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/dispatch_loop.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/logging.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/lifecycle.hpp>
#include <ringkernels/messaging/queue_registry.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ringkernels::detail {

/// What the runtime needs from any kernel, whatever its execution space and handler.
class kernel_base {
 public:
  virtual ~kernel_base() = default;
  virtual const std::string& name() const = 0;
  virtual kernel_state current_state() = 0;
  /// Terminates unless already terminated or never launched; never throws.
  virtual void shut_down() noexcept = 0;
};

/// State shared by a runtime and all its kernels (kernels may outlive the runtime object).
struct runtime_state {
  topology machine;
  messaging::queue_registry registry;
};

template <class ExecSpace, class Handler>
class kernel_impl final : public kernel_base {
 public:
  using backend = backend_traits<ExecSpace>;
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  using reply_type = std::conditional_t<traits::has_reply, typename traits::reply_type, char>;
  using memory_space = typename backend::memory_space;
  using ring_type = messaging::ring_buffer<memory_space>;
  static constexpr messaging::scope scope = backend::ring_scope;
  using clock_type = std::chrono::steady_clock;

  kernel_impl(const Handler& handler, kernel_options options, std::shared_ptr<runtime_state> shared)
      : handler_(handler),
        options_(std::move(options)),
        shared_(std::move(shared)),
        machine_(shared_->machine),
        registry_(shared_->registry) {
    validate_options();
  }

  ~kernel_impl() override {
    shut_down();
    registry_.remove_owned(this);  // only what this kernel registered: never a namesake's
    auto memory = std::make_shared<retired_memory>(options_.name);
    memory->inputs = std::move(inputs_);
    memory->outputs = std::move(outputs_);
    memory->peer_input = std::move(peer_input_);
    memory->control = std::move(control_storage_);
    // The backend decides when the rings and the control block are freed: on a GPU, freeing
    // pinned memory waits for every resident kernel (device_residency.hpp); on the CPU, a
    // worker stuck in a handler past terminate's deadline keeps them until it leaves.
    launcher_.retire_memory(std::move(memory));
  }

  const std::string& name() const override { return options_.name; }

  /// Terminates a live kernel (the runtime or the last handle is going) and says, at warn
  /// level, what that discarded or left running: nothing is dropped silently.
  void shut_down() noexcept override {
    try {
      refresh_fault();
      const kernel_state now = state();
      if (now == kernel_state::terminated || now == kernel_state::created) return;
      const terminate_report report = terminate();
      if (report.pending > 0) {
        log::warn("kernel '" + options_.name + "' shut down with " +
                  std::to_string(report.pending) + " queued request(s) discarded");
      }
      if (!report.stopped) log::warn("kernel '" + options_.name + "': " + report.detail);
    } catch (...) {  // shutting down must not throw; terminate() reports through its result
    }
  }

  // --- lifecycle ---------------------------------------------------------------------------
  void launch() {
    std::lock_guard lock(lifecycle_mutex_);
    require_state(options_.name, "launch", state(), {kernel_state::created});
    allocate_rings();
    register_queues();
    std::vector<worker_binding<scope>> bindings;
    for (int w = 0; w < options_.workers; ++w) bindings.push_back(binding_for(w));
    const pin_plan plan = machine_.plan_pinning(options_.pinning, options_.workers);
    pin_note_ =
        launcher_.start(machine_, plan, handler_, std::move(bindings), handler_times_, options_);
    started_ = clock_type::now();
    set_state(kernel_state::launched);
  }

  /// Workers start consuming. After a host handler's failure (faulted) this recovers the
  /// kernel first: the failed message stays counted as dropped, the queued ones are handled.
  void activate() {
    std::lock_guard lock(lifecycle_mutex_);
    refresh_fault();
    if (state() == kernel_state::faulted) recover_from_fault();
    command_locked(kernel_command::run, "activate", kernel_state::active);
  }
  void deactivate() {
    std::lock_guard lock(lifecycle_mutex_);
    refresh_fault();
    command_locked(kernel_command::idle, "deactivate", kernel_state::inactive);
  }

  /// Stops the workers (bounded by options.terminate_timeout) and reports. A second call
  /// returns the first call's report.
  terminate_report terminate() {
    std::lock_guard lock(lifecycle_mutex_);
    if (final_report_) return *final_report_;
    refresh_fault();
    require_state(options_.name, "terminate", state(),
                  {kernel_state::launched, kernel_state::active, kernel_state::inactive,
                   kernel_state::faulted});
    const bool was_faulted = state() == kernel_state::faulted;
    // seq_cst, paired with the senders' seq_cst increment of senders_in_flight_: a sender
    // either sees `terminating` and refuses, or is counted and waited for below.
    state_.store(kernel_state::terminating, std::memory_order_seq_cst);
    const auto start = clock_type::now();
    control_access<scope>::set_command(control(), kernel_command::terminate);
    launcher_.wake_all();
    terminate_report report;
    report.stopped = launcher_.wait_stopped(start + options_.terminate_timeout);
    for (auto& ring : inputs_) ring->close();
    if (peer_input_) peer_input_->close();
    wait_for_senders(start + options_.terminate_timeout);
    report.took = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start);
    report.pending = pending();
    report.workers_still_running = launcher_.still_running();
    if (!report.stopped) {
      report.detail = std::to_string(report.workers_still_running) +
                      " worker(s) did not leave their loop within " +
                      std::to_string(options_.terminate_timeout.count()) +
                      " ms (stuck in a handler?) and still run, detached; the kernel's memory "
                      "is kept until they leave";
    } else if (was_faulted) {
      report.detail = fault_;
    }
    // Replies first, then the state: a future that sees `terminated` finds its reply routed.
    settle_replies_after_stop();
    stopped_at_ = clock_type::now();
    set_state(kernel_state::terminated);
    final_report_ = report;
    return report;
  }

  kernel_state state() const { return state_.load(std::memory_order_acquire); }

  /// The state, after noticing a worker fault. @threadsafe
  kernel_state current_state() override {
    refresh_fault();
    return state();
  }

  std::string fault_message() {
    refresh_fault();
    std::lock_guard lock(fault_mutex_);
    return fault_;
  }

  // --- sending -----------------------------------------------------------------------------
  /// Enqueues one request whose reply a reply_future will claim (registered before the push:
  /// a fast worker can reply before the push returns). `id` receives the message id.
  messaging::push_result send_expecting_reply(const request_type& request, std::uint64_t& id) {
    id = next_message_id_.fetch_add(1, std::memory_order_relaxed);
    expect_reply(id);
    const messaging::push_result result = send_with_id(request, id);
    if (!messaging::enqueued(result)) forget_reply(id);
    return result;
  }

  /// Enqueues one request (fire-and-forget).
  messaging::push_result send(const request_type& request) {
    return send_with_id(request, next_message_id_.fetch_add(1, std::memory_order_relaxed));
  }

  /// Enqueues one request with the given id. `closed` once the kernel terminates or faults
  /// (no worker would read the ring).
  messaging::push_result send_with_id(const request_type& request, std::uint64_t message_id) {
    const sender_guard guard(*this);
    if (!guard.may_send()) return messaging::push_result::closed;
    messaging::frame_header header{};
    header.payload_bytes = sizeof(request_type);
    header.message_id = message_id;
    header.timestamp = next_send_stamps();
    const messaging::push_result result = push(pick_worker(message_id), header, &request);
    if (messaging::enqueued(result)) {
      sent_.fetch_add(1, std::memory_order_relaxed);
    } else if (result == messaging::push_result::full) {
      refused_full_.fetch_add(1, std::memory_order_relaxed);
    }
    return result;
  }

  /// Enqueues up to `count` requests with one publication per worker ring; returns how many.
  /// Chunks rotate over the workers.
  std::size_t send_batch(const request_type* requests, std::size_t count) {
    return send_chunks(requests, count, [this] {
      return static_cast<std::uint32_t>(next_batch_worker_.fetch_add(1, std::memory_order_relaxed) %
                                        static_cast<std::uint64_t>(options_.workers));
    });
  }

  /// The same into one worker's ring (one host thread per worker streams without contention).
  std::size_t send_batch_to(int worker, const request_type* requests, std::size_t count) {
    const auto w = checked_worker(worker, "send_batch_to");
    return send_chunks(requests, count, [w] { return w; });
  }

  // --- replies -----------------------------------------------------------------------------
  /// Registers interest in the reply to `id` (before the request is sent).
  void expect_reply(std::uint64_t id) {
    std::lock_guard lock(reply_mutex_);
    awaited_.emplace(id, std::nullopt);
    update_routing_locked();
  }
  /// The request `id` was never enqueued: no reply will come.
  void forget_reply(std::uint64_t id) {
    std::lock_guard lock(reply_mutex_);
    awaited_.erase(id);
    update_routing_locked();
  }
  /// Nobody will take the reply to `id` (its future was dropped, or get() timed out or gave
  /// up): a reply already routed is discarded now, a later one when it arrives. Both are
  /// counted (replies_abandoned) and never reach receive().
  void abandon_reply(std::uint64_t id) {
    std::lock_guard lock(reply_mutex_);
    auto found = awaited_.find(id);
    if (found == awaited_.end()) return;
    if (found->second) {
      replies_abandoned_.fetch_add(1, std::memory_order_relaxed);
    } else {
      abandoned_.insert(id);
    }
    awaited_.erase(found);
    update_routing_locked();
  }

  /// Takes the reply to `id` if it has arrived (polling the output rings once).
  std::optional<reply_type> take_reply(std::uint64_t id) {
    std::lock_guard lock(reply_mutex_);
    auto found = awaited_.find(id);
    if (found == awaited_.end()) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "no reply awaited for message " + std::to_string(id));
    }
    if (!found->second) drain_replies_locked();
    found = awaited_.find(id);
    if (!found->second) return std::nullopt;
    std::optional<reply_type> reply = found->second;
    awaited_.erase(found);
    update_routing_locked();
    return reply;
  }

  /// Copies up to `max` replies not claimed by call() futures, oldest first.
  std::size_t receive(reply_type* out, std::size_t max) {
    std::lock_guard lock(reply_mutex_);
    // Streaming (no call() future waiting or abandoned, nothing queued): copy straight from
    // the rings.
    if (awaited_.empty() && abandoned_.empty() && unclaimed_.empty()) {
      return copy_replies_locked(out, max);
    }
    if (unclaimed_.size() < max) drain_replies_locked();
    std::size_t n = 0;
    while (n < max && !unclaimed_.empty()) {
      out[n++] = unclaimed_.front();
      unclaimed_.pop_front();
    }
    return n;
  }

  /// receive() for one worker's ring only; only its lock is taken while no call() waits.
  std::size_t receive_from(int worker, reply_type* out, std::size_t max) {
    const auto w = checked_worker(worker, "receive_from");
    if (routed_.load(std::memory_order_acquire) == 0) {
      std::lock_guard lock(reader_mutexes_[w]);
      return copy_from_ring(w, out, max);
    }
    return receive(out, max);
  }

  void record_end_to_end(std::uint64_t nanoseconds) { end_to_end_.record(nanoseconds); }

  // --- observation -------------------------------------------------------------------------
  telemetry_snapshot snapshot() {
    refresh_fault();
    telemetry_snapshot s;
    s.kernel = options_.name;
    s.backend = backend::name;
    s.state = to_string(state());
    s.sent = sent_.load(std::memory_order_relaxed);
    // The peer ring's tail counts every frame a peer reserved a slot for (refused pushes do
    // not move it): the peer-fed side of the balance.
    if (peer_input_) s.peer_received = peer_input_->counters().pushed;
    s.refused_full = refused_full_.load(std::memory_order_relaxed);
    s.replies_received = replies_received_.load(std::memory_order_relaxed);
    s.replies_abandoned = replies_abandoned_.load(std::memory_order_relaxed);
    s.replies_malformed = replies_malformed_.load(std::memory_order_relaxed);
    if (control_storage_.data() != nullptr) {
      for (int w = 0; w < options_.workers; ++w) {
        worker_counters& c = control()->workers()[w];
        using access = control_access<scope>;
        s.received += access::read(&c.received);
        s.processed += access::read(&c.processed);
        s.replies_sent += access::read(&c.replies_sent);
        s.dropped_malformed += access::read(&c.dropped[static_cast<int>(drop_reason::malformed)]);
        s.dropped_handler_failed +=
            access::read(&c.dropped[static_cast<int>(drop_reason::handler_failed)]);
        s.dropped_reply_lost += access::read(&c.dropped[static_cast<int>(drop_reason::reply_lost)]);
        s.loop_iterations += access::read(&c.loop_iterations);
      }
      s.pending = pending();
      for (const auto& ring : outputs_) s.reply_queue_depth += ring->ref().depth();
    }
    const auto end = state() == kernel_state::terminated ? stopped_at_ : clock_type::now();
    s.uptime_seconds = started_ ? std::chrono::duration<double>(end - *started_).count() : 0.0;
    s.handler_ns = handler_times_->buckets();
    s.end_to_end_ns = end_to_end_.buckets();
    return s;
  }

  const kernel_options& options() const { return options_; }
  const std::string& pin_note() const { return pin_note_; }
  std::size_t ring_bytes() const {
    std::size_t total = 0;
    for (const auto& ring : inputs_) total += ring->bytes();
    for (const auto& ring : outputs_) total += ring->bytes();
    if (peer_input_) total += peer_input_->bytes();
    return total;
  }
  std::uint32_t frame_limit() const { return frame_limit_; }

  /// The peer input ring (created at launch), for runtime::connect.
  messaging::ring_ref<messaging::scope::system> peer_input_ref() const {
    if constexpr (scope == messaging::scope::system) {
      return peer_input_ ? peer_input_->ref() : messaging::ring_ref<messaging::scope::system>{};
    } else {
      return {};
    }
  }
  /// Sets where this kernel's context::send_to_peer goes. Not while the kernel is active:
  /// workers read it when they start running.
  void connect_peer(const messaging::ring_ref<messaging::scope::system>& ring) {
    std::lock_guard lock(lifecycle_mutex_);
    require_state(options_.name, "connect", state(),
                  {kernel_state::launched, kernel_state::inactive});
    control()->peer_out = ring;
  }

  /// Records that kernel `sender`, whose threads are `side` ("host threads", "cuda device 0"),
  /// sends into this kernel's peer port; refuses a sender of another side than the first.
  void admit_peer_sender(const std::string& sender, const std::string& side) {
    std::lock_guard lock(lifecycle_mutex_);
    if (peer_sender_side_.empty()) {
      peer_sender_side_ = side;
      first_peer_sender_ = sender;
      return;
    }
    if (side == peer_sender_side_) return;
    RINGKERNELS_THROW(errc::unsupported,
                      "kernel '" + sender + "' (" + side + ") cannot send into the peer port of '" +
                          options_.name + "': its senders are " + peer_sender_side_ + " (kernel '" +
                          first_peer_sender_ +
                          "'), and atomics of the two sides on one port are not atomic with "
                          "each other (no host-native atomics between a GPU and the host)");
  }

  /// Makes workers poll this kernel's peer port (from their next activation on).
  void enable_peer_input() {
    std::lock_guard lock(lifecycle_mutex_);
    require_state(options_.name, "connect", state(),
                  {kernel_state::launched, kernel_state::inactive});
    control_access<scope>::u32::store_release(&control()->peer_in_enabled, 1u);
  }

 private:
  void validate_options() {
    (void)messaging::queue_name(options_.name, "in");  // throws on a bad name
    if (options_.workers < 1 || options_.workers > max_workers_per_kernel) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "kernel '" + options_.name +
                            "': workers = " + std::to_string(options_.workers) + " is outside 1.." +
                            std::to_string(max_workers_per_kernel));
    }
    if (options_.acknowledge_timeout.count() < 1 || options_.terminate_timeout.count() < 1) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "kernel '" + options_.name + "': acknowledge_timeout (" +
                            std::to_string(options_.acknowledge_timeout.count()) +
                            " ms) and terminate_timeout (" +
                            std::to_string(options_.terminate_timeout.count()) +
                            " ms) must be at least 1 ms");
    }
    if (options_.max_batch < 1) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "kernel '" + options_.name + "': max_batch must be >= 1");
    }
    frame_limit_ = static_cast<std::uint32_t>(traits::frame_limit);
    validate_ring_memory();
  }

  /// Refuses ring sizes that cannot be allocated before anything is (Kokkos would fail deep
  /// inside with "Allocation of size 128 G failed"), naming both numbers.
  void validate_ring_memory() const {
    if (options_.queue_capacity < 1 || options_.queue_capacity > max_queue_capacity) {
      RINGKERNELS_THROW(errc::invalid_argument, "kernel '" + options_.name + "': queue_capacity " +
                                                    std::to_string(options_.queue_capacity) +
                                                    " is outside 1.." +
                                                    std::to_string(max_queue_capacity));
    }
    std::uint64_t slots = 1;
    while (slots < options_.queue_capacity) slots *= 2;
    const std::uint64_t per_ring =
        sizeof(messaging::ring_control) + slots * messaging::slot_stride(frame_limit_);
    const std::uint64_t rings = 2 * static_cast<std::uint64_t>(options_.workers) + 1;
    const std::uint64_t total = per_ring * rings;
    const std::uint64_t memory = physical_memory_bytes();
    if (memory != 0 && total > memory / 2) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "kernel '" + options_.name + "': its " + std::to_string(rings) +
                            " rings of " + std::to_string(slots) + " slots of " +
                            std::to_string(messaging::slot_stride(frame_limit_)) + " B need " +
                            std::to_string(total >> 20) + " MiB, more than half of this host's " +
                            std::to_string(memory >> 20) +
                            " MiB of memory; lower queue_capacity or workers");
    }
  }

  void allocate_rings() {
    if (!inputs_.empty()) return;
    messaging::ring_options in_options;
    in_options.slot_count = options_.queue_capacity;
    in_options.max_payload = frame_limit_;
    in_options.producers = options_.single_sender ? messaging::ring_producers::single
                                                  : messaging::ring_producers::multiple;
    in_options.sealed = backend::sealed_frames;
    messaging::ring_options out_options = in_options;
    out_options.producers = messaging::ring_producers::single;  // one worker writes each
    for (int w = 0; w < options_.workers; ++w) {
      inputs_.push_back(std::make_unique<ring_type>(options_.name + ".in", in_options));
      outputs_.push_back(std::make_unique<ring_type>(options_.name + ".out", out_options));
      if (options_.single_sender) producers_.emplace_back(inputs_.back()->ref());
    }
    for (const auto& ring : outputs_) reply_readers_.emplace_back(ring->ref());
    reader_mutexes_ = std::make_unique<std::mutex[]>(outputs_.size());
    if constexpr (scope == messaging::scope::system) {
      messaging::ring_options peer_options = in_options;
      peer_options.producers = messaging::ring_producers::multiple;  // any peer worker sends
      peer_options.sealed = false;  // its senders (CPU or GPU) publish with release stores
      peer_input_ = std::make_unique<ring_type>(options_.name + ".peer", peer_options);
    }
    control_storage_ = Kokkos::View<std::byte*, memory_space>(
        Kokkos::view_alloc(options_.name + ".control", Kokkos::WithoutInitializing),
        control_block_bytes(options_.workers));
    std::memset(static_cast<void*>(control_storage_.data()), 0, control_storage_.extent(0));
    control()->worker_count = static_cast<std::uint32_t>(options_.workers);
  }

  /// Registers this kernel's queues as its own; on a taken name, removes what it had added.
  void register_queues() {
    try {
      registry_.add(options_.name, messaging::ports::input, inputs_, this);
      registry_.add(options_.name, messaging::ports::output, outputs_, this);
      if (peer_input_) registry_.add(options_.name, "peer", *peer_input_, this);
    } catch (...) {
      registry_.remove_owned(this);
      throw;
    }
  }

  worker_binding<scope> binding_for(int w) {
    worker_binding<scope> binding;
    binding.control = control();
    binding.worker = static_cast<std::uint32_t>(w);
    binding.max_batch = options_.max_batch;
    binding.in = inputs_[static_cast<std::size_t>(w)]->ref();
    binding.out = outputs_[static_cast<std::size_t>(w)]->ref();
    if (w == 0) binding.peer_in = peer_input_ref();
    std::strncpy(binding.name, options_.name.c_str(), kernel_name_capacity - 1);
    return binding;
  }

  control_block* control() { return reinterpret_cast<control_block*>(control_storage_.data()); }

  /// Sends `what` to every worker and waits for their acknowledgements; on a timeout the
  /// previous command is restored (the state keeps saying what the workers do) and it throws.
  /// Called with lifecycle_mutex_ held.
  void command_locked(kernel_command what, const char* operation, kernel_state target) {
    if (what == kernel_command::run) {
      require_state(options_.name, operation, state(),
                    {kernel_state::launched, kernel_state::inactive});
    } else {
      require_state(options_.name, operation, state(), {kernel_state::active});
    }
    const kernel_command previous = control_access<scope>::command(control());
    control_access<scope>::set_command(control(), what);
    launcher_.wake_all();
    try {
      wait_acknowledged(what, operation);
    } catch (const error&) {
      control_access<scope>::set_command(control(), previous);
      launcher_.wake_all();
      throw;
    }
    if (what == kernel_command::run) record_clock_offsets();
    set_state(target);
  }

  /// A host handler threw: its worker halted (the message counted as dropped). Brings every
  /// worker back to idle and clears the fault, so the kernel is inactive again. A GPU kernel
  /// that died took its context with it: that cannot be undone here.
  void recover_from_fault() {
    const std::string died = launcher_.launch_failure();
    if (!died.empty()) {
      RINGKERNELS_THROW(errc::wrong_state, "kernel '" + options_.name + "' faulted (" + died +
                                               "); it cannot be reactivated: terminate it and "
                                               "launch it again");
    }
    control_access<scope>::set_command(control(), kernel_command::idle);
    launcher_.wake_all();
    wait_acknowledged(kernel_command::idle, "activate", /*faulted_count_as_done=*/false);
    for (int w = 0; w < options_.workers; ++w) {
      control_access<scope>::u32::store_release(&control()->workers()[w].faulted, 0u);
    }
    control_access<scope>::u32::store_release(&control()->any_faulted, 0u);
    {
      std::lock_guard lock(fault_mutex_);
      fault_.clear();
    }
    set_state(kernel_state::inactive);
  }

  /// Each worker stamped its heartbeat with its own clock (a GPU's %globaltimer need not agree
  /// with the host's clock) just before acknowledging: remember the difference.
  void record_clock_offsets() {
    const std::int64_t host_us = static_cast<std::int64_t>(physical_time_ns() / 1000);
    std::lock_guard lock(fault_mutex_);
    clock_offsets_us_.assign(static_cast<std::size_t>(options_.workers), 0);
    for (int w = 0; w < options_.workers; ++w) {
      const auto beat = static_cast<std::int64_t>(
          control_access<scope>::read(&control()->workers()[w].heartbeat));
      clock_offsets_us_[static_cast<std::size_t>(w)] = host_us - beat;
    }
  }

 public:
  /// Workers of an active kernel whose heartbeat is older than options.stall_after, described;
  /// empty when none.
  std::string stall_report() {
    if (current_state() != kernel_state::active) return {};
    const std::int64_t host_us = static_cast<std::int64_t>(physical_time_ns() / 1000);
    std::lock_guard lock(fault_mutex_);
    std::string report;
    for (int w = 0; w < options_.workers && static_cast<std::size_t>(w) < clock_offsets_us_.size();
         ++w) {
      const auto beat = static_cast<std::int64_t>(
          control_access<scope>::read(&control()->workers()[w].heartbeat));
      const std::int64_t age_us = host_us - (beat + clock_offsets_us_[static_cast<std::size_t>(w)]);
      if (age_us >
          std::chrono::duration_cast<std::chrono::microseconds>(options_.stall_after).count()) {
        report += (report.empty() ? "" : "; ") + std::string("worker ") + std::to_string(w) +
                  ": no heartbeat for " + std::to_string(age_us / 1000) + " ms";
      }
    }
    return report;
  }

 private:
  /// Waits until every worker has acted on `what` (or faulted).
  void wait_acknowledged(kernel_command what, const char* operation,
                         bool faulted_count_as_done = true) {
    const auto deadline = clock_type::now() + options_.acknowledge_timeout;
    backoff waiting;
    for (;;) {
      int pending_workers = 0;
      for (int w = 0; w < options_.workers; ++w) {
        worker_counters& c = control()->workers()[w];
        using u32 = messaging::atomic_index<std::uint32_t, scope>;
        if (u32::load_acquire(&c.acknowledged) != static_cast<std::uint32_t>(what) &&
            (!faulted_count_as_done || u32::load_acquire(&c.faulted) == 0)) {
          ++pending_workers;
        }
      }
      if (pending_workers == 0) return;
      if (clock_type::now() >= deadline) {
        RINGKERNELS_THROW(errc::timed_out,
                          "kernel '" + options_.name + "': " + std::to_string(pending_workers) +
                              " worker(s) did not acknowledge " + operation + "() within " +
                              std::to_string(options_.acknowledge_timeout.count()) + " ms");
      }
      waiting.pause();
    }
  }

  void refresh_fault() {
    const kernel_state now = state();
    if (now == kernel_state::faulted || now == kernel_state::terminated ||
        now == kernel_state::created || control_storage_.data() == nullptr) {
      return;
    }
    // A GPU kernel that traps sets no flag: ask the launcher, at most every millisecond
    // (cudaStreamQuery costs about a microsecond, too much for every poll of a waiter).
    const auto now_ticks = clock_type::now().time_since_epoch().count();
    auto last = last_launch_check_.load(std::memory_order_relaxed);
    const auto period =
        std::chrono::duration_cast<clock_type::duration>(std::chrono::milliseconds(1)).count();
    if (now_ticks - last >= period &&
        last_launch_check_.compare_exchange_strong(last, now_ticks, std::memory_order_relaxed)) {
      std::lock_guard lock(fault_mutex_);
      std::string died = launcher_.launch_failure();
      if (!died.empty()) {
        fault_ = died;
        set_state(kernel_state::faulted);
        return;
      }
    }
    for (int w = 0; w < options_.workers; ++w) {
      using u32 = messaging::atomic_index<std::uint32_t, scope>;
      if (u32::load_acquire(&control()->workers()[w].faulted) != 0) {
        // The worker wrote its message before publishing the flag we just acquired.
        std::string message = launcher_.failure_of(static_cast<std::uint32_t>(w));
        {
          std::lock_guard lock(fault_mutex_);
          fault_ = "worker " + std::to_string(w) +
                   " faulted: " + (message.empty() ? "unknown failure" : message);
        }
        set_state(kernel_state::faulted);
        return;
      }
    }
  }

  void set_state(kernel_state value) { state_.store(value, std::memory_order_release); }

  /// Counts a sender in flight for as long as it lives, so that terminate() counts what it
  /// pushed as pending (a send racing the rings' close was missed before). seq_cst pairs with
  /// terminate()'s store of `terminating`.
  class sender_guard {
   public:
    explicit sender_guard(kernel_impl& kernel) : kernel_(kernel) {
      kernel_.senders_in_flight_.fetch_add(1, std::memory_order_seq_cst);
      const kernel_state now = kernel_.state_.load(std::memory_order_seq_cst);
      // A faulted kernel's rings have no reader: refuse, from one word of the control block
      // (a GPU kernel that died is noticed by refresh_fault(), through the state).
      allowed_ = (now == kernel_state::launched || now == kernel_state::active ||
                  now == kernel_state::inactive) &&
                 control_access<scope>::u32::load_acquire(&kernel_.control()->any_faulted) == 0;
    }
    ~sender_guard() { kernel_.senders_in_flight_.fetch_sub(1, std::memory_order_release); }
    sender_guard(const sender_guard&) = delete;
    sender_guard& operator=(const sender_guard&) = delete;
    bool may_send() const { return allowed_; }

   private:
    kernel_impl& kernel_;
    bool allowed_ = false;
  };

  void wait_for_senders(clock_type::time_point deadline) {
    backoff waiting;
    while (senders_in_flight_.load(std::memory_order_acquire) != 0 &&
           clock_type::now() < deadline) {
      waiting.pause();
    }
  }

  /// Hybrid-logical-clock stamps for `count` sends from any host thread: the first of
  /// `count` consecutive stamps, all later than every earlier stamp of this kernel's senders
  /// (one clock shared by them, lock-free).
  std::uint64_t next_send_stamps(std::uint64_t count = 1) {
    const std::uint64_t now = hlc_physical_now().packed;
    std::uint64_t last = host_clock_.load(std::memory_order_relaxed);
    for (;;) {
      // last + 1 carries a full logical counter into the physical part, as the HLC does.
      const std::uint64_t first = now > last ? now : last + 1;
      if (host_clock_.compare_exchange_weak(last, first + count - 1, std::memory_order_relaxed)) {
        return first;
      }
    }
  }

  template <class PickWorker>
  std::size_t send_chunks(const request_type* requests, std::size_t count, PickWorker pick) {
    const sender_guard guard(*this);
    if (!guard.may_send()) return 0;
    constexpr std::size_t chunk = 64;
    messaging::frame_header headers[chunk];
    const void* payloads[chunk];
    std::size_t done = 0;
    while (done < count) {
      const std::size_t n = count - done < chunk ? count - done : chunk;
      const std::uint64_t first_id = next_message_id_.fetch_add(n, std::memory_order_relaxed);
      const std::uint64_t stamp = next_send_stamps(n);
      for (std::size_t i = 0; i < n; ++i) {
        headers[i] = messaging::frame_header{};
        headers[i].payload_bytes = sizeof(request_type);
        headers[i].message_id = first_id + i;
        headers[i].timestamp = stamp + i;
        payloads[i] = &requests[done + i];
      }
      const std::uint32_t pushed = push_n(pick(), headers, payloads, static_cast<std::uint32_t>(n));
      done += pushed;
      if (pushed < n) break;  // ids handed out but not used are harmless: they need only be unique
    }
    sent_.fetch_add(done, std::memory_order_relaxed);
    return done;
  }

  std::uint32_t checked_worker(int worker, const char* operation) const {
    if (worker < 0 || worker >= options_.workers) {
      RINGKERNELS_THROW(errc::invalid_argument, "kernel '" + options_.name + "': " + operation +
                                                    "(" + std::to_string(worker) +
                                                    "): workers are 0.." +
                                                    std::to_string(options_.workers - 1));
    }
    return static_cast<std::uint32_t>(worker);
  }

  std::uint32_t pick_worker(std::uint64_t message_id) const {
    return options_.workers == 1 ? 0u
                                 : static_cast<std::uint32_t>(
                                       message_id % static_cast<std::uint64_t>(options_.workers));
  }

  /// Pushes one frame to `worker`'s ring and wakes the worker if it sleeps (host backends).
  messaging::push_result push(std::uint32_t worker, const messaging::frame_header& header,
                              const void* payload) {
    messaging::push_result result;
    if (options_.single_sender) {
      result = producers_[worker].try_push(header, payload);
    } else {
      messaging::ring_producer<scope> producer(inputs_[worker]->ref());
      result = producer.try_push(header, payload);
    }
    if (messaging::enqueued(result)) launcher_.wake(worker);
    return result;
  }

  std::uint32_t push_n(std::uint32_t worker, const messaging::frame_header* headers,
                       const void* const* payloads, std::uint32_t n) {
    std::uint32_t pushed = 0;
    if (options_.single_sender) {
      pushed = producers_[worker].try_push_n(headers, payloads, n);
    } else {
      messaging::ring_producer<scope> producer(inputs_[worker]->ref());
      pushed = producer.try_push_n(headers, payloads, n);
    }
    if (pushed > 0) launcher_.wake(worker);
    return pushed;
  }

  std::uint64_t pending() const {
    std::uint64_t total = 0;
    for (const auto& ring : inputs_) total += ring->ref().depth();
    if (peer_input_) total += peer_input_->ref().depth();
    return total;
  }

  /// Whether a frame from an output ring is a reply this kernel can deliver. Checked from a
  /// local copy of the header before anything is copied: never trust what a ring holds.
  bool reply_frame_ok(const messaging::frame_header& header) {
    if (messaging::is_frame_of<reply_type>(header, frame_limit_, messaging::frame_flags::reply)) {
      return true;
    }
    replies_malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  /// Copies up to `max` replies from output ring `w` into `out`, without routing (only while
  /// no call() future waits or was abandoned). Called with reader_mutexes_[w] held.
  std::size_t copy_from_ring(std::size_t w, reply_type* out, std::size_t max) {
    auto& reader = reply_readers_[w];
    const std::uint32_t ready =
        reader.available(static_cast<std::uint32_t>(std::min<std::size_t>(max, 256)));
    std::size_t copied = 0;
    for (std::uint32_t i = 0; i < ready; ++i) {
      const messaging::frame_view frame = reader.frame(i);
      if (!reply_frame_ok(messaging::load_header(frame.header))) continue;
      std::memcpy(static_cast<void*>(&out[copied++]), frame.payload, sizeof(reply_type));
    }
    if (ready > 0) reader.release(ready);
    replies_received_.fetch_add(ready, std::memory_order_relaxed);
    return copied;
  }

  /// The same over every ring, starting at a different one each time so no worker's replies
  /// wait behind the others'. Called with reply_mutex_ held.
  std::size_t copy_replies_locked(reply_type* out, std::size_t max) {
    std::size_t n = 0;
    for (std::size_t r = 0; r < reply_readers_.size() && n < max; ++r) {
      const std::size_t w = (next_reply_ring_ + r) % reply_readers_.size();
      std::lock_guard lock(reader_mutexes_[w]);
      n += copy_from_ring(w, out + n, max - n);
    }
    ++next_reply_ring_;
    return n;
  }

  /// Moves every reply waiting in the output rings to its future's slot or to the unclaimed
  /// queue. Called with reply_mutex_ held; each ring's reader mutex makes this thread its consumer.
  void drain_replies_locked() {
    std::uint64_t taken = 0;
    for (std::size_t w = 0; w < reply_readers_.size(); ++w) {
      auto& reader = reply_readers_[w];
      std::lock_guard lock(reader_mutexes_[w]);
      for (;;) {
        const std::uint32_t n = reader.available(256);
        if (n == 0) break;
        for (std::uint32_t i = 0; i < n; ++i) route_locked(reader.frame(i));
        reader.release(n);
        taken += n;
      }
    }
    replies_received_.fetch_add(taken, std::memory_order_relaxed);
    update_routing_locked();
  }

  /// One reply frame to its future's slot, to the abandoned (discarded, counted), or to the
  /// unclaimed queue for receive(). Called with reply_mutex_ held.
  void route_locked(const messaging::frame_view& frame) {
    const messaging::frame_header header = messaging::load_header(frame.header);
    if (!reply_frame_ok(header)) return;
    reply_type reply;
    std::memcpy(static_cast<void*>(&reply), frame.payload, sizeof(reply_type));
    auto awaited = awaited_.find(header.correlation_id);
    if (awaited != awaited_.end()) {
      awaited->second = reply;
    } else if (abandoned_.erase(header.correlation_id) != 0) {
      replies_abandoned_.fetch_add(1, std::memory_order_relaxed);
    } else {
      unclaimed_.push_back(reply);
    }
  }

  /// Whether replies must be routed (a future waits for one, or one was abandoned) rather
  /// than copied straight to receive_from(). Called with reply_mutex_ held.
  void update_routing_locked() {
    routed_.store(awaited_.size() + abandoned_.size(), std::memory_order_release);
  }

  /// After the workers stopped: every reply they produced is in the rings. Route them all, so
  /// that futures find theirs and abandoned ones are counted; a reply to an abandoned request
  /// that never came (it stayed pending) cannot come any more, so stop waiting for it. A
  /// worker still running (detached) can still reply: its replies go to receive().
  void settle_replies_after_stop() {
    std::lock_guard lock(reply_mutex_);
    drain_replies_locked();
    abandoned_.clear();
    update_routing_locked();
  }

  /// A kernel's rings and control block after the kernel object is gone, until nothing can
  /// touch them any more.
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
      new Kokkos::View<std::byte*, memory_space>(std::move(control));  // never freed
    }
    std::string name;
    std::vector<std::unique_ptr<ring_type>> inputs, outputs;
    std::unique_ptr<ring_type> peer_input;
    Kokkos::View<std::byte*, memory_space> control;
  };

  Handler handler_;
  kernel_options options_;
  std::shared_ptr<runtime_state> shared_;
  const topology& machine_;
  messaging::queue_registry& registry_;
  std::uint32_t frame_limit_ = 0;

  std::vector<std::unique_ptr<ring_type>> inputs_;
  std::vector<std::unique_ptr<ring_type>> outputs_;
  std::unique_ptr<ring_type> peer_input_;
  std::string peer_sender_side_;   ///< whose threads send into the peer port (admit_peer_sender)
  std::string first_peer_sender_;  ///< the kernel that set peer_sender_side_
  std::vector<messaging::ring_producer<scope>> producers_;  // single_sender only
  Kokkos::View<std::byte*, memory_space> control_storage_;
  typename backend::template launcher<Handler> launcher_;
  std::string pin_note_;

  std::atomic<kernel_state> state_{kernel_state::created};
  std::mutex lifecycle_mutex_;
  std::mutex fault_mutex_;
  std::string fault_;
  std::optional<clock_type::time_point> started_;
  std::atomic<clock_type::rep> last_launch_check_{0};
  std::vector<std::int64_t> clock_offsets_us_;
  clock_type::time_point stopped_at_{};

  std::atomic<std::uint64_t> next_message_id_{1};
  std::atomic<std::uint64_t> host_clock_{0};      ///< the senders' HLC (next_send_stamp)
  std::atomic<int> senders_in_flight_{0};         ///< sender_guard
  std::optional<terminate_report> final_report_;  ///< under lifecycle_mutex_
  std::atomic<std::uint64_t> next_batch_worker_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> refused_full_{0};
  std::atomic<std::uint64_t> replies_received_{0};

  // Lock order: reply_mutex_ (awaited_, unclaimed_) before a ring's reader mutex.
  std::mutex reply_mutex_;
  std::vector<messaging::ring_consumer<scope>> reply_readers_;
  std::unique_ptr<std::mutex[]> reader_mutexes_;  ///< one per output ring: its one consumer
  std::atomic<std::size_t> routed_{0};  ///< awaited_.size() + abandoned_.size(), lock-free
  std::unordered_map<std::uint64_t, std::optional<reply_type>> awaited_;
  std::unordered_set<std::uint64_t> abandoned_;  ///< ids whose replies are to be discarded
  std::atomic<std::uint64_t> replies_abandoned_{0};
  std::atomic<std::uint64_t> replies_malformed_{0};
  std::deque<reply_type> unclaimed_;
  std::size_t next_reply_ring_ = 0;

  // Shared with the workers: one stuck in a handler past terminate may still record into it.
  std::shared_ptr<latency_histogram> handler_times_ = std::make_shared<latency_histogram>();
  latency_histogram end_to_end_;
};

}  // namespace ringkernels::detail

#endif

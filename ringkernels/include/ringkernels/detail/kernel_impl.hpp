// The shared state behind a ring_kernel handle, composed of one small type per job:
// kernel_rings (memory), kernel_control (lifecycle, faults, stalls), kernel_sender (sending),
// reply_router (replies) and kernel_telemetry. This class orders them: launch, activate,
// deactivate, terminate. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_IMPL_HPP
#define RINGKERNELS_DETAIL_KERNEL_IMPL_HPP

#include <ringkernels/backend_select.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/logging.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/detail/kernel_control.hpp>
#include <ringkernels/detail/kernel_rings.hpp>
#include <ringkernels/detail/kernel_sender.hpp>
#include <ringkernels/detail/kernel_telemetry.hpp>
#include <ringkernels/detail/options_check.hpp>
#include <ringkernels/detail/reply_router.hpp>
#include <ringkernels/detail/restart_book.hpp>
#include <ringkernels/lifecycle.hpp>
#include <ringkernels/messaging/queue_registry.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ringkernels::detail {

/// What the runtime needs from any kernel, whatever its execution space and handler.
class kernel_base {
 public:
  virtual ~kernel_base() = default;
  virtual const std::string& name() const = 0;
  virtual kernel_state current_state() = 0;
  /// A copy of the counters now (runtime::telemetry(), the metrics endpoint). @threadsafe
  virtual telemetry_snapshot snapshot() = 0;
  /// Terminates unless already terminated or never launched; never throws.
  virtual void shut_down() noexcept = 0;
  /// The supervisor's look (kernel_options::restart): relaunches after a fault or a stall when
  /// one is due. Never throws.
  virtual void supervise() noexcept = 0;
};

/// State shared by a runtime and all its kernels (kernels may outlive the runtime object).
struct runtime_state {
  topology machine;
  messaging::queue_registry registry;

  /// Keeps `memory` until the runtime and every kernel it made are gone: an actor system whose
  /// ref() a handler of another system may hold (actor_system::ref()) must not be freed when
  /// its own handle goes first.
  void keep_until_runtime_ends(std::shared_ptr<void> memory) {
    std::lock_guard lock(kept_mutex_);
    for (const auto& kept : kept_) {
      if (kept == memory) return;
    }
    kept_.push_back(std::move(memory));
  }

 private:
  std::mutex kept_mutex_;
  std::vector<std::shared_ptr<void>> kept_;
};

template <class ExecSpace, class Handler>
class kernel_impl final : public kernel_base {
 public:
  using backend = backend_traits<ExecSpace>;
  using traits = handler_traits<Handler>;
  using request_type = typename traits::request_type;
  using reply_type = std::conditional_t<traits::has_reply, typename traits::reply_type, char>;
  using memory_space = typename backend::memory_space;
  static constexpr messaging::scope scope = backend::ring_scope;
  using launcher_type = typename backend::template launcher<Handler>;
  using rings_type = kernel_rings<memory_space, scope>;
  using clock_type = std::chrono::steady_clock;

  kernel_impl(const Handler& handler, kernel_options options, std::shared_ptr<runtime_state> shared)
      : handler_(handler),
        options_(std::move(options)),
        shared_(std::move(shared)),
        machine_(shared_->machine),
        registry_(shared_->registry) {
    check_kernel_options(options_, frame_limit_);
    if (options_.backpressure == messaging::backpressure::drop_oldest &&
        (backend::gpu_threads || traits::runs_own_loop)) {
      RINGKERNELS_THROW(errc::unsupported,
                        "kernel '" + options_.name +
                            "': backpressure drop_oldest is for ring "
                            "kernels on the host backends (GPU workers do not claim their batches; "
                            "an actor system counted the oldest message as sent): use reject, "
                            "block or drop_newest");
    }
  }

  ~kernel_impl() override {
    shut_down();
    registry_.remove_owned(this);  // only what this kernel registered: never a namesake's
    // The backend decides when the rings and the control block are freed: on a GPU, freeing
    // pinned memory waits for every resident kernel (device_residency.hpp); on the CPU, a
    // worker stuck in a handler past terminate's deadline keeps them until it leaves.
    launcher_.retire_memory(std::make_shared<retired_together>(rings_.retire(options_.name),
                                                               std::move(attached_memory_)));
  }

  const std::string& name() const override { return options_.name; }

  /// Terminates a live kernel (the runtime or the last handle is going) and says, at warn
  /// level, what that discarded or left running: nothing is dropped silently.
  void shut_down() noexcept override {
    try {
      control_.refresh_fault();
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
  /// Loads what launch() needs on the device ahead of it (runtime::spawn with launch = false).
  void preload() { launcher_type::preload(options_); }

  void launch() {
    std::lock_guard lock(lifecycle_mutex_);
    require_state(options_.name, "launch", state(), {kernel_state::created});
    rings_.allocate(options_, frame_limit_, backend::sealed_frames);
    rings_.register_queues(registry_, options_.name, this);
    control_.attach(rings_.control());
    sender_.bind();
    std::vector<messaging::ring_ref<scope>> outputs;
    for (const auto& ring : rings_.outputs()) outputs.push_back(ring->ref());
    replies_.bind(outputs, frame_limit_);
    pin_note_ = launcher_.start(workers_request());
    started_ = clock_type::now();
    control_.set_state(kernel_state::launched);
  }

  /// Workers start consuming. After a host handler's failure (faulted) this recovers the
  /// kernel first: the failed message stays counted as dropped, the queued ones are handled.
  void activate() {
    std::lock_guard lock(lifecycle_mutex_);
    control_.refresh_fault();
    if (state() == kernel_state::faulted) control_.recover_from_fault();
    control_.command(kernel_command::run, "activate", kernel_state::active);
  }
  void deactivate() {
    std::lock_guard lock(lifecycle_mutex_);
    control_.refresh_fault();
    control_.command(kernel_command::idle, "deactivate", kernel_state::inactive);
  }

  /// Stops the workers (bounded by options.terminate_timeout) and reports. A second call
  /// returns the first call's report.
  terminate_report terminate() {
    std::lock_guard lock(lifecycle_mutex_);
    if (final_report_) return *final_report_;
    control_.refresh_fault();
    require_state(options_.name, "terminate", state(),
                  {kernel_state::launched, kernel_state::active, kernel_state::inactive,
                   kernel_state::faulted});
    const bool was_faulted = state() == kernel_state::faulted;
    // seq_cst, paired with the senders' seq_cst count (kernel_sender::sender_guard): a sender
    // either sees `terminating` and refuses, or is counted and waited for below.
    control_.state_word().store(kernel_state::terminating, std::memory_order_seq_cst);
    const auto start = clock_type::now();
    control_.order_terminate();
    terminate_report report;
    report.stopped = launcher_.wait_stopped(start + options_.terminate_timeout);
    rings_.close_inputs();
    sender_.wait_for_senders(start + options_.terminate_timeout);
    report.took = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start);
    report.pending = rings_.pending();
    report.workers_still_running = launcher_.still_running();
    if (!report.stopped) {
      report.detail = std::to_string(report.workers_still_running) +
                      " worker(s) did not leave their loop within " +
                      std::to_string(options_.terminate_timeout.count()) +
                      " ms (stuck in a handler?) and still run, detached; the kernel's memory "
                      "is kept until they leave";
    } else if (was_faulted) {
      report.detail = control_.fault_message();
    }
    // Replies first, then the state: a future that sees `terminated` finds its reply routed.
    replies_.settle_after_stop();
    stopped_at_ = clock_type::now();
    control_.set_state(kernel_state::terminated);
    final_report_ = report;
    return report;
  }

  // --- supervision (kernel_options::restart, the runtime's supervisor) ----------------------
  void supervise() noexcept override {
    try {
      const std::string trigger = supervision_trigger();
      if (trigger.empty()) {
        restarts_.cleared();
        return;
      }
      if (restarts_.seen(trigger, clock_type::now()) != restart_book::verdict::relaunch) return;
      const auto start = clock_type::now();
      if (std::optional<std::string> why = relaunch()) {
        restarts_.failed(*why);
        log::error("kernel '" + options_.name + "': relaunch after " + trigger +
                   " failed: " + *why);
        return;
      }
      const auto end = clock_type::now();
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(end - start);
      restarts_.relaunched(end, took);
      log::warn("kernel '" + options_.name + "' relaunched after " + trigger + " (" +
                std::to_string(took.count()) + " us)");
    } catch (const std::exception& failure) {
      control_.mark_faulted(std::string("relaunch failed: ") + failure.what());
      restarts_.failed(failure.what());
    } catch (...) {
      control_.mark_faulted("relaunch failed");
      restarts_.failed("unknown exception");
    }
  }

  supervision_status supervision() { return restarts_.status(clock_type::now()); }
  /// An actor system's checkpoint was written to `path` (the loss window starts here).
  void checkpoint_written(const std::string& path) {
    restarts_.checkpoint_written(path, sender_.sent());
  }

  /// Stops the workers and starts new ones on the same rings, control block and attached
  /// memory (an actor system's states and mailboxes), back at the command they had: what was
  /// queued is handled afterwards. Returns why it could not be done, or nothing.
  std::optional<std::string> relaunch() {
    std::lock_guard lock(lifecycle_mutex_);
    control_.refresh_fault();
    const kernel_state before = state();
    if (before == kernel_state::terminating || before == kernel_state::terminated ||
        before == kernel_state::created) {
      return std::string("the kernel is ") + to_string(before);
    }
    if (const std::optional<std::string> died = launcher_.launch_failure()) {
      return "the GPU kernel died (" + *died +
             ") and took its GPU context with it: nothing runs on that context again; restore "
             "the last checkpoint in a new process" +
             restarts_.context_lost(sender_.sent());
    }
    const kernel_command resume_with =
        control_.commanded() == kernel_command::run ? kernel_command::run : kernel_command::idle;
    if (std::optional<std::string> why = stop_workers("relaunch")) return why;
    start_workers(resume_with, "relaunch");
    control_.set_state(resume_with == kernel_command::run ? kernel_state::active
                       : before == kernel_state::launched ? kernel_state::launched
                                                          : kernel_state::inactive);
    return std::nullopt;
  }

  /// Runs `work` while no worker is resident (they leave their loop, and new ones start after,
  /// idle as before): on a GPU a copy out of device memory runs at full speed only then (H200,
  /// into pinned memory: 0.3 GB/s beside the resident workers, 54 GB/s without them). Needs
  /// the kernel launched or inactive. Throws errc::timed_out (and the kernel is faulted) if the
  /// workers do not leave within terminate_timeout.
  template <class Work>
  void with_workers_stopped(const char* operation, Work&& work) {
    std::lock_guard lock(lifecycle_mutex_);
    control_.refresh_fault();
    require_state(options_.name, operation, state(),
                  {kernel_state::launched, kernel_state::inactive});
    if (std::optional<std::string> why = stop_workers(operation)) {
      RINGKERNELS_THROW(errc::timed_out,
                        "kernel '" + options_.name + "': " + operation + "(): " + *why);
    }
    try {
      work();
    } catch (...) {
      start_workers(kernel_command::idle, operation);
      throw;
    }
    start_workers(kernel_command::idle, operation);
  }

  kernel_state state() const { return control_.state(); }

  /// The state, after noticing a worker fault. @threadsafe
  kernel_state current_state() override {
    control_.refresh_fault();
    return state();
  }

  std::string fault_message() {
    control_.refresh_fault();
    return control_.fault_message();
  }

  /// Workers of an active kernel whose heartbeat is older than options.stall_after.
  std::vector<worker_stall> stalls() {
    control_.refresh_fault();
    return control_.stalls();
  }

  // --- sending -----------------------------------------------------------------------------
  /// Enqueues one request whose reply a reply_future will claim (registered before the push:
  /// a fast worker can reply before the push returns). `id` receives the message id.
  [[nodiscard]] messaging::push_result send_expecting_reply(const request_type& request,
                                                            std::uint64_t& id) {
    id = sender_.next_id();
    replies_.expect(id);
    const messaging::push_result result = sender_.send_with_id(request, id);
    if (!messaging::enqueued(result)) replies_.forget(id);
    return result;
  }
  /// Enqueues one request (fire-and-forget).
  [[nodiscard]] messaging::push_result send(const request_type& request) {
    return sender_.send_with_id(request, sender_.next_id());
  }
  /// Enqueues one request into worker `worker`'s ring (fire-and-forget).
  [[nodiscard]] messaging::push_result send_to_worker(std::uint32_t worker,
                                                      const request_type& request) {
    return sender_.send_to(worker, request, sender_.next_id());
  }
  /// send_expecting_reply() into worker `worker`'s ring.
  [[nodiscard]] messaging::push_result send_expecting_reply_to(std::uint32_t worker,
                                                               const request_type& request,
                                                               std::uint64_t& id) {
    id = sender_.next_id();
    replies_.expect(id);
    const messaging::push_result result = sender_.send_to(worker, request, id);
    if (!messaging::enqueued(result)) replies_.forget(id);
    return result;
  }
  std::size_t send_batch(const request_type* requests, std::size_t count) {
    return sender_.send_batch(requests, count);
  }
  /// The same into one worker's ring (one host thread per worker streams without contention).
  std::size_t send_batch_to(int worker, const request_type* requests, std::size_t count) {
    return sender_.send_batch_to(checked_worker(options_, worker, "send_batch_to"), requests,
                                 count);
  }

  // --- replies (reply_router) ----------------------------------------------------------------
  void abandon_reply(std::uint64_t id) { replies_.abandon(id); }
  std::optional<reply_type> take_reply(std::uint64_t id) { return replies_.take(id); }
  std::size_t receive(reply_type* out, std::size_t max) { return replies_.receive(out, max); }
  std::size_t receive_from(int worker, reply_type* out, std::size_t max) {
    return replies_.receive_from(checked_worker(options_, worker, "receive_from"), out, max);
  }
  void record_end_to_end(std::uint64_t nanoseconds) { telemetry_.end_to_end.record(nanoseconds); }

  // --- observation -------------------------------------------------------------------------
  telemetry_snapshot snapshot() override {
    control_.refresh_fault();
    telemetry_snapshot s;
    s.kernel = options_.name;
    s.backend = backend::name;
    s.state = to_string(state());
    s.sent = sender_.sent();
    s.peer_received = rings_.peer_received();
    s.refused_full = sender_.refused_full();
    s.dropped_newest = sender_.dropped_newest();
    s.replies_received = replies_.received();
    s.replies_abandoned = replies_.abandoned();
    s.replies_malformed = replies_.malformed();
    if (rings_.allocated()) {
      add_worker_counters<scope>(s, rings_.control(), options_.workers);
      s.pending = rings_.pending();
      s.dropped_oldest = rings_.dropped_oldest();
      s.reply_queue_depth = rings_.reply_queue_depth();
    }
    {
      // Written under it by activate() and terminate(); the metrics endpoint reads from its own
      // thread.
      std::lock_guard lock(lifecycle_mutex_);
      const auto end = state() == kernel_state::terminated ? stopped_at_ : clock_type::now();
      s.uptime_seconds = started_ ? std::chrono::duration<double>(end - *started_).count() : 0.0;
    }
    const supervision_status supervision = restarts_.status(clock_type::now());
    s.restarts = static_cast<std::uint64_t>(supervision.restarts);
    s.circuit_open = supervision.circuit_open;
    s.handler_ns = telemetry_.handler_times->buckets();
    s.end_to_end_ns = telemetry_.end_to_end.buckets();
    return s;
  }

  const kernel_options& options() const { return options_; }
  const std::string& pin_note() const { return pin_note_; }
  std::size_t ring_bytes() const { return rings_.bytes(); }
  std::uint32_t frame_limit() const { return frame_limit_; }

  /// Memory the workers use besides the kernel's rings (an actor system's states and
  /// mailboxes): freed with the rings, when no worker can touch it any more. Before launch.
  void attach_memory(std::shared_ptr<void> memory) { attached_memory_ = std::move(memory); }
  /// The runtime's shared state (actor_system::ref() keeps its memory there).
  runtime_state& shared_state() const { return *shared_; }

  // --- peer ports (runtime::connect) --------------------------------------------------------
  /// The peer input ring (created at launch).
  messaging::ring_ref<messaging::scope::system> peer_input_ref() const {
    return rings_.peer_input_ref();
  }
  /// Sets where this kernel's context::send_to_peer goes. Not while the kernel is active:
  /// workers read it when they start running.
  void connect_peer(const messaging::ring_ref<messaging::scope::system>& ring) {
    std::lock_guard lock(lifecycle_mutex_);
    require_state(options_.name, "connect", state(),
                  {kernel_state::launched, kernel_state::inactive});
    rings_.control()->peer_out = ring;
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
    control_access<scope>::u32::store_release(&rings_.control()->peer_in_enabled, 1u);
  }

 private:
  /// What the launcher needs to start the workers (at launch and at each relaunch).
  launch_request<Handler, scope> workers_request() {
    std::vector<worker_binding<scope>> bindings;
    for (int w = 0; w < options_.workers; ++w) bindings.push_back(rings_.binding_for(w, options_));
    return launch_request<Handler, scope>{machine_,
                                          machine_.plan_pinning(options_.pinning, options_.workers),
                                          handler_,
                                          std::move(bindings),
                                          telemetry_.handler_times,
                                          options_};
  }

  /// Orders every worker out of its loop and waits (terminate_timeout); returns why they did
  /// not all leave (the kernel is then faulted), or nothing. Caller holds the lifecycle mutex.
  std::optional<std::string> stop_workers(const char* operation) {
    const auto start = clock_type::now();
    control_.order_terminate();
    if (launcher_.wait_stopped(start + options_.terminate_timeout)) return std::nullopt;
    const std::string why = std::to_string(launcher_.still_running()) +
                            " worker(s) did not leave their loop within " +
                            std::to_string(options_.terminate_timeout.count()) +
                            " ms (inside a handler that does not watch context::stop_requested()?)";
    control_.mark_faulted(std::string(operation) + " failed: " + why);
    return why;
  }

  /// Starts new workers on the same rings and memory and gives them `command` (idle or run),
  /// each acknowledgement bounded by acknowledge_timeout. Caller holds the lifecycle mutex.
  void start_workers(kernel_command command, const char* operation) {
    control_.reset_for_relaunch();
    pin_note_ = launcher_.start(workers_request());
    control_.resume(kernel_command::idle, operation);
    if (command == kernel_command::run) control_.resume(kernel_command::run, operation);
  }

  /// A fault, or (under on_fault_or_stall) a stall, as the supervisor names it; empty if none.
  std::string supervision_trigger() {
    const kernel_state now = current_state();
    if (now == kernel_state::faulted) return "fault: " + control_.fault_message();
    if (options_.restart.policy != restart_policy::on_fault_or_stall) return {};
    const std::vector<worker_stall> stalled = stalls();
    return stalled.empty() ? std::string() : "stall: " + describe(stalled);
  }

  /// The rings and the attached memory, retired as one.
  struct retired_together {
    retired_together(std::shared_ptr<void> kernel_rings, std::shared_ptr<void> attached_memory)
        : rings(std::move(kernel_rings)), attached(std::move(attached_memory)) {}
    std::shared_ptr<void> rings;
    std::shared_ptr<void> attached;
  };

  Handler handler_;
  kernel_options options_;
  std::shared_ptr<runtime_state> shared_;
  const topology& machine_;
  messaging::queue_registry& registry_;
  const std::uint32_t frame_limit_ = static_cast<std::uint32_t>(traits::frame_limit);

  // Declaration order is construction order: each part refers only to parts above it.
  rings_type rings_;
  launcher_type launcher_;
  kernel_control<scope, launcher_type> control_{options_, launcher_};
  kernel_sender<request_type, scope, rings_type, launcher_type> sender_{options_, rings_, launcher_,
                                                                        control_.state_word()};
  reply_router<reply_type, scope> replies_;
  kernel_telemetry telemetry_;
  restart_book restarts_{options_.restart};

  std::mutex lifecycle_mutex_;
  std::string pin_note_;
  std::string peer_sender_side_;   ///< whose threads send into the peer port (admit_peer_sender)
  std::string first_peer_sender_;  ///< the kernel that set peer_sender_side_
  std::optional<clock_type::time_point> started_;
  clock_type::time_point stopped_at_{};
  std::optional<terminate_report> final_report_;  ///< under lifecycle_mutex_
  std::shared_ptr<void> attached_memory_;         ///< attach_memory()
};

}  // namespace ringkernels::detail

#endif

// The handle of a launched ring kernel: lifecycle, sending, calling, receiving, telemetry.
// Copies share one kernel. Every member is @threadsafe unless it says otherwise.
#ifndef RINGKERNELS_RING_KERNEL_HPP
#define RINGKERNELS_RING_KERNEL_HPP

#include <ringkernels/detail/kernel_impl.hpp>
#include <ringkernels/reply_future.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace ringkernels {

/// The kernel's state and what it has done, for people and monitoring.
struct kernel_status {
  kernel_state state;
  std::string fault;     ///< why the kernel faulted, when it did
  bool stalled = false;  ///< a worker of an active kernel stopped beating (options.stall_after)
  std::string stall;     ///< which workers, for how long (describe(stalled_workers))
  telemetry_snapshot telemetry;
  std::vector<worker_stall> stalled_workers;  ///< the same, one entry per silent worker
  supervision_status supervision;             ///< relaunches by the supervisor (options.restart)
};

template <class ExecSpace, class Handler>
class ring_kernel {
 public:
  using impl_type = detail::kernel_impl<ExecSpace, Handler>;
  using request_type = typename impl_type::request_type;
  using reply_type = typename impl_type::reply_type;

  explicit ring_kernel(std::shared_ptr<impl_type> impl) : impl_(std::move(impl)) {}

  const std::string& name() const { return impl_->name(); }
  const char* backend() const { return impl_type::backend::name; }

  /// Workers start consuming. Needs launched or inactive; waits for every worker's ack.
  void activate() { impl_->activate(); }
  /// Workers stop consuming and idle (resident); queued messages stay queued. Needs active.
  void deactivate() { impl_->deactivate(); }
  /// Stops the workers within options.terminate_timeout (100 ms) and reports what was pending.
  terminate_report terminate() { return impl_->terminate(); }

  kernel_state state() const { return impl_->current_state(); }
  kernel_status status() const {
    std::vector<worker_stall> stalls = impl_->stalls();
    kernel_status status{impl_->current_state(),
                         impl_->fault_message(),
                         !stalls.empty(),
                         describe(stalls),
                         impl_->snapshot(),
                         {},
                         {}};
    status.stalled_workers = std::move(stalls);
    status.supervision = impl_->supervision();
    return status;
  }
  telemetry_snapshot snapshot() const { return impl_->snapshot(); }

  /// Fire-and-forget: enqueues the request; its reply (if the handler has one) is read with
  /// receive(). Never blocks: `full` when the input ring is full, `closed` after terminate.
  [[nodiscard]] messaging::push_result send(const request_type& request) {
    return impl_->send(request);
  }
  /// Enqueues up to `count` requests, one index publication per batch; returns how many.
  std::size_t send_batch(const request_type* requests, std::size_t count) {
    return impl_->send_batch(requests, count);
  }
  /// Copies up to `max` replies to send()s into `out`; returns how many (0 when none yet).
  std::size_t receive(reply_type* out, std::size_t max) { return impl_->receive(out, max); }
  /// The same, waiting (with backoff) up to `timeout` for at least one reply; 0 when none came
  /// by then, or the kernel stopped (faulted or terminated) with none left.
  template <class Rep, class Period>
  std::size_t receive(reply_type* out, std::size_t max,
                      std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    backoff waiting;
    for (;;) {
      const kernel_state state = impl_->current_state();  // before the look, as reply_future
      if (const std::size_t n = impl_->receive(out, max); n > 0 || max == 0) return n;
      if (state == kernel_state::faulted || state == kernel_state::terminated) return 0;
      if (std::chrono::steady_clock::now() >= deadline) return 0;
      waiting.pause();
    }
  }

  /// Streaming from several host threads: each thread feeds and drains its own workers
  /// (0 .. options.workers - 1), so no two threads meet on a ring (single_sender is then
  /// allowed). While no call() future waits, receive_from(w) takes only worker w's replies,
  /// under that ring's lock alone; otherwise replies are routed as receive() does. Do not mix
  /// call() from one thread with receive_from() streaming on the same kernel from another.
  std::size_t send_batch_to(int worker, const request_type* requests, std::size_t count) {
    return impl_->send_batch_to(worker, requests, count);
  }
  std::size_t receive_from(int worker, reply_type* out, std::size_t max) {
    return impl_->receive_from(worker, out, max);
  }

  /// Request/response: enqueues the request and returns a future for its reply. Throws
  /// errc::wrong_state unless the kernel is active, errc::queue_full when its input ring is
  /// full (back off and call again), errc::wrong_state when it stopped meanwhile;
  /// errc::timed_out... from get().
  reply_future<impl_type> call(const request_type& request) {
    static_assert(handler_traits<Handler>::has_reply, "call() needs a handler with a Reply type");
    const kernel_state now = impl_->current_state();
    require_state(impl_->name(), "call", now, {kernel_state::active});
    std::uint64_t id = 0;
    // Register before sending: the reply may arrive before send() returns.
    const messaging::push_result result = impl_->send_expecting_reply(request, id);
    if (!messaging::enqueued(result)) {
      const errc code = result == messaging::push_result::full     ? errc::queue_full
                        : result == messaging::push_result::closed ? errc::wrong_state
                                                                   : errc::invalid_argument;
      RINGKERNELS_THROW(code, "kernel '" + impl_->name() + "': call() could not enqueue (" +
                                  messaging::to_string(result) + ")");
    }
    return reply_future<impl_type>(impl_, id);
  }

  /// Total bytes of this kernel's rings, and the frame limit they were sized for.
  std::size_t ring_bytes() const { return impl_->ring_bytes(); }
  std::uint32_t frame_limit() const { return impl_->frame_limit(); }
  const kernel_options& options() const { return impl_->options(); }
  /// Why pinning was not as asked (fewer cores than workers), or empty.
  const std::string& pin_note() const { return impl_->pin_note(); }

  std::shared_ptr<impl_type> impl() const { return impl_; }

 private:
  std::shared_ptr<impl_type> impl_;
};

}  // namespace ringkernels

#endif

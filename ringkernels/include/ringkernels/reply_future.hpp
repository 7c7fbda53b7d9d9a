// The result of ring_kernel::call(): the reply to one request, matched by correlation id. get()
// polls the kernel's output rings itself (no pump thread in the data path) with backoff, and
// every wait has a deadline.
#ifndef RINGKERNELS_REPLY_FUTURE_HPP
#define RINGKERNELS_REPLY_FUTURE_HPP

#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/lifecycle.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace ringkernels {

template <class Impl>
class reply_future {
 public:
  using reply_type = typename Impl::reply_type;

  reply_future(std::shared_ptr<Impl> kernel, std::uint64_t id)
      : kernel_(std::move(kernel)), id_(id), sent_(std::chrono::steady_clock::now()) {}
  reply_future(reply_future&& other) noexcept
      : kernel_(std::move(other.kernel_)),
        id_(other.id_),
        sent_(other.sent_),
        arrived_(std::move(other.arrived_)) {}
  reply_future& operator=(reply_future&&) = delete;
  reply_future(const reply_future&) = delete;
  /// A future dropped before its reply came: the reply is discarded when it arrives (counted
  /// as replies_abandoned), never delivered to receive().
  ~reply_future() {
    if (kernel_ && !arrived_) kernel_->abandon_reply(id_);
  }

  /// The message id of the request (its reply's correlation id).
  std::uint64_t message_id() const { return id_; }

  /// True until get() returned or threw (as std::future::valid()).
  bool valid() const { return kernel_ != nullptr; }

  /// Whether the reply is here (get() then returns at once). Never blocks. Throws
  /// errc::wrong_state after get().
  bool is_ready() {
    require_valid("is_ready");
    return poll();
  }

  /// Waits up to `timeout`: std::future_status::ready once the reply is here, or once the
  /// kernel faulted or terminated (get() then throws and says which); timeout otherwise.
  template <class Rep, class Period>
  std::future_status wait_for(std::chrono::duration<Rep, Period> timeout) {
    require_valid("wait_for");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    backoff waiting(reply_wait_tuning());
    for (;;) {
      const kernel_state state = kernel_->current_state();  // before the look: see get()
      if (poll()) return std::future_status::ready;
      if (state == kernel_state::faulted || state == kernel_state::terminated) {
        return std::future_status::ready;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::future_status::timeout;
      waiting.pause();
    }
  }

  /// Waits for the reply until `timeout` passes. Throws errc::timed_out, or
  /// errc::handler_failed when the kernel faulted, or errc::wrong_state when it terminated.
  /// A future can be got once; after a throw its reply is abandoned.
  template <class Rep, class Period>
  reply_type get(std::chrono::duration<Rep, Period> timeout) {
    if (!kernel_) RINGKERNELS_THROW(errc::wrong_state, "reply_future::get() called twice");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    backoff waiting(reply_wait_tuning());
    for (;;) {
      // The state is read before the reply is looked for: a kernel seen terminated (or faulted)
      // has routed every reply its workers made, so the look below finds ours if it exists.
      // (Looking first lost replies another thread routed in between.)
      const kernel_state state = kernel_->current_state();
      if (poll()) {
        kernel_.reset();
        return *arrived_;
      }
      if (state == kernel_state::faulted) {
        fail(errc::handler_failed, "kernel '" + kernel_->name() +
                                       "' faulted before replying to message " +
                                       std::to_string(id_) + ": " + kernel_->fault_message());
      }
      if (state == kernel_state::terminated) {
        fail(errc::wrong_state, "kernel '" + kernel_->name() +
                                    "' terminated before replying to message " +
                                    std::to_string(id_));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        fail(errc::timed_out,
             "no reply from kernel '" + kernel_->name() + "' to message " + std::to_string(id_) +
                 " within " +
                 std::to_string(
                     std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
                 " ms (state " + to_string(state) + ")");
      }
      waiting.pause();
    }
  }

 private:
  /// Takes the reply from the kernel's router once it is there (timed end to end then).
  bool poll() {
    if (!arrived_) {
      arrived_ = kernel_->take_reply(id_);
      if (arrived_) {
        kernel_->record_end_to_end(
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - sent_)
                                           .count()));
      }
    }
    return arrived_.has_value();
  }

  void require_valid(const char* operation) const {
    if (!kernel_) {
      RINGKERNELS_THROW(errc::wrong_state,
                        std::string("reply_future::") + operation + "() after get()");
    }
  }

  /// A caller waiting for a reply yields for a while (about half a millisecond) before it
  /// sleeps: a sleep costs at least the kernel's timer slack (~50 us on Linux), which a reply
  /// from a worker just woken from its own sleep would otherwise wait out on top.
  static backoff::tuning reply_wait_tuning() {
    backoff::tuning tuning;
    tuning.yields = 512;
    tuning.first_sleep = std::chrono::microseconds(50);
    return tuning;
  }

  [[noreturn]] void fail(errc code, const std::string& message) {
    kernel_->abandon_reply(id_);
    kernel_.reset();
    throw error(code, message);
  }

  std::shared_ptr<Impl> kernel_;
  std::uint64_t id_;
  std::chrono::steady_clock::time_point sent_;
  std::optional<reply_type> arrived_;  ///< taken from the router by is_ready()/wait_for()/get()
};

}  // namespace ringkernels

#endif

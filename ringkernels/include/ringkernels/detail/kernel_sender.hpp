// The sending side of a kernel: message ids, send timestamps (a hybrid logical clock shared by
// every host sender), pushes into the workers' input rings, and the count of senders in flight
// that lets terminate() account for every frame. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_KERNEL_SENDER_HPP
#define RINGKERNELS_DETAIL_KERNEL_SENDER_HPP

#include <ringkernels/backends/common/control_block.hpp>
#include <ringkernels/backends/common/kernel_options.hpp>
#include <ringkernels/core/backoff.hpp>
#include <ringkernels/core/clock.hpp>
#include <ringkernels/lifecycle.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace ringkernels::detail {

/// Sends requests of type `Request` into `Rings` (kernel_rings), waking the `Launcher`'s
/// worker that a push fed. @threadsafe after bind().
template <class Request, messaging::scope S, class Rings, class Launcher>
class kernel_sender {
 public:
  /// `state` is the kernel's lifecycle word: sends are refused unless it says the workers read
  /// the rings.
  kernel_sender(const kernel_options& options, const Rings& rings, Launcher& launcher,
                const std::atomic<kernel_state>& state)
      : options_(options), rings_(rings), launcher_(launcher), state_(state) {}

  /// After the rings exist: single-sender kernels keep one producer (its cached indices) per
  /// ring.
  void bind() {
    if (!options_.single_sender) return;
    for (int w = 0; w < options_.workers; ++w) {
      producers_.emplace_back(rings_.input(static_cast<std::uint32_t>(w)).ref());
    }
  }

  /// A fresh message id (unique per kernel, never 0).
  std::uint64_t next_id() { return next_message_id_.fetch_add(1, std::memory_order_relaxed); }

  /// Enqueues one request with the given id. `closed` once the kernel terminates or faults
  /// (no worker would read the ring).
  [[nodiscard]] messaging::push_result send_with_id(const Request& request,
                                                    std::uint64_t message_id) {
    return send_to(pick_worker(message_id), request, message_id);
  }

  /// Enqueues one request with the given id into worker `w`'s ring (the caller chose the worker:
  /// an actor system routes by placement).
  [[nodiscard]] messaging::push_result send_to(std::uint32_t w, const Request& request,
                                               std::uint64_t message_id) {
    const sender_guard guard(*this);
    if (!guard.may_send()) return messaging::push_result::closed;
    const messaging::push_result result =
        push(w, request_header(message_id, next_send_stamps()), &request);
    if (messaging::enqueued(result)) {
      sent_.fetch_add(1, std::memory_order_relaxed);
    } else if (result == messaging::push_result::full ||
               result == messaging::push_result::timed_out) {
      refused_full_.fetch_add(1, std::memory_order_relaxed);
    } else if (result == messaging::push_result::dropped_newest) {
      dropped_newest_.fetch_add(1, std::memory_order_relaxed);
    }
    return result;
  }

  /// Enqueues up to `count` requests with one publication per chunk; returns how many. Chunks
  /// rotate over the workers.
  std::size_t send_batch(const Request* requests, std::size_t count) {
    return send_chunks(requests, count, [this] {
      return static_cast<std::uint32_t>(next_batch_worker_.fetch_add(1, std::memory_order_relaxed) %
                                        static_cast<std::uint64_t>(options_.workers));
    });
  }
  /// The same into worker `w`'s ring only.
  std::size_t send_batch_to(std::uint32_t w, const Request* requests, std::size_t count) {
    return send_chunks(requests, count, [w] { return w; });
  }

  /// Waits (bounded) until no sender is between its state check and its push's end.
  void wait_for_senders(std::chrono::steady_clock::time_point deadline) {
    backoff waiting;
    while (senders_in_flight_.load(std::memory_order_acquire) != 0 &&
           std::chrono::steady_clock::now() < deadline) {
      waiting.pause();
    }
  }

  std::uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  std::uint64_t refused_full() const { return refused_full_.load(std::memory_order_relaxed); }
  std::uint64_t dropped_newest() const { return dropped_newest_.load(std::memory_order_relaxed); }

 private:
  /// Counts a sender in flight for as long as it lives, so that terminate() counts what it
  /// pushed as pending (a send racing the rings' close was missed before). seq_cst pairs with
  /// terminate()'s seq_cst store of `terminating`: a sender either sees it and refuses, or is
  /// counted and waited for.
  class sender_guard {
   public:
    explicit sender_guard(kernel_sender& sender) : sender_(sender) {
      sender_.senders_in_flight_.fetch_add(1, std::memory_order_seq_cst);
      const kernel_state now = sender_.state_.load(std::memory_order_seq_cst);
      // A faulted kernel's rings have no reader: refuse, from one word of the control block
      // (a GPU kernel that died is noticed by the lifecycle's fault check, through the state).
      allowed_ = (now == kernel_state::launched || now == kernel_state::active ||
                  now == kernel_state::inactive) &&
                 control_access<S>::u32::load_acquire(&sender_.rings_.control()->any_faulted) == 0;
    }
    ~sender_guard() { sender_.senders_in_flight_.fetch_sub(1, std::memory_order_release); }
    sender_guard(const sender_guard&) = delete;
    sender_guard& operator=(const sender_guard&) = delete;
    bool may_send() const { return allowed_; }

   private:
    kernel_sender& sender_;
    bool allowed_ = false;
  };

  /// The header of a request frame: its id and its send time (the reply carries both back).
  static messaging::frame_header request_header(std::uint64_t message_id, std::uint64_t stamp) {
    messaging::frame_header header{};
    header.payload_bytes = sizeof(Request);
    header.message_id = message_id;
    header.timestamp = stamp;
    return header;
  }

  /// Hybrid-logical-clock stamps for `count` sends from any host thread: the first of `count`
  /// consecutive stamps, all later than every earlier stamp of this kernel's senders (lock-free).
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
  std::size_t send_chunks(const Request* requests, std::size_t count, PickWorker pick) {
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
        headers[i] = request_header(first_id + i, stamp + i);
        payloads[i] = &requests[done + i];
      }
      const std::uint32_t pushed = push_n(pick(), headers, payloads, static_cast<std::uint32_t>(n));
      done += pushed;
      if (pushed < n) break;  // ids handed out but not used are harmless: they need only be unique
    }
    sent_.fetch_add(done, std::memory_order_relaxed);
    // The frames that found no room: dropped under drop_newest, refused otherwise (counted so
    // that the telemetry accounts for every frame a caller handed over).
    if (done < count) {
      auto& tally = options_.backpressure == messaging::backpressure::drop_newest ? dropped_newest_
                                                                                  : refused_full_;
      tally.fetch_add(count - done, std::memory_order_relaxed);
    }
    return done;
  }

  std::uint32_t pick_worker(std::uint64_t message_id) const {
    return options_.workers == 1 ? 0u
                                 : static_cast<std::uint32_t>(
                                       message_id % static_cast<std::uint64_t>(options_.workers));
  }

  /// Pushes one frame to `worker`'s ring and wakes the worker if it sleeps (host backends).
  /// The block policy waits for room up to options.block_timeout (the worker is woken while
  /// it waits: a sleeping worker would never make room).
  messaging::push_result push(std::uint32_t worker, const messaging::frame_header& header,
                              const void* payload) {
    if (options_.single_sender) return push_with(producers_[worker], worker, header, payload);
    messaging::ring_producer<S> producer(rings_.input(worker).ref());
    return push_with(producer, worker, header, payload);
  }
  messaging::push_result push_with(messaging::ring_producer<S>& producer, std::uint32_t worker,
                                   const messaging::frame_header& header, const void* payload) {
    messaging::push_result result = producer.try_push(header, payload);
    if (result == messaging::push_result::full && blocks()) {
      const auto deadline = std::chrono::steady_clock::now() + options_.block_timeout;
      backoff waiting;
      while (result == messaging::push_result::full) {
        launcher_.wake(worker);
        if (std::chrono::steady_clock::now() >= deadline) {
          result = messaging::push_result::timed_out;
          break;
        }
        waiting.pause();
        result = producer.try_push(header, payload);
      }
    }
    if (messaging::enqueued(result)) launcher_.wake(worker);
    return result;
  }

  /// Up to `n` frames into `worker`'s ring, a prefix; the block policy waits for room for the
  /// rest up to options.block_timeout.
  std::uint32_t push_n(std::uint32_t worker, const messaging::frame_header* headers,
                       const void* const* payloads, std::uint32_t n) {
    if (options_.single_sender)
      return push_n_with(producers_[worker], worker, headers, payloads, n);
    messaging::ring_producer<S> producer(rings_.input(worker).ref());
    return push_n_with(producer, worker, headers, payloads, n);
  }
  std::uint32_t push_n_with(messaging::ring_producer<S>& producer, std::uint32_t worker,
                            const messaging::frame_header* headers, const void* const* payloads,
                            std::uint32_t n) {
    std::uint32_t pushed = producer.try_push_n(headers, payloads, n);
    if (pushed < n && blocks()) {
      const auto deadline = std::chrono::steady_clock::now() + options_.block_timeout;
      backoff waiting;
      while (pushed < n && std::chrono::steady_clock::now() < deadline) {
        launcher_.wake(worker);
        waiting.pause();
        pushed += producer.try_push_n(headers + pushed, payloads + pushed, n - pushed);
      }
    }
    if (pushed > 0) launcher_.wake(worker);
    return pushed;
  }

  bool blocks() const { return options_.backpressure == messaging::backpressure::block; }

  const kernel_options& options_;
  const Rings& rings_;
  Launcher& launcher_;
  const std::atomic<kernel_state>& state_;
  std::vector<messaging::ring_producer<S>> producers_;  // single_sender only
  std::atomic<std::uint64_t> next_message_id_{1};
  std::atomic<std::uint64_t> host_clock_{0};  ///< the senders' HLC (next_send_stamps)
  std::atomic<int> senders_in_flight_{0};     ///< sender_guard
  std::atomic<std::uint64_t> next_batch_worker_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> refused_full_{0};    ///< full (reject) or timed out (block)
  std::atomic<std::uint64_t> dropped_newest_{0};  ///< dropped by the drop_newest policy
};

}  // namespace ringkernels::detail

#endif

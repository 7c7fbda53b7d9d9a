// Where a kernel's replies go: to the future of the call() that awaits one, to the discard
// count when its future was dropped, or to the unclaimed queue that receive() drains. The
// router reads the workers' output rings; it is also where actor mailboxes and remote
// transports will plug in. Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_REPLY_ROUTER_HPP
#define RINGKERNELS_DETAIL_REPLY_ROUTER_HPP

#include <ringkernels/core/error.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
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

/// Routes replies of type `Reply` from output rings indexed at scope `S`. @threadsafe after
/// bind(). Lock order: the routing mutex (awaited, unclaimed) before a ring's reader mutex.
template <class Reply, messaging::scope S>
class reply_router {
 public:
  /// Becomes the one consumer of `outputs`; frames are checked against `frame_limit`.
  void bind(const std::vector<messaging::ring_ref<S>>& outputs, std::uint32_t frame_limit) {
    frame_limit_ = frame_limit;
    for (const auto& ring : outputs) readers_.emplace_back(ring);
    reader_mutexes_ = std::make_unique<std::mutex[]>(outputs.size());
  }

  /// Registers interest in the reply to `id` (before the request is sent: a fast worker can
  /// reply before the push returns).
  void expect(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    awaited_.emplace(id, std::nullopt);
    update_routing_locked();
  }
  /// The request `id` was never enqueued: no reply will come.
  void forget(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    awaited_.erase(id);
    update_routing_locked();
  }
  /// Nobody will take the reply to `id` (its future was dropped, or get() timed out or gave
  /// up): a reply already routed is discarded now, a later one when it arrives. Both are
  /// counted (replies_abandoned) and never reach receive().
  void abandon(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = awaited_.find(id);
    if (found == awaited_.end()) return;
    if (found->second) {
      abandoned_count_.fetch_add(1, std::memory_order_relaxed);
    } else {
      abandoned_.insert(id);
    }
    awaited_.erase(found);
    update_routing_locked();
  }

  /// Takes the reply to `id` if it has arrived (polling the output rings once).
  std::optional<Reply> take(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = awaited_.find(id);
    if (found == awaited_.end()) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "no reply awaited for message " + std::to_string(id));
    }
    if (!found->second) drain_locked();
    found = awaited_.find(id);
    if (!found->second) return std::nullopt;
    std::optional<Reply> reply = found->second;
    awaited_.erase(found);
    update_routing_locked();
    return reply;
  }

  /// Copies up to `max` replies not claimed by call() futures, oldest first.
  std::size_t receive(Reply* out, std::size_t max) {
    std::lock_guard lock(mutex_);
    // Streaming (no call() future waiting or abandoned, nothing queued): copy straight from
    // the rings.
    if (awaited_.empty() && abandoned_.empty() && unclaimed_.empty()) {
      return copy_all_locked(out, max);
    }
    if (unclaimed_.size() < max) drain_locked();
    std::size_t n = 0;
    while (n < max && !unclaimed_.empty()) {
      out[n++] = unclaimed_.front();
      unclaimed_.pop_front();
    }
    return n;
  }

  /// receive() for ring `w` only; only its lock is taken while no call() waits.
  std::size_t receive_from(std::uint32_t w, Reply* out, std::size_t max) {
    if (routed_.load(std::memory_order_acquire) == 0) {
      std::lock_guard lock(reader_mutexes_[w]);
      return copy_from_ring(w, out, max);
    }
    return receive(out, max);
  }

  /// After the workers stopped: every reply they produced is in the rings. Route them all, so
  /// that futures find theirs and abandoned ones are counted; a reply to an abandoned request
  /// that never came (it stayed pending) cannot come any more, so stop waiting for it. A
  /// worker still running (detached) can still reply: its replies go to receive().
  void settle_after_stop() {
    std::lock_guard lock(mutex_);
    drain_locked();
    abandoned_.clear();
    update_routing_locked();
  }

  std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  std::uint64_t abandoned() const { return abandoned_count_.load(std::memory_order_relaxed); }
  std::uint64_t malformed() const { return malformed_.load(std::memory_order_relaxed); }

 private:
  /// Whether a frame from an output ring is a reply this kernel can deliver. Checked from a
  /// local copy of the header before anything is copied: never trust what a ring holds.
  bool frame_ok(const messaging::frame_header& header) {
    if (messaging::is_frame_of<Reply>(header, frame_limit_, messaging::frame_flags::reply)) {
      return true;
    }
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  /// Copies up to `max` replies from ring `w` into `out`, without routing (only while no
  /// call() future waits or was abandoned). Called with reader_mutexes_[w] held.
  std::size_t copy_from_ring(std::size_t w, Reply* out, std::size_t max) {
    auto& reader = readers_[w];
    const std::uint32_t ready =
        reader.available(static_cast<std::uint32_t>(std::min<std::size_t>(max, 256)));
    std::size_t copied = 0;
    for (std::uint32_t i = 0; i < ready; ++i) {
      const messaging::frame_view frame = reader.frame(i);
      if (!frame_ok(messaging::load_header(frame.header))) continue;
      std::memcpy(static_cast<void*>(&out[copied++]), frame.payload, sizeof(Reply));
    }
    if (ready > 0) reader.release(ready);
    received_.fetch_add(ready, std::memory_order_relaxed);
    return copied;
  }

  /// The same over every ring, starting at a different one each time so no worker's replies
  /// wait behind the others'. Called with mutex_ held.
  std::size_t copy_all_locked(Reply* out, std::size_t max) {
    std::size_t n = 0;
    for (std::size_t r = 0; r < readers_.size() && n < max; ++r) {
      const std::size_t w = (next_ring_ + r) % readers_.size();
      std::lock_guard lock(reader_mutexes_[w]);
      n += copy_from_ring(w, out + n, max - n);
    }
    ++next_ring_;
    return n;
  }

  /// Moves every reply waiting in the rings to its future's slot or to the unclaimed queue.
  /// Called with mutex_ held; each ring's reader mutex makes this thread its consumer.
  void drain_locked() {
    std::uint64_t taken = 0;
    for (std::size_t w = 0; w < readers_.size(); ++w) {
      auto& reader = readers_[w];
      std::lock_guard lock(reader_mutexes_[w]);
      for (;;) {
        const std::uint32_t n = reader.available(256);
        if (n == 0) break;
        for (std::uint32_t i = 0; i < n; ++i) route_locked(reader.frame(i));
        reader.release(n);
        taken += n;
      }
    }
    received_.fetch_add(taken, std::memory_order_relaxed);
    update_routing_locked();
  }

  /// One reply frame to its future's slot, to the abandoned (discarded, counted), or to the
  /// unclaimed queue for receive(). Called with mutex_ held.
  void route_locked(const messaging::frame_view& frame) {
    const messaging::frame_header header = messaging::load_header(frame.header);
    if (!frame_ok(header)) return;
    Reply reply;
    std::memcpy(static_cast<void*>(&reply), frame.payload, sizeof(Reply));
    auto awaited = awaited_.find(header.correlation_id);
    if (awaited != awaited_.end()) {
      awaited->second = reply;
    } else if (abandoned_.erase(header.correlation_id) != 0) {
      abandoned_count_.fetch_add(1, std::memory_order_relaxed);
    } else {
      unclaimed_.push_back(reply);
    }
  }

  /// Whether replies must be routed (a future waits for one, or one was abandoned) rather
  /// than copied straight to receive_from(). Called with mutex_ held.
  void update_routing_locked() {
    routed_.store(awaited_.size() + abandoned_.size(), std::memory_order_release);
  }

  std::uint32_t frame_limit_ = 0;
  std::mutex mutex_;
  std::vector<messaging::ring_consumer<S>> readers_;
  std::unique_ptr<std::mutex[]> reader_mutexes_;  ///< one per output ring: its one consumer
  std::atomic<std::size_t> routed_{0};  ///< awaited_.size() + abandoned_.size(), lock-free
  std::unordered_map<std::uint64_t, std::optional<Reply>> awaited_;
  std::unordered_set<std::uint64_t> abandoned_;  ///< ids whose replies are to be discarded
  std::deque<Reply> unclaimed_;
  std::size_t next_ring_ = 0;
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> abandoned_count_{0};
  std::atomic<std::uint64_t> malformed_{0};
};

}  // namespace ringkernels::detail

#endif

// Ping-pong: two kernels hit a ball back and forth through their peer ports, never through the
// host. The kernel that makes the last hit writes the count where the ball says.
#ifndef RINGKERNELS_EXAMPLES_PING_PONG_HPP
#define RINGKERNELS_EXAMPLES_PING_PONG_HPP

#include <ringkernels/buffer_handle.hpp>
#include <ringkernels/context.hpp>
#include <ringkernels/messaging/atomic_index.hpp>

#include <cstdint>

namespace ringkernels::examples {

struct ping_pong {
  struct Request {
    std::uint64_t hits = 0;                 ///< hits so far
    std::uint64_t limit = 0;                ///< stop after this many
    buffer_handle<std::uint64_t> finished;  ///< [0]: final hit count, [1]: lost sends
  };
  using Reply = void;

  // Its one host write (finished) is a release store of its own; the rest goes to its peer.
  static constexpr bool writes_host_memory = false;

  RINGKERNELS_INLINE_FUNCTION void operator()(const Request& ball, context& ctx) const {
    using u64 = messaging::atomic_index<std::uint64_t, messaging::scope::system>;
    if (ball.hits >= ball.limit) {
      u64::store_release(&ball.finished[0], ball.hits);
      return;
    }
    Request next = ball;
    next.hits = ball.hits + 1;
    // A full peer ring cannot happen with one ball in flight; count it if it ever does.
    if (ctx.send_to_peer(next) != messaging::push_result::ok) {
      u64::store_release(&ball.finished[1], u64::load_relaxed(&ball.finished[1]) + 1);
    }
  }
};

}  // namespace ringkernels::examples

#endif

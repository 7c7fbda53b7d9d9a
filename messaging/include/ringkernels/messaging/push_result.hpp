// Results of hot-path queue operations: explicit enums, never a bare bool (decision 10).
#ifndef RINGKERNELS_MESSAGING_PUSH_RESULT_HPP
#define RINGKERNELS_MESSAGING_PUSH_RESULT_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>

namespace ringkernels::messaging {

/// What a push did with the frame.
enum class [[nodiscard]] push_result : std::uint8_t{
    ok,                 ///< enqueued
    ok_dropped_oldest,  ///< enqueued after dropping the oldest pending frame (drop_oldest policy)
    full,               ///< not enqueued: no space (reject policy); the caller still owns the frame
    dropped_newest,     ///< not enqueued and counted as dropped (drop_newest policy)
    timed_out,          ///< not enqueued: no space before the deadline (block policy)
    closed,             ///< not enqueued: the queue was closed
    too_large,          ///< not enqueued: payload above the queue's frame limit
    empty_frame,        ///< not enqueued: zero-length payload
};

/// What a consumer's try_pop() found.
enum class [[nodiscard]] pop_result : std::uint8_t{
    empty,      ///< no complete frame was ready
    ok,         ///< a frame was copied out and released
    malformed,  ///< the front frame failed its checks: released without copying, counted
};

/// True when the frame is now in the queue.
RINGKERNELS_INLINE_FUNCTION constexpr bool enqueued(push_result result) {
  return result == push_result::ok || result == push_result::ok_dropped_oldest;
}

/// What a producer does when the queue is full. Chosen per queue at creation.
enum class backpressure : std::uint8_t {
  reject,       ///< return push_result::full; nothing is lost, the caller decides
  block,        ///< wait (with backoff) until space or the deadline; then timed_out
  drop_oldest,  ///< make room by dropping the oldest pending frame; counted. When every
                ///< pending frame is claimed by the consumer, the new frame is dropped instead
                ///< (push_result::dropped_newest): producers never wait.
  drop_newest,  ///< drop the frame being pushed; counted
};

const char* to_string(push_result result) noexcept;
const char* to_string(pop_result result) noexcept;
const char* to_string(backpressure policy) noexcept;

}  // namespace ringkernels::messaging

#endif

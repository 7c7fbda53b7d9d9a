// What a handler is: a functor written once (KOKKOS_FUNCTION) with nested Request and Reply
// types, called as `Reply operator()(const Request&, ringkernels::context&) const`; Reply may be
// void (no reply). Requests and replies travel as frame payloads, so they must be trivially
// copyable and fit the queue's frame limit: checked here at compile time.
#ifndef RINGKERNELS_BACKENDS_COMMON_HANDLER_HPP
#define RINGKERNELS_BACKENDS_COMMON_HANDLER_HPP

#include <ringkernels/messaging/frame.hpp>

#include <type_traits>

namespace ringkernels {

class context;

namespace detail {
/// Handler::writes_host_memory where the handler declares it; true (the safe side) otherwise.
template <class Handler, class = void>
struct declared_host_writes : std::true_type {};
template <class Handler>
struct declared_host_writes<Handler, std::void_t<decltype(Handler::writes_host_memory)>>
    : std::bool_constant<static_cast<bool>(Handler::writes_host_memory)> {};

/// Handler::runs_own_loop where the handler declares it (an actor program: the launchers run its
/// run_worker() instead of the ring-kernel dispatch loop); false otherwise.
template <class Handler, class = void>
struct runs_own_loop : std::false_type {};
template <class Handler>
struct runs_own_loop<Handler, std::void_t<decltype(Handler::runs_own_loop)>>
    : std::bool_constant<static_cast<bool>(Handler::runs_own_loop)> {};
}  // namespace detail

template <class Handler>
struct handler_traits {
  using request_type = typename Handler::Request;
  using reply_type = typename Handler::Reply;
  static constexpr bool has_reply = !std::is_void_v<reply_type>;
  static constexpr std::size_t request_bytes = sizeof(request_type);
  static constexpr std::size_t reply_bytes =
      has_reply ? sizeof(std::conditional_t<has_reply, reply_type, char>) : 0;
  /// Whether the handler may write, before replying, memory the host reads directly (mapped
  /// pinned host memory, e.g. a buffer_handle to a CudaHostPinnedSpace View). On a GPU its
  /// writes are then ordered before its reply at system scope, which costs ~0.25 us per batch
  /// more than the device scope that suffices for device memory (docs/cuda.md). A handler that
  /// writes no such memory (only its reply, device memory, or messages to peers) says so with
  /// `static constexpr bool writes_host_memory = false;`.
  static constexpr bool writes_host_memory = detail::declared_host_writes<Handler>::value;
  /// The frame limit a kernel with this handler needs.
  static constexpr std::size_t frame_limit =
      request_bytes > reply_bytes ? request_bytes : reply_bytes;

  static_assert(std::is_trivially_copyable_v<request_type>,
                "ringkernels: Handler::Request must be trivially copyable (it travels as bytes "
                "in a frame); pass large or owning data as a ringkernels::buffer_handle");
  static_assert(!has_reply ||
                    std::is_trivially_copyable_v<std::conditional_t<has_reply, reply_type, char>>,
                "ringkernels: Handler::Reply must be trivially copyable (it travels as bytes in a "
                "frame)");
  static_assert(frame_limit <= messaging::max_payload_limit,
                "ringkernels: Handler::Request/Reply exceed the largest frame (1 MiB); pass the "
                "data as a ringkernels::buffer_handle to device memory");
  /// Whether the launchers run Handler::run_worker() (its own loop) instead of the dispatch loop.
  static constexpr bool runs_own_loop = detail::runs_own_loop<Handler>::value;
  static_assert(runs_own_loop || std::is_invocable_v<const Handler&, const request_type&, context&>,
                "ringkernels: a handler must be callable as handler(const Request&, "
                "ringkernels::context&) const");
};

}  // namespace ringkernels

#endif

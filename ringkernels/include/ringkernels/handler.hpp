// What a handler is: a functor written once (KOKKOS_FUNCTION) with nested Request and Reply
// types, called as `Reply operator()(const Request&, ringkernels::context&) const`; Reply may be
// void (no reply). Requests and replies travel as frame payloads, so they must be trivially
// copyable and fit the queue's frame limit: checked here at compile time.
#ifndef RINGKERNELS_HANDLER_HPP
#define RINGKERNELS_HANDLER_HPP

#include <ringkernels/messaging/frame.hpp>

#include <type_traits>

namespace ringkernels {

class context;

template <class Handler>
struct handler_traits {
  using request_type = typename Handler::Request;
  using reply_type = typename Handler::Reply;
  static constexpr bool has_reply = !std::is_void_v<reply_type>;
  static constexpr std::size_t request_bytes = sizeof(request_type);
  static constexpr std::size_t reply_bytes =
      has_reply ? sizeof(std::conditional_t<has_reply, reply_type, char>) : 0;
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
  static_assert(std::is_invocable_v<const Handler&, const request_type&, context&>,
                "ringkernels: a handler must be callable as handler(const Request&, "
                "ringkernels::context&) const");
};

}  // namespace ringkernels

#endif

// Handlers used by the ring-kernel tests.
#ifndef RINGKERNELS_TESTS_TEST_HANDLERS_HPP
#define RINGKERNELS_TESTS_TEST_HANDLERS_HPP

#include <ringkernels/context.hpp>
#include <ringkernels/messaging/atomic_index.hpp>

#include <cstdint>
#include <stdexcept>

namespace test_support {

/// Replies with a transformation of a variable-length byte payload: length + bytes reversed
/// and incremented, so a reply that merely echoes would fail the check. `Capacity` sets the
/// frame size (the GPU loop stages small frames in shared memory, large ones go lane by lane).
template <std::uint32_t Capacity>
struct reverse_bytes_of {
  static constexpr std::uint32_t capacity = Capacity;
  struct Request {
    std::uint32_t length = 0;
    std::uint8_t bytes[capacity] = {};
  };
  struct Reply {
    std::uint32_t length = 0;
    std::uint8_t bytes[capacity] = {};
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context&) const {
    Reply reply;
    reply.length = request.length <= capacity ? request.length : 0;
    for (std::uint32_t i = 0; i < reply.length; ++i) {
      reply.bytes[i] = static_cast<std::uint8_t>(request.bytes[reply.length - 1 - i] + 1);
    }
    return reply;
  }
};
using reverse_bytes = reverse_bytes_of<200>;

/// Throws on a request whose value is negative: the kernel must fault, not hang.
struct fragile {
  struct Request {
    std::int64_t value = 0;
  };
  struct Reply {
    std::int64_t doubled = 0;
  };
  Reply operator()(const Request& request, ringkernels::context&) const {
    if (request.value < 0)
      throw std::runtime_error("negative value " + std::to_string(request.value));
    return Reply{request.value * 2};
  }
};

/// Spins while *hold != 0: a handler that does not return stops its worker's heartbeat.
struct stuck {
  struct Request {
    std::uint32_t* hold;
  };
  struct Reply {
    std::uint32_t released;
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context&) const {
    using u32 =
        ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
    while (u32::load_acquire(request.hold) != 0) {
    }
    return Reply{1};
  }
};

/// Replies with the value in a device-memory cell and leaves another there: the host changes
/// the cell between requests and reads it after each reply, so a handler that read an old copy
/// (from a cache) or a reply seen before the handler's write would both fail. It writes only
/// device memory, so a GPU releases its reply at device scope.
struct cell_swap {
  struct Request {
    std::uint32_t* cell;  ///< device memory
    std::uint32_t next;
  };
  struct Reply {
    std::uint32_t seen;
  };
  static constexpr bool writes_host_memory = false;
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context&) const {
    const std::uint32_t seen = *request.cell;
    *request.cell = request.next;
    return Reply{seen};
  }
};

}  // namespace test_support

#endif

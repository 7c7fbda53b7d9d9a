// Handlers used by the ring-kernel tests.
#ifndef RINGKERNELS_TESTS_TEST_HANDLERS_HPP
#define RINGKERNELS_TESTS_TEST_HANDLERS_HPP

#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/messaging/atomic_index.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>

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

/// Spins while *hold != 0: a handler that does not return stops its worker's heartbeat. It
/// first sets *entered (when given) so that a test knows the worker is inside.
struct stuck {
  struct Request {
    std::uint32_t* hold;
    std::uint32_t* entered = nullptr;
  };
  struct Reply {
    std::uint32_t released;
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context&) const {
    using u32 =
        ringkernels::messaging::atomic_index<std::uint32_t, ringkernels::messaging::scope::system>;
    if (request.entered != nullptr) u32::store_release(request.entered, 1u);
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

/// Reports the clock as a handler sees it: the request's send stamp and two ctx.now() in a
/// row. Each must be later than the one before.
struct clock_probe {
  struct Request {
    std::uint64_t sequence = 0;
  };
  struct Reply {
    std::uint64_t sequence = 0;
    std::uint64_t sent_at = 0;
    std::uint64_t first_now = 0;
    std::uint64_t second_now = 0;
  };
  static constexpr bool writes_host_memory = false;
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request,
                                               ringkernels::context& ctx) const {
    Reply reply;
    reply.sequence = request.sequence;
    reply.sent_at = ctx.sent_at().packed;
    reply.first_now = ctx.now().packed;
    reply.second_now = ctx.now().packed;
    return reply;
  }
};

/// Replies with the length of the kernel name the handler sees.
struct name_length {
  struct Request {
    std::uint32_t unused = 0;
  };
  struct Reply {
    std::uint32_t length = 0;
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request&, ringkernels::context& ctx) const {
    Reply reply;
    const char* name = ctx.kernel_name();
    while (name[reply.length] != '\0') ++reply.length;
    return reply;
  }
};

/// Echoes `value` after sleeping `sleep_us` microseconds (host backends only): a reply that
/// arrives after its caller gave up.
struct slow_echo {
  struct Request {
    std::uint64_t value = 0;
    std::uint64_t sleep_us = 0;
  };
  struct Reply {
    std::uint64_t value = 0;
  };
  Reply operator()(const Request& request, ringkernels::context&) const {
    std::this_thread::sleep_for(std::chrono::microseconds(request.sleep_us));
    return Reply{request.value};
  }
};

/// A relay and a sink of one type: a request from the host (hop 0) is forwarded to the peer;
/// at the sink (hop 1) the peer message's id is stored at ids[index]. A refused forward stores
/// `refused` there instead. Every lane of a GPU worker may forward (a batch of requests).
struct peer_id_recorder {
  static constexpr std::uint64_t refused = ~std::uint64_t{0};
  struct Request {
    std::uint64_t index = 0;
    std::uint64_t hop = 0;
    std::uint64_t* ids = nullptr;  ///< memory the host reads (pinned on a GPU)
  };
  using Reply = void;
  static constexpr bool writes_host_memory = false;  // its one write is a release store
  RINGKERNELS_INLINE_FUNCTION void operator()(const Request& request,
                                              ringkernels::context& ctx) const {
    using u64 =
        ringkernels::messaging::atomic_index<std::uint64_t, ringkernels::messaging::scope::system>;
    if (request.hop == 0) {
      Request forward = request;
      forward.hop = 1;
      if (ctx.send_to_peer(forward) != ringkernels::messaging::push_result::ok) {
        u64::store_release(&request.ids[request.index], refused);
      }
      return;
    }
    u64::store_release(&request.ids[request.index], ctx.message_id());
  }
};

}  // namespace test_support

#endif

// What a handler declares about itself: handler_traits reads it, and where a handler says
// nothing, the safe side is assumed.
#include <ringkernels/backends/common/context.hpp>
#include <ringkernels/backends/common/handler.hpp>
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/examples/ping_pong.hpp>
#include <ringkernels/examples/vector_add.hpp>

#include <catch2/catch_test_macros.hpp>

namespace {

struct silent_handler {  // declares nothing
  struct Request {
    int value;
  };
  using Reply = int;
  RINGKERNELS_INLINE_FUNCTION int operator()(const Request& r, ringkernels::context&) const {
    return r.value;
  }
};

struct declared_handler : silent_handler {
  static constexpr bool writes_host_memory = false;
};

}  // namespace

TEST_CASE("a handler may write host memory unless it declares it does not", "[handler]") {
  using ringkernels::handler_traits;
  STATIC_CHECK(handler_traits<silent_handler>::writes_host_memory);
  STATIC_CHECK_FALSE(handler_traits<declared_handler>::writes_host_memory);
  // The examples: echo writes only its reply; VectorAdd by handle writes an array the caller
  // may keep in pinned host memory; ping-pong's one host write is a release store of its own.
  STATIC_CHECK_FALSE(handler_traits<ringkernels::examples::echo>::writes_host_memory);
  STATIC_CHECK(handler_traits<ringkernels::examples::vector_add>::writes_host_memory);
  STATIC_CHECK_FALSE(handler_traits<ringkernels::examples::ping_pong>::writes_host_memory);
}

// VectorAdd, the predecessor's validation case: C = A + B. Vectors of up to 25 floats travel
// inline in the message; larger ones travel as handles to arrays in the kernel's memory space
// and the reply refers to the result array. Written once, run on every backend.
#ifndef RINGKERNELS_EXAMPLES_VECTOR_ADD_HPP
#define RINGKERNELS_EXAMPLES_VECTOR_ADD_HPP

#include <ringkernels/buffer_handle.hpp>
#include <ringkernels/context.hpp>

#include <cstdint>

namespace ringkernels::examples {

struct vector_add {
  static constexpr std::uint32_t inline_limit = 25;

  enum status : std::uint32_t { ok = 0, too_long_for_inline = 1, bad_handles = 2 };

  struct Request {
    std::uint32_t n = 0;
    std::uint32_t by_handle = 0;  ///< 0: a, b inline; 1: big_a, big_b, big_c
    float a[inline_limit] = {};
    float b[inline_limit] = {};
    buffer_handle<const float> big_a;
    buffer_handle<const float> big_b;
    buffer_handle<float> big_c;  ///< where the result goes (caller-owned)
  };

  struct Reply {
    std::uint32_t n = 0;
    std::uint32_t status = ok;
    float c[inline_limit] = {};
    buffer_handle<float> big_c;  ///< the result array (by-handle requests)
  };

  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request, context& /*ctx*/) const {
    Reply reply;
    reply.n = request.n;
    if (request.by_handle == 0) {
      if (request.n > inline_limit) {
        reply.status = too_long_for_inline;
        return reply;
      }
      for (std::uint32_t i = 0; i < request.n; ++i) reply.c[i] = request.a[i] + request.b[i];
      return reply;
    }
    if (request.big_a.size < request.n || request.big_b.size < request.n ||
        request.big_c.size < request.n || request.big_a.data == nullptr ||
        request.big_b.data == nullptr || request.big_c.data == nullptr) {
      reply.status = bad_handles;
      return reply;
    }
    for (std::uint64_t i = 0; i < request.n; ++i) {
      request.big_c[i] = request.big_a[i] + request.big_b[i];
    }
    reply.big_c = request.big_c;
    return reply;
  }
};

}  // namespace ringkernels::examples

#endif

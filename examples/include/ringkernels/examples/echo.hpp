// Echo: replies with its 64-byte request, stamped with the worker that handled it. The
// benchmarks' message (one 64 B request, one 64 B reply).
#ifndef RINGKERNELS_EXAMPLES_ECHO_HPP
#define RINGKERNELS_EXAMPLES_ECHO_HPP

#include <ringkernels/context.hpp>

#include <cstdint>

namespace ringkernels::examples {

struct echo {
  struct Request {
    std::uint64_t sequence = 0;
    std::uint64_t words[7] = {};
  };
  struct Reply {
    std::uint64_t sequence = 0;
    std::uint64_t words[6] = {};
    std::uint32_t worker = 0;
    std::uint32_t checksum = 0;  ///< low 32 bits of the sum of sequence and words
  };
  static_assert(sizeof(Request) == 64 && sizeof(Reply) == 64, "the benchmark message is 64 B");
  static constexpr bool writes_host_memory = false;  // it writes only its reply

  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request, context& ctx) const {
    Reply reply;
    reply.sequence = request.sequence;
    std::uint64_t sum = request.sequence;
    for (int i = 0; i < 6; ++i) {
      reply.words[i] = request.words[i];
      sum += request.words[i];
    }
    sum += request.words[6];
    reply.worker = ctx.worker_index();
    reply.checksum = static_cast<std::uint32_t>(sum);
    return reply;
  }
};

}  // namespace ringkernels::examples

#endif

// A handler that may run long, and watches for the host's request to stop: what a handler with
// a solver loop or a wait on device memory should do. A request with work_ms > 0 spins that
// long (its worker's heartbeat stops meanwhile: a stall) unless context::stop_requested() says
// the workers are to leave (terminate, or the supervisor's relaunch); the reply says which came
// first. The supervision tests and `ringkernels bench relaunch` use it.
#ifndef RINGKERNELS_EXAMPLES_LONG_TASK_HPP
#define RINGKERNELS_EXAMPLES_LONG_TASK_HPP

#include <ringkernels/context.hpp>

#include <cstdint>

namespace ringkernels::examples {

struct long_task {
  struct Request {
    std::int64_t value = 0;
    std::uint32_t work_ms = 0;
  };
  struct Reply {
    std::int64_t value = 0;
    std::uint32_t stopped = 0;  ///< 1 when stop_requested() cut the work short
  };
  RINGKERNELS_INLINE_FUNCTION Reply operator()(const Request& request, context& ctx) const {
    Reply reply{request.value, 0};
    if (request.work_ms == 0) return reply;
    const std::uint64_t until = physical_time_ns() + std::uint64_t{request.work_ms} * 1000000u;
    while (physical_time_ns() < until) {
      if (ctx.stop_requested()) {
        reply.stopped = 1;
        break;
      }
    }
    return reply;
  }
};

}  // namespace ringkernels::examples

#endif

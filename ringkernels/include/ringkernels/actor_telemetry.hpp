// What an actor system has done: its workers' counters summed, plus what the host sent. Read
// with actor_system::telemetry(); saved in and restored from a checkpoint.
#ifndef RINGKERNELS_ACTOR_TELEMETRY_HPP
#define RINGKERNELS_ACTOR_TELEMETRY_HPP

#include <ringkernels/backends/common/actor_mailbox.hpp>

#include <cstdint>

namespace ringkernels {

/// At quiescence from_host + sent_on_device + from_systems == handled + dead_total().
struct actor_telemetry {
  std::uint64_t from_host = 0;        ///< tell/ask messages enqueued
  std::uint64_t sent_on_device = 0;   ///< messages handlers sent (ctx.send), dead letters included
  std::uint64_t from_systems = 0;     ///< messages other systems' handlers put in its mailboxes
  std::uint64_t sent_to_systems = 0;  ///< messages its handlers put in other systems' mailboxes
  std::uint64_t handled = 0;          ///< messages a handler ran on
  std::uint64_t dead[static_cast<int>(dead_letter_reason::count)] = {};
  std::uint64_t overflow_high_water = 0;  ///< most messages one worker's overflow held
  std::uint64_t in_flight = 0;  ///< sent, not yet handled or dead (at the moment of reading)
  std::uint64_t dead_total() const {
    std::uint64_t total = 0;
    for (std::uint64_t count : dead) total += count;
    return total;
  }
};

}  // namespace ringkernels

#endif

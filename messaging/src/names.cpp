// Names of messaging enums, for errors, logs and the CLI.
#include <ringkernels/messaging/frame.hpp>
#include <ringkernels/messaging/push_result.hpp>

namespace ringkernels::messaging {

const char* to_string(push_result result) noexcept {
  switch (result) {
    case push_result::ok: return "ok";
    case push_result::ok_dropped_oldest: return "ok_dropped_oldest";
    case push_result::full: return "full";
    case push_result::dropped_newest: return "dropped_newest";
    case push_result::timed_out: return "timed_out";
    case push_result::closed: return "closed";
    case push_result::too_large: return "too_large";
    case push_result::empty_frame: return "empty_frame";
  }
  return "unknown";
}

const char* to_string(pop_result result) noexcept {
  switch (result) {
    case pop_result::empty: return "empty";
    case pop_result::ok: return "ok";
    case pop_result::malformed: return "malformed";
  }
  return "unknown";
}

const char* to_string(backpressure policy) noexcept {
  switch (policy) {
    case backpressure::reject: return "reject";
    case backpressure::block: return "block";
    case backpressure::drop_oldest: return "drop_oldest";
    case backpressure::drop_newest: return "drop_newest";
  }
  return "unknown";
}

const char* to_string(frame_check check) noexcept {
  switch (check) {
    case frame_check::ok: return "ok";
    case frame_check::truncated: return "truncated";
    case frame_check::misaligned: return "misaligned";
    case frame_check::empty_payload: return "empty_payload";
    case frame_check::payload_too_large: return "payload_too_large";
    case frame_check::length_mismatch: return "length_mismatch";
    case frame_check::unknown_flags: return "unknown_flags";
  }
  return "unknown";
}

}  // namespace ringkernels::messaging

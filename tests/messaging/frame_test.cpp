#include <ringkernels/messaging/frame.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cstring>

namespace msg = ringkernels::messaging;

TEST_CASE("slots are sized by the queue's own frame limit in whole cache lines",
          "[messaging][frame]") {
  CHECK(msg::slot_stride(1) == 64);
  CHECK(msg::slot_stride(16) == 64);
  CHECK(msg::slot_stride(17) == 128);
  CHECK(msg::slot_stride(64) == 128);
  CHECK(msg::slot_stride(159) == 256);  // the predecessor stored this in 65,792 bytes
  for (std::uint32_t limit = 1; limit < 600; ++limit) {
    CHECK(msg::slot_stride(limit) % 64 == 0);
    CHECK(msg::slot_stride(limit) >= sizeof(msg::frame_header) + limit);
    CHECK(msg::slot_stride(limit) < sizeof(msg::frame_header) + limit + 64);
  }
}

namespace {
struct alignas(16) buffer {
  std::byte bytes[256] = {};
};
msg::frame_header* header_of(buffer& b) { return reinterpret_cast<msg::frame_header*>(b.bytes); }
}  // namespace

TEST_CASE("decoding accepts a well-formed frame and points into the bytes", "[messaging][frame]") {
  buffer b;
  header_of(b)->payload_bytes = 100;
  header_of(b)->flags = msg::frame_flags::reply;
  msg::frame_view view;
  REQUIRE(msg::decode_frame(b.bytes, 48 + 100, 128, view) == msg::frame_check::ok);
  CHECK(view.header == header_of(b));
  CHECK(view.payload == b.bytes + 48);
}

TEST_CASE("decoding refuses malformed frames with the reason", "[messaging][frame]") {
  buffer b;
  msg::frame_view view;
  CHECK(msg::decode_frame(b.bytes, 47, 128, view) == msg::frame_check::truncated);
  CHECK(msg::decode_frame(nullptr, 100, 128, view) == msg::frame_check::truncated);
  CHECK(msg::decode_frame(b.bytes + 8, 100, 128, view) == msg::frame_check::misaligned);
  CHECK(msg::decode_frame(b.bytes, 100, 128, view) == msg::frame_check::empty_payload);
  header_of(b)->payload_bytes = 129;
  CHECK(msg::decode_frame(b.bytes, 256, 128, view) == msg::frame_check::payload_too_large);
  header_of(b)->payload_bytes = 100;
  CHECK(msg::decode_frame(b.bytes, 48 + 99, 128, view) == msg::frame_check::length_mismatch);
  header_of(b)->flags = 1u << 20;
  CHECK(msg::decode_frame(b.bytes, 256, 128, view) == msg::frame_check::unknown_flags);
  header_of(b)->flags = 0;
  header_of(b)->seal = 1;  // whether a seal holds is the sealed ring's check, not decoding's
  CHECK(msg::decode_frame(b.bytes, 256, 128, view) == msg::frame_check::ok);
  CHECK(std::strcmp(msg::to_string(msg::frame_check::length_mismatch), "length_mismatch") == 0);
}

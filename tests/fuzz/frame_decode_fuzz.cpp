// libFuzzer target for every place that reads a frame someone else wrote:
//  1. decode_frame() on arbitrary bytes must never read out of bounds, and whatever it accepts
//     must satisfy the frame invariants;
//  2. a ring consumer whose slots hold arbitrary bytes (a corrupt or hostile producer) must
//     never copy more than the caller's buffer holds (try_pop), and the reply check the
//     runtime uses (is_frame_of) must accept only frames of exactly the expected size.
// Input layout: 4 bytes of frame limit, 1 byte of caller capacity, the rest frame bytes.
#include <ringkernels/messaging/frame.hpp>
#include <ringkernels/messaging/frame_ring.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace msg = ringkernels::messaging;

namespace {

void fuzz_decode(const std::byte* data, std::size_t size, std::uint32_t limit) {
  // An exactly-sized, aligned heap copy: ASan sees any read past the end.
  auto* bytes = static_cast<std::byte*>(std::aligned_alloc(16, (size / 16 + 1) * 16));
  std::memcpy(bytes, data, size);
  msg::frame_view view;
  const msg::frame_check check = msg::decode_frame(bytes, size, limit, view);
  if (check == msg::frame_check::ok) {
    const auto payload = view.header->payload_bytes;
    if (payload == 0 || payload > limit || sizeof(msg::frame_header) + payload > size) std::abort();
    volatile std::byte last = view.payload[payload - 1];  // must be inside the input
    (void)last;
  }
  std::free(bytes);
}

/// A one-slot ring whose only slot holds the fuzzer's bytes, stamped as committed.
void fuzz_consumer(const std::byte* data, std::size_t size, std::uint32_t limit,
                   std::size_t capacity) {
  if (limit == 0) limit = 1;
  limit %= 4096;  // keep the slot small: the fuzzer's bytes fill it
  if (limit == 0) limit = 1;
  const std::size_t stride = msg::slot_stride(limit);
  const std::size_t bytes = sizeof(msg::ring_control) + stride;
  void* memory = std::aligned_alloc(64, bytes);
  std::memset(memory, 0, bytes);
  auto* control = new (memory) msg::ring_control{};
  msg::ring_ref<msg::scope::system> ring;
  ring.control = control;
  ring.slots = static_cast<std::byte*>(memory) + sizeof(msg::ring_control);
  ring.slot_count = 1;
  ring.stride = static_cast<std::uint32_t>(stride);
  ring.max_payload = limit;
  std::memcpy(ring.slots, data, size < stride ? size : stride);
  ring.slot(0)->commit_stamp = msg::stamp_of(0);
  control->tail = 1;

  // The caller's buffer is exactly `capacity` bytes: ASan reports any copy past it.
  auto* out = static_cast<std::byte*>(std::malloc(capacity == 0 ? 1 : capacity));
  msg::ring_consumer<msg::scope::system> consumer(ring);
  msg::frame_header header{};
  const msg::pop_result result = consumer.try_pop(header, out, capacity);
  if (result == msg::pop_result::ok &&
      (header.payload_bytes > capacity || header.payload_bytes > limit)) {
    std::abort();
  }
  if (result == msg::pop_result::malformed && control->skipped_malformed != 1) std::abort();
  if (result == msg::pop_result::empty) std::abort();  // the slot was committed

  struct reply64 {
    std::uint64_t words[8];
  };
  const msg::frame_header local = msg::load_header(ring.slot(0));
  if (msg::is_frame_of<reply64>(local, limit, msg::frame_flags::reply) &&
      local.payload_bytes != sizeof(reply64)) {
    std::abort();
  }
  std::free(out);
  std::free(memory);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  std::uint32_t limit = 0;
  std::memcpy(&limit, data, 4);
  limit = limit % (msg::max_payload_limit + 1);
  const std::size_t capacity = data[4];
  const auto* frame = reinterpret_cast<const std::byte*>(data + 5);
  fuzz_decode(frame, size - 5, limit);
  fuzz_consumer(frame, size - 5, limit, capacity);
  return 0;
}

// libFuzzer target: decode_frame on arbitrary bytes must never read out of bounds, and whatever
// it accepts must satisfy the frame invariants.
#include <ringkernels/messaging/frame.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace msg = ringkernels::messaging;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::uint32_t limit = 0;
  std::memcpy(&limit, data, 4);
  limit = limit % (msg::max_payload_limit + 1);
  // An exactly-sized, aligned heap copy: ASan sees any read past the end.
  auto* bytes = static_cast<std::byte*>(std::aligned_alloc(16, ((size - 4) / 16 + 1) * 16));
  std::memcpy(bytes, data + 4, size - 4);
  msg::frame_view view;
  // Reads beyond size - 4 would touch only the padding of the allocation; ASan's poisoning is at
  // the allocation's end, so check the bound explicitly too.
  const msg::frame_check check = msg::decode_frame(bytes, size - 4, limit, view);
  if (check == msg::frame_check::ok) {
    const auto payload = view.header->payload_bytes;
    if (payload == 0 || payload > limit || sizeof(msg::frame_header) + payload > size - 4)
      std::abort();
    volatile std::byte last = view.payload[payload - 1];  // must be inside the input
    (void)last;
  }
  std::free(bytes);
  return 0;
}

// Frames: the unit every queue carries. A 48-byte header followed by the payload; frames sit in
// fixed-stride slots sized to the queue's own frame limit (docs/messaging.md says why).
#ifndef RINGKERNELS_MESSAGING_FRAME_HPP
#define RINGKERNELS_MESSAGING_FRAME_HPP

#include <ringkernels/core/portability.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringkernels::messaging {

/// Frame flag bits. Unknown bits make a frame malformed.
namespace frame_flags {
inline constexpr std::uint32_t none = 0;
inline constexpr std::uint32_t reply = 1u << 0;  ///< answers the request named by correlation_id
inline constexpr std::uint32_t payload_handle = 1u << 1;  ///< payload is a handle to device memory
inline constexpr std::uint32_t error = 1u << 2;           ///< payload is an error text
inline constexpr std::uint32_t control = 1u << 3;         ///< runtime-internal message
inline constexpr std::uint32_t known_mask = reply | payload_handle | error | control;
}  // namespace frame_flags

/// The header in front of every payload. Trivially copyable, 16-byte aligned, 48 bytes.
struct alignas(16) frame_header {
  std::uint32_t payload_bytes;  ///< bytes of payload that follow, 1 .. the queue's frame limit
  std::uint32_t type_id;        ///< user message type, chosen by the sender
  std::uint32_t flags;          ///< frame_flags bits
  std::uint32_t
      commit_stamp;          ///< ring-internal: (position + 1) mod 2^32 once the frame is complete
  std::uint64_t message_id;  ///< unique per sender; deduplication key
  std::uint64_t correlation_id;  ///< a reply carries its request's message id
  std::uint64_t timestamp;       ///< hybrid logical clock value at send
  std::uint64_t seal;  ///< sealed rings: the frame's check value (frame_seal.hpp); else zero
};
static_assert(sizeof(frame_header) == 48, "frame_header layout is part of the wire format");
static_assert(alignof(frame_header) == 16, "frames are 16-byte aligned");

inline constexpr std::size_t frame_alignment = 16;
/// The largest per-queue frame limit; larger data travels as a device-memory handle.
inline constexpr std::uint32_t max_payload_limit = 1u << 20;

RINGKERNELS_INLINE_FUNCTION constexpr std::size_t round_up_to_frame_alignment(std::size_t bytes) {
  return (bytes + frame_alignment - 1) / frame_alignment * frame_alignment;
}

/// Slots start and end on cache lines: a producer writing frame k+1 then never invalidates the
/// line the consumer is reading frame k from. Measured on the 2-core VM (docs/performance.md):
/// 16-byte strides (112 B for 64 B payloads) gave 27 M frames/s at batch 1, 128 B gave 42 M/s.
inline constexpr std::size_t slot_alignment = 64;

/// Bytes one slot takes in a queue whose frame limit is `max_payload` bytes.
RINGKERNELS_INLINE_FUNCTION constexpr std::size_t slot_stride(std::uint32_t max_payload) {
  return (sizeof(frame_header) + max_payload + slot_alignment - 1) / slot_alignment *
         slot_alignment;
}

/// The commit stamp that publishes the frame at ring position `position`: (position + 1) mod
/// 2^32, so a stamp left from an earlier lap never matches.
RINGKERNELS_INLINE_FUNCTION constexpr std::uint32_t stamp_of(std::uint64_t position) {
  return static_cast<std::uint32_t>(position + 1);
}

/// 16 bytes moved as one unit (defined in core/portability.hpp, per GPU toolchain).
using ringkernels::chunk16;

/// Copies the header of the frame at `slot` (16-byte aligned) into a local value.
RINGKERNELS_INLINE_FUNCTION frame_header load_header(const frame_header* slot) {
  chunk16 chunks[sizeof(frame_header) / 16];
  const auto* source = reinterpret_cast<const chunk16*>(slot);
  for (std::size_t i = 0; i < sizeof(frame_header) / 16; ++i) chunks[i] = source[i];
  frame_header header;
  memcpy(static_cast<void*>(&header), chunks, sizeof header);
  return header;
}

/// Copies a T out of a slot's payload (16-byte aligned) in 16-byte units. Reads up to 15 bytes
/// past sizeof(T); a slot's payload area is a multiple of 16 bytes long, so they stay in it.
template <class T>
RINGKERNELS_INLINE_FUNCTION void load_payload(T& out, const std::byte* payload) {
  constexpr std::size_t count = (sizeof(T) + 15) / 16;
  chunk16 chunks[count];
  const auto* source = reinterpret_cast<const chunk16*>(payload);
  for (std::size_t i = 0; i < count; ++i) chunks[i] = source[i];
  memcpy(static_cast<void*>(&out), chunks, sizeof(T));
}

/// Writes `header` into the slot at `slot` (16-byte aligned), all but commit_stamp, which is
/// the publication word and is written only atomically by the ring (the seal as given).
/// Four stores: bytes 0-7 (payload_bytes, type_id), flags, then bytes 16-47 as two 16-byte
/// units. A byte-wise copy here was 40 one-byte stores per frame on a GPU.
RINGKERNELS_INLINE_FUNCTION void store_header(frame_header* slot, const frame_header& header) {
  frame_header local = header;
  local.commit_stamp = 0;
  chunk16 chunks[sizeof(frame_header) / 16];
  memcpy(static_cast<void*>(chunks), &local, sizeof local);
  *reinterpret_cast<std::uint64_t*>(slot) = chunks[0].x;  // payload_bytes and type_id
  slot->flags = local.flags;
  auto* target = reinterpret_cast<chunk16*>(slot);
  for (std::size_t i = 1; i < sizeof(frame_header) / 16; ++i) target[i] = chunks[i];
}

/// Writes a T into a slot's payload (16-byte aligned) in 16-byte units, the last one padded
/// with zeros (up to 15 bytes past sizeof(T), inside the slot as for load_payload()).
template <class T>
RINGKERNELS_INLINE_FUNCTION void store_payload(std::byte* payload, const T& value) {
  constexpr std::size_t count = (sizeof(T) + 15) / 16;
  chunk16 chunks[count] = {};
  memcpy(static_cast<void*>(chunks), &value, sizeof(T));
  auto* target = reinterpret_cast<chunk16*>(payload);
  for (std::size_t i = 0; i < count; ++i) target[i] = chunks[i];
}

/// Why a frame was refused when it was decoded from untrusted bytes.
enum class [[nodiscard]] frame_check{
    ok,
    truncated,          ///< fewer bytes than a header
    misaligned,         ///< the bytes do not start on a 16-byte boundary
    empty_payload,      ///< payload_bytes == 0
    payload_too_large,  ///< payload_bytes above the queue's limit
    length_mismatch,    ///< payload_bytes runs past the bytes available
    unknown_flags,      ///< flag bits this version does not know
};

const char* to_string(frame_check check) noexcept;

/// A frame as seen by a reader: header and payload pointers into a slot (or any buffer).
struct frame_view {
  const frame_header* header = nullptr;
  const std::byte* payload = nullptr;
};

/// Checks a header read from a queue (untrusted: a corrupt or hostile producer can write any
/// bytes) against the queue's frame limit. Every consumer checks before it copies a payload.
RINGKERNELS_INLINE_FUNCTION frame_check check_header(const frame_header& header,
                                                     std::uint32_t max_payload) {
  if (header.payload_bytes == 0) return frame_check::empty_payload;
  if (header.payload_bytes > max_payload) return frame_check::payload_too_large;
  if ((header.flags & ~frame_flags::known_mask) != 0) return frame_check::unknown_flags;
  return frame_check::ok;
}

/// Whether a frame is a well-formed `T` for a queue whose frame limit is `max_payload`: the
/// header checks out, its length is exactly sizeof(T) and it carries the flags `required`.
template <class T>
RINGKERNELS_INLINE_FUNCTION bool is_frame_of(const frame_header& header, std::uint32_t max_payload,
                                             std::uint32_t required = frame_flags::none) {
  return check_header(header, max_payload) == frame_check::ok &&
         header.payload_bytes == sizeof(T) && (header.flags & required) == required;
}

/// Checks `size` untrusted bytes as one frame for a queue whose frame limit is `max_payload`.
/// On ok, `out` points into `bytes`. Never reads past `bytes + size`.
RINGKERNELS_INLINE_FUNCTION frame_check decode_frame(const std::byte* bytes, std::size_t size,
                                                     std::uint32_t max_payload, frame_view& out) {
  if (bytes == nullptr || size < sizeof(frame_header)) return frame_check::truncated;
  if (reinterpret_cast<std::uintptr_t>(bytes) % frame_alignment != 0)
    return frame_check::misaligned;
  const auto* header = reinterpret_cast<const frame_header*>(bytes);
  const frame_check check = check_header(*header, max_payload);
  if (check != frame_check::ok) return check;
  if (header->payload_bytes > size - sizeof(frame_header)) return frame_check::length_mismatch;
  out.header = header;
  out.payload = bytes + sizeof(frame_header);
  return frame_check::ok;
}

}  // namespace ringkernels::messaging

#endif

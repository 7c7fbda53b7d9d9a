// Frame seals: a check value over a frame's bytes, carried in its header, for rings whose frames
// cross PCIe (a GPU on one side). Why: a GPU that learns "frame complete" from the commit stamp
// must read the stamp, wait for it, then read the frame: two dependent PCIe round trips, 1.2 us
// of a 4.5 us round trip on an H200. With a seal it reads the stamp and the frame together, in
// one round trip, and knows from the seal whether what it read is one whole frame. Replies the
// other way need no system fence before their stamp: the host checks the seal instead
// (docs/messaging.md, "Sealed rings").
//
// The seal folds the header's first five words (commit_stamp set, the seal word itself left
// out) and the payload's bytes (zero-padded to whole words) through seal_step(). Each step is a
// bijection of the running state for a fixed word and injective in the word for a fixed state,
// so two frames of the same length that differ in exactly one word never share a seal; a read that
// mixes a new frame with words of the slot's previous frame passes only if the mix equals the new
// frame or the 64-bit values collide. Only the ring's own writers race with its readers; the seal
// is not a defence against a hostile writer.
#ifndef RINGKERNELS_MESSAGING_FRAME_SEAL_HPP
#define RINGKERNELS_MESSAGING_FRAME_SEAL_HPP

#include <ringkernels/messaging/frame.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringkernels::messaging {

/// One word into the running seal: xor, multiply by an odd constant, xor-shift (each step
/// invertible).
RINGKERNELS_INLINE_FUNCTION constexpr std::uint64_t seal_step(std::uint64_t state,
                                                              std::uint64_t word) {
  state = (state ^ word) * 0x9e3779b97f4a7c15ull;
  return state ^ (state >> 32);
}

/// `count` (1..8) bytes at `bytes` as the low bytes of a word, the rest zero.
RINGKERNELS_INLINE_FUNCTION std::uint64_t seal_word(const std::byte* bytes, std::uint32_t count) {
  std::uint64_t word = 0;
  memcpy(static_cast<void*>(&word), bytes, count < 8 ? count : 8);
  return word;
}

/// The seal of a frame with `header` (its commit_stamp already the position's stamp; its seal
/// field is ignored) and the first `payload_bytes` bytes at `payload` (any alignment). Four
/// running states take every fourth word, so the chain of dependent multiplies is a quarter as
/// long.
RINGKERNELS_INLINE_FUNCTION std::uint64_t frame_seal(const frame_header& header,
                                                     const std::byte* payload,
                                                     std::uint32_t payload_bytes) {
  std::uint64_t words[sizeof(frame_header) / 8];  // the last one is the seal: left out
  memcpy(static_cast<void*>(words), &header, sizeof header);
  std::uint64_t a = seal_step(0x6a09e667f3bcc909ull, words[0]);
  std::uint64_t b = seal_step(0xbb67ae8584caa73bull, words[1]);
  std::uint64_t c = seal_step(0x3c6ef372fe94f82bull, words[2]);
  std::uint64_t d = seal_step(0xa54ff53a5f1d36f1ull, words[3]);
  a = seal_step(a, words[4]);
  std::uint32_t offset = 0;
  for (; offset + 32 <= payload_bytes; offset += 32) {
    a = seal_step(a, seal_word(payload + offset, 8));
    b = seal_step(b, seal_word(payload + offset + 8, 8));
    c = seal_step(c, seal_word(payload + offset + 16, 8));
    d = seal_step(d, seal_word(payload + offset + 24, 8));
  }
  for (std::uint32_t k = 0; offset < payload_bytes; offset += 8, ++k) {  // the last < 32 B
    const std::uint64_t word = seal_word(payload + offset, payload_bytes - offset);
    if (k == 0) {
      a = seal_step(a, word);
    } else if (k == 1) {
      b = seal_step(b, word);
    } else if (k == 2) {
      c = seal_step(c, word);
    } else {
      d = seal_step(d, word);
    }
  }
  // A tree, not a chain: step() is a bijection in its first argument and injective in its
  // second, so a change in any one state still changes the result.
  return seal_step(seal_step(seal_step(a, b), seal_step(c, d)), payload_bytes);
}

// Frames are loaded with ringkernels::load_chunk_uncached and stored with
// ringkernels::store_chunk_through (core/portability.hpp, one definition per GPU toolchain). Why
// weak uncached loads: strong `.sys` loads from host memory were serialised per thread (14 of
// them took 14 round trips, docs/performance.md); the seal, not the load, says whether the bytes
// belong together.
using ringkernels::load_chunk_uncached;
using ringkernels::store_chunk_through;

}  // namespace ringkernels::messaging

#endif

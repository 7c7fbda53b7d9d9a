// Deterministic payloads for queue tests: every frame's size and bytes follow from
// (producer, sequence), so a consumer can check content and order without shared state.
#ifndef RINGKERNELS_TESTS_PAYLOAD_PATTERN_HPP
#define RINGKERNELS_TESTS_PAYLOAD_PATTERN_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace test_support {

inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Size of frame `sequence` of `producer`: 1 .. max_payload, uniformly spread.
inline std::uint32_t pattern_size(std::uint32_t producer, std::uint64_t sequence,
                                  std::uint32_t max_payload) {
  return 1 +
         static_cast<std::uint32_t>(mix((std::uint64_t{producer} << 48) ^ sequence) % max_payload);
}

/// Fills `bytes` with the pattern of (producer, sequence).
inline void fill_pattern(std::byte* bytes, std::uint32_t size, std::uint32_t producer,
                         std::uint64_t sequence) {
  std::uint64_t state = mix(sequence * 31 + producer);
  for (std::uint32_t i = 0; i < size; ++i) {
    if (i % 8 == 0) state = mix(state);
    bytes[i] = static_cast<std::byte>(state >> (8 * (i % 8)));
  }
}

/// True when `bytes` hold exactly the pattern of (producer, sequence).
inline bool matches_pattern(const std::byte* bytes, std::uint32_t size, std::uint32_t producer,
                            std::uint64_t sequence) {
  std::uint64_t state = mix(sequence * 31 + producer);
  for (std::uint32_t i = 0; i < size; ++i) {
    if (i % 8 == 0) state = mix(state);
    if (bytes[i] != static_cast<std::byte>(state >> (8 * (i % 8)))) return false;
  }
  return true;
}

}  // namespace test_support

#endif

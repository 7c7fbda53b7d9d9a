// Reading and writing checkpoint files (the format: ringkernels/src/checkpoint_file.cpp and
// docs/operations.md). Host only; nothing here is API.
#ifndef RINGKERNELS_DETAIL_CHECKPOINT_FILE_HPP
#define RINGKERNELS_DETAIL_CHECKPOINT_FILE_HPP

#include <ringkernels/checkpoint.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ringkernels::detail {

/// The version this build writes and the only one it reads.
inline constexpr std::uint32_t checkpoint_format_version = 1;

/// Writes `info` (path and file_bytes are filled in) and info.actors * info.state_bytes bytes
/// of `states` to info.path, through "<path>.partial" and a rename. Returns the bytes written.
/// Throws errc::io_error naming the file when it cannot be written (the partial file is gone).
std::uint64_t write_checkpoint(checkpoint_info& info, const void* states);

/// Reads and verifies `path`; when `states` is not null, also returns the states (resized to
/// actors * state_bytes). Throws as inspect_checkpoint() does.
checkpoint_info read_checkpoint(const std::string& path, std::vector<std::byte>* states);

/// A 64-bit checksum over a stream of bytes (four lanes of multiply-rotate rounds over 8-byte
/// words, in the manner of xxHash64; several GB/s). Detects corruption; it is not a MAC.
class checksum64 {
 public:
  void update(const void* data, std::size_t bytes);
  std::uint64_t value() const;

 private:
  void consume_block(const unsigned char* block);
  std::uint64_t lanes_[4] = {0x9e3779b185ebca87ull + 0xc2b2ae3d27d4eb4full, 0xc2b2ae3d27d4eb4full,
                             0, 0ull - 0x9e3779b185ebca87ull};
  unsigned char pending_[32] = {};
  std::size_t pending_bytes_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// The actor type's name, readable where the compiler can demangle it.
std::string readable_type_name(const char* mangled);

}  // namespace ringkernels::detail

#endif

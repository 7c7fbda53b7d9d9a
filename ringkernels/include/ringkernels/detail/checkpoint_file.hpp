// Reading and writing checkpoint files (the format: ringkernels/src/checkpoint_file.cpp and
// docs/operations.md). Host only; nothing here is API.
#ifndef RINGKERNELS_DETAIL_CHECKPOINT_FILE_HPP
#define RINGKERNELS_DETAIL_CHECKPOINT_FILE_HPP

#include <ringkernels/checkpoint.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ringkernels::detail {

/// The version this build writes and the only one it reads.
inline constexpr std::uint32_t checkpoint_format_version = 1;

/// Hands out the states to write, piece by piece: sets `data` and returns its length; 0 at the
/// end. (A GPU system copies them through a pinned buffer; a CPU one hands out its memory.)
using state_pieces = std::function<std::size_t(const void*& data)>;

/// Writes `info` (path and file_bytes are filled in) and info.actors * info.state_bytes bytes
/// of states from `pieces` to info.path, through "<path>.partial" and a rename. Returns the
/// bytes written. Throws errc::io_error naming the file when it cannot be written (the
/// partial file is gone), errc::invalid_argument when `pieces` hands out the wrong amount.
std::uint64_t write_checkpoint(checkpoint_info& info, const state_pieces& pieces);

/// Reads a checkpoint in two steps: the constructor opens it and checks everything up to the
/// states against each other and the file's length; read_states() reads the states into a
/// buffer the caller sized from info() and verifies the checksum. Throws as
/// inspect_checkpoint() does; nothing read is to be used before read_states() returned.
class checkpoint_reader {
 public:
  explicit checkpoint_reader(const std::string& path);
  ~checkpoint_reader();
  checkpoint_reader(const checkpoint_reader&) = delete;
  checkpoint_reader& operator=(const checkpoint_reader&) = delete;

  const checkpoint_info& info() const { return info_; }
  std::uint64_t state_bytes_total() const { return info_.actors * info_.state_bytes; }
  /// Reads the states into `into` (state_bytes_total() bytes; null: read and drop them) and
  /// checks the checksum over the whole file.
  void read_states(void* into);

 private:
  struct file_state;
  checkpoint_info info_;
  std::unique_ptr<file_state> file_;
};

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

// Checkpoint files. Layout (little-endian; docs/operations.md):
//
//   file_header          128 bytes: magic, version, kind, file length, type fingerprint,
//                        actors, state size, counter count, HLC, string lengths
//   counters             counter_count x u64 (actor_telemetry's fields, in counter_order)
//   strings              system name, backend name, actor type name
//   states               actors x state_bytes, in id order
//   checksum             u64: checksum64 of every byte before it
//
// A reader checks the header's claims against the file's real length before it reads on, and
// the checksum before it returns anything: nothing is restored from a file that fails.
#include <ringkernels/core/error.hpp>
#include <ringkernels/detail/checkpoint_file.hpp>

#include <cxxabi.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace ringkernels::detail {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "checkpoint files are little-endian; this build writes them as they are in memory");

constexpr char checkpoint_magic[8] = {'R', 'K', 'C', 'K', 'P', 'T', '\x1a', '\n'};
constexpr std::uint32_t actor_system_kind = 1;
constexpr std::uint32_t stored_counters = 16;
constexpr std::uint32_t longest_name = 4096;
constexpr std::size_t chunk_bytes = std::size_t{64} << 20;  // states move in 64 MiB pieces

struct file_header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t kind;
  std::uint64_t file_bytes;
  std::uint64_t type_fingerprint;
  std::uint64_t actors;
  std::uint32_t state_bytes;
  std::uint32_t counter_count;
  std::uint64_t hlc;
  std::uint32_t name_bytes;
  std::uint32_t backend_bytes;
  std::uint32_t type_bytes;
  std::uint32_t reserved0;
  std::uint64_t reserved[7];
};
static_assert(sizeof(file_header) == 128, "the header is 128 bytes on disk");

constexpr std::uint64_t prime1 = 0x9e3779b185ebca87ull;
constexpr std::uint64_t prime2 = 0xc2b2ae3d27d4eb4full;
constexpr std::uint64_t prime3 = 0x165667b19e3779f9ull;
constexpr std::uint64_t prime4 = 0x85ebca77c2b2ae63ull;

constexpr std::uint64_t rotl(std::uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }
std::uint64_t round(std::uint64_t lane, std::uint64_t word) {
  return rotl(lane + word * prime2, 31) * prime1;
}
std::uint64_t load_word(const unsigned char* bytes) {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

/// actor_telemetry <-> the stored counters (order fixed by format version 1).
void store_counters(const actor_telemetry& t, std::uint64_t (&out)[stored_counters]) {
  std::uint64_t* p = out;
  for (std::uint64_t value : {t.from_host, t.sent_on_device, t.from_systems, t.sent_to_systems,
                              t.handled, t.overflow_high_water}) {
    *p++ = value;
  }
  for (std::uint64_t dead : t.dead) *p++ = dead;
  while (p != out + stored_counters) *p++ = 0;
}
actor_telemetry load_counters(const std::uint64_t (&in)[stored_counters]) {
  actor_telemetry t;
  const std::uint64_t* p = in;
  for (std::uint64_t* field : {&t.from_host, &t.sent_on_device, &t.from_systems, &t.sent_to_systems,
                               &t.handled, &t.overflow_high_water}) {
    *field = *p++;
  }
  for (std::uint64_t& dead : t.dead) dead = *p++;
  return t;
}
static_assert(6 + static_cast<int>(dead_letter_reason::count) <= stored_counters,
              "a new dead-letter reason needs a new checkpoint format version");

[[noreturn]] void refuse(const std::string& path, const std::string& what) {
  RINGKERNELS_THROW(errc::invalid_argument, "checkpoint '" + path + "': " + what);
}
[[noreturn]] void io_failed(const std::string& path, const std::string& doing, int code) {
  RINGKERNELS_THROW(errc::io_error,
                    "checkpoint '" + path + "': cannot " + doing + ": " + std::strerror(code));
}

struct file_closer {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

/// Writes everything through one checksum; throws io_error naming the file.
class checksummed_writer {
 public:
  checksummed_writer(std::FILE* file, const std::string& path) : file_(file), path_(path) {}
  void write(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    while (bytes > 0) {
      const std::size_t n = bytes < chunk_bytes ? bytes : chunk_bytes;
      sum_.update(p, n);
      if (std::fwrite(p, 1, n, file_) != n) io_failed(path_, "write", errno);
      p += n;
      bytes -= n;
    }
  }
  std::uint64_t checksum() const { return sum_.value(); }

 private:
  std::FILE* file_;
  const std::string& path_;
  checksum64 sum_;
};

/// Reads exactly `bytes` through the checksum; a short read is a truncated file.
class checksummed_reader {
 public:
  checksummed_reader(std::FILE* file, const std::string& path) : file_(file), path_(path) {}
  void read(void* data, std::size_t bytes) {
    auto* p = static_cast<unsigned char*>(data);
    while (bytes > 0) {
      const std::size_t n = bytes < chunk_bytes ? bytes : chunk_bytes;
      if (std::fread(p, 1, n, file_) != n) {
        if (std::ferror(file_)) io_failed(path_, "read", errno);
        refuse(path_, "truncated: it ended while it was being read");
      }
      sum_.update(p, n);
      p += n;
      bytes -= n;
    }
  }
  /// Reads and checksums `bytes` without keeping them (inspect_checkpoint's states).
  void skip(std::uint64_t bytes) {
    std::vector<unsigned char> scratch(bytes < chunk_bytes ? bytes : chunk_bytes);
    while (bytes > 0) {
      const std::size_t n =
          bytes < scratch.size() ? static_cast<std::size_t>(bytes) : scratch.size();
      read(scratch.data(), n);
      bytes -= n;
    }
  }
  std::uint64_t checksum() const { return sum_.value(); }

 private:
  std::FILE* file_;
  const std::string& path_;
  checksum64 sum_;
};

std::uint64_t file_size(std::FILE* file, const std::string& path) {
  if (std::fseek(file, 0, SEEK_END) != 0) io_failed(path, "seek", errno);
  const long size = std::ftell(file);
  if (size < 0) io_failed(path, "tell its size", errno);
  if (std::fseek(file, 0, SEEK_SET) != 0) io_failed(path, "seek", errno);
  return static_cast<std::uint64_t>(size);
}

/// The header's claims against each other and against the file's real length.
void check_header(const file_header& header, std::uint64_t size, const std::string& path) {
  if (std::memcmp(header.magic, checkpoint_magic, sizeof checkpoint_magic) != 0) {
    refuse(path, "not a RingKernels checkpoint (its first bytes are not the checkpoint magic)");
  }
  if (header.version != checkpoint_format_version) {
    refuse(path, "format version " + std::to_string(header.version) +
                     "; this build reads version " + std::to_string(checkpoint_format_version));
  }
  if (header.kind != actor_system_kind) {
    refuse(path, "kind " + std::to_string(header.kind) + " is not an actor system (1)");
  }
  if (header.file_bytes != size) {
    refuse(path,
           (size < header.file_bytes ? "truncated: the file has " : "too long: the file has ") +
               std::to_string(size) + " bytes, its header says " +
               std::to_string(header.file_bytes));
  }
  if (header.counter_count != stored_counters || header.name_bytes > longest_name ||
      header.backend_bytes > longest_name || header.type_bytes > longest_name ||
      header.state_bytes == 0 || header.actors == 0 ||
      header.actors > (size / header.state_bytes)) {
    refuse(path, "corrupt: its header's sizes are impossible");
  }
  const std::uint64_t expected = sizeof(file_header) + std::uint64_t{stored_counters} * 8 +
                                 header.name_bytes + header.backend_bytes + header.type_bytes +
                                 header.actors * header.state_bytes + 8;
  if (expected != size) {
    refuse(path, "corrupt: its parts add up to " + std::to_string(expected) + " bytes, not " +
                     std::to_string(size));
  }
}

std::string read_string(checksummed_reader& in, std::uint32_t bytes) {
  std::string text(bytes, '\0');
  in.read(text.data(), bytes);
  return text;
}

}  // namespace

void checksum64::update(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  total_bytes_ += bytes;
  if (pending_bytes_ > 0) {
    const std::size_t take = bytes < 32 - pending_bytes_ ? bytes : 32 - pending_bytes_;
    std::memcpy(pending_ + pending_bytes_, p, take);
    pending_bytes_ += take;
    p += take;
    bytes -= take;
    if (pending_bytes_ < 32) return;
    consume_block(pending_);
    pending_bytes_ = 0;
  }
  for (; bytes >= 32; p += 32, bytes -= 32) consume_block(p);
  std::memcpy(pending_, p, bytes);
  pending_bytes_ = bytes;
}

void checksum64::consume_block(const unsigned char* block) {
  for (int lane = 0; lane < 4; ++lane)
    lanes_[lane] = round(lanes_[lane], load_word(block + 8 * lane));
}

std::uint64_t checksum64::value() const {
  std::uint64_t h =
      rotl(lanes_[0], 1) + rotl(lanes_[1], 7) + rotl(lanes_[2], 12) + rotl(lanes_[3], 18);
  for (std::uint64_t lane : lanes_) h = (h ^ round(0, lane)) * prime1 + prime4;
  h += total_bytes_;
  std::size_t i = 0;
  for (; i + 8 <= pending_bytes_; i += 8) {
    h = rotl(h ^ round(0, load_word(pending_ + i)), 27) * prime1 + prime4;
  }
  for (; i < pending_bytes_; ++i) h = rotl(h ^ (pending_[i] * prime3), 11) * prime1;
  h ^= h >> 33;
  h *= prime2;
  h ^= h >> 29;
  h *= prime3;
  return h ^ (h >> 32);
}

std::string readable_type_name(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && readable ? std::string(readable.get()) : std::string(mangled);
}

std::uint64_t write_checkpoint(checkpoint_info& info, const state_pieces& pieces) {
  for (const std::string* text : {&info.system_name, &info.backend, &info.actor_type}) {
    if (text->size() > longest_name) refuse(info.path, "a name is longer than 4096 bytes");
  }
  file_header header{};
  std::memcpy(header.magic, checkpoint_magic, sizeof checkpoint_magic);
  header.version = checkpoint_format_version;
  header.kind = actor_system_kind;
  header.type_fingerprint = info.type_fingerprint;
  header.actors = info.actors;
  header.state_bytes = info.state_bytes;
  header.counter_count = stored_counters;
  header.hlc = info.hlc;
  header.name_bytes = static_cast<std::uint32_t>(info.system_name.size());
  header.backend_bytes = static_cast<std::uint32_t>(info.backend.size());
  header.type_bytes = static_cast<std::uint32_t>(info.actor_type.size());
  const std::uint64_t state_total = info.actors * info.state_bytes;
  header.file_bytes = sizeof header + std::uint64_t{stored_counters} * 8 + header.name_bytes +
                      header.backend_bytes + header.type_bytes + state_total + 8;
  std::uint64_t counters[stored_counters];
  store_counters(info.counters, counters);

  const std::string partial = info.path + ".partial";
  file_ptr file(std::fopen(partial.c_str(), "wb"));
  if (!file) io_failed(partial, "open it for writing", errno);
  try {
    checksummed_writer out(file.get(), partial);
    out.write(&header, sizeof header);
    out.write(counters, sizeof counters);
    out.write(info.system_name.data(), info.system_name.size());
    out.write(info.backend.data(), info.backend.size());
    out.write(info.actor_type.data(), info.actor_type.size());
    std::uint64_t states_written = 0;
    const void* piece = nullptr;
    while (const std::size_t bytes = pieces(piece)) {
      if (states_written + bytes > state_total) break;
      out.write(piece, bytes);
      states_written += bytes;
    }
    if (states_written != state_total) {
      refuse(info.path, "the system handed out " + std::to_string(states_written) +
                            " bytes of states or more, not " + std::to_string(state_total));
    }
    const std::uint64_t sum = out.checksum();
    if (std::fwrite(&sum, 1, sizeof sum, file.get()) != sizeof sum) {
      io_failed(partial, "write", errno);
    }
    // On disk before the rename: a crash leaves either the old file or the whole new one.
    if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
      io_failed(partial, "flush", errno);
    }
    file.reset();
    if (std::rename(partial.c_str(), info.path.c_str()) != 0) {
      io_failed(info.path, "rename " + partial + " to it", errno);
    }
  } catch (...) {
    file.reset();
    std::remove(partial.c_str());
    throw;
  }
  info.format_version = checkpoint_format_version;
  info.file_bytes = header.file_bytes;
  return header.file_bytes;
}

struct checkpoint_reader::file_state {
  std::string path;
  file_ptr file;
  std::uint64_t size = 0;
  std::unique_ptr<checksummed_reader> in;
};

checkpoint_reader::checkpoint_reader(const std::string& path) : file_(new file_state) {
  file_->path = path;
  file_->file.reset(std::fopen(path.c_str(), "rb"));
  if (!file_->file) io_failed(path, "open it", errno);
  file_->size = file_size(file_->file.get(), path);
  if (file_->size < sizeof(file_header) + 8) {
    refuse(path, "not a checkpoint: " + std::to_string(file_->size) + " bytes, less than a header");
  }
  file_->in = std::make_unique<checksummed_reader>(file_->file.get(), file_->path);
  checksummed_reader& in = *file_->in;
  file_header header{};
  in.read(&header, sizeof header);
  check_header(header, file_->size, path);
  std::uint64_t counters[stored_counters];
  in.read(counters, sizeof counters);
  info_.path = path;
  info_.format_version = header.version;
  info_.system_name = read_string(in, header.name_bytes);
  info_.backend = read_string(in, header.backend_bytes);
  info_.actor_type = read_string(in, header.type_bytes);
  info_.type_fingerprint = header.type_fingerprint;
  info_.actors = header.actors;
  info_.state_bytes = header.state_bytes;
  info_.file_bytes = file_->size;
  info_.hlc = header.hlc;
  info_.counters = load_counters(counters);
}

checkpoint_reader::~checkpoint_reader() = default;

void checkpoint_reader::read_states(void* into) {
  checksummed_reader& in = *file_->in;
  if (into != nullptr) {
    in.read(into, static_cast<std::size_t>(state_bytes_total()));
  } else {
    in.skip(state_bytes_total());
  }
  std::uint64_t stored = 0;
  if (std::fread(&stored, 1, sizeof stored, file_->file.get()) != sizeof stored) {
    refuse(file_->path, "truncated: no checksum at its end");
  }
  if (stored != in.checksum())
    refuse(file_->path, "corrupt: its checksum does not match its contents");
}

}  // namespace ringkernels::detail

namespace ringkernels {
checkpoint_info inspect_checkpoint(const std::string& path) {
  detail::checkpoint_reader reader(path);
  reader.read_states(nullptr);
  return reader.info();
}
}  // namespace ringkernels

// Checkpoint files (the HPC convention: save a quiescent phase, restart from it later, on the
// same or another backend). actor_system::checkpoint(path) writes one, restore(path) reads it
// into a freshly spawned system; inspect_checkpoint() reads and verifies one without restoring.
//
//   system.quiesce(10s);
//   system.deactivate();
//   system.checkpoint("phase3.rkckpt");
//   ...                                       // later, in another run, on any backend:
//   auto again = rt.spawn<Kokkos::Cuda>(counter{}, {.name = "counters", .actors = n});
//   again.restore("phase3.rkckpt");           // states bit-identical, counters carried on
//
// The file (docs/operations.md has the layout): a versioned header, the system's counters, its
// name, backend and actor type, every actor's state, then a 64-bit checksum of everything
// before it. Written to "<path>.partial" and renamed, so a crash never leaves a half-written
// file under the real name. A truncated, corrupt or foreign file is refused before anything is
// restored.
#ifndef RINGKERNELS_CHECKPOINT_HPP
#define RINGKERNELS_CHECKPOINT_HPP

#include <ringkernels/actor_telemetry.hpp>

#include <cstdint>
#include <string>

namespace ringkernels {

/// What a checkpoint file holds besides the states.
struct checkpoint_info {
  std::string path;
  std::uint32_t format_version = 0;    ///< detail::checkpoint_format_version when written
  std::string system_name;             ///< the system that wrote it
  std::string backend;                 ///< the execution space it ran on ("OpenMP", "Cuda", ...)
  std::string actor_type;              ///< the actor type's C++ name
  std::uint64_t type_fingerprint = 0;  ///< a hash of that name and the state and message sizes
  std::uint64_t actors = 0;
  std::uint32_t state_bytes = 0;  ///< sizeof(Actor::State)
  std::uint64_t file_bytes = 0;
  std::uint64_t hlc = 0;     ///< the writer's hybrid logical clock (packed) when it wrote
  actor_telemetry counters;  ///< the system's totals when written (quiescent: in_flight 0)
};

/// Reads `path` whole and checks it (magic, version, length, checksum); throws
/// errc::io_error when it cannot be read, errc::invalid_argument naming what is wrong with it.
/// @threadsafe
checkpoint_info inspect_checkpoint(const std::string& path);

}  // namespace ringkernels

#endif

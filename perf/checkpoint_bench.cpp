#include "checkpoint_bench.hpp"

#include "actor_workloads.hpp"
#include "gpu_floor.hpp"

#include <ringkernels/detail/checkpoint_file.hpp>
#include <ringkernels/runtime.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace ringkernels::perf {
namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}
double gb_per_s(std::uint64_t bytes, double seconds) {
  return static_cast<double>(bytes) / seconds / 1e9;
}

/// Writes `bytes` to a scratch file beside `path` and fsyncs it: the disk's share of a
/// checkpoint, apart. Returns {write seconds, fsync seconds}.
std::pair<double, double> time_file_write(const std::string& path, const void* data,
                                          std::size_t bytes) {
  const std::string scratch = path + ".disk";
  std::FILE* file = std::fopen(scratch.c_str(), "wb");
  if (file == nullptr)
    RINGKERNELS_THROW(errc::io_error, "bench checkpoint: cannot write " + scratch);
  auto start = clock_type::now();
  const bool written = std::fwrite(data, 1, bytes, file) == bytes && std::fflush(file) == 0;
  const double write_seconds = seconds_since(start);
  start = clock_type::now();
  const bool synced = ::fsync(::fileno(file)) == 0;
  const double fsync_seconds = seconds_since(start);
  std::fclose(file);
  std::filesystem::remove(scratch);
  if (!written || !synced)
    RINGKERNELS_THROW(errc::io_error, "bench checkpoint: writing " + scratch);
  return {write_seconds, fsync_seconds};
}

/// Big's actor (16-byte state) with distinct states written from the host: checkpoint,
/// restore into a fresh system, compare bit for bit.
template <class ExecSpace>
void run(report& out, const checkpoint_bench_options& options, int workers) {
  using state = big_actor::State;
  const std::string path = !options.path.empty()
                               ? options.path
                               : (std::filesystem::temp_directory_path() /
                                  ("ringkernels-bench." + std::to_string(::getpid()) + ".rkckpt"))
                                     .string();
  actor_options spawn_options;
  spawn_options.name = "bench_checkpoint";
  spawn_options.actors = options.actors;
  spawn_options.workers = workers;
  spawn_options.launch = false;  // both systems spawned before either is resident (GPU)
  runtime rt;
  auto source = rt.spawn<ExecSpace>(big_actor{}, spawn_options);
  spawn_options.name = "bench_restored";
  auto restored = rt.spawn<ExecSpace>(big_actor{}, spawn_options);
  const std::uint64_t state_bytes = options.actors * sizeof(state);
  // The copy out of the backend's memory before the workers are resident, and after: on a GPU,
  // idle workers poll host memory across PCIe, which the copy shares.
  // The split of a checkpoint's cost: the copy into memory the DMA engine writes directly
  // (pinned on a GPU; allocated before any kernel is resident: allocations wait for those),
  // before and after the workers are resident.
  using backend = backend_traits<ExecSpace>;
  Kokkos::View<unsigned char*, typename backend::memory_space> landing("bench.landing",
                                                                       state_bytes);  // touched
  auto start = clock_type::now();
  (void)source.read_states();
  const double copy_not_resident_seconds = seconds_since(start);
  start = clock_type::now();
  backend::copy_memory(landing.data(), source.states().data(), state_bytes);
  const double pinned_not_resident_seconds = seconds_since(start);
  source.launch();
  start = clock_type::now();
  backend::copy_memory(landing.data(), source.states().data(), state_bytes);
  const double pinned_resident_seconds = seconds_since(start);
  std::vector<state> pattern(options.actors);
  for (std::uint64_t id = 0; id < options.actors; ++id) {
    const auto low = static_cast<std::uint32_t>(id * 2654435761u);
    pattern[id] = state{low, low ^ 0x5bd1e995u, static_cast<std::uint32_t>(id), ~low};
  }
  source.write_states(pattern);

  start = clock_type::now();
  const std::vector<state> copied = source.read_states();
  const double copy_seconds = seconds_since(start);
  start = clock_type::now();
  const checkpoint_info written = source.checkpoint(path);
  const double write_seconds = seconds_since(start);
  (void)source.terminate();

  start = clock_type::now();
  detail::checksum64 sum;
  sum.update(copied.data(), state_bytes);
  const double checksum_seconds = seconds_since(start);
  const auto [disk_write_seconds, fsync_seconds] =
      time_file_write(path, copied.data(), state_bytes);
  (void)sum.value();

  start = clock_type::now();
  (void)restored.restore(path);
  const double restore_seconds = seconds_since(start);
  const bool identical =
      std::memcmp(restored.read_states().data(), copied.data(), state_bytes) == 0;
  std::filesystem::remove(path);
  if (!identical) {
    RINGKERNELS_THROW(errc::backend_failure, "bench checkpoint: restored states differ");
  }
  const std::string what = std::to_string(options.actors) + " actors x 16 B, " +
                           std::to_string(written.file_bytes >> 20) + " MiB file";
  out.add("checkpoint.write_gb_per_s", gb_per_s(state_bytes, write_seconds), "GB/s",
          what + ", fsync'd, " + ExecSpace::name());
  out.add("checkpoint.restore_gb_per_s", gb_per_s(state_bytes, restore_seconds), "GB/s",
          what + ", read + checksum + copy in");
  out.add("checkpoint.state_copy_gb_per_s", gb_per_s(state_bytes, copy_seconds), "GB/s",
          "floor part: the states copied out of the backend's memory, same run");
  out.add("checkpoint.state_copy_not_resident_gb_per_s",
          gb_per_s(state_bytes, copy_not_resident_seconds), "GB/s",
          "the same copy before the workers were launched");
  out.add("checkpoint.split.pinned_copy_gb_per_s", gb_per_s(state_bytes, pinned_resident_seconds),
          "GB/s", "into the backend's host-reachable memory, workers resident");
  out.add("checkpoint.split.pinned_copy_not_resident_gb_per_s",
          gb_per_s(state_bytes, pinned_not_resident_seconds), "GB/s", "the same, before launch");
  out.add("checkpoint.split.checksum_gb_per_s", gb_per_s(state_bytes, checksum_seconds), "GB/s",
          "checksum64 over the states in host memory");
  out.add("checkpoint.split.file_write_gb_per_s", gb_per_s(state_bytes, disk_write_seconds), "GB/s",
          "fwrite + fflush of the same bytes beside the checkpoint");
  out.add("checkpoint.split.fsync_ms", fsync_seconds * 1000.0, "ms", "fsync of that file");
  out.add("checkpoint.verified", identical ? 1 : 0, "", "restored states bit-identical");
}

}  // namespace

report run_checkpoint_bench(const std::string& backend, const checkpoint_bench_options& options) {
  report out("checkpoint");
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    run<Kokkos::Cuda>(out, options,
                      options.workers > 0 ? options.workers : 4 * gpu_multiprocessors());
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    out.set_device(gpu_description());
    run<Kokkos::Experimental::HIP>(
        out, options, options.workers > 0 ? options.workers : 4 * gpu_multiprocessors());
    return out;
  }
#endif
  const int workers = options.workers > 0 ? options.workers : 2;
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial") {
    run<Kokkos::Serial>(out, options, workers);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp") {
    run<Kokkos::OpenMP>(out, options, workers);
    return out;
  }
#endif
  RINGKERNELS_THROW(errc::unsupported,
                    "bench checkpoint: backend '" + backend + "' is not in this build");
}

}  // namespace ringkernels::perf

#include "checkpoint_bench.hpp"

#include "actor_workloads.hpp"
#include "gpu_floor.hpp"

#include <ringkernels/runtime.hpp>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
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
  std::vector<state> pattern(options.actors);
  for (std::uint64_t id = 0; id < options.actors; ++id) {
    const auto low = static_cast<std::uint32_t>(id * 2654435761u);
    pattern[id] = state{low, low ^ 0x5bd1e995u, static_cast<std::uint32_t>(id), ~low};
  }
  source.write_states(pattern);
  const std::uint64_t state_bytes = options.actors * sizeof(state);
  // The same copy before the workers are resident: on a GPU, idle workers poll host memory
  // across PCIe, which the copy shares.
  auto start = clock_type::now();
  (void)source.read_states();
  const double copy_not_resident_seconds = seconds_since(start);
  source.launch();

  start = clock_type::now();
  const std::vector<state> copied = source.read_states();
  const double copy_seconds = seconds_since(start);
  start = clock_type::now();
  const checkpoint_info written = source.checkpoint(path);
  const double write_seconds = seconds_since(start);
  (void)source.terminate();

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

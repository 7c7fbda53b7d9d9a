// The GPU floor of the mechanism, measured in the same process as the project's numbers (after
// ../shared/floor/gpu_limits.cu; the project carries its own): a bare persistent kernel answering
// a flag in mapped pinned memory (and one answering whole frames), a bare pinned ring of 64-byte
// messages with one block consuming, and the launch-per-message baseline a resident kernel
// replaces.
#ifndef RINGKERNELS_PERF_GPU_FLOOR_HPP
#define RINGKERNELS_PERF_GPU_FLOOR_HPP

#include "bench_report.hpp"

#include <ringkernels/core/config.hpp>

#include <string>

namespace ringkernels::perf {

#if defined(RINGKERNELS_ENABLE_CUDA)
/// floor.mapped_roundtrip.p50_ns / p99_ns
void measure_mapped_roundtrip(report& out, double scale);
/// floor.frame_roundtrip.p50_ns / p99_ns: the same with one echo frame each way, published as
/// the rings publish it (stamp, frame read, reply, one system fence, stamp).
void measure_frame_roundtrip(report& out, double scale);
/// floor.stream.64B.msgs_per_s
void measure_pinned_stream(report& out, double scale);
/// baseline.launch_per_message.p50_ns / p99_ns: one Kokkos parallel_for + fence per request.
void measure_launch_per_message(report& out, double scale);
/// floor.k2k.cross_block.one_way_p50_ns / _p99_ns / _mean_ns and floor.k2k.intra_block.*: a
/// bare flag ping-pong between two blocks (device memory) and two warps of one block (shared
/// memory), half of each round trip timed on the global timer (what actor messages cost at
/// least between workers, and inside one).
void measure_device_pingpong(report& out, double scale);
#endif

#if defined(RINGKERNELS_ENABLE_CUDA) || defined(RINGKERNELS_ENABLE_HIP)
/// The device's SM (CUDA) or compute-unit (HIP) count (Kokkos' device).
int gpu_multiprocessors();
/// "NVIDIA H100 80GB HBM3, driver 580.xx, CUDA runtime 13.0", "AMD Instinct MI250X (gfx90a),
/// HIP runtime 5.2" (perf/hip_device.cpp: HIP has no floor programs yet, only these two).
std::string gpu_description();
#endif

}  // namespace ringkernels::perf

#endif

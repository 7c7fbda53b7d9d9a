// The CPU floor of the messaging mechanism, measured in the same process as the project's
// numbers: a bare cache-line ping-pong between two pinned cores and a bare array ring of 64-byte
// messages with no framing (after ../shared/floor/cpu_limits.cpp; the project carries its own).
#ifndef RINGKERNELS_PERF_CPU_FLOOR_HPP
#define RINGKERNELS_PERF_CPU_FLOOR_HPP

#include "bench_report.hpp"

#include <ringkernels/core/topology.hpp>

#include <cstdint>
#include <functional>
#include <thread>

namespace ringkernels::perf {

/// Runs `body` on a new thread pinned to `core` (unpinned when core < 0).
std::thread pinned_thread(const topology& machine, int core, std::function<void()> body);

/// Round trip p50/p99 (ns) of one cache line each way between two cores.
void measure_core_roundtrip(const topology& machine, int core_a, int core_b, report& out);

/// How long a thread that slept (a condition variable, after 5 ms of nothing) takes to run
/// again once notified from another core: floor.thread_wake.p50_ns/.p99_ns. On a VM this is
/// the hypervisor waking an idle vCPU; no sleeping worker can answer faster.
void measure_thread_wake(const topology& machine, int core_a, int core_b, double scale,
                         report& out);

/// Bare SPSC ring of 64-byte messages, producer publishing every `batch` messages.
double measure_bare_spsc(const topology& machine, int core_a, int core_b, std::uint64_t batch,
                         std::uint64_t messages);

}  // namespace ringkernels::perf

#endif

#include "kernel_bench.hpp"

#include "cpu_floor.hpp"
#include "echo_requests.hpp"
#include "gpu_floor.hpp"

#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/runtime.hpp>

#include <ctime>
#include <thread>
#include <vector>

namespace ringkernels::perf {
namespace {

using examples::echo;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// The worker is pinned to core 0 (compact); the caller runs on the last core.
int caller_core(const topology& machine) {
  return machine.core_count() > 1 ? machine.core_count() - 1 : -1;
}

/// `prefix`.p50_ns and .p99_ns of call().get() on an echo kernel launched in `mode`.
template <class ExecSpace>
void roundtrip(report& out, double scale, gpu_launch mode = gpu_launch::automatic,
               const std::string& prefix = "roundtrip") {
  runtime rt;
  kernel_options options;
  options.name = "bench_echo";
  options.single_sender = true;
  options.launch = mode;
  auto kernel = rt.template launch<ExecSpace>(echo{}, options);
  kernel.activate();
  const double share = mode == gpu_launch::event_driven ? 0.1 : 1.0;
  const auto iterations = static_cast<std::uint64_t>(200000 * scale * share) + 1000;
  std::vector<double> samples;
  samples.reserve(iterations);
  std::uint64_t wrong = 0;
  std::thread caller = pinned_thread(rt.machine(), caller_core(rt.machine()), [&] {
    for (std::uint64_t i = 0; i < iterations; ++i) {
      const auto start = clock_type::now();
      const echo::Reply reply = kernel.call(make_request(i)).get(1s);
      samples.push_back(
          std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
      wrong += reply_matches(reply, i) ? 0 : 1;
    }
  });
  caller.join();
  if (wrong != 0) RINGKERNELS_THROW(errc::backend_failure, "roundtrip: wrong replies");
  add_latency(out, prefix, std::move(samples),
              std::string("call().get(), 64 B each way, ") + to_string(mode) + " launch");
}

/// A request after 5 ms of silence, as scientific codes send (bursts with gaps):
/// roundtrip.after_idle_5ms.p50_ns/.p99_ns, and idle.cpu_percent, the process's CPU use
/// during the silences (the idle kernel's cost, in % of one core).
template <class ExecSpace>
void roundtrip_after_idle(report& out, double scale) {
  runtime rt;
  kernel_options options;
  options.name = "bench_idle_echo";
  options.single_sender = true;
  auto kernel = rt.template launch<ExecSpace>(echo{}, options);
  kernel.activate();
  const auto iterations = static_cast<std::uint64_t>(400 * scale) + 40;
  std::vector<double> samples;
  samples.reserve(iterations);
  std::uint64_t wrong = 0;
  double idle_cpu = 0;
  double idle_wall = 0;
  std::thread caller = pinned_thread(rt.machine(), caller_core(rt.machine()), [&] {
    for (std::uint64_t i = 0; i < iterations; ++i) {
      const double cpu_before = process_cpu_seconds();
      const auto quiet = clock_type::now();
      std::this_thread::sleep_for(5ms);
      const auto start = clock_type::now();
      idle_cpu += process_cpu_seconds() - cpu_before;
      idle_wall += std::chrono::duration<double>(start - quiet).count();
      const echo::Reply reply = kernel.call(make_request(i)).get(1s);
      samples.push_back(
          std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
      wrong += reply_matches(reply, i) ? 0 : 1;
    }
  });
  caller.join();
  if (wrong != 0) RINGKERNELS_THROW(errc::backend_failure, "roundtrip after idle: wrong replies");
  add_latency(out, "roundtrip.after_idle_5ms", std::move(samples),
              "call().get() after 5 ms without messages (the worker had gone to sleep)");
  out.add("idle.cpu_percent", 100.0 * idle_cpu / idle_wall, "%",
          "process CPU during the 5 ms silences, % of one core");
}

/// What one streaming run measured: replies/s, and where the time went (which side waited).
struct stream_result {
  double msgs_per_s = 0;
  double empty_receive_share = 0;  ///< host polls of a reply ring that found nothing
  double messages_per_pass = 0;    ///< kernel side: frames per loop pass, idle passes included
};

/// Streams `total` echo requests through a kernel with `workers` workers from `threads` host
/// threads (thread t feeds and drains workers t, t + threads, ...; pipelined, up to 256
/// requests outstanding per worker) and checks every reply once.
template <class ExecSpace>
stream_result stream_echo(runtime& rt, ring_kernel<ExecSpace, echo>& kernel, std::uint64_t total,
                          int workers, int threads) {
  std::vector<std::uint8_t> seen(total, 0);  // bytes, not vector<bool>: threads write apart
  std::vector<std::uint64_t> wrong(static_cast<std::size_t>(threads), 0);
  std::vector<std::uint64_t> polls(static_cast<std::size_t>(threads), 0);
  std::vector<std::uint64_t> empty_polls(static_cast<std::size_t>(threads), 0);
  const telemetry_snapshot before = kernel.snapshot();
  std::vector<std::thread> callers;
  const auto start = clock_type::now();
  for (int t = 0; t < threads; ++t) {
    const int core = rt.machine().core_count() > threads ? rt.machine().core_count() - 1 - t : -1;
    callers.push_back(pinned_thread(rt.machine(), core, [&, t] {
      std::vector<int> mine;
      for (int w = t; w < workers; w += threads) mine.push_back(w);
      const std::uint64_t first = total * static_cast<std::uint64_t>(t) / threads;
      const std::uint64_t end = total * static_cast<std::uint64_t>(t + 1) / threads;
      const std::uint64_t outstanding = 256 * mine.size();
      std::vector<echo::Request> batch(64);
      std::vector<echo::Reply> replies(1024);
      std::uint64_t sent = first, checked = first;
      // Tallies stay in this thread's locals until the end: the per-thread vectors sit on
      // shared cache lines, and bumping them per poll would add bouncing to what is measured.
      std::uint64_t my_polls = 0, my_empty_polls = 0, my_wrong = 0;
      for (std::size_t turn = 0; checked < end; ++turn) {
        const int worker = mine[turn % mine.size()];
        if (sent < end && sent - checked < outstanding) {
          const std::size_t k = std::min<std::uint64_t>(batch.size(), end - sent);
          for (std::size_t j = 0; j < k; ++j) batch[j] = make_request(sent + j);
          sent += kernel.send_batch_to(worker, batch.data(), k);
        }
        const std::size_t got = kernel.receive_from(worker, replies.data(), replies.size());
        ++my_polls;
        my_empty_polls += got == 0 ? 1 : 0;
        for (std::size_t j = 0; j < got; ++j) {
          const std::uint64_t sequence = replies[j].sequence;
          const bool ok = sequence >= first && sequence < end && seen[sequence] == 0 &&
                          reply_matches(replies[j], sequence);
          if (ok) seen[sequence] = 1;
          my_wrong += ok ? 0 : 1;
        }
        checked += got;
      }
      polls[static_cast<std::size_t>(t)] = my_polls;
      empty_polls[static_cast<std::size_t>(t)] = my_empty_polls;
      wrong[static_cast<std::size_t>(t)] = my_wrong;
    }));
  }
  for (auto& caller : callers) caller.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (const std::uint64_t w : wrong) {
    if (w != 0) RINGKERNELS_THROW(errc::backend_failure, "throughput: wrong replies");
  }
  const telemetry_snapshot after = kernel.snapshot();
  stream_result result;
  result.msgs_per_s = static_cast<double>(total) / seconds;
  std::uint64_t all_polls = 0, all_empty = 0;
  for (int t = 0; t < threads; ++t) {
    all_polls += polls[static_cast<std::size_t>(t)];
    all_empty += empty_polls[static_cast<std::size_t>(t)];
  }
  result.empty_receive_share = static_cast<double>(all_empty) / static_cast<double>(all_polls);
  const std::uint64_t passes = after.loop_iterations - before.loop_iterations;
  result.messages_per_pass = static_cast<double>(after.received - before.received) /
                             static_cast<double>(passes > 0 ? passes : 1);
  return result;
}

template <class ExecSpace>
void throughput(report& out, const kernel_bench_options& bench) {
  const bool gpu = std::string(backend_traits<ExecSpace>::name) == "cuda";
  const auto total = static_cast<std::uint64_t>(5e6 * bench.scale) + 1000;
  runtime rt;
  // The 2-core CPU machine has one core for the worker and one for the caller. A GPU spreads
  // the stream over many resident blocks (one warp each); one host thread cannot feed and
  // check replies as fast as they come, so several host threads each drive their own workers.
  const int workers = bench.workers > 0 ? bench.workers : gpu ? 32 : 1;
  const int threads = bench.host_threads > 0 ? bench.host_threads
                      : gpu ? std::min(8, std::max(1, rt.machine().core_count() / 2))
                            : 1;
  const auto launch_streaming = [&](const std::string& name, int count) {
    kernel_options options;
    options.name = name;
    options.workers = count;
    options.single_sender = true;  // each worker's ring has one sending thread
    return rt.template launch<ExecSpace>(echo{}, options);
  };
  if (gpu) {
    // A kernel of its own per stream, so that each starts from empty rings.
    const auto add_stream_rate = [&](const std::string& metric, const std::string& name,
                                     int host_threads) {
      auto streaming = launch_streaming(name, workers);
      streaming.activate();
      out.add(metric, stream_echo(rt, streaming, total, workers, host_threads).msgs_per_s, "msg/s",
              std::to_string(host_threads) + " host thread(s), " + std::to_string(workers) +
                  " worker blocks");
      streaming.terminate();
    };
    add_stream_rate("throughput.64B.1_thread.msgs_per_s", "bench_echo_1t", 1);
    // Whether the host threads or the kernel limit the stream: the same with half the feeders.
    if (threads >= 4) {
      add_stream_rate("throughput.64B." + std::to_string(threads / 2) + "_threads.msgs_per_s",
                      "bench_echo_half", threads / 2);
    }
  }
  auto kernel = launch_streaming("bench_echo", workers);
  kernel.activate();
  const stream_result streamed = stream_echo(rt, kernel, total, workers, threads);
  out.add("throughput.64B.msgs_per_s", streamed.msgs_per_s, "msg/s",
          "replies received and checked, pipelined, " + std::to_string(threads) +
              " host thread(s), " + std::to_string(workers) + " worker(s)");
  // Which side waits: many empty host polls = the kernel is the limit; few messages per
  // kernel pass (idle passes count) = the host does not feed it fast enough.
  out.add("throughput.host_empty_poll_share", streamed.empty_receive_share, "",
          "reply-ring polls that found nothing");
  out.add("throughput.kernel_messages_per_pass", streamed.messages_per_pass, "",
          "frames per worker loop pass, idle passes included");

  // Idle: the same kernel, active and with nothing to do, for 1 s.
  std::this_thread::sleep_for(100ms);
  const double cpu_before = process_cpu_seconds();
  const auto wall_before = clock_type::now();
  std::this_thread::sleep_for(1s);
  const double cpu = process_cpu_seconds() - cpu_before;
  const double wall = std::chrono::duration<double>(clock_type::now() - wall_before).count();
  out.add("idle.cpu_percent", 100.0 * cpu / wall, "%", "whole process, kernel active and idle");
}

/// lifecycle.launch_ms (a second launch: the first pays one-time module loading),
/// lifecycle.activate_us, lifecycle.terminate_ms.
template <class ExecSpace>
void lifecycle(report& out) {
  runtime rt;
  double launch_ms[2] = {0, 0};
  for (int round = 0; round < 2; ++round) {
    kernel_options options;
    options.name = "lifecycle_" + std::to_string(round);
    const auto start = clock_type::now();
    auto kernel = rt.template launch<ExecSpace>(echo{}, options);
    launch_ms[round] = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
    if (round == 0) {
      kernel.terminate();
      continue;
    }
    const auto activate_start = clock_type::now();
    kernel.activate();
    const double activate_us =
        std::chrono::duration<double, std::micro>(clock_type::now() - activate_start).count();
    (void)kernel.call(make_request(1)).get(1s);
    const terminate_report report = kernel.terminate();
    out.add("lifecycle.launch_ms", launch_ms[1], "ms",
            "second launch; first took " + std::to_string(launch_ms[0]).substr(0, 6) + " ms");
    out.add("lifecycle.activate_us", activate_us, "us");
    out.add("lifecycle.terminate_ms", static_cast<double>(report.took.count()) / 1000.0, "ms",
            report.stopped ? "all workers stopped" : report.detail);
  }
}

template <class ExecSpace>
void run(const std::string& which, report& out, const kernel_bench_options& bench) {
  if (which == "roundtrip") {
    roundtrip<ExecSpace>(out, bench.scale);
    roundtrip_after_idle<ExecSpace>(out, bench.scale);
  } else {
    throughput<ExecSpace>(out, bench);
  }
}

}  // namespace

report run_kernel_bench(const std::string& which, const std::string& backend,
                        const kernel_bench_options& bench) {
  report out("ringkernels bench " + which + " --backend " + backend);
  {
    topology machine;
    const int other = machine.core_count() > 1 ? machine.core_count() - 1 : 0;
    measure_core_roundtrip(machine, 0, other, out);
  }
  if (backend == "serial" || backend == "openmp") {
#if defined(RINGKERNELS_ENABLE_SERIAL)
    if (backend == "serial") run<Kokkos::Serial>(which, out, bench);
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
    if (backend == "openmp") run<Kokkos::OpenMP>(which, out, bench);
#endif
  }
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    if (which == "roundtrip") {
      measure_mapped_roundtrip(out, bench.scale);
      measure_frame_roundtrip(out, bench.scale);
      measure_launch_per_message(out, bench.scale);
      run<Kokkos::Cuda>(which, out, bench);
      roundtrip<Kokkos::Cuda>(out, bench.scale, gpu_launch::event_driven, "roundtrip.event_driven");
      lifecycle<Kokkos::Cuda>(out);
      out.add("roundtrip.speedup_over_launch_per_message",
              out.value("baseline.launch_per_message.p50_ns") / out.value("roundtrip.p50_ns"), "x");
      out.add("roundtrip.p50_over_mapped_floor",
              out.value("roundtrip.p50_ns") / out.value("floor.mapped_roundtrip.p50_ns"), "x");
      out.add("roundtrip.p50_over_frame_floor",
              out.value("roundtrip.p50_ns") / out.value("floor.frame_roundtrip.p50_ns"), "x");
    } else {
      measure_pinned_stream(out, bench.scale);
      run<Kokkos::Cuda>(which, out, bench);
    }
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    // No HIP floor programs yet (perf/hip_device.cpp): the project's numbers alone.
    out.set_device(gpu_description());
    run<Kokkos::Experimental::HIP>(which, out, bench);
    if (which == "roundtrip") {
      roundtrip<Kokkos::Experimental::HIP>(out, bench.scale, gpu_launch::event_driven,
                                           "roundtrip.event_driven");
      lifecycle<Kokkos::Experimental::HIP>(out);
    }
    return out;
  }
#endif
  if (out.results().size() <= 2) {
    RINGKERNELS_THROW(errc::unsupported,
                      "backend '" + backend + "' is not built or has no ring kernels yet");
  }
  const double floor = out.value("floor.core_roundtrip.p50_ns");
  if (which == "roundtrip") {
    out.add("roundtrip.p50_over_floor", out.value("roundtrip.p50_ns") / floor, "x",
            "ratio to the bare core-to-core round trip");
    topology machine;
    measure_thread_wake(machine, caller_core(machine) < 0 ? 0 : caller_core(machine), 0,
                        bench.scale, out);
    out.add("roundtrip.after_idle_5ms.p50_over_wake_floor",
            out.value("roundtrip.after_idle_5ms.p50_ns") / out.value("floor.thread_wake.p50_ns"),
            "x", "ratio to waking a sleeping thread (a sleeping worker's floor)");
  }
  return out;
}

}  // namespace ringkernels::perf

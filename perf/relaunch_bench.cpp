#include "relaunch_bench.hpp"

#include "gpu_floor.hpp"

#include <ringkernels/examples/long_task.hpp>
#include <ringkernels/runtime.hpp>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace ringkernels::perf {
namespace {

using clock_type = std::chrono::steady_clock;
using examples::long_task;
using namespace std::chrono_literals;

constexpr int queued_per_round = 100;

double us(std::chrono::microseconds value) { return static_cast<double>(value.count()); }
double us_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

kernel_options supervised(const relaunch_bench_options& options, int rounds) {
  kernel_options kernel;
  kernel.name = "bench_relaunch";
  kernel.stall_after = std::chrono::milliseconds(options.stall_after_ms);
  kernel.restart.policy = restart_policy::on_fault_or_stall;
  kernel.restart.max_restarts = rounds + 1;
  kernel.restart.backoff = 0ms;  // every relaunch at once: the relaunch itself is measured
  return kernel;
}

/// One round: a stall with requests queued behind it; true when every reply came back right.
template <class Kernel>
bool stall_round(Kernel& kernel, double& stall_to_reply_ms) {
  const auto start = clock_type::now();
  auto stalled = kernel.call(long_task::Request{-1, 60000});
  std::vector<decltype(stalled)> queued;
  for (int i = 0; i < queued_per_round; ++i)
    queued.push_back(kernel.call(long_task::Request{i, 0}));
  const long_task::Reply first = stalled.get(10s);
  stall_to_reply_ms = us_since(start) / 1000.0;
  bool right = first.value == -1 && first.stopped == 1;
  for (int i = 0; i < queued_per_round; ++i) right = right && queued[i].get(5s).value == i;
  return right;
}

template <class ExecSpace>
void run(report& out, const relaunch_bench_options& options) {
  std::vector<double> relaunch, recovery, stall_to_reply, fresh;
  bool verified = true;
  {
    runtime rt;
    auto kernel = rt.launch<ExecSpace>(long_task{}, supervised(options, options.rounds));
    kernel.activate();
    for (int round = 0; round < options.rounds; ++round) {
      const int before = kernel.status().supervision.restarts;
      double until_reply = 0;
      verified = stall_round(kernel, until_reply) && verified;
      // The relaunched worker may answer before the supervisor has written its book.
      const auto deadline = clock_type::now() + 5s;
      while (kernel.status().supervision.restarts == before && clock_type::now() < deadline) {
        std::this_thread::sleep_for(100us);
      }
      const supervision_status supervision = kernel.status().supervision;
      verified = verified && supervision.restarts == before + 1 && !supervision.circuit_open;
      relaunch.push_back(us(supervision.last_relaunch));
      recovery.push_back(us(supervision.last_recovery));
      stall_to_reply.push_back(until_reply);
    }
    (void)kernel.terminate();
  }
  {
    // The baseline: a user without a supervisor terminates and launches a fresh kernel.
    runtime rt;
    kernel_options plain;
    plain.name = "bench_fresh";
    for (int round = 0; round < options.rounds; ++round) {
      const auto start = clock_type::now();
      auto kernel = rt.launch<ExecSpace>(long_task{}, plain);
      kernel.activate();
      (void)kernel.terminate();
      fresh.push_back(us_since(start));
    }
  }
  if (!verified) {
    RINGKERNELS_THROW(
        errc::backend_failure,
        "bench relaunch: a round lost or garbled a reply, or was not relaunched once");
  }
  const std::string rounds = std::to_string(options.rounds) + " stalls, " +
                             std::to_string(queued_per_round) + " requests queued behind each, " +
                             ExecSpace::name();
  const double relaunch_p50 = percentile(relaunch, 50);
  const double fresh_p50 = percentile(fresh, 50);
  char versus[64];
  std::snprintf(versus, sizeof versus, "%.2f x the fresh launch", relaunch_p50 / fresh_p50);
  out.add("relaunch.p50_us", relaunch_p50, "us",
          "stop + start + acknowledged; " + rounds + "; " + versus);
  out.add("relaunch.p99_us", percentile(relaunch, 99), "us");
  out.add("relaunch.recovery_p50_us", percentile(recovery, 50), "us",
          "from the supervisor seeing the stall to running again");
  out.add("relaunch.recovery_p99_us", percentile(recovery, 99), "us");
  out.add("relaunch.stall_to_reply_p50_ms", percentile(stall_to_reply, 50), "ms",
          "stall begun to the stalled request's reply: detection (stall_after " +
              std::to_string(options.stall_after_ms) + " ms) included");
  out.add("relaunch.fresh_launch_p50_us", fresh_p50, "us",
          "baseline, same run: launch + activate + terminate of a fresh kernel");
  out.add("relaunch.verified", verified ? 1 : 0, "", "every reply of every round right");
}

}  // namespace

report run_relaunch_bench(const std::string& backend, const relaunch_bench_options& options) {
  report out("relaunch");
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    run<Kokkos::Cuda>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    out.set_device(gpu_description());
    run<Kokkos::Experimental::HIP>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial") {
    run<Kokkos::Serial>(out, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp") {
    run<Kokkos::OpenMP>(out, options);
    return out;
  }
#endif
  RINGKERNELS_THROW(errc::unsupported,
                    "bench relaunch: backend '" + backend + "' is not in this build");
}

}  // namespace ringkernels::perf

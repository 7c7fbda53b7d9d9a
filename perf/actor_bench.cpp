#include "actor_bench.hpp"

#include "actor_workloads.hpp"
#include "caf_workloads.hpp"
#include "cpu_floor.hpp"
#include "gpu_floor.hpp"

#include <ringkernels/runtime.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace ringkernels::perf {
namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// What one run of the suite uses (the CAF run gets the same numbers).
struct workload_sizes {
  std::string only;  ///< one workload, or every one when empty
  std::uint64_t pingpong_rounds = 0;
  std::uint64_t ring_hops = 0;
  std::uint64_t big_actors = 0;
  std::uint64_t big_pings = 0;
  std::uint64_t counting_messages = 0;
  int workers = 2;  ///< Big and Counting
};

std::uint64_t scaled(double base, double scale, std::uint64_t least) {
  return std::max<std::uint64_t>(static_cast<std::uint64_t>(base * scale), least);
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

void require(bool ok, const std::string& what) {
  if (!ok) RINGKERNELS_THROW(errc::backend_failure, "bench actors: " + what);
}

/// The smallest power of two >= n (mailboxes sized for a workload's messages in flight).
std::uint32_t capacity_for(std::uint64_t n) {
  std::uint64_t c = 1024;
  while (c < n && c < max_queue_capacity) c <<= 1;
  return static_cast<std::uint32_t>(c);
}

template <class ExecSpace>
actor_options options_for(const char* name, std::uint64_t actors, int workers) {
  actor_options options;
  options.name = name;
  options.actors = actors;
  options.workers = workers;
  options.host_queue_capacity = 1024;
  return options;
}

/// PingPong between actors on two workers (1 -> 2) or on one (0 -> 1): one-way = half of
/// each round trip the starter timed.
template <class ExecSpace>
void pingpong(report& out, std::uint64_t rounds, bool same_worker, double floor_one_way) {
  using space = typename backend_traits<ExecSpace>::data_space;
  Kokkos::View<std::uint64_t*, space> samples("bench.pingpong.samples", rounds);
  runtime rt;
  auto system = rt.spawn<ExecSpace>(pingpong_actor{samples.data(), rounds},
                                    options_for<ExecSpace>("bench_pingpong", 4, 2));
  system.activate();
  const std::uint64_t starter = same_worker ? 0 : 1;
  const auto start = clock_type::now();
  require(system.tell(starter, pingpong_actor::Start{starter + 1, rounds}) ==
              messaging::push_result::ok,
          "pingpong start refused");
  system.quiesce(120s);
  const double mean_one_way = seconds_since(start) * 1e9 / (2.0 * static_cast<double>(rounds));
  require(system.read_states()[starter].done == rounds, "pingpong: rounds missing");
  (void)system.terminate();
  std::vector<std::uint64_t> raw(rounds);
  backend_traits<ExecSpace>::copy_memory(raw.data(), samples.data(), rounds * sizeof(raw[0]));
  std::vector<double> one_way(raw.begin(), raw.end());
  for (double& v : one_way) v /= 2;
  const std::string prefix =
      std::string("actors.pingpong.") + (same_worker ? "same_worker" : "cross_worker");
  std::vector<double> sorted = one_way;
  const double p50 = percentile(sorted, 50);
  add_latency_underscored(
      out, prefix + ".one_way", std::move(one_way),
      ratio_note(p50, floor_one_way) +
          (same_worker ? ", actors 0<->1 on one worker" : ", actors on two workers"));
  out.add(prefix + ".one_way_mean_ns", mean_one_way, "ns", "wall time / (2 x rounds)");
}

/// ThreadRing: one token, `hops` hops, around `actors` actors on two workers.
template <class ExecSpace>
double threadring(report& out, std::uint64_t actors, std::uint64_t hops, const std::string& name) {
  runtime rt;
  auto system = rt.spawn<ExecSpace>(threadring_actor{},
                                    options_for<ExecSpace>("bench_threadring", actors, 2));
  system.activate();
  const auto start = clock_type::now();
  require(system.tell(0, threadring_actor::Token{hops}) == messaging::push_result::ok,
          "threadring start refused");
  system.quiesce(300s);
  const double rate = static_cast<double>(hops + 1) / seconds_since(start);
  std::uint64_t passes = 0;
  for (const auto& state : system.read_states()) passes += state.passes;
  require(passes == hops + 1, "threadring: " + std::to_string(passes) + " passes");
  out.add(name, rate, "hops/s", std::to_string(actors) + " actors, 2 workers");
  return rate;
}

/// Big: `actors` actors each ping `pings` random actors, each ping answered.
template <class ExecSpace>
double big(report& out, std::uint64_t actors, std::uint64_t pings, int workers) {
  runtime rt;
  auto options = options_for<ExecSpace>("bench_big", actors, workers);
  // At most one ping or pong per actor is in flight, plus the Starts: room for all of them
  // in any one worker's queues, so no message becomes a dead letter.
  options.mailbox_capacity = capacity_for(2 * actors / static_cast<std::uint64_t>(workers) + 1024);
  auto system = rt.spawn<ExecSpace>(big_actor{}, options);
  system.activate();
  const auto start = clock_type::now();
  require(system.tell(0, big_actor::Start{0, actors, pings}) == messaging::push_result::ok,
          "big start refused");
  system.quiesce(300s);
  const double seconds = seconds_since(start);
  const actor_telemetry t = system.telemetry();
  std::uint64_t pongs = 0, answered = 0;
  for (const auto& state : system.read_states()) {
    pongs += state.pongs;
    answered += state.answered;
  }
  require(pongs == actors * pings && answered == actors * pings && t.dead_total() == 0,
          "big: " + std::to_string(pongs) + " pongs, " + std::to_string(answered) + " answers, " +
              std::to_string(t.dead_total()) + " dead letters");
  const double rate = 2.0 * static_cast<double>(actors * pings) / seconds;
  out.add("actors.big.msgs_per_s", rate, "msg/s",
          std::to_string(actors) + " actors x " + std::to_string(pings) + " pings, " +
              std::to_string(workers) + " workers");
  out.add("actors.big.actors", static_cast<double>(actors), "actors");
  return rate;
}

/// Counting: the host streams `messages` to one counter actor per worker (tell_batch).
template <class ExecSpace>
double counting(report& out, std::uint64_t messages, int workers) {
  runtime rt;
  auto options =
      options_for<ExecSpace>("bench_counting", static_cast<std::uint64_t>(workers), workers);
  options.host_queue_capacity = 8192;
  auto system = rt.spawn<ExecSpace>(counting_actor{}, options);
  system.activate();
  constexpr std::size_t chunk = 1024;
  std::vector<counting_actor::Add> batch(chunk);
  const auto counters = static_cast<std::uint64_t>(workers);
  std::vector<std::uint64_t> told(counters, 0);
  const std::uint64_t share = messages / counters;
  const auto start = clock_type::now();
  backoff waiting;
  for (;;) {
    bool remaining = false, moved = false;
    for (std::uint64_t c = 0; c < counters; ++c) {
      const std::uint64_t n = std::min<std::uint64_t>(chunk, share - told[c]);
      if (n == 0) continue;
      remaining = true;
      for (std::uint64_t i = 0; i < n; ++i) batch[i].value = told[c] + i;
      const std::size_t pushed = system.tell_batch(c, batch.data(), n);
      told[c] += pushed;
      moved = moved || pushed > 0;
    }
    if (!remaining || clock_type::now() - start > 300s) break;
    if (moved) {
      waiting.reset();
    } else {
      waiting.pause();  // every queue full: the workers are behind
    }
  }
  system.quiesce(120s);
  const double seconds = seconds_since(start);
  std::uint64_t counted = 0;
  for (const auto& state : system.read_states()) counted += state.count;
  require(counted == share * counters, "counting: " + std::to_string(counted) + " counted");
  const double rate = static_cast<double>(counted) / seconds;
  out.add("actors.counting.msgs_per_s", rate, "msg/s",
          "host -> " + std::to_string(counters) + " counter actors, tell_batch of 1024");
  return rate;
}

struct suite_rates {
  double threadring = 0, big = 0, counting = 0;
};

template <class ExecSpace>
suite_rates run_suite(report& out, const workload_sizes& sizes, double cross_floor,
                      double same_floor) {
  const auto wanted = [&](const char* name) { return sizes.only.empty() || sizes.only == name; };
  suite_rates rates;
  if (wanted("pingpong")) {
    pingpong<ExecSpace>(out, sizes.pingpong_rounds, false, cross_floor);
    pingpong<ExecSpace>(out, sizes.pingpong_rounds, true, same_floor);
  }
  if (wanted("threadring")) {
    rates.threadring =
        threadring<ExecSpace>(out, 1000, sizes.ring_hops, "actors.threadring.hops_per_s");
    threadring<ExecSpace>(out, 1'000'000, sizes.ring_hops, "actors.threadring.n1000000.hops_per_s");
  }
  if (wanted("big"))
    rates.big = big<ExecSpace>(out, sizes.big_actors, sizes.big_pings, sizes.workers);
  if (wanted("counting")) {
    rates.counting = counting<ExecSpace>(out, sizes.counting_messages, sizes.workers);
  }
  return rates;
}

/// caf.*: the same workloads on CAF with as many scheduler threads as RingKernels had workers.
void compare_with_caf(report& out, const workload_sizes& sizes, const suite_rates& ours) {
  caf_sizes c;
  c.threads = sizes.workers;
  c.pingpong_rounds = sizes.pingpong_rounds;
  c.ring_actors = 1000;
  c.ring_hops = sizes.ring_hops;
  c.big_actors = sizes.big_actors;
  c.big_pings = sizes.big_pings;
  c.counting_actors = static_cast<std::uint64_t>(sizes.workers);
  c.counting_messages = sizes.counting_messages / c.counting_actors * c.counting_actors;
  const caf_rates caf = run_caf_workloads(c);
  const std::string threads = std::to_string(c.threads) + " scheduler threads";
  out.add("caf.pingpong.one_way_mean_ns", caf.pingpong_one_way_ns, "ns", threads);
  out.add("caf.threadring.hops_per_s", caf.threadring_hops_per_s, "hops/s", "1000 actors");
  out.add("caf.big.msgs_per_s", caf.big_msgs_per_s, "msg/s");
  out.add("caf.counting.msgs_per_s", caf.counting_msgs_per_s, "msg/s", "anon_send per message");
  // PingPong: CAF runs two ping-ponging actors on one scheduler thread, so its peer is the
  // same-worker pair; rates are 1 / mean one-way time.
  out.add("caf.pingpong.ratio",
          caf.pingpong_one_way_ns / out.value("actors.pingpong.same_worker.one_way_mean_ns"), "x",
          "RingKernels rate / CAF rate (above 1: faster)");
  out.add("caf.threadring.ratio", ours.threadring / caf.threadring_hops_per_s, "x");
  out.add("caf.big.ratio", ours.big / caf.big_msgs_per_s, "x");
  out.add("caf.counting.ratio", ours.counting / caf.counting_msgs_per_s, "x");
}

}  // namespace

report run_actor_bench(const std::string& backend, const actor_bench_options& options) {
  report out("ringkernels bench actors --backend " + backend);
  workload_sizes sizes;
  sizes.only = options.only;
  if (!sizes.only.empty() && sizes.only != "pingpong" && sizes.only != "threadring" &&
      sizes.only != "big" && sizes.only != "counting") {
    RINGKERNELS_THROW(errc::invalid_argument, "bench actors: --only '" + sizes.only +
                                                  "' is not a workload (pingpong, threadring, "
                                                  "big, counting)");
  }
  const auto big_size = [&](std::uint64_t actors, std::uint64_t pings) {
    sizes.big_actors = options.big_actors > 0 ? options.big_actors : actors;
    sizes.big_pings = options.big_pings > 0 ? options.big_pings : pings;
  };
  topology machine;
  const int other = machine.core_count() > 1 ? machine.core_count() - 1 : 0;
  measure_core_roundtrip(machine, 0, other, out);
  const double core_one_way = out.value("floor.core_roundtrip.p50_ns") / 2;
  out.add("floor.core.one_way_p50_ns", core_one_way, "ns", "half the core-to-core round trip");
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    measure_device_pingpong(out, options.scale);
    sizes.pingpong_rounds = scaled(20000, options.scale, 2000);
    sizes.ring_hops = scaled(2'000'000, options.scale, 100'000);
    big_size(1'000'000, scaled(16, options.scale, 2));
    sizes.counting_messages = scaled(100'000'000, options.scale, 2'000'000);
    sizes.workers = options.workers > 0 ? options.workers : 4 * gpu_multiprocessors();
    run_suite<Kokkos::Cuda>(out, sizes, out.value("floor.k2k.cross_block.one_way_p50_ns"),
                            out.value("floor.k2k.intra_block.one_way_p50_ns"));
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    out.set_device(gpu_description());
    sizes.pingpong_rounds = scaled(20000, options.scale, 2000);
    sizes.ring_hops = scaled(2'000'000, options.scale, 100'000);
    big_size(1'000'000, scaled(16, options.scale, 2));
    sizes.counting_messages = scaled(100'000'000, options.scale, 2'000'000);
    sizes.workers = options.workers > 0 ? options.workers : 4 * gpu_multiprocessors();
    run_suite<Kokkos::Experimental::HIP>(out, sizes, 0, 0);  // no HIP floor programs yet
    return out;
  }
#endif
  sizes.pingpong_rounds = scaled(200'000, options.scale, 5000);
  sizes.ring_hops = scaled(4'000'000, options.scale, 100'000);
  big_size(1024, scaled(2000, options.scale, 100));
  sizes.counting_messages = scaled(20'000'000, options.scale, 500'000);
  sizes.workers = options.workers > 0 ? options.workers : std::max(1, machine.core_count());
  suite_rates ours;
  bool ran = false;
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial")
    ours = run_suite<Kokkos::Serial>(out, sizes, core_one_way, core_one_way), ran = true;
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp")
    ours = run_suite<Kokkos::OpenMP>(out, sizes, core_one_way, core_one_way), ran = true;
#endif
  if (!ran) {
    RINGKERNELS_THROW(errc::unsupported,
                      "bench actors: backend '" + backend + "' is not in this build");
  }
  if (options.with_caf && sizes.only.empty() && caf_available()) compare_with_caf(out, sizes, ours);
  return out;
}

}  // namespace ringkernels::perf

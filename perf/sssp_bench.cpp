#include "sssp_bench.hpp"

#include "gpu_floor.hpp"

#include <ringkernels/core/error.hpp>
#include <ringkernels/core/topology.hpp>
#include <ringkernels/examples/sssp/actor_version.hpp>
#include <ringkernels/examples/sssp/bulk_synchronous.hpp>
#include <ringkernels/examples/sssp/dijkstra.hpp>
#include <ringkernels/examples/sssp/graph.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace ringkernels::perf {
namespace {

namespace sssp = examples::sssp;

/// The input: a grid of about 2^scale vertices (side rounded to a multiple of the 32 x 32
/// tile) or a Kronecker graph of 2^scale vertices, edge factor 16.
sssp::csr_graph make_input(const sssp_bench_options& options) {
  if (options.scale < 10 || options.scale > 26) {
    RINGKERNELS_THROW(
        errc::invalid_argument,
        "bench sssp: --scale " + std::to_string(options.scale) + " is outside 10..26");
  }
  if (options.graph == "grid") {
    const auto tile = static_cast<std::uint32_t>(std::lround(std::sqrt(double(options.block))));
    if (tile * tile != options.block) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "bench sssp: --block " + std::to_string(options.block) +
                            " is not a square number (a grid block is a square tile)");
    }
    const double side = std::sqrt(std::ldexp(1.0, static_cast<int>(options.scale)));
    const auto tiles = static_cast<std::uint32_t>(std::max(1.0, std::round(side / tile)));
    return sssp::make_grid(tiles * tile, tile, options.seed);
  }
  if (options.graph == "kron") {
    return sssp::make_kronecker(options.scale, 16, options.seed, options.block);
  }
  RINGKERNELS_THROW(errc::invalid_argument,
                    "bench sssp: --graph '" + options.graph + "' is not grid or kron");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class ExecSpace>
void run_on(report& out, const sssp::csr_graph& g, int workers, const sssp_bench_options& options) {
  // The source: vertex 0 (a corner tile of the grid; a random vertex of the Kronecker graph,
  // whose ids are permuted). Unreached vertices stay unreached in every version.
  constexpr std::uint32_t source = 0;
  auto start = std::chrono::steady_clock::now();
  const std::vector<std::uint32_t> expected = sssp::dijkstra(g, source);
  const double dijkstra_seconds = seconds_since(start);
  const std::uint64_t reached = static_cast<std::uint64_t>(std::count_if(
      expected.begin(), expected.end(), [](std::uint32_t d) { return d != sssp::unreached; }));

  const sssp::device_graph<ExecSpace> device(g);
  ExecSpace().fence();
  start = std::chrono::steady_clock::now();
  const sssp::bsp_result bsp = sssp::run_bulk_synchronous(device, source);
  const double bsp_seconds = seconds_since(start);

  ringkernels::runtime rt;
  sssp::actor_run_options run;
  run.workers = workers;
  run.delta = options.delta;
  run.timeout = std::chrono::seconds(options.timeout_s);
  const sssp::actor_result actors = sssp::run_actors(rt, device, g.block, source, run);

  const std::int64_t bsp_wrong = sssp::first_mismatch(expected, bsp.distance);
  const std::int64_t actor_wrong = sssp::first_mismatch(expected, actors.distance);
  const bool verified = bsp_wrong < 0 && actor_wrong < 0 && actors.dead_letters == 0;
  const auto edges = static_cast<double>(g.edges());
  out.add("sssp.vertices", g.vertices, "", g.name);
  out.add("sssp.edges", edges, "", "directed (each undirected edge twice)");
  out.add("sssp.reached", static_cast<double>(reached), "", "vertices with a path from 0");
  out.add("sssp.dijkstra.ms", 1e3 * dijkstra_seconds, "ms", "host, binary heap");
  out.add("sssp.bsp.ms", 1e3 * bsp_seconds, "ms", "frontier Bellman-Ford, Kokkos");
  out.add("sssp.bsp.rounds", bsp.rounds, "", "one parallel_for + fence each");
  out.add("sssp.bsp.edges_per_s", edges / bsp_seconds, "edges/s", "graph edges / time");
  out.add("sssp.actor.ms", 1e3 * actors.seconds, "ms",
          std::to_string(actors.actors) + " block actors, " + std::to_string(workers) + " workers");
  out.add("sssp.actor.phases", actors.phases, "",
          options.delta == 0 ? "one bucket (--delta 0)"
                             : "buckets of width " + std::to_string(options.delta));
  out.add("sssp.actor.messages", static_cast<double>(actors.messages), "",
          "border crossings and Work (+1 from the host)");
  out.add("sssp.actor.dead_letters", static_cast<double>(actors.dead_letters), "", "must be 0");
  out.add("sssp.actor.edges_per_s", edges / actors.seconds, "edges/s", "graph edges / time");
  out.add("sssp.actor_over_bsp.speedup", bsp_seconds / actors.seconds, "x",
          "BSP time / actor time (above 1: actors faster)");
  out.add("sssp.verified", verified ? 1 : 0, "",
          verified ? "both match Dijkstra exactly"
                   : "MISMATCH: bsp first wrong vertex " + std::to_string(bsp_wrong) + ", actor " +
                         std::to_string(actor_wrong));
  if (!verified) {
    RINGKERNELS_THROW(errc::backend_failure,
                      "bench sssp: distances differ from Dijkstra's (bsp vertex " +
                          std::to_string(bsp_wrong) + ", actors vertex " +
                          std::to_string(actor_wrong) + ", dead letters " +
                          std::to_string(actors.dead_letters) + ")");
  }
}

}  // namespace

report run_sssp_bench(const std::string& backend, const sssp_bench_options& options) {
  report out("ringkernels bench sssp --backend " + backend + " --graph " + options.graph +
             " --scale " + std::to_string(options.scale));
  const sssp::csr_graph g = make_input(options);
  topology machine;
  const int cpu_workers = options.workers > 0 ? options.workers : std::max(1, machine.core_count());
#if defined(RINGKERNELS_ENABLE_CUDA)
  if (backend == "cuda") {
    out.set_device(gpu_description());
    run_on<Kokkos::Cuda>(out, g, options.workers > 0 ? options.workers : 4 * gpu_multiprocessors(),
                         options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  if (backend == "hip") {
    out.set_device(gpu_description());
    run_on<Kokkos::Experimental::HIP>(
        out, g, options.workers > 0 ? options.workers : 4 * gpu_multiprocessors(), options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_SERIAL)
  if (backend == "serial") {
    run_on<Kokkos::Serial>(out, g, cpu_workers, options);
    return out;
  }
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  if (backend == "openmp") {
    run_on<Kokkos::OpenMP>(out, g, cpu_workers, options);
    return out;
  }
#endif
  (void)cpu_workers;
  RINGKERNELS_THROW(errc::unsupported,
                    "bench sssp: backend '" + backend + "' is not in this build");
}

}  // namespace ringkernels::perf

// Single-source shortest paths two ways on one execution space: as an actor program (one actor
// per block of vertices, no rounds; ringkernels/examples/sssp/actor_version.hpp) and as
// bulk-synchronous frontier Bellman-Ford in plain Kokkos; both checked against Dijkstra.
//   sssp_example [--backend serial|openmp|cuda|hip] [--graph grid|kron] [--scale S] [--workers N]
//                [--delta D]   (the actor version's bucket width; 0: one bucket)
// Exit status 0 only when both versions match Dijkstra on every vertex.
#include <ringkernels/examples/sssp/actor_version.hpp>
#include <ringkernels/examples/sssp/bulk_synchronous.hpp>
#include <ringkernels/examples/sssp/dijkstra.hpp>
#include <ringkernels/examples/sssp/graph.hpp>
#include <ringkernels/runtime.hpp>

#include <Kokkos_Core.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sssp = ringkernels::examples::sssp;

namespace {

struct settings {
  std::string backend = "serial";
  std::string graph = "grid";
  std::uint32_t scale = 14;
  int workers = 2;
  std::uint32_t delta = 1024;
};

settings parse(int argc, char* argv[]) {
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--backend") {
      s.backend = value;
    } else if (key == "--graph") {
      s.graph = value;
    } else if (key == "--scale") {
      s.scale = static_cast<std::uint32_t>(std::stoul(value));
    } else if (key == "--workers") {
      s.workers = std::stoi(value);
    } else if (key == "--delta") {
      s.delta = static_cast<std::uint32_t>(std::stoul(value));
    } else {
      throw std::invalid_argument("unknown option " + key);
    }
  }
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class ExecSpace>
bool run(const sssp::csr_graph& g, int workers, std::uint32_t delta) {
  const std::vector<std::uint32_t> expected = sssp::dijkstra(g, 0);
  const sssp::device_graph<ExecSpace> device(g);
  auto start = std::chrono::steady_clock::now();
  const sssp::bsp_result bsp = sssp::run_bulk_synchronous(device, 0);
  const double bsp_seconds = seconds_since(start);
  ringkernels::runtime rt;
  sssp::actor_run_options options;
  options.workers = workers;
  options.delta = delta;
  const sssp::actor_result actors = sssp::run_actors(rt, device, g.block, 0, options);
  const bool bsp_ok = sssp::first_mismatch(expected, bsp.distance) < 0;
  const bool actors_ok =
      sssp::first_mismatch(expected, actors.distance) < 0 && actors.dead_letters == 0;
  std::printf("%s: %u vertices, %llu edges\n", g.name.c_str(), g.vertices,
              static_cast<unsigned long long>(g.edges()));
  std::printf("  bulk-synchronous Kokkos: %.4f s, %u rounds, %s\n", bsp_seconds, bsp.rounds,
              bsp_ok ? "matches Dijkstra" : "WRONG");
  std::printf("  actors (%llu blocks, %d workers): %.4f s, %u buckets, %llu messages, %s\n",
              static_cast<unsigned long long>(actors.actors), workers, actors.seconds,
              actors.phases, static_cast<unsigned long long>(actors.messages),
              actors_ok ? "matches Dijkstra" : "WRONG");
  std::printf("  actor speedup over BSP: %.2fx\n", bsp_seconds / actors.seconds);
  return bsp_ok && actors_ok;
}

}  // namespace

int main(int argc, char* argv[]) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  try {
    const settings s = parse(argc, argv);
    const sssp::csr_graph g = s.graph == "kron" ? sssp::make_kronecker(s.scale, 16, 1)
                                                : sssp::make_grid(1u << ((s.scale + 1) / 2), 32, 1);
    bool ok = false;
    bool built = false;
    if (s.backend == "serial") {
#if defined(KOKKOS_ENABLE_SERIAL)
      ok = run<Kokkos::Serial>(g, s.workers, s.delta);
      built = true;
#endif
    } else if (s.backend == "openmp") {
#if defined(KOKKOS_ENABLE_OPENMP)
      ok = run<Kokkos::OpenMP>(g, s.workers, s.delta);
      built = true;
#endif
    } else if (s.backend == "cuda") {
#if defined(KOKKOS_ENABLE_CUDA)
      ok = run<Kokkos::Cuda>(g, s.workers, s.delta);
      built = true;
#endif
    } else if (s.backend == "hip") {
#if defined(KOKKOS_ENABLE_HIP)
      ok = run<Kokkos::Experimental::HIP>(g, s.workers, s.delta);
      built = true;
#endif
    } else {
      std::fprintf(stderr, "sssp_example: unknown backend %s\n", s.backend.c_str());
      return 2;
    }
    if (!built) {
      std::fprintf(stderr, "sssp_example: backend %s is not in this Kokkos build\n",
                   s.backend.c_str());
      return 2;
    }
    return ok ? 0 : 1;
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "sssp_example: %s\n", failure.what());
    return 1;
  }
}

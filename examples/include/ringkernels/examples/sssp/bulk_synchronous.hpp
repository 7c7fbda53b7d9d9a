// The baseline the actor version must beat: frontier-based Bellman-Ford in plain Kokkos, as a
// good Kokkos programmer writes it. One round is one parallel_for over the frontier (each
// vertex relaxes its out-edges with an atomic min) that also compacts the next frontier (a
// vertex joins it once per round, by a stamp), then a fence and a 4-byte read of the next
// frontier's size: the global barrier per round that actors do without. No other host copy
// per round; the graph and the distances stay on the device.
#ifndef RINGKERNELS_EXAMPLES_SSSP_BULK_SYNCHRONOUS_HPP
#define RINGKERNELS_EXAMPLES_SSSP_BULK_SYNCHRONOUS_HPP

#include <ringkernels/examples/sssp/dijkstra.hpp>
#include <ringkernels/examples/sssp/graph.hpp>
#include <ringkernels/messaging/atomic_index.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

namespace ringkernels::examples::sssp {

/// The graph on ExecSpace's memory.
template <class ExecSpace>
struct device_graph {
  using memory = typename ExecSpace::memory_space;
  Kokkos::View<std::uint64_t*, memory> offsets;
  Kokkos::View<std::uint32_t*, memory> targets;
  Kokkos::View<std::uint32_t*, memory> weights;
  std::uint32_t vertices = 0;

  explicit device_graph(const csr_graph& g)
      : offsets(Kokkos::view_alloc("sssp.offsets", Kokkos::WithoutInitializing), g.offsets.size()),
        targets(Kokkos::view_alloc("sssp.targets", Kokkos::WithoutInitializing), g.targets.size()),
        weights(Kokkos::view_alloc("sssp.weights", Kokkos::WithoutInitializing), g.weights.size()),
        vertices(g.vertices) {
    copy_in(offsets, g.offsets);
    copy_in(targets, g.targets);
    copy_in(weights, g.weights);
  }

 private:
  template <class View, class T>
  static void copy_in(const View& view, const std::vector<T>& values) {
    Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
        values.data(), values.size());
    Kokkos::deep_copy(view, host);
  }
};

/// What one bulk-synchronous run did.
struct bsp_result {
  std::vector<std::uint32_t> distance;
  std::uint32_t rounds = 0;
};

/// One round's work: each frontier vertex relaxes its edges; a target whose distance fell
/// joins the next frontier (once per round: the first to stamp it appends it).
template <class ExecSpace>
struct bsp_round {
  using memory = typename ExecSpace::memory_space;
  Kokkos::View<const std::uint64_t*, memory> offsets;
  Kokkos::View<const std::uint32_t*, memory> targets;
  Kokkos::View<const std::uint32_t*, memory> weights;
  Kokkos::View<std::uint32_t*, memory> distance;
  Kokkos::View<const std::uint32_t*, memory> frontier;
  Kokkos::View<std::uint32_t*, memory> next;
  Kokkos::View<std::uint32_t*, memory> stamp;
  Kokkos::View<std::uint32_t, memory> next_size;
  std::uint32_t round = 0;

  using distance_access =
      ringkernels::messaging::atomic_index<std::uint32_t,
                                           ringkernels::messaging::scope_of<memory>::value>;

  KOKKOS_FUNCTION void operator()(const std::uint32_t i) const {
    const std::uint32_t v = frontier(i);
    const std::uint32_t dv = distance_access::load_relaxed(&distance(v));
    for (std::uint64_t e = offsets(v); e < offsets(v + 1); ++e) {
      const std::uint32_t t = targets(e);
      const std::uint32_t nd = dv + weights(e);
      // A plain (relaxed) look first: most edges do not improve, and an atomic min on every
      // edge bounced cache lines between cores (5x slower on 2 CPU threads than on 1).
      if (nd >= distance_access::load_relaxed(&distance(t))) continue;
      if (nd < Kokkos::atomic_fetch_min(&distance(t), nd) &&
          Kokkos::atomic_exchange(&stamp(t), round) != round) {
        next(Kokkos::atomic_fetch_add(&next_size(), 1u)) = t;
      }
    }
  }
};

/// Frontier Bellman-Ford from `source` on ExecSpace; rounds until the frontier is empty.
template <class ExecSpace>
bsp_result run_bulk_synchronous(const device_graph<ExecSpace>& g, std::uint32_t source) {
  using memory = typename ExecSpace::memory_space;
  const std::uint32_t n = g.vertices;
  Kokkos::View<std::uint32_t*, memory> distance("sssp.bsp.distance", n);
  Kokkos::View<std::uint32_t*, memory> stamp("sssp.bsp.stamp", n);  // 0: never; round r >= 1
  Kokkos::View<std::uint32_t*, memory> frontier(
      Kokkos::view_alloc("sssp.bsp.frontier", Kokkos::WithoutInitializing), n);
  Kokkos::View<std::uint32_t*, memory> next(
      Kokkos::view_alloc("sssp.bsp.next", Kokkos::WithoutInitializing), n);
  Kokkos::View<std::uint32_t, memory> next_size("sssp.bsp.next_size");
  Kokkos::deep_copy(distance, unreached);
  Kokkos::parallel_for(
      "sssp.bsp.start", Kokkos::RangePolicy<ExecSpace>(0, 1), KOKKOS_LAMBDA(const int) {
        distance(source) = 0;
        frontier(0) = source;
      });
  bsp_result result;
  std::uint32_t size = 1;
  while (size > 0) {
    ++result.rounds;
    bsp_round<ExecSpace> step{g.offsets, g.targets, g.weights, distance,     frontier,
                              next,      stamp,     next_size, result.rounds};
    Kokkos::parallel_for("sssp.bsp.round", Kokkos::RangePolicy<ExecSpace>(0, size), step);
    Kokkos::deep_copy(size, next_size);  // the barrier: the only per-round copy (4 bytes)
    Kokkos::deep_copy(next_size, 0u);
    std::swap(frontier, next);
  }
  result.distance.resize(n);
  Kokkos::View<std::uint32_t*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
      result.distance.data(), n);
  Kokkos::deep_copy(host, distance);
  return result;
}

}  // namespace ringkernels::examples::sssp

#endif

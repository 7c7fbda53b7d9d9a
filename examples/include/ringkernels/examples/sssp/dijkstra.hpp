// The reference answer: Dijkstra's algorithm on the host with a binary heap. Every version's
// distances are compared with these, exactly (integer weights).
#ifndef RINGKERNELS_EXAMPLES_SSSP_DIJKSTRA_HPP
#define RINGKERNELS_EXAMPLES_SSSP_DIJKSTRA_HPP

#include <ringkernels/examples/sssp/graph.hpp>

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace ringkernels::examples::sssp {

/// The distance of a vertex no path reaches.
inline constexpr std::uint32_t unreached = 0xffffffffu;

inline std::vector<std::uint32_t> dijkstra(const csr_graph& g, std::uint32_t source) {
  std::vector<std::uint32_t> distance(g.vertices, unreached);
  using entry = std::pair<std::uint32_t, std::uint32_t>;  // (distance, vertex)
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
  distance[source] = 0;
  heap.emplace(0, source);
  while (!heap.empty()) {
    const auto [d, v] = heap.top();
    heap.pop();
    if (d != distance[v]) continue;  // a stale entry: v was settled shorter
    for (std::uint64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const std::uint32_t t = g.targets[e];
      const std::uint32_t nd = d + g.weights[e];
      if (nd < distance[t]) {
        distance[t] = nd;
        heap.emplace(nd, t);
      }
    }
  }
  return distance;
}

/// The first vertex whose distance differs, or -1 when all match.
inline std::int64_t first_mismatch(const std::vector<std::uint32_t>& expected,
                                   const std::vector<std::uint32_t>& got) {
  if (expected.size() != got.size()) return 0;
  for (std::size_t v = 0; v < expected.size(); ++v) {
    if (expected[v] != got[v]) return static_cast<std::int64_t>(v);
  }
  return -1;
}

}  // namespace ringkernels::examples::sssp

#endif

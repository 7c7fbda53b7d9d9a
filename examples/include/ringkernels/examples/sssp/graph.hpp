// The inputs of the shortest-paths example, generated here (no downloads): a 2-D grid mesh
// with random positive weights (high diameter, like meshes and road networks) and a Kronecker
// graph with the Graph500 parameters (low diameter, skewed degrees). Both undirected (every
// edge stored in both directions), in compressed sparse rows, with integer weights so that
// every version's distances can be compared with Dijkstra's exactly.
#ifndef RINGKERNELS_EXAMPLES_SSSP_GRAPH_HPP
#define RINGKERNELS_EXAMPLES_SSSP_GRAPH_HPP

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ringkernels::examples::sssp {

/// A graph in compressed sparse rows: the out-edges of v are [offsets[v], offsets[v + 1]).
struct csr_graph {
  std::uint32_t vertices = 0;
  std::vector<std::uint64_t> offsets;  ///< vertices + 1 entries
  std::vector<std::uint32_t> targets;
  std::vector<std::uint32_t> weights;  ///< 1 .. max_weight
  /// Vertices per block, the unit the actor version gives to one actor: consecutive ids
  /// (the grid numbers its vertices tile by tile, so a block is a square of the mesh).
  std::uint32_t block = 1024;
  std::string name;
  std::uint64_t edges() const { return targets.size(); }
};

/// The largest edge weight the generators draw (weights are uniform in 1 .. max_weight).
inline constexpr std::uint32_t max_weight = 255;

namespace detail {
/// CSR from an edge list, both directions of each (undirected) edge; self loops dropped.
inline csr_graph to_csr(std::uint32_t vertices,
                        const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                        const std::vector<std::uint32_t>& weights) {
  csr_graph g;
  g.vertices = vertices;
  g.offsets.assign(std::size_t{vertices} + 1, 0);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    ++g.offsets[a + 1];
    ++g.offsets[b + 1];
  }
  for (std::size_t v = 0; v < vertices; ++v) g.offsets[v + 1] += g.offsets[v];
  g.targets.resize(g.offsets[vertices]);
  g.weights.resize(g.offsets[vertices]);
  std::vector<std::uint64_t> next(g.offsets.begin(), g.offsets.end() - 1);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto [a, b] = edges[i];
    if (a == b) continue;
    g.targets[next[a]] = b;
    g.weights[next[a]++] = weights[i];
    g.targets[next[b]] = a;
    g.weights[next[b]++] = weights[i];
  }
  return g;
}
}  // namespace detail

/// A side x side grid, 4 neighbours each, random weights. Vertices are numbered tile by tile
/// (tiles of tile x tile, row-major inside a tile and among tiles), so that a block of
/// tile * tile consecutive ids is a square of the mesh: an actor that owns it talks only to
/// the 4 tiles around it. `side` must be a multiple of `tile`.
inline csr_graph make_grid(std::uint32_t side, std::uint32_t tile, std::uint64_t seed) {
  if (side == 0 || tile == 0 || side % tile != 0 || std::uint64_t{side} * side > 0xffffffffull) {
    throw std::invalid_argument("grid: side " + std::to_string(side) +
                                " must be a positive multiple of the tile " + std::to_string(tile) +
                                " with side^2 < 2^32");
  }
  const std::uint32_t tiles_per_row = side / tile;
  const auto id = [&](std::uint32_t x, std::uint32_t y) {
    const std::uint32_t tile_index = (y / tile) * tiles_per_row + x / tile;
    return tile_index * tile * tile + (y % tile) * tile + x % tile;
  };
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::uint32_t> weight(1, max_weight);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  std::vector<std::uint32_t> weights;
  edges.reserve(2ull * side * side);
  weights.reserve(2ull * side * side);
  for (std::uint32_t y = 0; y < side; ++y) {
    for (std::uint32_t x = 0; x < side; ++x) {
      if (x + 1 < side) {
        edges.emplace_back(id(x, y), id(x + 1, y));
        weights.push_back(weight(random));
      }
      if (y + 1 < side) {
        edges.emplace_back(id(x, y), id(x, y + 1));
        weights.push_back(weight(random));
      }
    }
  }
  csr_graph g = detail::to_csr(side * side, edges, weights);
  g.block = tile * tile;
  g.name = "grid " + std::to_string(side) + "x" + std::to_string(side);
  return g;
}

/// A Kronecker (R-MAT) graph with the Graph500 parameters: 2^scale vertices, edge_factor *
/// 2^scale undirected edges drawn with A = 0.57, B = 0.19, C = 0.19, vertex ids scrambled by a
/// random permutation (as Graph500 does, so that high degrees are not clustered at low ids).
inline csr_graph make_kronecker(std::uint32_t scale, std::uint32_t edge_factor, std::uint64_t seed,
                                std::uint32_t block = 1024) {
  if (scale < 1 || scale > 30) {
    throw std::invalid_argument("kronecker: scale " + std::to_string(scale) + " is outside 1..30");
  }
  const std::uint32_t vertices = 1u << scale;
  const std::uint64_t count = std::uint64_t{edge_factor} << scale;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::uint32_t> weight(1, max_weight);
  std::vector<std::uint32_t> permutation(vertices);
  for (std::uint32_t v = 0; v < vertices; ++v) permutation[v] = v;
  for (std::uint32_t v = vertices - 1; v > 0; --v) {
    std::swap(permutation[v],
              permutation[std::uniform_int_distribution<std::uint32_t>(0, v)(random)]);
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges(count);
  std::vector<std::uint32_t> weights(count);
  constexpr double a = 0.57, b = 0.19, c = 0.19;
  for (std::uint64_t e = 0; e < count; ++e) {
    std::uint32_t row = 0, column = 0;
    for (std::uint32_t bit = 0; bit < scale; ++bit) {
      const double r = unit(random);
      const bool down = r >= a + b;                                // quadrants C or D
      const bool right = (r >= a && r < a + b) || r >= a + b + c;  // quadrants B or D
      row |= static_cast<std::uint32_t>(down) << bit;
      column |= static_cast<std::uint32_t>(right) << bit;
    }
    edges[e] = {permutation[row], permutation[column]};
    weights[e] = weight(random);
  }
  csr_graph g = detail::to_csr(vertices, edges, weights);
  g.block = block;
  g.name = "kronecker scale " + std::to_string(scale);
  return g;
}

}  // namespace ringkernels::examples::sssp

#endif

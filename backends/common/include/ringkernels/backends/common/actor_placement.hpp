// Which worker owns which actor: deterministic, one rule per system, chosen in its options.
//   contiguous (default): ids in blocks of ceil(N / workers), so neighbouring ids share a
//                          worker (a neighbour's message never leaves its worker);
//   round_robin:           id % workers (spreads hot neighbours over the workers).
// An actor type may also define
//   static KOKKOS_FUNCTION std::uint32_t place(std::uint64_t id, std::uint64_t actors,
//                                              std::uint32_t workers);
// (actor_placement_of<Actor>), which then decides; a result >= workers is taken modulo workers.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_PLACEMENT_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_PLACEMENT_HPP

#include <ringkernels/core/portability.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace ringkernels {

enum class placement_rule : std::uint32_t { contiguous, round_robin, actor_defined };

/// The placement of one system, by value (device-copyable).
struct actor_placement {
  std::uint64_t actors = 0;
  std::uint32_t workers = 1;
  placement_rule rule = placement_rule::contiguous;
  std::uint64_t block = 1;  ///< ids per worker for contiguous placement: ceil(actors / workers)

  static actor_placement make(std::uint64_t actors, std::uint32_t workers, placement_rule rule) {
    actor_placement placement;
    placement.actors = actors;
    placement.workers = workers;
    placement.rule = rule;
    placement.block = actors == 0 ? 1 : (actors + workers - 1) / workers;
    return placement;
  }

  /// The worker that owns actor `id` (id < actors), for the built-in rules.
  RINGKERNELS_INLINE_FUNCTION std::uint32_t builtin_worker_of(std::uint64_t id) const {
    // Every send asks this, and a 64-bit division is several times a 32-bit one on a GPU:
    // systems below 2^32 actors divide in 32 bits.
    if (actors <= 0xffffffffu) {
      const auto small = static_cast<std::uint32_t>(id);
      if (rule == placement_rule::round_robin) return small % workers;
      return small / static_cast<std::uint32_t>(block);
    }
    if (rule == placement_rule::round_robin) return static_cast<std::uint32_t>(id % workers);
    return static_cast<std::uint32_t>(id / block);
  }
};

namespace detail {
template <class Actor, class = void>
struct has_place : std::false_type {};
template <class Actor>
struct has_place<
    Actor, std::void_t<decltype(Actor::place(std::uint64_t{}, std::uint64_t{}, std::uint32_t{}))>>
    : std::true_type {};
}  // namespace detail

/// Whether `Actor` places its ids itself (Actor::place).
template <class Actor>
inline constexpr bool actor_places_itself = detail::has_place<Actor>::value;

/// The worker that owns actor `id` (id < placement.actors) under `placement`.
template <class Actor>
RINGKERNELS_INLINE_FUNCTION std::uint32_t worker_of(const actor_placement& placement,
                                                    std::uint64_t id) {
  if constexpr (actor_places_itself<Actor>) {
    return Actor::place(id, placement.actors, placement.workers) % placement.workers;
  } else {
    return placement.builtin_worker_of(id);
  }
}

}  // namespace ringkernels

#endif

// Shortest paths as an actor program. The design's choice: one actor per *block* of
// consecutive vertices (a tile of the grid), not one per vertex. A vertex per actor would
// send a message per improved edge; a block relaxes the edges inside it on its own, in one
// turn, with a small worklist (label correcting, each vertex queued at most once), and sends
// a message only across its border: the message aggregation that makes fine-grained
// asynchrony affordable. No round, no barrier: a block works as soon as a shorter distance
// reaches it, and the run ends when quiesce() says no message is in flight.
//
// Ordered in buckets of width delta (delta-stepping across actors): a block relaxes only its
// vertices closer than the current limit and keeps the others queued. When the system is
// quiescent the host reads the least deferred distance of every block, raises the limit to it
// plus delta and wakes the blocks that have work below the new limit; nothing else waits.
// Without buckets (a limit of infinity) every block works at once on distances that are not
// final yet and redoes its tile each time a better one arrives: on the H200, with 64 blocks
// each on one lane, a 256 x 256 grid took 104 s that way (BSP: 24 ms).
//
// Distances live in one View the actors share. A vertex's distance is written only by its
// block's actor (turn-based: never two handler calls of one actor at once); neighbours read it
// with relaxed atomic loads to skip messages that cannot help (a stale read only costs an
// extra message, never a wrong answer: the owner compares again).
#ifndef RINGKERNELS_EXAMPLES_SSSP_ACTOR_VERSION_HPP
#define RINGKERNELS_EXAMPLES_SSSP_ACTOR_VERSION_HPP

#include <ringkernels/examples/sssp/bulk_synchronous.hpp>
#include <ringkernels/messaging/atomic_index.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>
#include <ringkernels/runtime.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace ringkernels::examples::sssp {

/// The actor of a block of vertices, on memory space M. Two messages: Improve (a shorter
/// distance for one of its vertices, from a neighbouring block or the host) only lowers the
/// distance and queues the vertex; Work (sent to itself, once, when the first vertex is
/// queued) relaxes everything queued by then. Improves that wait in the worker's queues
/// ahead of the Work are absorbed into one pass: the block works once per batch of news, not
/// once per message (one turn per message made each border update start a pass of its own
/// and flooded the mailboxes: millions of dead letters on a 512 x 512 grid).
///
/// A pass is bounded: it stops after `send_budget` sends, or at the first send that had to
/// wait in the worker's overflow (the mailboxes are filling), remembers where it was (vertex
/// and edge) and sends itself another Work. The worker meanwhile drains its queues, so a pass
/// never pushes the overflow past its bound (a Kronecker hub has thousands of edges: one pass
/// over a block of them sent more than the mailbox and the overflow together could hold).
template <class M>
struct block_relaxer {
  struct State {
    std::uint32_t head = 0;  ///< the block's worklist: a ring of `block` entries
    std::uint32_t size = 0;
    std::uint32_t scheduled = 0;  ///< a Work message to itself is on its way
    std::uint32_t passes = 0;     ///< Work turns (diagnostics)
    std::uint32_t current = 0;    ///< a vertex whose edges a bounded pass left half done ...
    std::uint32_t has_current = 0;
    std::uint64_t next_edge = 0;  ///< ... from this edge on
    std::uint32_t limit = 0;      ///< relax only vertices closer than this (the bucket's end)
  };
  /// A shorter distance for `vertex`, one of the receiving block's, and the sender's limit
  /// (a block that learns news learns the current bucket with it).
  struct Improve {
    std::uint32_t vertex = 0;
    std::uint32_t distance = 0;
    std::uint32_t limit = 0;
  };
  /// Relax what is queued.
  struct Work {
    std::uint32_t unused = 0;
  };
  /// From the host between buckets: the limit is now `limit`.
  struct Advance {
    std::uint32_t limit = 0;
  };
  using messages = ringkernels::actor_messages<Improve, Work, Advance>;
  using context = ringkernels::actor_context<block_relaxer>;
  using distance_access =
      ringkernels::messaging::atomic_index<std::uint32_t,
                                           ringkernels::messaging::scope_of<M>::value>;

  Kokkos::View<const std::uint64_t*, M> offsets;
  Kokkos::View<const std::uint32_t*, M> targets;
  Kokkos::View<const std::uint32_t*, M> weights;
  Kokkos::View<std::uint32_t*, M> distance;
  Kokkos::View<std::uint32_t*, M> worklists;  ///< `block` entries per block actor
  Kokkos::View<std::uint8_t*, M> queued;      ///< per vertex: in its block's worklist now
  /// Per block: the least distance it keeps queued for a later bucket (`unreached`: none),
  /// written at the end of each pass; the host reads it at quiescence.
  Kokkos::View<std::uint32_t*, M> deferred;
  std::uint32_t block = 1024;

  KOKKOS_FUNCTION void operator()(State& state, const Improve& news, context& ctx) const {
    if (news.limit > state.limit) state.limit = news.limit;
    if (news.distance >= distance(news.vertex)) return;  // the owner's own value: a plain read
    distance_access::store_relaxed(&distance(news.vertex), news.distance);
    enqueue(state, ctx.self(), news.vertex);
    schedule(state, ctx);
  }

  KOKKOS_FUNCTION void operator()(State& state, const Advance& next, context& ctx) const {
    if (next.limit > state.limit) state.limit = next.limit;
    if (state.size > 0) schedule(state, ctx);
  }

  KOKKOS_FUNCTION void operator()(State& state, const Work&, context& ctx) const {
    state.scheduled = 0;
    ++state.passes;
    std::uint32_t sends = 0;
    // Vertices at or past the limit go back to the tail; the pass ends when a whole turn of
    // the worklist was deferred (`deferred_run` entries in a row, none relaxed in between).
    std::uint32_t deferred_run = 0;
    std::uint32_t least_deferred = unreached;
    while (state.has_current != 0 || (state.size > 0 && deferred_run < state.size)) {
      if (state.has_current == 0) {
        const std::uint32_t u = take(state, ctx.self());
        const std::uint32_t du = distance(u);
        if (du >= state.limit) {
          enqueue(state, ctx.self(), u);
          ++deferred_run;
          if (du < least_deferred) least_deferred = du;
          continue;
        }
        deferred_run = 0;
        least_deferred = unreached;
        state.current = u;
        state.next_edge = offsets(u);
        state.has_current = 1;
      }
      if (!relax_edges(state, ctx, sends)) {  // bounded: continue in another turn
        schedule(state, ctx);
        return;
      }
      state.has_current = 0;
    }
    distance_access::store_relaxed(&deferred(ctx.self()),
                                   state.size > 0 ? least_deferred : unreached);
  }

  /// Sends a pass makes at most before it yields.
  static constexpr std::uint32_t send_budget = 1024;

 private:
  /// Relaxes the current vertex's edges from state.next_edge on; false when the pass must
  /// yield (the budget is spent or a send overflowed), with next_edge where to go on.
  KOKKOS_FUNCTION bool relax_edges(State& state, context& ctx, std::uint32_t& sends) const {
    const std::uint32_t u = state.current;
    const std::uint64_t first = ctx.self() * block;
    const std::uint32_t du = distance(u);
    const std::uint64_t end = offsets(u + 1);
    while (state.next_edge < end) {
      const std::uint64_t e = state.next_edge++;
      const std::uint32_t t = targets(e);
      const std::uint32_t nd = du + weights(e);
      if (t - first < block) {  // inside this block: relax now
        if (nd >= distance(t)) continue;
        distance_access::store_relaxed(&distance(t), nd);
        enqueue(state, ctx.self(), t);
      } else if (nd < distance_access::load_relaxed(&distance(t))) {  // another block's
        const ringkernels::send_result sent = ctx.send(t / block, Improve{t, nd, state.limit});
        if (++sends >= send_budget || sent != ringkernels::send_result::delivered) {
          return state.next_edge >= end;  // yield unless this vertex is done anyway
        }
      }
    }
    return true;
  }

  /// Sends itself one Work unless one is on its way.
  KOKKOS_FUNCTION void schedule(State& state, context& ctx) const {
    if (state.scheduled != 0) return;
    state.scheduled = 1;
    (void)ctx.send(ctx.self(), Work{});
  }

  /// The next queued vertex (state.size > 0).
  KOKKOS_FUNCTION std::uint32_t take(State& state, std::uint64_t self) const {
    const std::uint32_t u = worklists(self * block + state.head);
    state.head = state.head + 1 == block ? 0 : state.head + 1;
    --state.size;
    queued(u) = 0;
    return u;
  }

  /// Queues `vertex` (of this block) unless it is queued already: at most `block` entries.
  KOKKOS_FUNCTION void enqueue(State& state, std::uint64_t self, std::uint32_t vertex) const {
    if (queued(vertex) != 0) return;
    queued(vertex) = 1;
    const std::uint32_t tail =
        state.head + state.size < block ? state.head + state.size : state.head + state.size - block;
    worklists(self * block + tail) = vertex;
    ++state.size;
  }
};

/// How the actor version runs.
struct actor_run_options {
  int workers = 2;
  std::uint32_t mailbox_capacity = 1u << 14;
  std::uint32_t overflow_capacity = 1u << 14;
  std::chrono::milliseconds timeout{120'000};  ///< for the whole run
  /// The bucket width: a block relaxes vertices closer than the limit, which grows by delta
  /// per phase. `unreached` (the default 0 means it too) makes one bucket: no ordering at all.
  std::uint32_t delta = 0;
};

/// What one actor run did.
struct actor_result {
  std::vector<std::uint32_t> distance;
  double seconds = 0;              ///< from the first tell to quiesce() returning
  std::uint64_t messages = 0;      ///< sent by handlers (border crossings, Work) + the first tell
  std::uint64_t dead_letters = 0;  ///< must be 0 for a valid run
  std::uint64_t actors = 0;
  std::uint32_t phases = 0;  ///< buckets worked through (quiesce() calls)
};

/// Time left until `deadline` (at least 1 ms: quiesce() takes no zero).
inline std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

/// tell(), retried while the host queue is full, until `deadline`.
template <class System, class Message>
void tell_until(System& system, std::uint64_t actor, const Message& message,
                std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const ringkernels::messaging::push_result pushed = system.tell(actor, message);
    if (pushed == ringkernels::messaging::push_result::ok) return;
    if (pushed != ringkernels::messaging::push_result::full ||
        std::chrono::steady_clock::now() > deadline) {
      RINGKERNELS_THROW(errc::queue_full,
                        "sssp: a message to block " + std::to_string(actor) + " could not be sent");
    }
    std::this_thread::yield();
  }
}

/// Runs the actor version from `source` on ExecSpace (spawns, activates, quiesces, terminates
/// its system). On a GPU nothing else may be resident (spawn initialises device memory).
template <class ExecSpace>
actor_result run_actors(ringkernels::runtime& rt, const device_graph<ExecSpace>& g,
                        std::uint32_t block, std::uint32_t source, const actor_run_options& run) {
  using M = typename ExecSpace::memory_space;
  using actor = block_relaxer<M>;
  actor relaxer;
  relaxer.offsets = g.offsets;
  relaxer.targets = g.targets;
  relaxer.weights = g.weights;
  relaxer.distance = Kokkos::View<std::uint32_t*, M>(
      Kokkos::view_alloc("sssp.actor.distance", Kokkos::WithoutInitializing), g.vertices);
  Kokkos::deep_copy(relaxer.distance, unreached);
  actor_result result;
  result.actors = (std::uint64_t{g.vertices} + block - 1) / block;
  relaxer.worklists = Kokkos::View<std::uint32_t*, M>(
      Kokkos::view_alloc("sssp.actor.worklists", Kokkos::WithoutInitializing),
      result.actors * block);
  relaxer.queued = Kokkos::View<std::uint8_t*, M>("sssp.actor.queued", g.vertices);
  relaxer.deferred = Kokkos::View<std::uint32_t*, M>(
      Kokkos::view_alloc("sssp.actor.deferred", Kokkos::WithoutInitializing), result.actors);
  Kokkos::deep_copy(relaxer.deferred, unreached);
  relaxer.block = block;
  ExecSpace().fence();

  ringkernels::actor_options options;
  options.name = "sssp";
  options.actors = result.actors;
  options.workers = run.workers;
  options.mailbox_capacity = run.mailbox_capacity;
  options.overflow_capacity = run.overflow_capacity;
  auto system = rt.spawn<ExecSpace>(relaxer, options);
  system.activate();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + run.timeout;
  const std::uint32_t delta = run.delta == 0 ? unreached : run.delta;
  std::uint32_t limit = delta;
  tell_until(system, source / block, typename actor::Improve{source, 0, limit}, deadline);
  std::vector<std::uint32_t> deferred(result.actors);
  for (;;) {
    system.quiesce(remaining(deadline));
    ++result.phases;
    ringkernels::backend_traits<ExecSpace>::copy_memory(deferred.data(), relaxer.deferred.data(),
                                                        deferred.size() * sizeof(std::uint32_t));
    const std::uint32_t least = *std::min_element(deferred.begin(), deferred.end());
    if (least == unreached) break;  // no block keeps anything: every distance is final
    limit = least >= unreached - delta ? unreached : least + delta;
    for (std::uint64_t a = 0; a < deferred.size(); ++a) {
      if (deferred[a] < limit) tell_until(system, a, typename actor::Advance{limit}, deadline);
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ringkernels::actor_telemetry t = system.telemetry();
  result.messages = t.from_host + t.sent_on_device;
  result.dead_letters = t.dead_total();
  (void)system.terminate();
  result.distance.resize(g.vertices);
  ringkernels::backend_traits<ExecSpace>::copy_memory(
      result.distance.data(), relaxer.distance.data(), g.vertices * sizeof(std::uint32_t));
  return result;
}

}  // namespace ringkernels::examples::sssp

#endif

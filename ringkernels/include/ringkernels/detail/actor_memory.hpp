// An actor system's memory, all in the backend's data space: the states, and per worker a
// mailbox, a local queue, an overflow and its counters (which the host reads, through a copy
// on a GPU). Allocated and
// initialised before the system's kernel is launched; handed to the kernel's launcher when the
// system goes, so that a worker still running (stuck in a handler) never touches freed memory.
// Host only. Nothing here is API.
#ifndef RINGKERNELS_DETAIL_ACTOR_MEMORY_HPP
#define RINGKERNELS_DETAIL_ACTOR_MEMORY_HPP

#include <ringkernels/actor_telemetry.hpp>
#include <ringkernels/backend_select.hpp>
#include <ringkernels/backends/common/actor_address.hpp>
#include <ringkernels/backends/common/actor_mailbox.hpp>
#include <ringkernels/backends/common/actor_placement.hpp>
#include <ringkernels/backends/common/actor_traits.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/logging.hpp>
#include <ringkernels/detail/checkpoint_file.hpp>
#include <ringkernels/detail/dead_letter_store.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ringkernels::detail {

/// Actor::init(id, state) for every actor where the type has it, value-initialised states
/// otherwise; on ExecSpace, before the workers start. (On a GPU this and the deep copies of
/// actor_memory fence the device: spawn systems before other kernels are resident,
/// docs/cuda.md.) A free function: nvcc takes device lambdas only outside private members.
/// One actor's initial state (a function, not in the lambda: nvcc's device lambdas cannot
/// capture inside `if constexpr`).
template <class Actor>
KOKKOS_INLINE_FUNCTION void initial_state(const Actor& actor, std::uint64_t id,
                                          typename Actor::State& state) {
  state = typename Actor::State{};
  if constexpr (actor_traits<Actor>::has_init) actor.init(id, state);
}

template <class ExecSpace, class Actor, class View>
void initialise_actor_states(const View& view, const Actor& actor) {
  Kokkos::parallel_for(
      "ringkernels.actor_init",
      // 64-bit indices: HIP's default index type is 32-bit, and a system may hold more ids.
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::uint64_t>>(0, view.extent(0)),
      KOKKOS_LAMBDA(const std::size_t id) { initial_state(actor, id, view(id)); });
  ExecSpace().fence();
}

template <class ExecSpace, class Actor>
struct actor_memory {
  using backend = backend_traits<ExecSpace>;
  using data_space = typename backend::data_space;
  using state_type = typename Actor::State;
  using envelope = actor_envelope<Actor>;
  using mailbox_type = messaging::ring_buffer<data_space>;
  static constexpr messaging::scope mailbox_scope = mailbox_type::index_scope;
  using counter = messaging::atomic_index<std::uint64_t, messaging::scope::system>;
  /// Whether the host reads the counters in place (CPU backends) or through a copy (GPUs).
  static constexpr bool counters_in_host_reach =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, data_space>::accessible;

  actor_placement placement;
  actor_location location;
  Kokkos::View<state_type*, data_space> states;
  std::vector<std::unique_ptr<mailbox_type>> mailboxes;
  Kokkos::View<messaging::ring_ref<mailbox_scope>*, data_space> mailbox_refs;
  Kokkos::View<envelope*, data_space> fifo_slots;  ///< every worker's local queue and overflow
  Kokkos::View<actor_fifo<Actor>*, data_space> locals;
  Kokkos::View<actor_fifo<Actor>*, data_space> overflows;
  Kokkos::View<actor_worker_counters*, data_space> counters;
  std::unique_ptr<dead_letter_store<ExecSpace, Actor>> dead_letters;  ///< made after the checks
  /// GPU systems: the pinned buffer checkpoints leave the device through (copies into pageable
  /// memory ran at 0.2 GB/s on the H200). Allocated at spawn, when nothing is resident: an
  /// allocation while the system's own kernel was resident hung the checkpoint tests there.
  Kokkos::View<unsigned char*, typename backend::memory_space> checkpoint_staging;
  std::atomic<std::uint64_t> host_attempts{0};  ///< tells/asks about to be pushed
  std::atomic<std::uint64_t> host_refused{0};   ///< of those, refused (never in flight)

  actor_memory(const std::string& name, std::uint64_t actors, int workers, placement_rule rule,
               std::uint32_t mailbox_capacity, std::uint32_t overflow_capacity,
               std::uint32_t dead_letter_capacity, const Actor& actor, actor_location where)
      : placement(actor_placement::make(actors, static_cast<std::uint32_t>(workers), rule)),
        location(where),
        name_(name) {
    if (const std::string blockers = backend::fence_blockers(); !blockers.empty()) {
      RINGKERNELS_THROW(errc::wrong_state,
                        "actor system '" + name +
                            "': cannot be spawned while ring kernels are "
                            "resident on its device (" +
                            blockers +
                            "): initialising its device memory fences the device, which would wait "
                            "for them forever (Kokkos 3.4; docs/cuda.md). Spawn actor systems "
                            "before launching kernels, or terminate those first");
    }
    states = Kokkos::View<state_type*, data_space>(
        Kokkos::view_alloc(name + ".states", Kokkos::WithoutInitializing), actors);
    initialise_actor_states<ExecSpace>(states, actor);
    messaging::ring_options options;
    options.slot_count = mailbox_capacity;
    options.max_payload = static_cast<std::uint32_t>(sizeof(envelope));
    options.producers = messaging::ring_producers::multiple;  // any worker's handlers send
    mailbox_refs = Kokkos::View<messaging::ring_ref<mailbox_scope>*, data_space>(
        Kokkos::view_alloc(name + ".mailbox_refs", Kokkos::WithoutInitializing), workers);
    auto refs = Kokkos::create_mirror_view(mailbox_refs);
    for (int w = 0; w < workers; ++w) {
      mailboxes.push_back(std::make_unique<mailbox_type>(name + ".mailbox", options));
      refs(w) = mailboxes.back()->ref();
    }
    Kokkos::deep_copy(mailbox_refs, refs);
    const std::uint32_t local_slots = actor_fifo<Actor>::slots_for(mailbox_capacity);
    const std::size_t per_worker =
        std::size_t{local_slots} + actor_fifo<Actor>::slots_for(overflow_capacity);
    fifo_slots = Kokkos::View<envelope*, data_space>(
        Kokkos::view_alloc(name + ".local_and_overflow", Kokkos::WithoutInitializing),
        static_cast<std::size_t>(workers) * per_worker);
    locals = make_fifos(name + ".locals", workers, 0, mailbox_capacity, per_worker);
    overflows =
        make_fifos(name + ".overflows", workers, local_slots, overflow_capacity, per_worker);
    counters = Kokkos::View<actor_worker_counters*, data_space>(name + ".actor_counters", workers);
    dead_letters =
        std::make_unique<dead_letter_store<ExecSpace, Actor>>(name, workers, dead_letter_capacity);
    if constexpr (!counters_in_host_reach) {
      checkpoint_staging = Kokkos::View<unsigned char*, typename backend::memory_space>(
          Kokkos::view_alloc(name + ".checkpoint_staging", Kokkos::WithoutInitializing),
          std::min<std::size_t>(actors * sizeof(state_type), staging_bytes));
    }
  }

  actor_memory(const actor_memory&) = delete;
  actor_memory& operator=(const actor_memory&) = delete;

  /// Kokkos aborts the process when an allocation is freed after Kokkos::finalize. The memory
  /// of a system whose worker was stuck in a handler past terminate's deadline is kept until
  /// that worker leaves, which may be after finalize (on a GPU: until no kernel is resident).
  /// Then it is leaked and said so, like a ring kernel's rings (kernel_rings.hpp).
  ~actor_memory() {
    if (Kokkos::is_initialized() || states.data() == nullptr) return;
    log::warn("actor system '" + name_ +
              "': its memory outlived Kokkos::finalize and is leaked (a worker left a handler "
              "only then; destroy actor systems and the runtime before Kokkos::finalize)");
    for (auto& mailbox : mailboxes) (void)mailbox.release();
    leak(states);
    leak(mailbox_refs);
    leak(fifo_slots);
    leak(locals);
    leak(overflows);
    leak(counters);
    if (dead_letters) dead_letters->leak();
    leak(checkpoint_staging);
  }

  /// One FIFO per worker, bounded at `capacity`, its slots at `offset` in each worker's share of
  /// fifo_slots.
  Kokkos::View<actor_fifo<Actor>*, data_space> make_fifos(const std::string& label, int workers,
                                                          std::size_t offset,
                                                          std::uint32_t capacity,
                                                          std::size_t per_worker) const {
    Kokkos::View<actor_fifo<Actor>*, data_space> fifos(
        Kokkos::view_alloc(label, Kokkos::WithoutInitializing), workers);
    auto host = Kokkos::create_mirror_view(fifos);
    for (int w = 0; w < workers; ++w) {
      host(w) = actor_fifo<Actor>{};
      host(w).slots = fifo_slots.data() + static_cast<std::size_t>(w) * per_worker + offset;
      host(w).capacity = capacity;
      host(w).mask = actor_fifo<Actor>::slots_for(capacity) - 1;
    }
    Kokkos::deep_copy(fifos, host);
    return fifos;
  }

  /// What a worker needs (pointers into this memory).
  actor_binding<Actor, mailbox_scope> binding() const {
    actor_binding<Actor, mailbox_scope> b;
    b.states = states.data();
    b.mailboxes = mailbox_refs.data();
    b.locals = locals.data();
    b.overflows = overflows.data();
    b.counters = counters.data();
    b.dead_letters = dead_letters->logs();
    return b;
  }

  /// Every worker's counters as they are now: atomic loads in place on a CPU backend, one copy
  /// on a GPU (the workers store them in device memory with device-scope order, and the copy
  /// reads them where those stores become visible; a later copy sees at least as much).
  std::vector<actor_worker_counters> read_counters() const {
    std::vector<actor_worker_counters> copy(counters.extent(0));
    if constexpr (counters_in_host_reach) {
      for (std::size_t w = 0; w < copy.size(); ++w) {
        actor_worker_counters& c = counters(w);
        copy[w].sent = counter::load_acquire(&c.sent);
        copy[w].handled = counter::load_acquire(&c.handled);
        copy[w].from_host = counter::load_acquire(&c.from_host);
        copy[w].overflow_high_water = counter::load_relaxed(&c.overflow_high_water);
        copy[w].from_systems = counter::load_acquire(&c.from_systems);
        copy[w].sent_to_systems = counter::load_relaxed(&c.sent_to_systems);
        for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) {
          copy[w].dead[r] = counter::load_acquire(&c.dead[r]);
        }
      }
    } else {
      backend::copy_memory(copy.data(), counters.data(), copy.size() * sizeof(copy[0]));
    }
    return copy;
  }

  /// Messages handled or dead-lettered, read first by quiesce().
  std::uint64_t finished() const {
    const actor_telemetry base = restored();
    std::uint64_t total = base.handled + base.dead_total();
    for (const actor_worker_counters& c : read_counters()) {
      total += c.handled;
      for (std::uint64_t dead : c.dead) total += dead;
    }
    return total;
  }
  /// Messages handlers of this and other systems sent here, read after finished().
  std::uint64_t sent() const {
    const actor_telemetry base = restored();
    std::uint64_t total = base.sent_on_device + base.from_systems;
    for (const actor_worker_counters& c : read_counters()) total += c.sent + c.from_systems;
    return total;
  }

  /// What a handler of another system sends through (system_ref).
  system_ref<Actor> ref() const {
    system_ref<Actor> r;
    r.mailboxes = mailbox_refs.data();
    r.scope = mailbox_scope;
    r.counters = counters.data();
    r.placement = placement;
    r.location = location;
    return r;
  }

  /// The workers' counters summed (from_host and in_flight are the system's to fill in).
  actor_telemetry totals() const {
    actor_telemetry t = restored();  // from_host: the system adds its host counters
    for (const actor_worker_counters& c : read_counters()) {
      t.handled += c.handled;
      for (int r = 0; r < static_cast<int>(dead_letter_reason::count); ++r) t.dead[r] += c.dead[r];
      t.sent_on_device += c.sent;
      t.from_systems += c.from_systems;
      t.sent_to_systems += c.sent_to_systems;
      if (c.overflow_high_water > t.overflow_high_water) {
        t.overflow_high_water = c.overflow_high_water;
      }
    }
    return t;
  }

  /// Through the backend's copy, which works while the workers are resident.
  std::vector<state_type> read_states() const {
    std::vector<state_type> copy(states.extent(0));
    backend::copy_memory(copy.data(), states.data(), copy.size() * sizeof(state_type));
    return copy;
  }
  /// Counters a restore() carried over from a checkpoint: the totals start from them.
  actor_telemetry restored() const {
    std::lock_guard<std::mutex> lock(restored_mutex_);
    return restored_;
  }
  /// Writes the states to `info.path` (detail::write_checkpoint): in place on a CPU backend;
  /// from a GPU through checkpoint_staging, a piece at a time.
  void write_checkpoint(checkpoint_info& info) const {
    const std::size_t total = states.extent(0) * sizeof(state_type);
    const auto* bytes = reinterpret_cast<const unsigned char*>(states.data());
    std::size_t offset = 0;
    if constexpr (counters_in_host_reach) {
      detail::write_checkpoint(info, [&](const void*& piece) {
        piece = bytes;
        const std::size_t n = total - offset;
        offset = total;
        return n;
      });
    } else {
      detail::write_checkpoint(info, [&](const void*& piece) {
        const std::size_t n = std::min(total - offset, checkpoint_staging.extent(0));
        if (n > 0) backend::copy_memory(checkpoint_staging.data(), bytes + offset, n);
        offset += n;
        piece = checkpoint_staging.data();
        return n;
      });
    }
  }

  /// Replaces every state with those `reader` holds (one per actor, checked by the caller),
  /// after they were read whole into host memory and their checksum verified, and carries the
  /// checkpoint's counters on. Only into a system that nothing was sent to (the caller
  /// checked), so the counters balance as they did when it was written.
  void restore(detail::checkpoint_reader& reader, const actor_telemetry& saved) {
    std::vector<unsigned char> staging(reader.state_bytes_total());
    reader.read_states(staging.data());  // throws on a bad checksum: nothing written yet
    backend::copy_memory(states.data(), staging.data(), staging.size());
    host_attempts.fetch_add(saved.from_host, std::memory_order_seq_cst);
    std::lock_guard<std::mutex> lock(restored_mutex_);
    restored_ = saved;
    restored_.from_host = 0;  // in host_attempts
    restored_.in_flight = 0;
  }

  void write_states(const std::vector<state_type>& replacement) {
    if (replacement.size() != states.extent(0)) {
      RINGKERNELS_THROW(errc::invalid_argument,
                        "write_states: " + std::to_string(replacement.size()) + " states for " +
                            std::to_string(states.extent(0)) + " actors");
    }
    backend::copy_memory(states.data(), replacement.data(),
                         replacement.size() * sizeof(state_type));
  }

 private:
  /// Moves `view` into a handle that is never destroyed.
  template <class View>
  static void leak(View& view) {
    if (view.data() != nullptr) new View(std::move(view));
  }

  /// The pieces a GPU system's states leave the device in for a checkpoint.
  static constexpr std::size_t staging_bytes = std::size_t{32} << 20;

  std::string name_;
  mutable std::mutex restored_mutex_;
  actor_telemetry restored_;
};

}  // namespace ringkernels::detail

#endif

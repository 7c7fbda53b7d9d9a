// Actor systems: N addressable actors (ids 0..N-1, all existing from spawn) of one actor type,
// their states in the backend's data space, multiplexed on the workers of one ring kernel.
// Written once (backends/common/actor_traits.hpp says what an actor type is); the host talks to
// them with tell/ask and ends a phase with quiesce().
//
//   ringkernels::runtime rt;
//   auto system = rt.spawn<Kokkos::OpenMP>(counter{}, {.name = "counters", .actors = 1000000});
//   system.activate();
//   system.tell(42, counter::Add{1});
//   system.quiesce(std::chrono::seconds(5));
//   auto states = system.read_states();
#ifndef RINGKERNELS_ACTOR_SYSTEM_HPP
#define RINGKERNELS_ACTOR_SYSTEM_HPP

#include <ringkernels/backends/common/actor_program.hpp>
#include <ringkernels/checkpoint.hpp>
#include <ringkernels/core/clock.hpp>
#include <ringkernels/detail/actor_memory.hpp>
#include <ringkernels/detail/checkpoint_file.hpp>
#include <ringkernels/detail/kernel_impl.hpp>
#include <ringkernels/reply_future.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

namespace ringkernels {

template <class Rep, class Period, class... Systems>
void quiesce(std::chrono::duration<Rep, Period> timeout, Systems&... systems);

/// How a system is made. Everything has a default but `actors`.
struct actor_options {
  std::string name = "actors";  ///< its queues are "<name>.in", "<name>.out"
  std::uint64_t actors = 0;     ///< ids 0 .. actors - 1
  int workers = 1;              ///< CPU threads (or GPU warps) that run the actors
  placement_rule placement = placement_rule::contiguous;  ///< ignored if Actor::place exists
  std::uint32_t mailbox_capacity = 4096;     ///< messages from actors waiting per worker
  std::uint32_t overflow_capacity = 1024;    ///< per worker, behind a full mailbox; then dead
  std::uint32_t host_queue_capacity = 4096;  ///< tell/ask messages waiting per worker
  /// Dead letters each worker keeps for drain_dead_letters() (its newest; 0: count only).
  std::uint32_t dead_letter_capacity = 256;
  /// Pinning, device, launch mode, backpressure, timeouts (name, workers, queue_capacity come
  /// from above).
  kernel_options kernel{};
  /// Launch the workers at spawn (resident, inactive). False: spawn only allocates and
  /// initialises; launch() starts them. On a GPU, systems that message each other are all
  /// spawned first, then launched: spawning initialises device memory, which (Kokkos 3.4)
  /// fences the device and so cannot happen while a kernel is resident there.
  bool launch = true;
};

namespace detail {
/// The next process-unique system number (1, 2, ...; the 15 bits an envelope has for it).
inline std::uint16_t next_system_number(const std::string& name) {
  static std::atomic<std::uint32_t> spawned{0};
  const std::uint32_t number = spawned.fetch_add(1, std::memory_order_relaxed) + 1;
  if (number > 0x7fffu) {
    RINGKERNELS_THROW(errc::unsupported,
                      "actor system '" + name + "': a process spawns at most 32767 actor systems");
  }
  return static_cast<std::uint16_t>(number);
}

/// Throws errc::invalid_argument naming the first actor option outside its range.
inline void check_actor_options(const actor_options& options, std::size_t state_bytes) {
  const std::string what = "actor system '" + options.name + "': ";
  if (options.actors < 1) RINGKERNELS_THROW(errc::invalid_argument, what + "actors must be >= 1");
  if (options.workers < 1 || options.workers > max_workers_per_kernel) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      what + "workers = " + std::to_string(options.workers) + " is outside 1.." +
                          std::to_string(max_workers_per_kernel));
  }
  const std::uint64_t memory = physical_memory_bytes();
  if (memory != 0 && options.actors > memory / 2 / state_bytes) {
    RINGKERNELS_THROW(errc::invalid_argument, what + std::to_string(options.actors) +
                                                  " states of " + std::to_string(state_bytes) +
                                                  " B need more than half of this host's " +
                                                  std::to_string(memory >> 20) + " MiB");
  }
  if (options.mailbox_capacity < 1 || options.mailbox_capacity > max_queue_capacity ||
      options.overflow_capacity < 1 || options.overflow_capacity > max_queue_capacity ||
      options.dead_letter_capacity > max_queue_capacity) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      what + "mailbox_capacity (" + std::to_string(options.mailbox_capacity) +
                          ") and overflow_capacity (" + std::to_string(options.overflow_capacity) +
                          ") must be within 1.." + std::to_string(max_queue_capacity) +
                          ", dead_letter_capacity (" +
                          std::to_string(options.dead_letter_capacity) + ") within 0.." +
                          std::to_string(max_queue_capacity));
  }
}
}  // namespace detail

/// A handle of a spawned actor system; copies share it. Every member is @threadsafe unless it
/// says otherwise.
template <class ExecSpace, class Actor>
class actor_system {
 public:
  using traits = actor_traits<Actor>;
  using state_type = typename Actor::State;
  using backend = backend_traits<ExecSpace>;
  static constexpr messaging::scope mailbox_scope =
      messaging::scope_of<typename backend::data_space>::value;
  using program_type = actor_program<Actor, mailbox_scope>;
  using impl_type = detail::kernel_impl<ExecSpace, program_type>;
  using memory_type = detail::actor_memory<ExecSpace, Actor>;

  actor_system(std::shared_ptr<impl_type> kernel, std::shared_ptr<memory_type> memory)
      : kernel_(std::move(kernel)), memory_(std::move(memory)) {}

  const std::string& name() const { return kernel_->name(); }
  std::uint64_t size() const { return memory_->placement.actors; }
  /// The worker that owns actor `id` (placement).
  std::uint32_t worker_of(std::uint64_t id) const {
    return ringkernels::worker_of<Actor>(memory_->placement, checked(id, "worker_of"));
  }

  /// Launches the workers of a system spawned with `launch = false` (resident, inactive).
  void launch() { kernel_->launch(); }
  void activate() { kernel_->activate(); }
  void deactivate() { kernel_->deactivate(); }
  terminate_report terminate() { return kernel_->terminate(); }
  kernel_state state() const { return kernel_->current_state(); }
  /// Relaunches by the runtime's supervisor (options.kernel.restart), and whether it gave up.
  supervision_status supervision() const { return kernel_->supervision(); }
  /// Workers of the running system whose heartbeat is older than options.kernel.stall_after.
  std::vector<worker_stall> stalls() const { return kernel_->stalls(); }

  /// Sends `message` to actor `id` from the host. Never blocks: `full` when that worker's host
  /// queue is full. An id outside 0..size()-1 throws errc::invalid_argument.
  template <class Message>
  [[nodiscard]] messaging::push_result tell(std::uint64_t id, const Message& message,
                                            std::uint32_t sequence = 0) {
    const auto outgoing = envelope_for(checked(id, "tell"), message, sequence, false);
    memory_->host_attempts.fetch_add(1, std::memory_order_seq_cst);
    const messaging::push_result result =
        kernel_->send_to_worker(ringkernels::worker_of<Actor>(memory_->placement, id), outgoing);
    if (!messaging::enqueued(result)) memory_->host_refused.fetch_add(1, std::memory_order_seq_cst);
    return result;
  }

  /// Sends `count` messages to actor `id` from the host, in order, with one queue publication
  /// per chunk of 64 (the way to stream to an actor). Never blocks: returns how many were
  /// enqueued, from the front; fewer than `count` when that worker's host queue filled.
  template <class Message>
  std::size_t tell_batch(std::uint64_t id, const Message* messages, std::size_t count) {
    constexpr std::size_t chunk = 64;
    const std::uint32_t worker =
        ringkernels::worker_of<Actor>(memory_->placement, checked(id, "tell_batch"));
    actor_envelope<Actor> outgoing[chunk];
    std::size_t enqueued = 0;
    while (enqueued < count) {
      const std::size_t n = count - enqueued < chunk ? count - enqueued : chunk;
      for (std::size_t i = 0; i < n; ++i) {
        outgoing[i] = envelope_for(id, messages[enqueued + i], 0, false);
      }
      memory_->host_attempts.fetch_add(n, std::memory_order_seq_cst);
      const std::size_t pushed = kernel_->send_batch_to(static_cast<int>(worker), outgoing, n);
      if (pushed < n) memory_->host_refused.fetch_add(n - pushed, std::memory_order_seq_cst);
      enqueued += pushed;
      if (pushed < n) break;
    }
    return enqueued;
  }

  /// Sends `message` and returns a future for the handler's ctx.reply(). Throws
  /// errc::queue_full when the owner's host queue is full, errc::wrong_state unless active.
  template <class Message>
  reply_future<impl_type> ask(std::uint64_t id, const Message& message) {
    static_assert(traits::has_reply, "ringkernels: ask() needs Actor::Reply (sent by ctx.reply)");
    require_state(name(), "ask", kernel_->current_state(), {kernel_state::active});
    const auto outgoing = envelope_for(checked(id, "ask"), message, 0, true);
    std::uint64_t message_id = 0;
    memory_->host_attempts.fetch_add(1, std::memory_order_seq_cst);
    const messaging::push_result result = kernel_->send_expecting_reply_to(
        ringkernels::worker_of<Actor>(memory_->placement, id), outgoing, message_id);
    if (!messaging::enqueued(result)) {
      memory_->host_refused.fetch_add(1, std::memory_order_seq_cst);
      RINGKERNELS_THROW(
          result == messaging::push_result::full ? errc::queue_full : errc::wrong_state,
          "actor system '" + name() + "': ask(" + std::to_string(id) + ") could not enqueue (" +
              messaging::to_string(result) + ")");
    }
    return reply_future<impl_type>(kernel_, message_id);
  }

  /// Returns once no message is in flight anywhere in the system: every message sent (by the
  /// host, a handler, or a handler of another system) was handled or dead-lettered. Throws
  /// errc::timed_out naming the count still in flight when `timeout` passes first,
  /// errc::handler_failed when a worker faulted. Systems that message each other end a phase
  /// together with ringkernels::quiesce(timeout, a, b, ...).
  template <class Rep, class Period>
  void quiesce(std::chrono::duration<Rep, Period> timeout) {
    ringkernels::quiesce(timeout, *this);
  }

  /// Where this system is: process-unique system number, device, rank.
  actor_location location() const { return memory_->location; }
  /// Actor `id` of this system, with its location.
  actor_address address(std::uint64_t id) const {
    return actor_address{checked(id, "address"), memory_->location};
  }
  /// What a handler of another system (on this backend) holds to send to these actors with
  /// ctx.send(ref, id, message). Valid as long as this system lives.
  /// Its memory stays allocated until the runtime and all its kernels are gone (whichever
  /// handle goes first), so a handler that holds the ref never writes freed memory.
  system_ref<Actor> ref() const {
    kernel_->shared_state().keep_until_runtime_ends(memory_);
    return memory_->ref();
  }

  // --- for ringkernels::quiesce over several systems -------------------------------------
  /// Throws errc::handler_failed when a worker faulted.
  void impl_throw_if_faulted() const {
    if (kernel_->current_state() == kernel_state::faulted) {
      RINGKERNELS_THROW(errc::handler_failed,
                        "actor system '" + name() + "' faulted: " + kernel_->fault_message());
    }
  }
  /// Messages handled or dead-lettered (host refusals included), read first.
  std::uint64_t impl_finished() const {
    return memory_->finished() + memory_->host_refused.load(std::memory_order_seq_cst);
  }
  /// Messages sent to this system (host attempts included), read after every impl_finished().
  std::uint64_t impl_sent() const {
    return memory_->host_attempts.load(std::memory_order_seq_cst) + memory_->sent();
  }

  /// The states, in the backend's data space (device memory on a GPU): for Kokkos code the
  /// user runs while the system is not active.
  Kokkos::View<state_type*, typename backend::data_space> states() const { return memory_->states; }

  /// A copy of every actor's state. Needs the system launched or inactive, or quiescent (call
  /// quiesce() first): otherwise a handler could be writing a state while it is copied.
  std::vector<state_type> read_states() const { return memory_->read_states(); }
  /// Replaces every actor's state (`states.size() == size()`). Needs the system launched or
  /// inactive.
  void write_states(const std::vector<state_type>& states) {
    require_state(name(), "write_states", kernel_->current_state(),
                  {kernel_state::launched, kernel_state::inactive});
    memory_->write_states(states);
  }

  /// Takes the dead letters the workers kept since the last drain (each worker keeps its
  /// newest actor_options::dead_letter_capacity), with the reason, the worker and the message;
  /// `lost` counts those overwritten first. Works in every state, while handlers run too.
  /// The counts by reason in telemetry() are exact whatever was kept.
  dead_letter_batch<Actor> drain_dead_letters() { return memory_->dead_letters->drain(); }

  /// Writes every actor's state and the system's counters to the checkpoint file `path`
  /// (ringkernels/checkpoint.hpp), replacing it whole or not at all. Needs the system launched
  /// or inactive and quiescent (nothing in flight: quiesce() and deactivate() first), so there
  /// are no pending messages to save; throws errc::wrong_state otherwise, errc::io_error when
  /// the file cannot be written.
  checkpoint_info checkpoint(const std::string& path) const {
    require_state(name(), "checkpoint", kernel_->current_state(),
                  {kernel_state::launched, kernel_state::inactive});
    const std::uint64_t finished = impl_finished();
    const std::uint64_t sent = impl_sent();
    if (finished != sent) {
      RINGKERNELS_THROW(errc::wrong_state, "actor system '" + name() + "': checkpoint needs it " +
                                               "quiescent; " + std::to_string(sent - finished) +
                                               " message(s) in flight (call quiesce() first)");
    }
    checkpoint_info info = identity();
    info.path = path;
    info.hlc = hlc_physical_now().packed;
    info.counters = telemetry();
    if constexpr (backend::gpu_threads) {
      // The states leave device memory at full speed only with no worker resident.
      kernel_->with_workers_stopped("checkpoint", [&] { memory_->write_checkpoint(info); });
    } else {
      memory_->write_checkpoint(info);
    }
    kernel_->checkpoint_written(path);
    return info;
  }

  /// Restores a checkpoint of a system of the same actor type and size, written on any
  /// backend, into this one: states bit-identical, counters carried on (telemetry() goes on
  /// from the saved totals). Needs a system that nothing was sent to yet, created (spawned
  /// with launch = false), launched or inactive. The whole file is read and verified first:
  /// a truncated, corrupt or foreign file is refused (errc::invalid_argument naming what is
  /// wrong) and this system is left as it was.
  checkpoint_info restore(const std::string& path) {
    require_state(name(), "restore", kernel_->current_state(),
                  {kernel_state::created, kernel_state::launched, kernel_state::inactive});
    detail::checkpoint_reader reader(path);
    const checkpoint_info& saved = reader.info();
    const checkpoint_info mine = identity();
    const std::string what = "actor system '" + name() + "': restore('" + path + "'): ";
    if (saved.type_fingerprint != mine.type_fingerprint || saved.state_bytes != mine.state_bytes) {
      RINGKERNELS_THROW(errc::invalid_argument, what + "written by actor type " + saved.actor_type +
                                                    " (state " + std::to_string(saved.state_bytes) +
                                                    " B); this system runs " + mine.actor_type +
                                                    " (state " + std::to_string(mine.state_bytes) +
                                                    " B)");
    }
    if (saved.actors != size()) {
      RINGKERNELS_THROW(errc::invalid_argument, what + "it holds " + std::to_string(saved.actors) +
                                                    " actors; this system has " +
                                                    std::to_string(size()));
    }
    if (const std::uint64_t so_far = impl_sent() + impl_finished(); so_far != 0) {
      RINGKERNELS_THROW(errc::wrong_state,
                        what + "needs a system nothing was sent to yet (this one has counted " +
                            std::to_string(so_far) + " message(s))");
    }
    // Timestamps after the restore must not go below those the saved phase made.
    const std::uint64_t now = hlc_physical_now().packed;
    if (now < saved.hlc) {
      RINGKERNELS_THROW(errc::wrong_state,
                        what + "this host's clock reads " +
                            std::to_string(hlc_timestamp{saved.hlc}.physical_us() -
                                           hlc_timestamp{now}.physical_us()) +
                            " us before the checkpoint's hybrid logical clock");
    }
    if (backend::gpu_threads && kernel_->current_state() != kernel_state::created) {
      // The same for the copy in: no worker resident meanwhile.
      kernel_->with_workers_stopped("restore", [&] { memory_->restore(reader, saved.counters); });
    } else {
      memory_->restore(reader, saved.counters);
    }
    return saved;
  }

  actor_telemetry telemetry() const {
    actor_telemetry t = memory_->totals();
    t.from_host = memory_->host_attempts.load(std::memory_order_seq_cst) -
                  memory_->host_refused.load(std::memory_order_seq_cst);
    // One reading of every counter: a worker's handled count can be newer than the sends
    // another's was read with, so the difference is clamped (quiesce() reads in two waves).
    const std::uint64_t sent = t.from_host + t.sent_on_device + t.from_systems;
    const std::uint64_t done = t.handled + t.dead_total();
    t.in_flight = sent > done ? sent - done : 0;
    return t;
  }
  /// The underlying ring kernel's telemetry (host messages received, workers' loop counts).
  telemetry_snapshot kernel_telemetry() const { return kernel_->snapshot(); }

 private:
  std::uint64_t checked(std::uint64_t id, const char* operation) const {
    if (id >= memory_->placement.actors) {
      RINGKERNELS_THROW(errc::invalid_argument, "actor system '" + name() + "': " + operation +
                                                    "(" + std::to_string(id) + "): actors are 0.." +
                                                    std::to_string(memory_->placement.actors - 1));
    }
    return id;
  }

  /// What a checkpoint of this system says about its type and size.
  checkpoint_info identity() const {
    checkpoint_info info;
    info.system_name = name();
    info.backend = ExecSpace::name();
    info.actor_type = detail::readable_type_name(typeid(Actor).name());
    info.actors = size();
    info.state_bytes = static_cast<std::uint32_t>(sizeof(state_type));
    detail::checksum64 fingerprint;
    fingerprint.update(info.actor_type.data(), info.actor_type.size());
    const std::uint64_t sizes[] = {sizeof(state_type), sizeof(actor_envelope<Actor>),
                                   traits::messages::count};
    fingerprint.update(sizes, sizeof sizes);
    info.type_fingerprint = fingerprint.value();
    return info;
  }

  template <class Message>
  static actor_envelope<Actor> envelope_for(std::uint64_t id, const Message& message,
                                            std::uint32_t sequence, bool asked) {
    static_assert(traits::template handles<Message>,
                  "ringkernels: this actor type has no handler for this message type");
    actor_envelope<Actor> outgoing;
    outgoing.target = id;
    outgoing.sender = host_sender;
    outgoing.type = static_cast<std::uint32_t>(traits::messages::template index_of<Message>) |
                    (asked ? actor_ask_flag : 0u);
    outgoing.sequence = sequence;
    std::memcpy(outgoing.body, &message, sizeof(Message));
    return outgoing;
  }

  std::shared_ptr<impl_type> kernel_;
  std::shared_ptr<memory_type> memory_;
};

/// Returns once no message is in flight in any of `systems` (actor_system handles of any
/// backends): the way to end a phase of systems that message each other, where quiescing one
/// after the other could miss a message that a later one sends back. Throws as
/// actor_system::quiesce() does, naming every system.
template <class Rep, class Period, class... Systems>
void quiesce(std::chrono::duration<Rep, Period> timeout, Systems&... systems) {
  static_assert(sizeof...(Systems) >= 1, "quiesce: name at least one actor system");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Sleeps of at most 50 us, not the default 1 ms: quiesce() ends a phase, and a code that
  // runs many short phases (sssp's buckets: hundreds) would wait most of its time here.
  backoff::tuning polling;
  polling.max_sleep = std::chrono::microseconds(50);
  backoff waiting(polling);
  for (;;) {
    (systems.impl_throw_if_faulted(), ...);
    // Two waves (the four-counter method): every system's finished count first, then every
    // sent count. A system counts a message sent before it can be finished, so equal sums
    // mean each system's counts stood still between its two readings, all of them at once
    // after the last finished reading: at that instant nothing was in flight anywhere.
    const std::uint64_t finished = (std::uint64_t{0} + ... + systems.impl_finished());
    const std::uint64_t sent = (std::uint64_t{0} + ... + systems.impl_sent());
    if (finished == sent) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string names;
      ((names += (names.empty() ? "'" : ", '") + systems.name() + "'"), ...);
      RINGKERNELS_THROW(
          errc::timed_out,
          std::string(sizeof...(Systems) == 1 ? "actor system " : "actor systems ") + names + ": " +
              std::to_string(sent > finished ? sent - finished : 0) +
              " message(s) still in flight after " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
              " ms");
    }
    waiting.pause();
  }
}

}  // namespace ringkernels

#endif

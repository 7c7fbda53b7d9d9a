// The runtime: discovers the machine (hwloc topology), names queues, launches ring kernels on
// any built backend and connects them. Terminates every kernel it launched when destroyed.
//
//   Kokkos::ScopeGuard kokkos(argc, argv);
//   ringkernels::runtime rt;
//   auto k = rt.launch<Kokkos::Serial>(vector_add{}, {.name = "vector_add"});
//   k.activate();
//   auto reply = k.call(request).get(std::chrono::milliseconds(100));
//   k.terminate();
#ifndef RINGKERNELS_RUNTIME_HPP
#define RINGKERNELS_RUNTIME_HPP

#include <ringkernels/actor_system.hpp>
#include <ringkernels/core/telemetry.hpp>
#include <ringkernels/detail/metrics_endpoint.hpp>
#include <ringkernels/detail/supervisor.hpp>
#include <ringkernels/ring_kernel.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ringkernels {

/// How a runtime starts.
struct runtime_options {
  /// "HOST:PORT" to serve every kernel's and actor system's telemetry for Prometheus at
  /// http://HOST:PORT/metrics while the runtime lives (port 0: a free port, metrics_port() says
  /// which); empty: no endpoint. A build without prometheus-cpp refuses a non-empty address.
  std::string metrics_address;
};

class runtime {
 public:
  runtime();
  /// Throws ringkernels::error when the metrics endpoint cannot listen where asked.
  explicit runtime(const runtime_options& options);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Creates a kernel for `handler` on ExecSpace's backend and launches it: resident, inactive.
  /// Throws ringkernels::error for bad options or a taken name.
  template <class ExecSpace, class Handler>
  ring_kernel<ExecSpace, Handler> launch(const Handler& handler, const kernel_options& options) {
    auto impl =
        std::make_shared<detail::kernel_impl<ExecSpace, Handler>>(handler, options, shared_);
    impl->launch();
    remember(impl, options);
    return ring_kernel<ExecSpace, Handler>(impl);
  }

  /// Spawns an actor system of `options.actors` actors of type Actor on ExecSpace's backend:
  /// states allocated and initialised, workers launched (resident, inactive; with
  /// options.launch = false, at the system's launch()). Throws ringkernels::error for bad
  /// options or a taken name.
  template <class ExecSpace, class Actor>
  actor_system<ExecSpace, Actor> spawn(const Actor& actor, const actor_options& options) {
    using system_type = actor_system<ExecSpace, Actor>;
    detail::check_actor_options(options, sizeof(typename Actor::State));
    actor_location where;
    where.system = detail::next_system_number(options.name);
    if (options.kernel.device >= 0)
      where.device = static_cast<std::uint16_t>(options.kernel.device);
    auto memory = std::make_shared<typename system_type::memory_type>(
        options.name, options.actors, options.workers, options.placement, options.mailbox_capacity,
        options.overflow_capacity, options.dead_letter_capacity, actor, where);
    typename system_type::program_type program{actor, memory->binding(), memory->placement,
                                               memory->location};
    kernel_options kernel = options.kernel;
    kernel.name = options.name;
    kernel.workers = options.workers;
    kernel.queue_capacity = options.host_queue_capacity;
    auto impl = std::make_shared<typename system_type::impl_type>(program, kernel, shared_);
    impl->attach_memory(memory);
    if (options.launch) {
      impl->launch();
    } else {
      impl->preload();  // the device is idle now (spawn checked): load its code for later
    }
    remember(impl, kernel);
    return system_type(impl, memory);
  }

  /// Routes `from`'s context::send_to_peer to `to`'s peer port ("<to>.peer"). Both launched and
  /// not active (workers read their wiring when activated). The messages must be `to`'s
  /// Request type. A port's senders are all host kernels or all kernels of one GPU (their
  /// atomics on the port are not atomic with each other's): another side is refused.
  template <class SpaceA, class HandlerA, class SpaceB, class HandlerB>
  void connect(ring_kernel<SpaceA, HandlerA>& from, ring_kernel<SpaceB, HandlerB>& to) {
    using target_memory = typename backend_traits<SpaceB>::memory_space;
    if constexpr (!Kokkos::SpaceAccessibility<SpaceA, target_memory>::accessible) {
      RINGKERNELS_THROW(errc::unsupported, "kernel '" + from.name() + "' on backend " +
                                               from.backend() +
                                               " cannot reach the peer port of kernel '" +
                                               to.name() + "' on backend " + to.backend() +
                                               " (its memory is not accessible "
                                               "from there)");
    }
    auto peer = to.impl()->peer_input_ref();
    if (peer.control == nullptr) {
      RINGKERNELS_THROW(errc::unsupported,
                        "kernel '" + to.name() + "' has no peer port on backend " + to.backend());
    }
    // GPU senders reserve with device-scope atomics, host senders with host atomics: the two
    // are not atomic with each other, so a port takes senders of one side only.
    constexpr bool gpu_sender = backend_traits<SpaceA>::gpu_threads;
    peer.device_scope_rmw = gpu_sender;
    const std::string side = gpu_sender ? std::string(from.backend()) + " device " +
                                              std::to_string(from.options().device)
                                        : std::string("host threads");
    to.impl()->admit_peer_sender(from.name(), side);
    to.impl()->enable_peer_input();
    from.impl()->connect_peer(peer);
  }

  /// Every queue name, e.g. "vector_add.in", "vector_add.out", "vector_add.peer".
  std::vector<std::string> queue_names() const { return shared_->registry.names(); }
  messaging::queue_registry& queues() { return shared_->registry; }
  const topology& machine() const { return shared_->machine; }

  /// The telemetry of every kernel and actor system of this runtime still alive, now: what the
  /// metrics endpoint serves at each scrape. @threadsafe
  std::vector<telemetry_snapshot> telemetry();
  /// The same collection as one JSON document: {"kernels": [snapshot, ...]}. @threadsafe
  std::string telemetry_json();
  /// The port the metrics endpoint listens on; 0 without one.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  /// Keeps `kernel` for telemetry and shutdown; hands it to the supervisor when its options
  /// ask for relaunches.
  void remember(std::shared_ptr<detail::kernel_base> kernel, const kernel_options& options);

  std::shared_ptr<detail::runtime_state> shared_;
  std::mutex kernels_mutex_;
  std::vector<std::weak_ptr<detail::kernel_base>> kernels_;
  std::unique_ptr<detail::metrics_endpoint> metrics_;  ///< stopped first when the runtime goes
  /// Started with the first kernel that asks for relaunches; stopped before the kernels go.
  std::unique_ptr<detail::supervisor> supervisor_;  ///< under kernels_mutex_
};

}  // namespace ringkernels

#endif

// Machine topology through hwloc: packages, cores, PUs, NUMA nodes, GPUs' PCI locality, and the
// core pinning the CPU simulator uses for its persistent workers. Host only.
#ifndef RINGKERNELS_CORE_TOPOLOGY_HPP
#define RINGKERNELS_CORE_TOPOLOGY_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringkernels {

/// A GPU seen on the PCI bus, and which CPUs are close to it.
struct gpu_locality {
  std::string pci_bus_id;  ///< "0000:65:00.0"
  std::string vendor;      ///< "NVIDIA", "AMD" or the numeric PCI vendor id
  std::string name;        ///< hwloc's PCI device name where it knows one
  int numa_node = -1;      ///< nearest NUMA node, -1 if unknown
  std::string local_cpus;  ///< cpuset list of the PUs near the device, e.g. "0-15"
};

struct topology_summary {
  int packages = 0;
  int cores = 0;
  int processing_units = 0;  ///< hardware threads
  int numa_nodes = 0;
  std::vector<gpu_locality> gpus;
  std::string hwloc_version;
};

/// Bytes of physical memory of this host (0 when the system does not say).
std::uint64_t physical_memory_bytes() noexcept;

/// Where persistent workers go: one worker per core in order (compact), spread evenly over the
/// machine's cores (spread), or not pinned at all (none).
enum class pin_policy { compact, spread, none };

std::optional<pin_policy> parse_pin_policy(std::string_view text) noexcept;
const char* to_string(pin_policy policy) noexcept;

/// A pinning plan: the core index for each worker (nullopt = unpinned) and, when there are
/// fewer cores than workers, a note saying so (workers then share cores round-robin).
struct pin_plan {
  std::vector<std::optional<int>> core_of_worker;
  std::string note;
};

/// Owns one hwloc topology. Loading takes milliseconds: keep one per Runtime. @threadsafe for
/// const member functions (hwloc topologies are read-only after load).
class topology {
 public:
  topology();
  ~topology();
  topology(const topology&) = delete;
  topology& operator=(const topology&) = delete;

  topology_summary summary() const;
  int core_count() const;

  /// Which core each of `workers` workers is pinned to under `policy`.
  pin_plan plan_pinning(pin_policy policy, int workers) const;

  /// Binds the calling thread to all PUs of core `core_index` (0-based, hwloc logical order).
  /// Returns an empty string on success, else why binding failed (the thread stays unbound).
  std::string pin_current_thread(int core_index) const;

  /// The core the calling thread last ran on, or -1 if unknown.
  int current_core() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Human-readable multi-line description, as `ringkernels info` prints it.
std::string describe(const topology_summary& summary);

}  // namespace ringkernels

#endif

#define RINGKERNELS_HOST_ONLY_TU
#include <ringkernels/core/error.hpp>
#include <ringkernels/core/topology.hpp>

#include <hwloc.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

namespace ringkernels {

std::uint64_t physical_memory_bytes() noexcept {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

struct topology::impl {
  hwloc_topology_t handle = nullptr;
};

namespace {

std::string cpuset_list(hwloc_const_bitmap_t set) {
  if (set == nullptr) return {};
  char* text = nullptr;
  if (hwloc_bitmap_list_asprintf(&text, set) < 0 || text == nullptr) return {};
  std::string result(text);
  std::free(text);
  return result;
}

std::string vendor_name(unsigned vendor_id) {
  switch (vendor_id) {
    case 0x10de: return "NVIDIA";
    case 0x1002: return "AMD";
    case 0x8086: return "Intel";
    default: {
      char text[16];
      std::snprintf(text, sizeof text, "0x%04x", vendor_id);
      return text;
    }
  }
}

bool is_gpu_class(unsigned class_id) {
  // PCI class 0x03xx: display controllers (VGA 0x0300, 3D controller 0x0302 for data-centre GPUs).
  return (class_id >> 8) == 0x03;
}

int count(hwloc_topology_t handle, hwloc_obj_type_t type) {
  const int n = hwloc_get_nbobjs_by_type(handle, type);
  return n < 0 ? 0 : n;
}

}  // namespace

std::optional<pin_policy> parse_pin_policy(std::string_view text) noexcept {
  if (text == "compact") return pin_policy::compact;
  if (text == "spread") return pin_policy::spread;
  if (text == "none") return pin_policy::none;
  return std::nullopt;
}

const char* to_string(pin_policy policy) noexcept {
  switch (policy) {
    case pin_policy::compact: return "compact";
    case pin_policy::spread: return "spread";
    case pin_policy::none: return "none";
  }
  return "none";
}

topology::topology() : impl_(std::make_unique<impl>()) {
  if (hwloc_topology_init(&impl_->handle) != 0) {
    RINGKERNELS_THROW(errc::backend_failure, "hwloc_topology_init failed");
  }
  // PCI devices are needed for GPU locality; keep only the important ones (GPUs, NICs).
  hwloc_topology_set_io_types_filter(impl_->handle, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if (hwloc_topology_load(impl_->handle) != 0) {
    hwloc_topology_destroy(impl_->handle);
    RINGKERNELS_THROW(errc::backend_failure, "hwloc_topology_load failed");
  }
}

topology::~topology() { hwloc_topology_destroy(impl_->handle); }

int topology::core_count() const {
  const int cores = count(impl_->handle, HWLOC_OBJ_CORE);
  return cores > 0 ? cores : count(impl_->handle, HWLOC_OBJ_PU);
}

topology_summary topology::summary() const {
  topology_summary result;
  hwloc_topology_t handle = impl_->handle;
  result.packages = count(handle, HWLOC_OBJ_PACKAGE);
  result.cores = count(handle, HWLOC_OBJ_CORE);
  result.processing_units = count(handle, HWLOC_OBJ_PU);
  result.numa_nodes = count(handle, HWLOC_OBJ_NUMANODE);
  const unsigned version = hwloc_get_api_version();
  result.hwloc_version = std::to_string(version >> 16) + "." +
                         std::to_string((version >> 8) & 0xff) + "." +
                         std::to_string(version & 0xff);
  for (hwloc_obj_t pci = hwloc_get_next_pcidev(handle, nullptr); pci != nullptr;
       pci = hwloc_get_next_pcidev(handle, pci)) {
    const auto& attr = pci->attr->pcidev;
    if (!is_gpu_class(attr.class_id)) continue;
    gpu_locality gpu;
    char bus_id[32];
    std::snprintf(bus_id, sizeof bus_id, "%04x:%02x:%02x.%01x", attr.domain, attr.bus, attr.dev,
                  attr.func);
    gpu.pci_bus_id = bus_id;
    gpu.vendor = vendor_name(attr.vendor_id);
    if (const char* name = hwloc_obj_get_info_by_name(pci, "PCIDevice")) gpu.name = name;
    if (hwloc_obj_t parent = hwloc_get_non_io_ancestor_obj(handle, pci)) {
      gpu.local_cpus = cpuset_list(parent->cpuset);
      hwloc_obj_t numa = nullptr;
      if (parent->nodeset != nullptr && hwloc_bitmap_weight(parent->nodeset) == 1) {
        numa = hwloc_get_numanode_obj_by_os_index(
            handle, static_cast<unsigned>(hwloc_bitmap_first(parent->nodeset)));
      }
      gpu.numa_node = numa != nullptr ? static_cast<int>(numa->os_index) : -1;
    }
    result.gpus.push_back(gpu);
  }
  return result;
}

pin_plan topology::plan_pinning(pin_policy policy, int workers) const {
  pin_plan plan;
  plan.core_of_worker.assign(static_cast<std::size_t>(workers > 0 ? workers : 0), std::nullopt);
  if (policy == pin_policy::none || workers <= 0) return plan;
  const int cores = core_count();
  if (cores <= 0) {
    plan.note = "hwloc reports no cores; workers are not pinned";
    return plan;
  }
  if (workers > cores) {
    plan.note = std::to_string(workers) + " workers on " + std::to_string(cores) +
                " cores: workers share cores round-robin and will compete for them";
  }
  for (int w = 0; w < workers; ++w) {
    int core = w % cores;
    if (policy == pin_policy::spread && workers < cores) {
      core = static_cast<int>(static_cast<long>(w) * cores / workers);
    }
    plan.core_of_worker[static_cast<std::size_t>(w)] = core;
  }
  return plan;
}

std::string topology::pin_current_thread(int core_index) const {
  hwloc_obj_t core =
      hwloc_get_obj_by_type(impl_->handle, HWLOC_OBJ_CORE, static_cast<unsigned>(core_index));
  if (core == nullptr) {
    core = hwloc_get_obj_by_type(impl_->handle, HWLOC_OBJ_PU, static_cast<unsigned>(core_index));
  }
  if (core == nullptr) {
    return "no core with index " + std::to_string(core_index) + " (machine has " +
           std::to_string(core_count()) + ")";
  }
  if (hwloc_set_cpubind(impl_->handle, core->cpuset, HWLOC_CPUBIND_THREAD) != 0) {
    return "hwloc_set_cpubind to core " + std::to_string(core_index) + " (" +
           cpuset_list(core->cpuset) + ") failed";
  }
  return {};
}

int topology::current_core() const {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  int result = -1;
  if (hwloc_get_last_cpu_location(impl_->handle, set, HWLOC_CPUBIND_THREAD) == 0) {
    hwloc_obj_t pu =
        hwloc_get_pu_obj_by_os_index(impl_->handle, static_cast<unsigned>(hwloc_bitmap_first(set)));
    hwloc_obj_t core =
        pu != nullptr ? hwloc_get_ancestor_obj_by_type(impl_->handle, HWLOC_OBJ_CORE, pu) : nullptr;
    result = core != nullptr ? static_cast<int>(core->logical_index) : -1;
  }
  hwloc_bitmap_free(set);
  return result;
}

std::string describe(const topology_summary& summary) {
  std::ostringstream text;
  text << "  packages " << summary.packages << ", cores " << summary.cores << ", PUs "
       << summary.processing_units << ", NUMA nodes " << summary.numa_nodes << " (hwloc "
       << summary.hwloc_version << ")\n";
  if (summary.gpus.empty()) {
    text << "  GPUs on the PCI bus: none seen by hwloc\n";
  }
  for (const auto& gpu : summary.gpus) {
    text << "  GPU " << gpu.pci_bus_id << " " << gpu.vendor;
    if (!gpu.name.empty()) text << " " << gpu.name;
    text << ", NUMA node " << gpu.numa_node << ", near CPUs " << gpu.local_cpus << "\n";
  }
  return text.str();
}

}  // namespace ringkernels

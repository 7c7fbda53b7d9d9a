// Copies between host memory and the CPU backends' data space (host memory too): memcpy.
// Host only. The CUDA backend's memory.hpp has the same role.
#ifndef RINGKERNELS_BACKENDS_HOST_MEMORY_HPP
#define RINGKERNELS_BACKENDS_HOST_MEMORY_HPP

#include <cstddef>
#include <cstring>

namespace ringkernels::host_backend {

/// Copies `bytes` from `source` to `target` (either may be in the data space).
inline void copy_memory(void* target, const void* source, std::size_t bytes) {
  if (bytes > 0) std::memcpy(target, source, bytes);
}

}  // namespace ringkernels::host_backend

#endif

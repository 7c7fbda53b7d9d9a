// The HIP launch path: the HIP runtime API the shared GPU launcher runs on
// (backends/common/gpu_launcher.hpp: launch modes, the residency book, the event pump, as on
// CUDA), and the launcher for a handler. One 64-lane wavefront per worker block. Rings, the
// control block and the worker bindings live in fine-grained pinned host memory (memory.hpp);
// the GPU touches them with system-scope atomics. Compiled for gfx90a, never run (docs/hip.md).
#ifndef RINGKERNELS_BACKENDS_HIP_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_HIP_LAUNCH_HPP

#include <ringkernels/backends/common/gpu_dispatch.hpp>
#include <ringkernels/backends/common/gpu_launcher.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/backends/hip/checked_call.hpp>
#include <ringkernels/backends/hip/device_check.hpp>
#include <ringkernels/backends/hip/memory.hpp>
#include <ringkernels/backends/hip/warp.hpp>

#include <Kokkos_Core.hpp>

#include <hip/hip_runtime.h>

#include <string>

namespace ringkernels::hip_backend {

/// The text a kernel's death is reported with (the fault message users see).
inline std::string describe_kernel_death(hipError_t state, const char* what) {
  return std::string("the ") + what + " died: " + hipGetErrorName(state) + " (" +
         hipGetErrorString(state) + ")" +
         (classify(state) == gpu_error_severity::context_killing
              ? "; the HIP context is lost, relaunch the process"
              : "");
}

/// The HIP runtime as gpu::launcher and gpu::event_pump use it (gpu_launcher.hpp lists the
/// members).
struct hip_runtime : device_check, gpu::kernel_launches<hip_runtime, warp> {
  using error_type = hipError_t;
  using stream_type = hipStream_t;
  /// Allocated fine-grained through messaging::shared_allocator (memory.hpp), not by Kokkos.
  using memory_space = Kokkos::Experimental::HIPHostPinnedSpace;
  static constexpr error_type success = hipSuccess;
  static constexpr error_type not_ready = hipErrorNotReady;
  static constexpr error_type peer_access_already_enabled = hipErrorPeerAccessAlreadyEnabled;

  static void check(error_type code, const char* text, const char* file, int line) {
    hip_backend::check(code, text, file, line);
  }
  static error_type get_device(int* device) { return hipGetDevice(device); }
  static error_type set_device(int device) { return hipSetDevice(device); }
  static void clear_last_error() { (void)hipGetLastError(); }
  static error_type can_access_peer(int* can, int device, int peer) {
    return hipDeviceCanAccessPeer(can, device, peer);
  }
  static error_type enable_peer_access(int peer) { return hipDeviceEnablePeerAccess(peer, 0); }
  static error_type create_stream(stream_type* stream) {
    return hipStreamCreateWithFlags(stream, hipStreamNonBlocking);
  }
  static error_type destroy_stream(stream_type stream) { return hipStreamDestroy(stream); }
  static error_type query(stream_type stream) { return hipStreamQuery(stream); }
  static error_type synchronize(stream_type stream) { return hipStreamSynchronize(stream); }
  static std::string describe_death(error_type state, const char* what) {
    return describe_kernel_death(state, what);
  }
  static int kokkos_device() { return Kokkos::Experimental::HIP().hip_device(); }

  static error_type launch_cooperative(const void* kernel, dim3 grid, dim3 block, void** arguments,
                                       stream_type stream) {
    return hipLaunchCooperativeKernel(kernel, grid, block, arguments, 0, stream);
  }
  static error_type last_error() { return hipGetLastError(); }
};

template <class Handler>
using launcher = gpu::launcher<hip_runtime, Handler>;

}  // namespace ringkernels::hip_backend

#endif

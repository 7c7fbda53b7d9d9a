// The CUDA launch path: the CUDA runtime API the shared GPU launcher runs on
// (backends/common/gpu_launcher.hpp: launch modes, the residency book, the event pump), and the
// launcher for a handler. Rings and the control block live in pinned, device-mapped host memory;
// the GPU touches them with system-scope loads and stores, and makes no read-modify-write on
// them across PCIe (which needs host-native atomics) except on a peer port whose senders are
// all on this GPU: those are device-scope (messaging::ring_ref::device_scope_rmw, docs/cuda.md).
#ifndef RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP
#define RINGKERNELS_BACKENDS_CUDA_LAUNCH_HPP

#include <ringkernels/backends/common/gpu_dispatch.hpp>
#include <ringkernels/backends/common/gpu_launcher.hpp>
#include <ringkernels/backends/common/launch_choice.hpp>
#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/backends/cuda/device_check.hpp>
#include <ringkernels/backends/cuda/warp.hpp>

#include <Kokkos_Core.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace ringkernels::cuda_backend {

/// The text a kernel's death is reported with (the fault message users see).
inline std::string describe_kernel_death(cudaError_t state, const char* what) {
  return std::string("the ") + what + " died: " + cudaGetErrorName(state) + " (" +
         cudaGetErrorString(state) + ")" +
         (classify(state) == gpu_error_severity::context_killing
              ? "; the CUDA context is lost, relaunch the process"
              : "");
}

/// The CUDA runtime as gpu::launcher and gpu::event_pump use it (gpu_launcher.hpp lists the
/// members). Host only, but the launch itself names the kernel: compiled by nvcc.
struct cuda_runtime : device_check, gpu::kernel_launches<cuda_runtime, warp> {
  using error_type = cudaError_t;
  using stream_type = cudaStream_t;
  using memory_space = Kokkos::CudaHostPinnedSpace;
  static constexpr error_type success = cudaSuccess;
  static constexpr error_type not_ready = cudaErrorNotReady;
  static constexpr error_type peer_access_already_enabled = cudaErrorPeerAccessAlreadyEnabled;

  static void check(error_type code, const char* text, const char* file, int line) {
    cuda_backend::check(code, text, file, line);
  }
  static error_type get_device(int* device) { return cudaGetDevice(device); }
  static error_type set_device(int device) { return cudaSetDevice(device); }
  static void clear_last_error() { (void)cudaGetLastError(); }
  static error_type can_access_peer(int* can, int device, int peer) {
    return cudaDeviceCanAccessPeer(can, device, peer);
  }
  static error_type enable_peer_access(int peer) { return cudaDeviceEnablePeerAccess(peer, 0); }
  static error_type create_stream(stream_type* stream) {
    return cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking);
  }
  static error_type destroy_stream(stream_type stream) { return cudaStreamDestroy(stream); }
  static error_type query(stream_type stream) { return cudaStreamQuery(stream); }
  static error_type synchronize(stream_type stream) { return cudaStreamSynchronize(stream); }
  static std::string describe_death(error_type state, const char* what) {
    return describe_kernel_death(state, what);
  }
  static int kokkos_device() { return Kokkos::Cuda().cuda_device(); }

  static error_type launch_cooperative(const void* kernel, dim3 grid, dim3 block, void** arguments,
                                       stream_type stream) {
    return cudaLaunchCooperativeKernel(kernel, grid, block, arguments, 0, stream);
  }
  static error_type last_error() { return cudaGetLastError(); }
};

template <class Handler>
using launcher = gpu::launcher<cuda_runtime, Handler>;

}  // namespace ringkernels::cuda_backend

#endif

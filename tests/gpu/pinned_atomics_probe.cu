// Are read-modify-writes by the threads of one GPU on pinned, mapped host memory atomic among
// those threads, and which scope does compute-sanitizer's memcheck accept there? (Issue 14:
// memcheck refused the GPU peer ring's system-scope CAS on its tail in pinned memory: "Invalid
// __global__ system-scoped atomic". Without host-native atomics (PCIe, the H200 here) a
// system-scope atomic on host memory cannot be atomic with respect to the host.)
//
// 8 blocks x 4 threads each add 1 to one counter in pinned memory 256 times with a CAS loop
// (the shape of the ring's tail reservation; every CAS crosses PCIe, so contention stays low), at
// the scope named on the command line. The count proves atomicity among the GPU's threads;
// memcheck's report on each scope says whether the tool accepts it.
//   pinned_atomics_probe device|system   (prints the count; exits 0 when it is exact)
#include <cuda_runtime.h>
#include <cuda/atomic>

#include <cstdio>
#include <cstring>

namespace {

constexpr int blocks = 8;
constexpr int threads = 4;
constexpr int adds_per_thread = 256;

template <cuda::thread_scope Scope>
__global__ void add_by_cas(unsigned long long* counter) {
  cuda::atomic_ref<unsigned long long, Scope> ref(*counter);
  for (int i = 0; i < adds_per_thread; ++i) {
    unsigned long long seen = ref.load(cuda::std::memory_order_relaxed);
    while (!ref.compare_exchange_strong(seen, seen + 1, cuda::std::memory_order_acq_rel,
                                        cuda::std::memory_order_acquire)) {
    }
  }
}

bool check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return true;
  std::fprintf(stderr, "pinned_atomics_probe: %s: %s\n", what, cudaGetErrorString(status));
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const bool system = argc > 1 && std::strcmp(argv[1], "system") == 0;
  int device = 0;
  int host_native = -1;
  if (!check(cudaGetDevice(&device), "device") ||
      !check(cudaDeviceGetAttribute(&host_native, cudaDevAttrHostNativeAtomicSupported, device),
             "attribute")) {
    return 2;
  }
  unsigned long long* counter = nullptr;
  if (!check(cudaHostAlloc(&counter, sizeof *counter, cudaHostAllocMapped), "counter")) return 2;
  *counter = 0;
  if (system) {
    add_by_cas<cuda::thread_scope_system><<<blocks, threads>>>(counter);
  } else {
    add_by_cas<cuda::thread_scope_device><<<blocks, threads>>>(counter);
  }
  if (!check(cudaGetLastError(), "launch") || !check(cudaDeviceSynchronize(), "kernel")) return 1;
  const unsigned long long want = 1ull * blocks * threads * adds_per_thread;
  const bool ok = *counter == want;
  std::printf(
      "pinned_atomics_probe %s: %llu of %llu CAS increments by %d GPU threads on pinned "
      "memory (hostNativeAtomicSupported %d): %s\n",
      system ? "system" : "device", *counter, want, blocks * threads, host_native,
      ok ? "exact" : "LOST");
  cudaFreeHost(counter);
  return ok ? 0 : 1;
}

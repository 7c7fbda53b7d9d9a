// Does compute-sanitizer's memcheck accept a running kernel's reads of pinned, mapped host
// memory that was allocated after the kernel was launched? (Issue 14: memcheck reported an
// "Invalid __global__ read of size 8" in the GPU peer ping-pong, at the first word of a peer
// ring that the other kernel's launch allocated while the first kernel was already resident.)
//
// A kernel is launched, waits for a pointer, reads 8 bytes through it and exits. The host
// allocates the target either before the launch ("early") or after it ("late"), writes a
// known value there, then publishes the pointer. The value read back proves the memory is
// valid and visible; memcheck's report on each mode says whether the tool tracks it.
//   memcheck_probe early|late      (prints the value read and exits 0 when it matches)
#include <cuda_runtime.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace {

constexpr unsigned long long expected = 0x5eed5eed12345678ull;
constexpr std::size_t target_bytes = 524544;  // a ring of 4,096 128-byte slots + its control

__global__ void read_published(unsigned long long* const volatile* slot, unsigned long long* out,
                               volatile unsigned* done) {
  const unsigned long long* target = nullptr;
  while ((target = *slot) == nullptr) {
  }
  *out = *target;  // the read memcheck judges
  __threadfence_system();
  *done = 1;
}

bool check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return true;
  std::fprintf(stderr, "memcheck_probe: %s: %s\n", what, cudaGetErrorString(status));
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const bool late = argc > 1 && std::strcmp(argv[1], "late") == 0;
  unsigned long long** slot = nullptr;
  unsigned long long* out = nullptr;
  unsigned* done = nullptr;
  unsigned long long* target = nullptr;
  if (!check(cudaHostAlloc(&slot, sizeof *slot, cudaHostAllocMapped), "slot") ||
      !check(cudaHostAlloc(&out, sizeof *out, cudaHostAllocMapped), "out") ||
      !check(cudaHostAlloc(&done, sizeof *done, cudaHostAllocMapped), "done")) {
    return 2;
  }
  *slot = nullptr;
  *out = 0;
  *done = 0;
  if (!late && !check(cudaHostAlloc(&target, target_bytes, cudaHostAllocMapped), "target")) {
    return 2;
  }
  cudaStream_t stream;
  if (!check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "stream")) return 2;
  read_published<<<1, 1, 0, stream>>>(slot, out, done);
  if (!check(cudaGetLastError(), "launch")) return 2;
  if (late && !check(cudaHostAlloc(&target, target_bytes, cudaHostAllocMapped), "target")) {
    return 2;
  }
  *target = expected;
  std::atomic_ref<unsigned long long*>(*slot).store(target, std::memory_order_release);
  if (!check(cudaStreamSynchronize(stream), "kernel")) return 1;
  const bool ok = *out == expected;
  std::printf(
      "memcheck_probe %s: read %#llx through a pointer to memory allocated %s the "
      "launch: %s\n",
      late ? "late" : "early", *out, late ? "after" : "before", ok ? "correct" : "WRONG");
  cudaFreeHost(target);
  cudaFreeHost(done);
  cudaFreeHost(out);
  cudaFreeHost(slot);
  return ok ? 0 : 1;
}

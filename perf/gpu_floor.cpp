#include "gpu_floor.hpp"

#include "echo_requests.hpp"

#if defined(RINGKERNELS_ENABLE_CUDA)

#include <ringkernels/backends/cuda/checked_call.hpp>
#include <ringkernels/core/error.hpp>
#include <ringkernels/examples/echo.hpp>

#include <Kokkos_Core.hpp>
#include <cuda/atomic>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace ringkernels::perf {
namespace {

using clock_type = std::chrono::steady_clock;

__global__ void answer_flags(std::uint64_t* request, std::uint64_t* response,
                             std::uint64_t iterations) {
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_system> in(*request), out(*response);
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    while (in.load(cuda::memory_order_acquire) != i) {
    }
    out.store(i, cuda::memory_order_release);
  }
}

/// One thread answers echo frames with the ring's publication and nothing else: acquire the
/// request's commit stamp, read header and payload, write the reply frame, one system fence,
/// stamp it. The least a 48 B header + 64 B payload each way costs on this path.
__global__ void answer_frames(std::byte* request_slot, std::byte* reply_slot,
                              std::uint64_t iterations) {
  using stamp = messaging::atomic_index<std::uint32_t, messaging::scope::system>;
  auto* in = reinterpret_cast<messaging::frame_header*>(request_slot);
  auto* out = reinterpret_cast<messaging::frame_header*>(reply_slot);
  const examples::echo handler{};
  hybrid_logical_clock clock;
  context ctx;
  ctx.impl_bind("floor", 0, &clock);
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    while (stamp::load_acquire(&in->commit_stamp) != static_cast<std::uint32_t>(i)) {
    }
    messaging::frame_header header = messaging::load_header(in);
    examples::echo::Request request;
    messaging::load_payload(request, request_slot + sizeof(messaging::frame_header));
    const examples::echo::Reply reply = handler(request, ctx);
    header.flags = messaging::frame_flags::reply;
    header.correlation_id = header.message_id;
    messaging::store_header(out, header);
    messaging::store_payload(reply_slot + sizeof(messaging::frame_header), reply);
    cuda::atomic_thread_fence(cuda::std::memory_order_acq_rel, cuda::thread_scope_system);
    stamp::store_relaxed(&out->commit_stamp, static_cast<std::uint32_t>(i));
  }
}

struct alignas(64) message64 {
  std::uint64_t words[8];
};

/// One block consumes a host-filled pinned ring; lane 0 polls, the warp copies; checksum out.
__global__ void consume_stream(message64* slots, std::uint64_t* published, std::uint64_t* consumed,
                               std::uint64_t mask, std::uint64_t total, std::uint64_t* checksum) {
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_system> head(*published), tail(*consumed);
  __shared__ std::uint64_t available;
  std::uint64_t done = 0, sum = 0;
  while (done < total) {
    if (threadIdx.x == 0) {
      std::uint64_t h;
      while ((h = head.load(cuda::memory_order_acquire)) == done) {
      }
      available = h;
    }
    __syncthreads();
    const std::uint64_t end = available;
    for (std::uint64_t i = done + threadIdx.x; i < end; i += blockDim.x)
      sum += slots[i & mask].words[0];
    __syncthreads();
    done = end;
    if (threadIdx.x == 0) tail.store(done, cuda::memory_order_release);
  }
  atomicAdd(reinterpret_cast<unsigned long long*>(checksum), static_cast<unsigned long long>(sum));
}

template <class T>
T* pinned(std::size_t count) {
  void* memory = nullptr;
  RINGKERNELS_CUDA_CHECK(cudaHostAlloc(&memory, count * sizeof(T), cudaHostAllocMapped));
  std::memset(memory, 0, count * sizeof(T));
  return static_cast<T*>(memory);
}

/// Two blocks answer each other through flags in device memory (device scope, as the actor
/// mailboxes are); block 0 times each round trip on the global timer the actors use.
__global__ void pingpong_blocks(std::uint64_t* flags, std::uint64_t* samples,
                                std::uint64_t iterations) {
  if (threadIdx.x != 0) return;
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_device> ping(flags[0]), pong(flags[32]);
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    if (blockIdx.x == 0) {
      const std::uint64_t start = physical_time_ns();
      ping.store(i, cuda::memory_order_release);
      while (pong.load(cuda::memory_order_acquire) != i) {
      }
      samples[i - 1] = physical_time_ns() - start;
    } else {
      while (ping.load(cuda::memory_order_acquire) != i) {
      }
      pong.store(i, cuda::memory_order_release);
    }
  }
}

/// The same between two warps of one block through shared memory (block scope).
__global__ void pingpong_warps(std::uint64_t* samples, std::uint64_t iterations) {
  __shared__ std::uint64_t flags[2];
  if (threadIdx.x == 0) flags[0] = flags[1] = 0;
  __syncthreads();
  if (threadIdx.x % 32 != 0) return;
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_block> ping(flags[0]), pong(flags[1]);
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    if (threadIdx.x == 0) {
      const std::uint64_t start = physical_time_ns();
      ping.store(i, cuda::memory_order_release);
      while (pong.load(cuda::memory_order_acquire) != i) {
      }
      samples[i - 1] = physical_time_ns() - start;
    } else {
      while (ping.load(cuda::memory_order_acquire) != i) {
      }
      pong.store(i, cuda::memory_order_release);
    }
  }
}

/// Runs one ping-pong kernel and adds `prefix`.one_way_p50_ns/_p99_ns (half each round trip).
template <class Launch>
void time_pingpong(report& out, const std::string& prefix, std::uint64_t iterations,
                   const std::string& note, Launch&& launch) {
  std::uint64_t* samples = nullptr;
  RINGKERNELS_CUDA_CHECK(cudaMalloc(&samples, iterations * sizeof(std::uint64_t)));
  cudaStream_t stream{};
  RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  launch(stream, samples);
  RINGKERNELS_CUDA_CHECK(cudaGetLastError());
  RINGKERNELS_CUDA_CHECK(cudaStreamSynchronize(stream));
  std::vector<std::uint64_t> raw(iterations);
  RINGKERNELS_CUDA_CHECK(
      cudaMemcpy(raw.data(), samples, iterations * sizeof(raw[0]), cudaMemcpyDeviceToHost));
  RINGKERNELS_CUDA_CHECK(cudaStreamDestroy(stream));
  RINGKERNELS_CUDA_CHECK(cudaFree(samples));
  std::vector<double> one_way(raw.begin(), raw.end());
  double total = 0;
  for (double& v : one_way) total += (v /= 2);
  add_latency_underscored(out, prefix + ".one_way", std::move(one_way), note);
  out.add(prefix + ".one_way_mean_ns", total / static_cast<double>(iterations), "ns");
}

}  // namespace

void measure_device_pingpong(report& out, double scale) {
  const auto iterations = static_cast<std::uint64_t>(100000 * scale) + 5000;
  std::uint64_t* flags = nullptr;
  RINGKERNELS_CUDA_CHECK(cudaMalloc(&flags, 64 * sizeof(std::uint64_t)));
  RINGKERNELS_CUDA_CHECK(cudaMemset(flags, 0, 64 * sizeof(std::uint64_t)));
  time_pingpong(out, "floor.k2k.cross_block", iterations,
                "bare flag ping-pong, two blocks, device memory, device scope",
                [&](cudaStream_t stream, std::uint64_t* samples) {
                  pingpong_blocks<<<2, 32, 0, stream>>>(flags, samples, iterations);
                });
  RINGKERNELS_CUDA_CHECK(cudaFree(flags));
  time_pingpong(out, "floor.k2k.intra_block", iterations,
                "bare flag ping-pong, two warps of one block, shared memory",
                [&](cudaStream_t stream, std::uint64_t* samples) {
                  pingpong_warps<<<1, 64, 0, stream>>>(samples, iterations);
                });
}

int gpu_multiprocessors() {
  int count = 0;
  RINGKERNELS_CUDA_CHECK(
      cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, Kokkos::Cuda().cuda_device()));
  return count;
}

void measure_mapped_roundtrip(report& out, double scale) {
  const auto iterations = static_cast<std::uint64_t>(200000 * scale) + 1000;
  auto* request = pinned<std::uint64_t>(8);
  auto* response = pinned<std::uint64_t>(8);
  cudaStream_t stream;
  RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  answer_flags<<<1, 1, 0, stream>>>(request, response + 0, iterations);
  RINGKERNELS_CUDA_CHECK(cudaGetLastError());
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_system> in(*request), answer(*response);
  std::vector<double> samples;
  samples.reserve(iterations);
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    const auto start = clock_type::now();
    in.store(i, cuda::memory_order_release);
    while (answer.load(cuda::memory_order_acquire) != i) {
    }
    samples.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
  }
  RINGKERNELS_CUDA_CHECK(cudaStreamSynchronize(stream));
  RINGKERNELS_CUDA_CHECK(cudaStreamDestroy(stream));
  RINGKERNELS_CUDA_CHECK(cudaFreeHost(request));
  RINGKERNELS_CUDA_CHECK(cudaFreeHost(response));
  add_latency(out, "floor.mapped_roundtrip", std::move(samples),
              "bare persistent kernel answering a flag in mapped pinned memory");
}

void measure_frame_roundtrip(report& out, double scale) {
  using examples::echo;
  using stamp = messaging::atomic_index<std::uint32_t, messaging::scope::system>;
  const auto iterations = static_cast<std::uint64_t>(100000 * scale) + 1000;
  auto* slots = pinned<std::byte>(2 * messaging::slot_stride(sizeof(echo::Request)));
  std::byte* request_slot = slots;
  std::byte* reply_slot = slots + messaging::slot_stride(sizeof(echo::Request));
  cudaStream_t stream;
  RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  answer_frames<<<1, 1, 0, stream>>>(request_slot, reply_slot, iterations);
  RINGKERNELS_CUDA_CHECK(cudaGetLastError());
  auto* request_header = reinterpret_cast<messaging::frame_header*>(request_slot);
  auto* reply_header = reinterpret_cast<messaging::frame_header*>(reply_slot);
  std::vector<double> samples;
  samples.reserve(iterations);
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 1; i <= iterations; ++i) {
    const echo::Request request = make_request(i);
    messaging::frame_header header{};
    header.payload_bytes = sizeof request;
    header.message_id = i;
    const auto start = clock_type::now();
    messaging::store_header(request_header, header);
    messaging::store_payload(request_slot + sizeof header, request);
    stamp::store_release(&request_header->commit_stamp, static_cast<std::uint32_t>(i));
    while (stamp::load_acquire(&reply_header->commit_stamp) != static_cast<std::uint32_t>(i)) {
    }
    echo::Reply reply;
    messaging::load_payload(reply, reply_slot + sizeof header);
    const bool correlated = messaging::load_header(reply_header).correlation_id == i;
    samples.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
    if (!correlated || !reply_matches(reply, i)) ++wrong;
  }
  RINGKERNELS_CUDA_CHECK(cudaStreamSynchronize(stream));
  RINGKERNELS_CUDA_CHECK(cudaStreamDestroy(stream));
  RINGKERNELS_CUDA_CHECK(cudaFreeHost(slots));
  if (wrong != 0) RINGKERNELS_THROW(errc::backend_failure, "GPU frame floor: wrong replies");
  add_latency(out, "floor.frame_roundtrip", std::move(samples),
              "bare persistent kernel (1 thread) answering a 48 B header + 64 B frame each way");
}

void measure_pinned_stream(report& out, double scale) {
  constexpr std::uint64_t capacity = 4096;
  const auto total = static_cast<std::uint64_t>(20e6 * scale) + 4096;
  auto* slots = pinned<message64>(capacity);
  auto* indices = pinned<std::uint64_t>(32);  // published at [0], consumed at [16]: own lines
  std::uint64_t* checksum = nullptr;
  RINGKERNELS_CUDA_CHECK(cudaMalloc(&checksum, sizeof(std::uint64_t)));
  RINGKERNELS_CUDA_CHECK(cudaMemset(checksum, 0, sizeof(std::uint64_t)));
  cudaStream_t stream;
  RINGKERNELS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  consume_stream<<<1, 512, 0, stream>>>(slots, indices, indices + 16, capacity - 1, total,
                                        checksum);
  RINGKERNELS_CUDA_CHECK(cudaGetLastError());
  cuda::atomic_ref<std::uint64_t, cuda::thread_scope_system> published(indices[0]),
      consumed(indices[16]);
  const auto start = clock_type::now();
  std::uint64_t made = 0, seen_consumed = 0;
  constexpr std::uint64_t batch = 32;
  while (made < total) {
    if (made + batch - seen_consumed > capacity) {
      seen_consumed = consumed.load(cuda::memory_order_acquire);
      continue;
    }
    const std::uint64_t k = std::min(batch, total - made);
    for (std::uint64_t j = 0; j < k; ++j) {
      message64& m = slots[(made + j) & (capacity - 1)];
      for (auto& word : m.words) word = made + j;
    }
    made += k;
    published.store(made, cuda::memory_order_release);
  }
  RINGKERNELS_CUDA_CHECK(cudaStreamSynchronize(stream));
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::uint64_t sum = 0;
  RINGKERNELS_CUDA_CHECK(cudaMemcpy(&sum, checksum, sizeof sum, cudaMemcpyDeviceToHost));
  RINGKERNELS_CUDA_CHECK(cudaStreamDestroy(stream));
  RINGKERNELS_CUDA_CHECK(cudaFree(checksum));
  RINGKERNELS_CUDA_CHECK(cudaFreeHost(slots));
  RINGKERNELS_CUDA_CHECK(cudaFreeHost(indices));
  if (sum != total * (total - 1) / 2)
    RINGKERNELS_THROW(errc::backend_failure, "GPU stream floor: wrong checksum");
  out.add("floor.stream.64B.msgs_per_s", static_cast<double>(total) / seconds, "msg/s",
          "bare pinned ring, host producer batch 32, one 512-thread block consuming");
}

void measure_launch_per_message(report& out, double scale) {
  using examples::echo;
  const auto iterations = static_cast<std::uint64_t>(20000 * scale) + 500;
  Kokkos::View<echo::Request, Kokkos::CudaHostPinnedSpace> request("baseline.request");
  Kokkos::View<echo::Reply, Kokkos::CudaHostPinnedSpace> reply("baseline.reply");
  Kokkos::Cuda space;
  std::vector<double> samples;
  samples.reserve(iterations);
  const echo handler{};
  for (std::uint64_t i = 0; i < iterations; ++i) {
    request().sequence = i;
    const auto start = clock_type::now();
    Kokkos::parallel_for(
        "baseline.echo", Kokkos::RangePolicy<Kokkos::Cuda>(space, 0, 1), KOKKOS_LAMBDA(int) {
          context ctx;
          hybrid_logical_clock clock;
          ctx.impl_bind("baseline", 0, &clock);
          reply() = handler(request(), ctx);
        });
    space.fence();
    samples.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
    if (reply().sequence != i) RINGKERNELS_THROW(errc::backend_failure, "baseline: wrong reply");
  }
  add_latency(out, "baseline.launch_per_message", std::move(samples),
              "Kokkos parallel_for + fence per request, same handler");
}

std::string gpu_description() {
  const int device = Kokkos::Cuda().cuda_device();
  cudaDeviceProp properties{};
  RINGKERNELS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  int driver = 0, runtime_version = 0;
  RINGKERNELS_CUDA_CHECK(cudaDriverGetVersion(&driver));
  RINGKERNELS_CUDA_CHECK(cudaRuntimeGetVersion(&runtime_version));
  return std::string(properties.name) + " (device " + std::to_string(device) + ", " +
         std::to_string(properties.multiProcessorCount) + " SMs), CUDA driver API " +
         std::to_string(driver / 1000) + "." + std::to_string(driver % 1000 / 10) + ", runtime " +
         std::to_string(runtime_version / 1000) + "." + std::to_string(runtime_version % 1000 / 10);
}

}  // namespace ringkernels::perf

#endif

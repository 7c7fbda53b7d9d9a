// Ring kernels resident on the GPU, through the public API (label `gpu`: run on the GPU machine
// by perf/gpu-suite.sh). The same handlers as on the host backends.
#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/examples/echo.hpp>
#include <ringkernels/examples/ping_pong.hpp>
#include <ringkernels/examples/vector_add.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "echo_stream.hpp"
#include "gpu_backends.hpp"
#include "test_handlers.hpp"

#include <cstring>
#include <random>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using ringkernels::kernel_state;
using ringkernels::examples::echo;
using ringkernels::examples::ping_pong;
using ringkernels::examples::vector_add;

namespace {
ringkernels::kernel_options named(const std::string& name, int workers = 1) {
  ringkernels::kernel_options options;
  options.name = name;
  options.workers = workers;
  return options;
}
}  // namespace

TEMPLATE_TEST_CASE("a GPU kernel goes through its whole lifecycle", "[gpu][lifecycle]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(echo{}, named("life"));
  CHECK(kernel.state() == kernel_state::launched);
  CHECK(rt.queue_names() == std::vector<std::string>{"life.in", "life.out", "life.peer"});
  kernel.activate();
  echo::Request request;
  request.sequence = 77;
  const auto reply = kernel.call(request).get(1s);
  CHECK(reply.sequence == 77);
  CHECK(reply.worker == 0);
  kernel.deactivate();
  kernel.activate();
  CHECK(kernel.call(request).get(1s).sequence == 77);
  const auto report = kernel.terminate();
  CHECK(report.stopped);
  CHECK(report.took < 100ms);
  CHECK(kernel.state() == kernel_state::terminated);
}

TEMPLATE_TEST_CASE("100000 messages through a GPU kernel; every reply checked", "[gpu]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto options = named("many", 4);
  options.single_sender = true;
  auto kernel = rt.launch<TestType>(echo{}, options);
  kernel.activate();
  const std::uint64_t total = 100'000;
  test_support::stream_checked(kernel, total, 4);
  kernel.deactivate();
  const auto counters = kernel.snapshot();
  CHECK(counters.processed == total);
  CHECK(counters.balanced());
}

TEMPLATE_TEST_CASE("VectorAdd on the GPU matches the host backend bit for bit", "[gpu][parity]",
                   RINGKERNELS_GPU_BACKENDS) {
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(-1e3f, 1e3f);
  std::vector<vector_add::Request> requests(200);
  for (auto& request : requests) {
    request.n = static_cast<std::uint32_t>(1 + random() % vector_add::inline_limit);
    for (std::uint32_t i = 0; i < request.n; ++i) {
      request.a[i] = value(random);
      request.b[i] = value(random);
    }
  }
  ringkernels::runtime rt;
  auto gpu = rt.launch<TestType>(vector_add{}, named("gpu_add"));
  auto host = rt.launch<Kokkos::Serial>(vector_add{}, named("host_add"));
  gpu.activate();
  host.activate();
  for (const auto& request : requests) {
    const auto on_gpu = gpu.call(request).get(1s);
    const auto on_host = host.call(request).get(1s);
    REQUIRE(std::memcmp(&on_gpu, &on_host, sizeof on_gpu) == 0);
  }
}

/// Sends `count` byte strings of varying length pipelined (up to 64 calls outstanding) and
/// checks every reply: reversed and incremented.
template <class Kernel, class Handler>
void check_reversed_bytes(Kernel& kernel, std::uint32_t count) {
  std::vector<typename Handler::Request> requests(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto& request = requests[i];
    request.length = 1 + (i * 37) % Handler::capacity;
    for (std::uint32_t b = 0; b < request.length; ++b)
      request.bytes[b] = static_cast<std::uint8_t>(i * 7 + b);
  }
  std::uint32_t wrong = 0;
  for (std::uint32_t start = 0; start < count; start += 64) {
    std::vector<decltype(kernel.call(requests[0]))> calls;
    const std::uint32_t end = std::min(count, start + 64);
    for (std::uint32_t i = start; i < end; ++i) calls.push_back(kernel.call(requests[i]));
    for (std::uint32_t i = start; i < end; ++i) {
      const auto reply = calls[i - start].get(1s);
      const auto& request = requests[i];
      bool ok = reply.length == request.length;
      for (std::uint32_t b = 0; ok && b < request.length; ++b)
        ok = reply.bytes[b] == static_cast<std::uint8_t>(request.bytes[request.length - 1 - b] + 1);
      wrong += ok ? 0 : 1;
    }
  }
  CHECK(wrong == 0);
}

TEMPLATE_TEST_CASE("frames of 250 B and of 1.5 KB go through a GPU kernel intact", "[gpu]",
                   RINGKERNELS_GPU_BACKENDS) {
  using small = test_support::reverse_bytes_of<200>;
  using large = test_support::reverse_bytes_of<1500>;
  ringkernels::runtime rt;
  {
    auto kernel = rt.launch<TestType>(small{}, named("small_frames", 2));
    kernel.activate();
    check_reversed_bytes<decltype(kernel), small>(kernel, 2000);
    kernel.deactivate();  // counters are published per batch; deactivation waits for them
    CHECK(kernel.snapshot().processed == 2000);
    CHECK(kernel.snapshot().balanced());
    CHECK(kernel.terminate().stopped);
  }
  auto kernel = rt.launch<TestType>(large{}, named("large_frames", 2));
  kernel.activate();
  check_reversed_bytes<decltype(kernel), large>(kernel, 2000);
  kernel.deactivate();
  CHECK(kernel.snapshot().processed == 2000);
  CHECK(kernel.snapshot().balanced());
  CHECK(kernel.terminate().stopped);
}

// [no_memcheck]: two persistent kernels resident at once; under compute-sanitizer the second
// one never starts (the case hung past 240 s there), so memcheck cannot run it.
TEMPLATE_TEST_CASE("two GPU kernels resident at once on one device", "[gpu][no_memcheck]",
                   RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto first = rt.launch<TestType>(echo{}, named("first"));
  first.activate();
  auto second = rt.launch<TestType>(echo{}, named("second"));
  second.activate();
  echo::Request request;
  for (std::uint64_t i = 0; i < 100; ++i) {
    request.sequence = i;
    CHECK(first.call(request).get(1s).sequence == i);
    CHECK(second.call(request).get(1s).sequence == i);
  }
  CHECK(first.terminate().stopped);
  CHECK(second.terminate().stopped);
}

// Three things the CUDA driver does only on an idle device would wait forever beside a resident
// kernel: loading a kernel's code (lazy module loading), growing the local-memory reservation,
// and cudaFreeHost (device_residency.hpp). These cases drive the runtime's answers to each.
// Cases that depend on the reservation first shrink it to the driver's default, so that
// earlier tests in the same process do not decide the outcome.
namespace {
using huge_frames = test_support::reverse_bytes_of<3000>;  // 11 KB of local memory per thread

/// Cases about the local-memory reservation skip a runtime without one (HIP: docs/hip.md).
template <class Space>
void reset_local_memory_reservation() {
  if (!test_support::gpu_runtime<Space>::reset_local_memory_reservation()) {
    SKIP(std::string(test_support::gpu_runtime<Space>::name) +
         " has no local-memory reservation to grow");
  }
}

/// Launches and terminates a kernel of `Handler`, which loads its code on an idle device.
template <class Space, class Handler>
void load_code_of(ringkernels::runtime& rt) {
  auto once = rt.launch<Space>(Handler{}, named("load_once"));
  REQUIRE(once.terminate().stopped);
}

template <class Kernel>
void check_echo_answers(Kernel& kernel, std::uint64_t sequence) {
  CHECK(kernel.call(test_support::request_for(sequence)).get(1s).sequence == sequence);
}

/// Expects launching `Handler` beside the resident kernels to be refused with `text` and to
/// leave the queues as they were.
template <class Space, class Handler>
void expect_refused(ringkernels::runtime& rt, const std::string& text) {
  const auto queues = rt.queue_names();
  try {
    (void)rt.launch<Space>(Handler{}, named("refused"));
    FAIL("the launch beside a resident kernel was not refused");
  } catch (const ringkernels::error& e) {
    CHECK(e.code() == ringkernels::errc::wrong_state);
    CHECK_THAT(e.message(), ContainsSubstring(text));
    CHECK_THAT(e.message(), ContainsSubstring("'resident_echo' is resident"));
  }
  CHECK(rt.queue_names() == queues);
}
}  // namespace

TEMPLATE_TEST_CASE("a kernel whose code is not loaded is refused beside a resident one",
                   "[gpu][residency]", RINGKERNELS_GPU_BACKENDS) {
  if (!test_support::gpu_runtime<TestType>::lazy_loading())
    SKIP("code is loaded at start-up (CUDA_MODULE_LOADING=EAGER, HIP_ENABLE_DEFERRED_LOADING=0)");
  ringkernels::runtime rt;
  auto resident = rt.launch<TestType>(echo{}, named("resident_echo"));
  resident.activate();
  expect_refused<TestType, huge_frames>(rt, "is not loaded on device");
  // The refused kernel's rings wait for the resident kernel to leave before they are freed.
  CHECK(ringkernels::device_residency::process().buried() > 0);
  check_echo_answers(resident, 5);  // the refusal disturbed nothing
  CHECK(resident.terminate().stopped);
  CHECK(ringkernels::device_residency::process().buried() == 0);
}

TEMPLATE_TEST_CASE(
    "a kernel needing more local memory than is reserved is refused beside a "
    "resident one; alone it runs",
    "[gpu][residency]", RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  load_code_of<TestType, huge_frames>(rt);
  reset_local_memory_reservation<TestType>();
  auto resident = rt.launch<TestType>(echo{}, named("resident_echo"));
  resident.activate();
  expect_refused<TestType, huge_frames>(rt, "B of local memory per thread but device");
  check_echo_answers(resident, 6);
  CHECK(resident.terminate().stopped);
  // With nothing resident the same launch grows the reservation and runs.
  auto huge = rt.launch<TestType>(huge_frames{}, named("huge_frames"));
  CHECK_THAT(huge.pin_note(), ContainsSubstring("B local memory per thread"));
  huge.activate();
  check_reversed_bytes<decltype(huge), huge_frames>(huge, 300);
  CHECK(huge.terminate().stopped);
}

// [no_memcheck]: two persistent kernels resident at once; under compute-sanitizer the second
// one never starts (the case hung past 240 s there), so memcheck cannot run it.
TEMPLATE_TEST_CASE("code loaded and the larger frames launched first: a smaller kernel joins",
                   "[gpu][residency][no_memcheck]", RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  load_code_of<TestType, echo>(rt);
  reset_local_memory_reservation<TestType>();
  auto huge = rt.launch<TestType>(huge_frames{}, named("huge_first"));
  huge.activate();
  auto small = rt.launch<TestType>(echo{}, named("echo_second"));
  small.activate();
  check_echo_answers(small, 9);
  check_reversed_bytes<decltype(huge), huge_frames>(huge, 300);
  CHECK(small.terminate().stopped);
  CHECK(huge.terminate().stopped);
}

// [no_memcheck]: a resident kernel and event-driven launches beside it; under
// compute-sanitizer the launches wait behind the resident kernel and the call times out.
TEMPLATE_TEST_CASE(
    "an event-driven kernel with large frames keeps working after a resident one "
    "arrives",
    "[gpu][residency][no_memcheck]", RINGKERNELS_GPU_BACKENDS) {
  // The event-driven kernel launches per batch, after the resident echo is there: its code and
  // its reservation must have been made ready when it started.
  reset_local_memory_reservation<TestType>();
  ringkernels::runtime rt;
  auto options = named("huge_events");
  options.launch = ringkernels::gpu_launch::event_driven;
  auto huge = rt.launch<TestType>(huge_frames{}, options);
  auto resident = rt.launch<TestType>(echo{}, named("resident_after"));
  resident.activate();
  huge.activate();
  check_reversed_bytes<decltype(huge), huge_frames>(huge, 300);
  check_echo_answers(resident, 11);
  CHECK(resident.terminate().stopped);
  CHECK(huge.terminate().stopped);
}

// [no_memcheck]: two persistent kernels resident at once; under compute-sanitizer the second
// one never starts (the case hung past 240 s there), so memcheck cannot run it.
TEMPLATE_TEST_CASE("a kernel destroyed while another is resident does not wait for it",
                   "[gpu][residency][no_memcheck]", RINGKERNELS_GPU_BACKENDS) {
  ringkernels::runtime rt;
  auto staying = rt.launch<TestType>(echo{}, named("staying"));
  staying.activate();
  {
    auto leaving = rt.launch<TestType>(echo{}, named("leaving"));
    leaving.activate();
    check_echo_answers(leaving, 1);
    CHECK(leaving.terminate().stopped);
  }  // its pinned memory cannot be freed yet (cudaFreeHost would wait for `staying`)
  CHECK(ringkernels::device_residency::process().buried() > 0);
  check_echo_answers(staying, 2);
  CHECK(staying.terminate().stopped);
  CHECK(ringkernels::device_residency::process().buried() == 0);
}

TEMPLATE_TEST_CASE("VectorAdd by handle in device memory", "[gpu]", RINGKERNELS_GPU_BACKENDS) {
  // Arrays are allocated and filled before the launch and freed after terminate: Kokkos 3.4's
  // deep_copy and cudaFree synchronise the whole device, which waits for a resident kernel.
  struct arrays {
    std::uint32_t n;
    Kokkos::View<float*, typename test_support::gpu_runtime<TestType>::device_space> a, b;
    Kokkos::View<float*, typename test_support::gpu_runtime<TestType>::pinned_space> c;
    Kokkos::View<float*, Kokkos::HostSpace> a_host, b_host;
  };
  std::vector<arrays> cases;
  for (std::uint32_t n : {100u, 10000u, 1000000u}) {
    arrays x{
        n,
        Kokkos::View<float*, typename test_support::gpu_runtime<TestType>::device_space>("a", n),
        Kokkos::View<float*, typename test_support::gpu_runtime<TestType>::device_space>("b", n),
        Kokkos::View<float*, typename test_support::gpu_runtime<TestType>::pinned_space>(
            Kokkos::view_alloc("c", Kokkos::WithoutInitializing), n),
        Kokkos::View<float*, Kokkos::HostSpace>("a_host", n),
        Kokkos::View<float*, Kokkos::HostSpace>("b_host", n)};
    for (std::uint32_t i = 0; i < n; ++i) {
      x.a_host(i) = static_cast<float>(i) * 0.5f;
      x.b_host(i) = 3.0f - static_cast<float>(i % 7);
      x.c(i) = -1.0f;
    }
    Kokkos::deep_copy(x.a, x.a_host);
    Kokkos::deep_copy(x.b, x.b_host);
    cases.push_back(x);
  }
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(vector_add{}, named("big_add"));
  kernel.activate();
  for (const auto& x : cases) {
    vector_add::Request request;
    request.n = x.n;
    request.by_handle = 1;
    request.big_a = {x.a.data(), x.n};
    request.big_b = {x.b.data(), x.n};
    request.big_c = {x.c.data(), x.n};
    const auto reply = kernel.call(request).get(10s);
    REQUIRE(reply.status == vector_add::ok);
    CHECK(reply.big_c.data == x.c.data());
    std::uint32_t wrong = 0;
    for (std::uint32_t i = 0; i < x.n; ++i) wrong += x.c(i) != x.a_host(i) + x.b_host(i);
    CHECK(wrong == 0);
  }
  CHECK(kernel.terminate().stopped);
}

TEMPLATE_TEST_CASE("a handler sees device memory the host changed and the host sees its writes",
                   "[gpu]", RINGKERNELS_GPU_BACKENDS) {
  // The GPU reads a request without an acquire of its stamp and skips the acquire fence when
  // a fence since the last handler already emptied L1; and it releases a reply at device scope
  // for handlers that write only device memory. Lone requests take exactly those paths.
  Kokkos::View<std::uint32_t*, typename test_support::gpu_runtime<TestType>::device_space> cell(
      "cell", 1);  // before the launch
  // Copies on a stream of their own while the kernel is resident (backend_traits::copy_memory).
  const auto copy = &ringkernels::backend_traits<TestType>::copy_memory;
  ringkernels::runtime rt;
  auto kernel = rt.launch<TestType>(test_support::cell_swap{}, named("cell_swap"));
  kernel.activate();
  std::uint32_t stale = 0, unseen = 0;
  for (std::uint32_t k = 0; k < 2000; ++k) {
    const std::uint32_t put = 2 * k;
    copy(cell.data(), &put, sizeof put);
    const auto reply = kernel.call({cell.data(), put + 1}).get(10s);
    stale += reply.seen != put;
    std::uint32_t left = 0;
    copy(&left, cell.data(), sizeof left);
    unseen += left != put + 1;
  }
  CHECK(stale == 0);
  CHECK(unseen == 0);
  CHECK(kernel.terminate().stopped);
}

namespace {
/// The same handler as the CPU stress test: the host serves once, then the kernels hit the
/// ball to each other without the host; the last hit stores the count in pinned memory.
/// Event-driven kernels are launched when frames wait: on the peer port too.
template <class TestType>
void ping_pong_rally(ringkernels::gpu_launch mode) {
  Kokkos::View<std::uint64_t*, typename test_support::gpu_runtime<TestType>::pinned_space> finished(
      "finished", 2);
  ringkernels::runtime rt;
  auto options = named("ping");
  options.launch = mode;
  auto ping = rt.launch<TestType>(ping_pong{}, options);
  options.name = "pong";
  auto pong = rt.launch<TestType>(ping_pong{}, options);
  rt.connect(ping, pong);
  rt.connect(pong, ping);
  ping.activate();
  pong.activate();
  ping_pong::Request ball;
  ball.limit = 20'000;
  ball.finished = ringkernels::buffer_handle<std::uint64_t>{finished.data(), 2};
  REQUIRE(ping.send(ball) == ringkernels::messaging::push_result::ok);
  using u64 =
      ringkernels::messaging::atomic_index<std::uint64_t, ringkernels::messaging::scope::system>;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (u64::load_acquire(&finished(0)) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(u64::load_acquire(&finished(0)) == 20'000);
  CHECK(u64::load_acquire(&finished(1)) == 0);  // no hit found the peer ring full
  ping.deactivate();
  pong.deactivate();
  const auto a = ping.snapshot();
  const auto b = pong.snapshot();
  CHECK(a.processed + b.processed == 20'001);  // the host's serve plus 20,000 hits
  CHECK(a.sent == 1);
  CHECK(a.peer_received + b.peer_received == 20'000);  // peer-fed messages are counted too
  CHECK(a.balanced());
  CHECK(b.balanced());
  CHECK(ping.terminate().stopped);
  CHECK(pong.terminate().stopped);
}

/// A relay forwards bursts of host requests to a sink through its peer port, from every lane
/// of its warp (a burst arrives as batches), and the sink records each peer message's id. Ids
/// used to repeat: only lane 0 had the peer bound (the others' sends said `closed`), and every
/// event-driven relaunch started the sequence again.
template <class TestType>
void relay_records_unique_ids(ringkernels::gpu_launch mode) {
  using test_support::peer_id_recorder;
  using u64 =
      ringkernels::messaging::atomic_index<std::uint64_t, ringkernels::messaging::scope::system>;
  constexpr std::size_t bursts = 3;
  constexpr std::size_t per_burst = 256;
  Kokkos::View<std::uint64_t*, typename test_support::gpu_runtime<TestType>::pinned_space> ids(
      "ids", bursts * per_burst);
  ringkernels::runtime rt;
  auto options = named("relay");
  options.launch = mode;
  options.queue_capacity = 1024;
  auto relay = rt.launch<TestType>(peer_id_recorder{}, options);
  options.name = "sink";
  auto sink = rt.launch<TestType>(peer_id_recorder{}, options);
  rt.connect(relay, sink);
  relay.activate();
  sink.activate();
  for (std::size_t burst = 0; burst < bursts; ++burst) {
    for (std::size_t i = 0; i < per_burst; ++i) {
      peer_id_recorder::Request request;
      request.index = burst * per_burst + i;
      request.ids = ids.data();
      REQUIRE(relay.send(request) == ringkernels::messaging::push_result::ok);
    }
    // The burst is done before the next one starts: event-driven kernels relaunch for each.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    std::size_t seen = 0;
    while (seen < per_burst && std::chrono::steady_clock::now() < deadline) {
      seen = 0;
      for (std::size_t i = 0; i < per_burst; ++i) {
        seen += u64::load_acquire(&ids(burst * per_burst + i)) != 0 ? 1 : 0;
      }
    }
    REQUIRE(seen == per_burst);
  }
  std::set<std::uint64_t> distinct;
  std::set<std::uint64_t> lanes;
  for (std::size_t i = 0; i < ids.extent(0); ++i) {
    distinct.insert(ids(i));
    lanes.insert((ids(i) >> ringkernels::peer_id_sequence_bits) & 31u);
  }
  CHECK(distinct.count(peer_id_recorder::refused) == 0);
  CHECK(distinct.size() == ids.extent(0));
  CHECK(lanes.size() > 1);  // lanes other than 0 sent too
  relay.deactivate();
  sink.deactivate();
  const auto a = relay.snapshot();
  const auto b = sink.snapshot();
  CHECK(a.processed == bursts * per_burst);
  CHECK(b.peer_received == bursts * per_burst);  // the tail GPU senders advanced at device scope
  CHECK(b.balanced());
  CHECK(relay.terminate().stopped);
  CHECK(sink.terminate().stopped);
}

}  // namespace

#if defined(KOKKOS_ENABLE_SERIAL) && defined(RINGKERNELS_ENABLE_SERIAL)

// [no_memcheck]: compute-sanitizer's memcheck rejects a resident kernel's reads of pinned
// memory allocated after its launch (the second kernel's peer ring), although the memory is
// valid: tests/gpu/memcheck_probe.cu shows the same report for a bare kernel (docs/cuda.md).
TEMPLATE_TEST_CASE("two resident GPU kernels ping-pong through their peer ports",
                   "[gpu][peer][no_memcheck]", RINGKERNELS_GPU_BACKENDS) {
  ping_pong_rally<TestType>(ringkernels::gpu_launch::cooperative);
}

// Every launch of an event-driven kernel comes after both peer rings exist: memcheck checks
// the same device code of the peer path here.
TEMPLATE_TEST_CASE("two event-driven GPU kernels ping-pong through their peer ports", "[gpu][peer]",
                   RINGKERNELS_GPU_BACKENDS) {
  ping_pong_rally<TestType>(ringkernels::gpu_launch::event_driven);
}

TEMPLATE_TEST_CASE("a GPU kernel cannot be connected to a CPU kernel's peer port", "[gpu][peer]",
                   RINGKERNELS_GPU_BACKENDS) {
  // Event-driven GPU kernels: memcheck runs no second launch beside a resident kernel.
  auto gpu_options = named("gpu_side");
  gpu_options.launch = ringkernels::gpu_launch::event_driven;
  ringkernels::runtime rt;
  auto gpu = rt.launch<TestType>(ping_pong{}, gpu_options);
  auto cpu = rt.launch<Kokkos::Serial>(ping_pong{}, named("cpu_side"));
  CHECK_THROWS_WITH(rt.connect(gpu, cpu), ContainsSubstring("cannot reach the peer port") &&
                                              ContainsSubstring("cpu_side"));
  rt.connect(cpu, gpu);  // the other way works: pinned memory is the CPU's too
  // ... but then the port's senders are host threads: a GPU sender's device-scope atomics
  // would not be atomic with theirs.
  gpu_options.name = "other_gpu";
  auto other_gpu = rt.launch<TestType>(ping_pong{}, gpu_options);
  CHECK_THROWS_WITH(rt.connect(other_gpu, gpu), ContainsSubstring("other_gpu") &&
                                                    ContainsSubstring("host threads") &&
                                                    ContainsSubstring("cpu_side"));
  CHECK(other_gpu.terminate().stopped);
  CHECK(gpu.terminate().stopped);
  CHECK(cpu.terminate().stopped);
}

// Two kernels resident at once: memcheck cannot run it (see the resident ping-pong above).
TEMPLATE_TEST_CASE("peer message ids from every lane of resident GPU kernels are unique",
                   "[gpu][peer][no_memcheck]", RINGKERNELS_GPU_BACKENDS) {
  relay_records_unique_ids<TestType>(ringkernels::gpu_launch::cooperative);
}

TEMPLATE_TEST_CASE("peer message ids stay unique across event-driven relaunches", "[gpu][peer]",
                   RINGKERNELS_GPU_BACKENDS) {
  relay_records_unique_ids<TestType>(ringkernels::gpu_launch::event_driven);
}
#endif

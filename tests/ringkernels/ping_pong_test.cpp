// Two kernels hit a ball 100,000 times through their peer ports, without the host.
#include <ringkernels/examples/ping_pong.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include "backends_under_test.hpp"
#include "kernel_helpers.hpp"
#include "test_handlers.hpp"

#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using ringkernels::examples::ping_pong;

TEMPLATE_TEST_CASE("two kernels ping-pong 100000 times", "[ringkernels][stress]",
                   RINGKERNELS_HOST_BACKENDS) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "ping";
  options.pinning = ringkernels::pin_policy::compact;
  auto ping = rt.launch<TestType>(ping_pong{}, options);
  options.name = "pong";
  auto pong = rt.launch<TestType>(ping_pong{}, options);
  rt.connect(ping, pong);
  rt.connect(pong, ping);
  ping.activate();
  pong.activate();

  std::uint64_t finished[2] = {0, 0};
  ping_pong::Request ball;
  ball.limit = 100'000;
  ball.finished = ringkernels::buffer_handle<std::uint64_t>{finished, 2};
  REQUIRE(ping.send(ball) == ringkernels::messaging::push_result::ok);
  using u64 =
      ringkernels::messaging::atomic_index<std::uint64_t, ringkernels::messaging::scope::system>;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (u64::load_acquire(&finished[0]) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(u64::load_acquire(&finished[0]) == 100'000);
  CHECK(u64::load_acquire(&finished[1]) == 0);
  ping.deactivate();
  pong.deactivate();
  const auto a = ping.snapshot();
  const auto b = pong.snapshot();
  CHECK(a.processed + b.processed == 100'001);  // the host's serve plus 100,000 hits
  CHECK(a.sent == 1);                           // only the serve came from the host
  CHECK(b.sent == 0);
  // Peer messages are counted where they arrive: before, the sink said "sent 0" while it had
  // processed 50,000, and its balance failed.
  CHECK(a.peer_received + b.peer_received == 100'000);
  CHECK(a.balanced());
  CHECK(b.balanced());
}

// Ids said worker << 40 | ++sequence, with the sequence in a context rebuilt by every dispatch
// loop: one sender could repeat ids (each GPU lane, and every event-driven relaunch, started
// again at 1). tests/gpu has the GPU side; here the ids of two workers across activations.
TEMPLATE_TEST_CASE("peer message ids stay unique per sender across activations",
                   "[ringkernels][peer]", RINGKERNELS_HOST_BACKENDS) {
  using test_support::peer_id_recorder;
  using u64 =
      ringkernels::messaging::atomic_index<std::uint64_t, ringkernels::messaging::scope::system>;
  ringkernels::runtime rt;
  auto options = test_support::named("relay", 1024);
  options.workers = 2;
  auto relay = rt.launch<TestType>(peer_id_recorder{}, options);
  auto sink = rt.launch<TestType>(peer_id_recorder{}, test_support::named("sink", 1024));
  rt.connect(relay, sink);
  sink.activate();
  constexpr std::uint64_t bursts = 3;
  constexpr std::uint64_t per_burst = 300;
  std::vector<std::uint64_t> ids(bursts * per_burst, 0);
  for (std::uint64_t burst = 0; burst < bursts; ++burst) {
    relay.activate();
    for (std::uint64_t i = 0; i < per_burst; ++i) {
      peer_id_recorder::Request request;
      request.index = burst * per_burst + i;
      request.ids = ids.data();
      REQUIRE(relay.send(request) == ringkernels::messaging::push_result::ok);
    }
    REQUIRE(test_support::eventually([&] {
      for (std::uint64_t i = 0; i < per_burst; ++i) {
        if (u64::load_acquire(&ids[burst * per_burst + i]) == 0) return false;
      }
      return true;
    }));
    relay.deactivate();
  }
  const std::set<std::uint64_t> distinct(ids.begin(), ids.end());
  CHECK(distinct.count(peer_id_recorder::refused) == 0);
  CHECK(distinct.size() == ids.size());
  for (const std::uint64_t id : distinct) {
    const std::uint64_t worker =
        id >> (ringkernels::peer_id_sequence_bits + ringkernels::peer_id_lane_bits);
    CHECK(worker < 2);
  }
  CHECK(relay.terminate().stopped);
  CHECK(sink.terminate().stopped);
}

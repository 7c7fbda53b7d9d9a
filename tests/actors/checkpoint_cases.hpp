// Checkpoint and restore of actor systems through the public API, written once for every
// backend: a checkpoint taken on TestType restored on the host backend and back (states bit
// for bit, counters carried on, the system working afterwards), and files that must be
// refused — truncated, corrupt, foreign, of another size — with the target left as it was.
// Included after actor_cases.hpp; CHECKPOINT_OTHER_BACKEND names the backend restored on.
#ifndef RINGKERNELS_TESTS_CHECKPOINT_CASES_HPP
#define RINGKERNELS_TESTS_CHECKPOINT_CASES_HPP

#include "actor_cases.hpp"

#include <ringkernels/checkpoint.hpp>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

using test_support::fan;

namespace checkpoint_cases {
/// A file name in the temporary directory, unique per process and case; removed at scope end.
struct scratch_file {
  std::string path;
  explicit scratch_file(const std::string& stem)
      : path((std::filesystem::temp_directory_path() /
              (stem + "." + std::to_string(::getpid()) + ".rkckpt"))
                 .string()) {}
  ~scratch_file() { std::filesystem::remove(path); }
};
std::vector<char> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_all(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
template <class State>
bool same_bytes(const std::vector<State>& a, const std::vector<State>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(State)) == 0;
}
/// A phase of work: every fan actor sends `hits` Hits to the next one (device-side sends).
template <class System>
void run_phase(System& system, std::uint64_t hits) {
  for (std::uint64_t id = 0; id < system.size(); ++id) {
    REQUIRE(system.tell(id, fan::Fan{hits, (id + 1) % system.size()}) ==
            ringkernels::messaging::push_result::ok);
  }
  system.quiesce(20s);
}
}  // namespace checkpoint_cases

TEMPLATE_TEST_CASE("a checkpoint restores on another backend and back, bit for bit, counters on",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using namespace checkpoint_cases;
  constexpr std::uint64_t actors = 5000;
  scratch_file first("rk_first"), second("rk_second");
  std::vector<fan::State> saved;
  ringkernels::actor_telemetry saved_counters;
  {
    ringkernels::runtime rt;
    auto system = rt.spawn<TestType>(fan{}, actors_named("ckpt_source", actors));
    system.activate();
    run_phase(system, 3);
    system.deactivate();
    saved = system.read_states();
    saved_counters = system.telemetry();
    const ringkernels::checkpoint_info written = system.checkpoint(first.path);
    CHECK(written.actors == actors);
    CHECK(written.state_bytes == sizeof(fan::State));
    CHECK(written.backend == TestType::name());
    CHECK(written.file_bytes == std::filesystem::file_size(first.path));
    CHECK_FALSE(std::filesystem::exists(first.path + ".partial"));
    (void)system.terminate();
  }
  CHECK(saved_counters.from_host == actors);
  CHECK(saved_counters.sent_on_device == 3 * actors);
  CHECK(saved_counters.handled == 4 * actors);
  const ringkernels::checkpoint_info inspected = ringkernels::inspect_checkpoint(first.path);
  CHECK(inspected.system_name == "ckpt_source");
  CHECK_THAT(inspected.actor_type, ContainsSubstring("fan"));
  CHECK(inspected.counters.handled == saved_counters.handled);
  {  // on the other backend: restored, then a second phase on top, then saved again
    ringkernels::runtime rt;
    auto system = rt.spawn<CHECKPOINT_OTHER_BACKEND>(fan{}, actors_named("ckpt_other", actors, 2));
    const ringkernels::checkpoint_info restored = system.restore(first.path);
    CHECK(restored.backend == TestType::name());
    CHECK(same_bytes(system.read_states(), saved));
    const auto carried = system.telemetry();
    CHECK(carried.handled == saved_counters.handled);
    CHECK(carried.from_host == saved_counters.from_host);
    CHECK(carried.sent_on_device == saved_counters.sent_on_device);
    CHECK(carried.in_flight == 0);
    system.activate();
    run_phase(system, 2);  // quiesce balances with the restored counters included
    system.deactivate();
    const auto after = system.telemetry();
    CHECK(after.handled == saved_counters.handled + 3 * actors);
    CHECK(after.from_host == 2 * actors);
    const auto states = system.read_states();
    for (std::uint64_t id = 0; id < actors; ++id) {
      REQUIRE(states[id].fans == 2);
      REQUIRE(states[id].hits == 5);
    }
    saved = states;
    (void)system.checkpoint(second.path);
    (void)system.terminate();
  }
  {  // and back
    ringkernels::runtime rt;
    auto system = rt.spawn<TestType>(fan{}, actors_named("ckpt_back", actors));
    (void)system.restore(second.path);
    CHECK(same_bytes(system.read_states(), saved));
    CHECK(system.telemetry().handled == saved_counters.handled + 3 * actors);
  }
}

TEMPLATE_TEST_CASE("a truncated, corrupt or foreign checkpoint is refused and changes nothing",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using namespace checkpoint_cases;
  scratch_file good("rk_good"), bad("rk_bad"), other_type("rk_other_type");
  ringkernels::runtime rt;
  {
    auto source = rt.spawn<TestType>(counter{}, actors_named("ckpt_good", 300));
    source.activate();
    for (std::uint64_t id = 0; id < 300; ++id) {
      REQUIRE(source.tell(id, counter::Add{7}) == ringkernels::messaging::push_result::ok);
    }
    source.quiesce(10s);
    source.deactivate();
    (void)source.checkpoint(good.path);
    (void)source.terminate();
    auto foreign = rt.spawn<TestType>(fan{}, actors_named("ckpt_fan", 300));
    (void)foreign.checkpoint(other_type.path);
    (void)foreign.terminate();
  }
  // Both spawned unlaunched (restore takes a created system), before either is resident (a
  // GPU cannot spawn a system while another is).
  auto target_options = actors_named("ckpt_target", 300);
  target_options.launch = false;
  auto target = rt.spawn<TestType>(counter{}, target_options);
  auto smaller_options = actors_named("ckpt_small", 299);
  smaller_options.launch = false;
  auto smaller = rt.spawn<TestType>(counter{}, smaller_options);
  const auto untouched = target.read_states();
  const std::vector<char> bytes = read_all(good.path);
  REQUIRE(bytes.size() > 300 * sizeof(counter::State));

  const auto refused = [&](const std::string& path, const char* because) {
    INFO(because);
    try {
      (void)target.restore(path);
      FAIL("restore must refuse this file");
    } catch (const ringkernels::error& failure) {
      CHECK(failure.code() == ringkernels::errc::invalid_argument);
      CHECK_THAT(failure.what(), ContainsSubstring(because));
    }
    CHECK(same_bytes(target.read_states(), untouched));
    CHECK(target.telemetry().handled == 0);
  };
  write_all(bad.path, std::vector<char>(bytes.begin(), bytes.end() - 100));
  refused(bad.path, "truncated");
  std::vector<char> flipped = bytes;
  flipped[bytes.size() - 200] ^= 0x10;  // a bit of the last states
  write_all(bad.path, flipped);
  refused(bad.path, "checksum does not match");
  std::vector<char> not_ours = bytes;
  not_ours[0] = 'X';
  write_all(bad.path, not_ours);
  refused(bad.path, "not a RingKernels checkpoint");
  write_all(bad.path, std::vector<char>(10, 'x'));
  refused(bad.path, "less than a header");
  refused(other_type.path, "written by actor type");
  try {
    (void)target.restore(good.path + ".missing");
    FAIL("a missing file must be refused");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::io_error);
    CHECK_THAT(failure.what(), ContainsSubstring(".missing"));
  }
  try {
    (void)smaller.restore(good.path);
    FAIL("a checkpoint of another size must be refused");
  } catch (const ringkernels::error& failure) {
    CHECK_THAT(failure.what(), ContainsSubstring("300 actors"));
  }
  (void)target.restore(good.path);  // the good file still restores, after every refusal
  target.launch();
  const auto states = target.read_states();
  for (std::uint64_t id = 0; id < 300; ++id) REQUIRE(states[id].value == id + 7);
  target.activate();
  CHECK(target.ask(5, counter::Get{}).get(5s).value == 12);
}

TEMPLATE_TEST_CASE("checkpoint needs a quiescent, inactive system; restore needs a fresh one",
                   ACTOR_TAGS, ACTOR_BACKENDS) {
  using namespace checkpoint_cases;
  scratch_file file("rk_states");
  ringkernels::runtime rt;
  auto system = rt.spawn<TestType>(counter{}, actors_named("ckpt_rules", 100));
  system.activate();
  try {
    (void)system.checkpoint(file.path);
    FAIL("checkpoint of an active system must be refused");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::wrong_state);
  }
  REQUIRE(system.tell(1, counter::Add{1}) == ringkernels::messaging::push_result::ok);
  system.quiesce(5s);
  system.deactivate();
  (void)system.checkpoint(file.path);
  try {
    (void)system.restore(file.path);
    FAIL("restore into a system that has handled messages must be refused");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::wrong_state);
    CHECK_THAT(failure.what(), ContainsSubstring("nothing was sent to yet"));
  }
  try {
    (void)system.checkpoint("/nonexistent-directory/x.rkckpt");
    FAIL("an unwritable path must be refused");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::io_error);
    CHECK_THAT(failure.what(), ContainsSubstring("/nonexistent-directory/x.rkckpt.partial"));
  }
}

#endif

// The local-memory rule and the residency book behind it (device_residency.hpp); the GPU tests
// drive the same rule through a real launch.
#include <ringkernels/backends/common/device_residency.hpp>
#include <ringkernels/core/error.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <memory>
#include <stdexcept>
#include <thread>

using Catch::Matchers::ContainsSubstring;
using ringkernels::device_residency;
using ringkernels::residency_facts;

namespace {
residency_facts launch_of(std::size_t needs, std::size_t reserved,
                          std::vector<std::string> resident) {
  residency_facts facts;
  facts.kernel = "large_frames";
  facts.where = "device 0 (test GPU)";
  facts.needs = needs;
  facts.reserved = reserved;
  facts.resident = std::move(resident);
  return facts;
}
std::string refusal(const residency_facts& facts) {
  try {
    (void)ringkernels::must_grow_local_memory(facts);
  } catch (const ringkernels::error& e) {
    CHECK(e.code() == ringkernels::errc::wrong_state);
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("a kernel within the reserved local memory launches as it is", "[residency]") {
  CHECK_FALSE(ringkernels::must_grow_local_memory(launch_of(1024, 1024, {"small"})));
  CHECK_FALSE(ringkernels::must_grow_local_memory(launch_of(0, 1024, {})));
}

TEST_CASE("the reservation grows first while nothing is resident", "[residency]") {
  CHECK(ringkernels::must_grow_local_memory(launch_of(3200, 1024, {})));
}

TEST_CASE("a launch that would wait forever is refused with the numbers", "[residency]") {
  const std::string one = refusal(launch_of(3200, 1024, {"small_frames"}));
  CHECK_THAT(one, ContainsSubstring("kernel 'large_frames' needs 3200 B"));
  CHECK_THAT(one, ContainsSubstring("device 0 (test GPU) reserves 1024 B"));
  CHECK_THAT(one, ContainsSubstring("'small_frames' is resident"));
  CHECK_THAT(one, ContainsSubstring("cudaDeviceSetLimit(cudaLimitStackSize, 3200)"));
  const std::string two = refusal(launch_of(3200, 1024, {"a", "b"}));
  CHECK_THAT(two, ContainsSubstring("'a', 'b' are resident"));
}

namespace {
const int code_a = 0, code_b = 0;  // stand-ins for kernel functions: only their addresses count
/// Admits `kernel` (resident unless told otherwise) and returns what the launch saw.
device_residency::ticket admit(device_residency& book, int device, const std::string& kernel,
                               ringkernels::device_now& seen, bool stays_resident = true,
                               const void* function = &code_a) {
  return book.admit(device, function, kernel, [&](const ringkernels::device_now& now) {
    seen = now;
    return stays_resident;
  });
}
}  // namespace

TEST_CASE("the book counts resident kernels per device until they leave", "[residency]") {
  device_residency book;
  ringkernels::device_now seen;
  auto first = admit(book, 0, "first", seen);
  CHECK(seen.resident.empty());
  CHECK(first.held());
  auto second = admit(book, 0, "second", seen);
  CHECK(seen.resident == std::vector<std::string>{"first"});
  auto elsewhere = admit(book, 1, "elsewhere", seen);
  CHECK(seen.resident.empty());
  auto pumped = admit(book, 0, "pumped", seen, false);
  CHECK_FALSE(pumped.held());
  CHECK(book.resident_on(0) == std::vector<std::string>{"first", "second"});
  first.release();
  CHECK(book.resident_on(0) == std::vector<std::string>{"second"});
  second.keep_forever();  // detached while still running: stays in the book
  { auto moved = std::move(elsewhere); }
  CHECK(book.resident_on(0) == std::vector<std::string>{"second"});
  CHECK(book.resident_on(1).empty());
}

TEST_CASE("the book remembers which kernel code each device has loaded", "[residency]") {
  device_residency book;
  ringkernels::device_now seen;
  auto a = admit(book, 0, "a", seen);
  CHECK_FALSE(seen.function_loaded);
  auto again = admit(book, 0, "again", seen);
  CHECK(seen.function_loaded);
  auto other_code = admit(book, 0, "b", seen, true, &code_b);
  CHECK_FALSE(seen.function_loaded);
  auto other_device = admit(book, 1, "a1", seen);
  CHECK_FALSE(seen.function_loaded);
}

TEST_CASE("a launch that throws is not counted", "[residency]") {
  device_residency book;
  CHECK_THROWS_AS(book.admit(0, &code_a, "refused",
                             [](const ringkernels::device_now&) -> bool {
                               throw std::runtime_error("launch failed");
                             }),
                  std::runtime_error);
  CHECK(book.resident_on(0).empty());
  ringkernels::device_now seen;
  auto later = admit(book, 0, "later", seen);
  CHECK_FALSE(seen.function_loaded);  // a refused launch may not have loaded anything
}

TEST_CASE("admissions from several threads are counted exactly", "[residency]") {
  device_residency book;
  std::vector<std::thread> threads;
  std::vector<device_residency::ticket> tickets(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&book, &tickets, t] {
      std::string name = "k";
      name += std::to_string(t);  // (GCC 12 warns falsely on "k" + std::to_string(t))
      ringkernels::device_now seen;
      tickets[static_cast<std::size_t>(t)] = admit(book, t % 2, name, seen);
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(book.resident_on(0).size() == 4);
  CHECK(book.resident_on(1).size() == 4);
  for (auto& ticket : tickets) ticket.release();
  CHECK(book.resident_on(0).empty());
  CHECK(book.resident_on(1).empty());
}

TEST_CASE("memory is freed at once when nothing is resident, else when the last kernel leaves",
          "[residency]") {
  device_residency book;
  auto memory = std::make_shared<int>(7);
  std::weak_ptr<int> watch = memory;
  book.bury(std::move(memory));
  CHECK(watch.expired());
  CHECK(book.buried() == 0);

  ringkernels::device_now seen;
  auto on_zero = admit(book, 0, "on_zero", seen);
  auto on_one = admit(book, 1, "on_one", seen);
  memory = std::make_shared<int>(8);
  watch = memory;
  book.bury(std::move(memory));
  CHECK(book.buried() == 1);
  on_zero.release();
  CHECK_FALSE(watch.expired());  // a kernel on device 1 is still resident
  on_one.release();
  CHECK(watch.expired());
  CHECK(book.buried() == 0);
}

TEST_CASE("loading kernel code beside a resident kernel is refused only under lazy loading",
          "[residency]") {
  residency_facts facts = launch_of(0, 0, {"resident_echo"});
  try {
    ringkernels::require_loadable(facts);
    FAIL("not refused");
  } catch (const ringkernels::error& e) {
    CHECK(e.code() == ringkernels::errc::wrong_state);
    CHECK_THAT(e.message(), ContainsSubstring("not loaded on device 0 (test GPU)"));
    CHECK_THAT(e.message(), ContainsSubstring("'resident_echo' is resident"));
    CHECK_THAT(e.message(), ContainsSubstring("kernel 'large_frames'"));
    CHECK_THAT(e.message(), ContainsSubstring("CUDA_MODULE_LOADING=EAGER"));
  }
  facts.loaded = true;
  CHECK_NOTHROW(ringkernels::require_loadable(facts));
  facts.loaded = false;
  facts.lazy_loading = false;
  CHECK_NOTHROW(ringkernels::require_loadable(facts));
  facts.lazy_loading = true;
  facts.resident.clear();
  CHECK_NOTHROW(ringkernels::require_loadable(facts));
}

// The same handler gives the same replies, bit for bit, on every backend.
#include <ringkernels/examples/vector_add.hpp>
#include <ringkernels/runtime.hpp>

#include <catch2/catch_test_macros.hpp>

#include "backends_under_test.hpp"

#include <cstring>
#include <random>
#include <tuple>

using namespace std::chrono_literals;
using ringkernels::examples::vector_add;

namespace {
template <class Space>
std::vector<vector_add::Reply> run_on(const std::vector<vector_add::Request>& requests) {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "parity";
  auto kernel = rt.launch<Space>(vector_add{}, options);
  kernel.activate();
  std::vector<vector_add::Reply> replies;
  for (const auto& request : requests) replies.push_back(kernel.call(request).get(1s));
  return replies;
}

template <class... Spaces>
std::vector<std::vector<vector_add::Reply>> run_all(
    std::tuple<Spaces...>, const std::vector<vector_add::Request>& requests) {
  return {run_on<Spaces>(requests)...};
}
}  // namespace

TEST_CASE("VectorAdd replies are identical on every host backend", "[ringkernels][parity]") {
  std::mt19937 random(11);
  std::uniform_real_distribution<float> value(-1e6f, 1e6f);
  std::vector<vector_add::Request> requests(500);
  for (auto& request : requests) {
    request.n = static_cast<std::uint32_t>(1 + random() % vector_add::inline_limit);
    for (std::uint32_t i = 0; i < request.n; ++i) {
      request.a[i] = value(random);
      request.b[i] = value(random);
    }
  }
  const auto results = run_all(test_support::host_backends{}, requests);
  REQUIRE(!results.empty());
  for (std::size_t r = 0; r < requests.size(); ++r) {
    for (const auto& other : results) {
      REQUIRE(std::memcmp(&results.front()[r], &other[r], sizeof(vector_add::Reply)) == 0);
    }
    for (std::uint32_t i = 0; i < requests[r].n; ++i) {
      REQUIRE(results.front()[r].c[i] == requests[r].a[i] + requests[r].b[i]);
    }
  }
}

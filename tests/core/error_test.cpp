#include <ringkernels/core/error.hpp>
#include <ringkernels/core/gpu_error.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;

TEST_CASE("an error says its category, message and location", "[core][error]") {
  try {
    RINGKERNELS_THROW(ringkernels::errc::wrong_state, "kernel 'k' is terminated");
    FAIL("RINGKERNELS_THROW did not throw");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::wrong_state);
    CHECK(failure.message() == "kernel 'k' is terminated");
    CHECK_THAT(failure.what(), ContainsSubstring("wrong_state: kernel 'k' is terminated"));
    CHECK_THAT(failure.what(), ContainsSubstring("error_test.cpp:"));
  }
}

TEST_CASE("context-killing GPU errors are told apart from recoverable ones", "[core][error]") {
  using ringkernels::gpu_error_severity;
  try {
    ringkernels::detail::raise_gpu_error("CUDA", "cudaMemcpy(a, b, n)", "cudaErrorIllegalAddress",
                                         "an illegal memory access was encountered",
                                         gpu_error_severity::context_killing, "file.cpp", 7);
    FAIL("raise_gpu_error returned");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::context_lost);
    CHECK_THAT(failure.what(), ContainsSubstring("cudaMemcpy(a, b, n)"));
    CHECK_THAT(failure.what(), ContainsSubstring("cudaErrorIllegalAddress"));
    CHECK_THAT(failure.what(), ContainsSubstring("relaunched"));
  }
  try {
    ringkernels::detail::raise_gpu_error("HIP", "hipMalloc(&p, n)", "hipErrorOutOfMemory",
                                         "out of memory", gpu_error_severity::recoverable,
                                         "file.cpp", 9);
    FAIL("raise_gpu_error returned");
  } catch (const ringkernels::error& failure) {
    CHECK(failure.code() == ringkernels::errc::backend_failure);
    CHECK_THAT(failure.what(), ContainsSubstring("HIP call `hipMalloc(&p, n)` failed"));
  }
}

TEST_CASE("every error category has a name", "[core][error]") {
  using ringkernels::errc;
  for (errc code :
       {errc::invalid_argument, errc::wrong_state, errc::not_found, errc::unsupported,
        errc::timed_out, errc::backend_failure, errc::context_lost, errc::handler_failed}) {
    CHECK(std::string(ringkernels::to_string(code)) != "unknown");
  }
}

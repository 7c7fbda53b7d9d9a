#include <ringkernels/messaging/frame.hpp>

#include <catch2/catch_test_macros.hpp>

TEST_CASE("placeholder", "[messaging]") { CHECK(ringkernels::messaging::slot_stride(64) == 112); }

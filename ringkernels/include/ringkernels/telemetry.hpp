// Public name of a kernel's counters (ringkernels::telemetry_snapshot): the definition lives in the
// layer below the API (<ringkernels/core/telemetry.hpp>), where the backends reach it without
// including the API folder. Users keep including this header.
#ifndef RINGKERNELS_TELEMETRY_HPP
#define RINGKERNELS_TELEMETRY_HPP

#include <ringkernels/core/telemetry.hpp>

#endif

// Public name of what a handler sees (ringkernels::context): the definition lives in the layer
// below the API (<ringkernels/backends/common/context.hpp>), where the backends reach it without
// including the API folder. Users keep including this header.
#ifndef RINGKERNELS_CONTEXT_HPP
#define RINGKERNELS_CONTEXT_HPP

#include <ringkernels/backends/common/context.hpp>

#endif

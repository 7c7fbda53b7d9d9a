// Public name of handler traits (ringkernels::handler_traits): the definition lives in the layer
// below the API (<ringkernels/backends/common/handler.hpp>), where the backends reach it without
// including the API folder. Users keep including this header.
#ifndef RINGKERNELS_HANDLER_HPP
#define RINGKERNELS_HANDLER_HPP

#include <ringkernels/backends/common/handler.hpp>

#endif

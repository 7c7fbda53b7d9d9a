// Public name of a kernel's launch options (ringkernels::kernel_options): the definition lives in
// the layer below the API (<ringkernels/backends/common/kernel_options.hpp>), where the backends
// reach it without including the API folder. Users keep including this header.
#ifndef RINGKERNELS_KERNEL_OPTIONS_HPP
#define RINGKERNELS_KERNEL_OPTIONS_HPP

#include <ringkernels/backends/common/kernel_options.hpp>

#endif

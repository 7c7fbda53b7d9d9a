// Everything a RingKernels user includes.
#ifndef RINGKERNELS_RINGKERNELS_HPP
#define RINGKERNELS_RINGKERNELS_HPP

#include <ringkernels/buffer_handle.hpp>
#include <ringkernels/build_info.hpp>
#include <ringkernels/context.hpp>
#include <ringkernels/runtime.hpp>

#endif

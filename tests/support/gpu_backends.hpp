// GPU execution spaces of this build, for tests labelled `gpu` (run on the GPU machine by
// perf/gpu-suite.sh; CI has no GPU and builds them only).
#ifndef RINGKERNELS_TESTS_GPU_BACKENDS_HPP
#define RINGKERNELS_TESTS_GPU_BACKENDS_HPP

#include <ringkernels/backend_select.hpp>

#if defined(RINGKERNELS_ENABLE_CUDA)
#define RINGKERNELS_GPU_BACKENDS Kokkos::Cuda
#endif

#endif

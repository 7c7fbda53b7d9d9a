// The supervisor on the GPU backends: the cases every backend runs (a stalled kernel
// relaunched with its queued requests handled, the circuit, no policy). A trap loses the GPU
// context: that case is in gpu_fault_test.cpp, a process of its own.
#include "gpu_backends.hpp"

#define SUPERVISION_BACKENDS RINGKERNELS_GPU_BACKENDS
#define SUPERVISION_TAGS "[gpu][supervision]"
#include "../ringkernels/supervision_cases.hpp"

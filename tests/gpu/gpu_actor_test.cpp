// The actor-system cases (tests/actors/actor_cases.hpp) on every GPU backend (label gpu): one
// warp per worker, mailboxes in device memory.
#include "gpu_backends.hpp"

#define ACTOR_BACKENDS RINGKERNELS_GPU_BACKENDS
#define ACTOR_TAGS "[gpu][actors]"
#define ACTOR_WORKERS 8

#include "../actors/actor_cases.hpp"

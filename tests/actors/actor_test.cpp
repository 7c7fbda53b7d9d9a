// The actor-system cases (actor_cases.hpp, system_cases.hpp) on every CPU backend.
#include "backends_under_test.hpp"

#define ACTOR_BACKENDS RINGKERNELS_HOST_BACKENDS
#define ACTOR_TAGS "[actors]"
#define ACTOR_WORKERS 2
// Checkpoints restore on the simulator's one-thread backend (and on OpenMP when it is the only
// one).
#if defined(RINGKERNELS_ENABLE_SERIAL)
#define CHECKPOINT_OTHER_BACKEND Kokkos::Serial
#else
#define CHECKPOINT_OTHER_BACKEND Kokkos::OpenMP
#endif

#include "actor_cases.hpp"
#include "checkpoint_cases.hpp"
#include "system_cases.hpp"

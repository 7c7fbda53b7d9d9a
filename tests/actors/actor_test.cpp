// The actor-system cases (actor_cases.hpp, system_cases.hpp) on every CPU backend.
#include "backends_under_test.hpp"

#define ACTOR_BACKENDS RINGKERNELS_HOST_BACKENDS
#define ACTOR_TAGS "[actors]"
#define ACTOR_WORKERS 2

#include "actor_cases.hpp"
#include "system_cases.hpp"

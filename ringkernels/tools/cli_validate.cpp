// `ringkernels validate`: the predecessor's validation flow, per backend.
#include "cli.hpp"

#include <ringkernels/build_info.hpp>

#include <cstdio>

namespace ringkernels::cli {

int run_validate(const arguments& args) {
  const std::string wanted = option(args, "backend", "best");
  int passed = 0;
  int total = 0;
  for (const auto& backend : known_backends()) {
    if (wanted != "all" && wanted != "best" && wanted != backend.name) continue;
    if (!backend.built) {
      std::printf("[%s] skipped: not built\n", backend.name.c_str());
      continue;
    }
    std::printf("[%s] not yet implemented\n", backend.name.c_str());
    ++total;
    if (wanted == "best") break;
  }
  std::printf("Passed: %d/%d\n", passed, total);
  return passed == total && total > 0 ? 0 : 1;
}

}  // namespace ringkernels::cli

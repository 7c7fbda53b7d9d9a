// `ringkernels bench ...`: benchmarks that print a table and write JSON.
#include "cli.hpp"

#include <cstdio>

namespace ringkernels::cli {

int run_bench(const arguments& args) {
  std::fprintf(stderr, "ringkernels bench %s: not yet implemented\n",
               args.empty() ? "" : args[0].c_str());
  return 2;
}

}  // namespace ringkernels::cli

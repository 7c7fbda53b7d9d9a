// Must NOT compile: a Reply larger than the largest frame (1 MiB).
#include <ringkernels/runtime.hpp>

struct huge_handler {
  struct Request {
    int n;
  };
  struct Reply {
    char bytes[2 << 20];
  };
  Reply operator()(const Request&, ringkernels::context&) const { return Reply{}; }
};

int main() {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "huge";
  auto kernel = rt.launch<Kokkos::DefaultHostExecutionSpace>(huge_handler{}, options);
  return 0;
}

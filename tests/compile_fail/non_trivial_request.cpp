// Must NOT compile: a Request with a std::string cannot travel as bytes in a frame.
#include <ringkernels/runtime.hpp>

#include <string>

struct bad_handler {
  struct Request {
    std::string text;
  };
  struct Reply {
    int length;
  };
  Reply operator()(const Request& request, ringkernels::context&) const {
    return Reply{static_cast<int>(request.text.size())};
  }
};

int main() {
  ringkernels::runtime rt;
  ringkernels::kernel_options options;
  options.name = "bad";
  auto kernel = rt.launch<Kokkos::DefaultHostExecutionSpace>(bad_handler{}, options);
  return 0;
}

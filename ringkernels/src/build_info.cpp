#include <ringkernels/build_info.hpp>

namespace ringkernels {

std::vector<backend_info> known_backends() {
  std::vector<backend_info> backends;
#if defined(RINGKERNELS_ENABLE_CUDA)
  backends.push_back({"cuda", true});
#else
  backends.push_back({"cuda", false});
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  backends.push_back({"hip", true});
#else
  backends.push_back({"hip", false});
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  backends.push_back({"openmp", true});
#else
  backends.push_back({"openmp", false});
#endif
#if defined(RINGKERNELS_ENABLE_SERIAL)
  backends.push_back({"serial", true});
#else
  backends.push_back({"serial", false});
#endif
  return backends;
}

std::string version() { return RINGKERNELS_VERSION_STRING; }

}  // namespace ringkernels

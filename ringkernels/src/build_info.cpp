#include <ringkernels/build_info.hpp>

#include <string>

namespace ringkernels {

std::vector<backend_info> known_backends() {
  std::vector<backend_info> backends;
#if defined(RINGKERNELS_ENABLE_CUDA)
  backends.push_back(
      {"cuda", true, "compiled for sm_90 (Hopper); run on an NVIDIA H200 (perf/gpu-suite.sh)"});
#else
  backends.push_back({"cuda", false, ""});
#endif
#if defined(RINGKERNELS_ENABLE_HIP)
  backends.push_back(
      {"hip", true,
       std::string("compiled for ") + RINGKERNELS_HIP_ARCH + "; never run on an AMD GPU"});
#else
  backends.push_back({"hip", false, ""});
#endif
#if defined(RINGKERNELS_ENABLE_OPENMP)
  backends.push_back({"openmp", true, "CPU simulator: pinned threads, run in CI"});
#else
  backends.push_back({"openmp", false, ""});
#endif
#if defined(RINGKERNELS_ENABLE_SERIAL)
  backends.push_back({"serial", true, "CPU simulator: pinned threads, run in CI"});
#else
  backends.push_back({"serial", false, ""});
#endif
  return backends;
}

std::string version() { return RINGKERNELS_VERSION_STRING; }

}  // namespace ringkernels

# Dependencies are found, never downloaded here: scripts/bootstrap.sh provides them on a fresh
# machine; users bring their own Kokkos through Kokkos_ROOT or CMAKE_PREFIX_PATH.
find_package(Threads REQUIRED)

# Link the CUDA runtime statically, so a GPU machine needs only the driver: Kokkos' package
# defines CUDA::cudart (the shared library) only when no such target exists yet.
option(RINGKERNELS_STATIC_CUDART "Link the CUDA runtime statically in CUDA builds" ON)
find_library(RINGKERNELS_CUDART_STATIC cudart_static
             HINTS $ENV{CUDA_HOME}/lib64 /usr/local/cuda/lib64 NO_CACHE)
if(RINGKERNELS_STATIC_CUDART AND RINGKERNELS_CUDART_STATIC AND NOT TARGET CUDA::cudart)
  add_library(CUDA::cudart STATIC IMPORTED)
  set_target_properties(CUDA::cudart PROPERTIES IMPORTED_LOCATION ${RINGKERNELS_CUDART_STATIC}
                        INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};rt")
endif()

find_package(Kokkos 3.4 REQUIRED)
message(STATUS "RingKernels: Kokkos ${Kokkos_VERSION} from ${Kokkos_DIR} (devices: ${Kokkos_DEVICES})")

find_package(PkgConfig REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)

# spdlog and fmt are used header-only and only inside core/src/logging.cpp: no shared library to
# carry to other machines, and no fmt code in files that nvcc compiles for the device.
find_path(SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
find_path(FMT_INCLUDE_DIR fmt/format.h REQUIRED)

# nlohmann-json writes the JSON (telemetry snapshots, benchmark results): header-only and used
# in .cpp files only, linked as a build-time dependency so the installed package never names it.
find_package(nlohmann_json 3 REQUIRED)

# Prometheus endpoint (runtime_options::metrics_address, `ringkernels serve`): prometheus-cpp's
# pull exposer (Debian prometheus-cpp-dev, installed by the bootstrap). Off in GPU builds, whose
# binaries travel to a GPU machine without Debian's shared libraries.
find_package(prometheus-cpp CONFIG QUIET)
set(_rk_prometheus_default OFF)
if(prometheus-cpp_FOUND AND NOT Kokkos_DEVICES MATCHES "CUDA|HIP")
  set(_rk_prometheus_default ON)
endif()
option(RINGKERNELS_WITH_PROMETHEUS "Serve metrics for Prometheus (needs prometheus-cpp)"
       ${_rk_prometheus_default})
if(RINGKERNELS_WITH_PROMETHEUS AND NOT prometheus-cpp_FOUND)
  message(FATAL_ERROR "RINGKERNELS_WITH_PROMETHEUS=ON but prometheus-cpp was not found "
                      "(Debian: prometheus-cpp-dev; scripts/bootstrap.sh installs it)")
endif()
message(STATUS "RingKernels: Prometheus endpoint ${RINGKERNELS_WITH_PROMETHEUS}")

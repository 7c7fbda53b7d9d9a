# Dependencies are found, never downloaded here: scripts/bootstrap.sh provides them on a fresh
# machine; users bring their own Kokkos through Kokkos_ROOT or CMAKE_PREFIX_PATH.
find_package(Kokkos 3.4 REQUIRED)
message(STATUS "RingKernels: Kokkos ${Kokkos_VERSION} from ${Kokkos_DIR} (devices: ${Kokkos_DEVICES})")

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)

# spdlog and fmt are used header-only and only inside core/src/logging.cpp: no shared library to
# carry to other machines, and no fmt code in files that nvcc compiles for the device.
find_path(SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
find_path(FMT_INCLUDE_DIR fmt/format.h REQUIRED)

# Install tree + exported targets: find_package(RingKernels) gives RingKernels::ringkernels.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ringkernels ringkernels_core ringkernels_messaging ringkernels_backends
        EXPORT RingKernelsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(_dir core/include messaging/include ringkernels/include backends/common/include
             backends/host/include examples/include)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${_dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
foreach(_gpu CUDA HIP)
  string(TOLOWER ${_gpu} _folder)
  if(RINGKERNELS_ENABLE_${_gpu})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/backends/${_folder}/include/
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
  endif()
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/ringkernels/core/config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ringkernels/core)

install(EXPORT RingKernelsTargets NAMESPACE RingKernels::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RingKernels)
configure_package_config_file(cmake/RingKernelsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/RingKernelsConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RingKernels)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/RingKernelsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/RingKernelsConfig.cmake
              ${PROJECT_BINARY_DIR}/RingKernelsConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/RingKernelsHipStdlib.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RingKernels)

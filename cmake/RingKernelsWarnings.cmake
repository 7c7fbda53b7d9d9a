# Warnings for the project's own targets (never forced on consumers through the exported target).
add_library(ringkernels_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT RINGKERNELS_ENABLE_CUDA)
  target_compile_options(ringkernels_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
  if(RINGKERNELS_WERROR)
    target_compile_options(ringkernels_warnings INTERFACE -Werror)
  endif()
elseif(RINGKERNELS_ENABLE_CUDA)
  # nvcc_wrapper: host-compiler warnings through -Xcompiler; nvcc's own diagnostics as errors.
  target_compile_options(ringkernels_warnings INTERFACE -Xcompiler=-Wall)
  if(RINGKERNELS_WERROR)
    target_compile_options(ringkernels_warnings INTERFACE -Werror=all-warnings)
  endif()
endif()

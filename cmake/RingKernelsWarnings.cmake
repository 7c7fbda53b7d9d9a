# Warnings for the project's own targets (never forced on consumers through the exported target).
add_library(ringkernels_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT RINGKERNELS_ENABLE_CUDA)
  target_compile_options(ringkernels_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
  if(RINGKERNELS_WERROR)
    target_compile_options(ringkernels_warnings INTERFACE -Werror)
  endif()
elseif(RINGKERNELS_ENABLE_CUDA)
  # nvcc_wrapper hands unknown flags to the host compiler. Warnings are not errors here: nvcc
  # reports Kokkos 3.4's own headers, which this project does not own.
  target_compile_options(ringkernels_warnings INTERFACE -Wall)
endif()

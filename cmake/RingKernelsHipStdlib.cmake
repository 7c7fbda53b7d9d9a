# FIXME(hip-clang15): clang 15 (Debian 12's hipcc 5.2.3) crashes in C++20 HIP mode on libstdc++ 12
# headers (Sema::inferCUDATargetForImplicitSpecialMember -> CheckConstraintSatisfaction; the
# same crash as llvm/llvm-project#62017 and AdaptiveCpp#801, fixed in clang 16). libstdc++ 11's
# headers do not trigger it, so HIP builds compile against those (Debian's libstdc++-11-dev,
# installed by scripts/bootstrap.sh --hip) and link the system's libstdc++.so.6, which serves
# both (the library ABI is the same). A newer clang needs none of this.
#
# Included by the build (RINGKERNELS_ENABLE_HIP set: every target gets the flags) and, installed,
# by RingKernelsConfig.cmake (RingKernels::ringkernels passes them on to an embedding code).

# Sets `out` to the compile options this compiler needs for HIP in C++20, or to nothing.
function(ringkernels_hip_stdlib_options out)
  set(${out} "" PARENT_SCOPE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
    return()
  endif()
  set(_libstdcxx11 /usr/include/c++/11)
  set(_libstdcxx11_target /usr/include/x86_64-linux-gnu/c++/11)
  if(NOT EXISTS ${_libstdcxx11}/vector OR NOT EXISTS ${_libstdcxx11_target}/bits/c++config.h)
    message(FATAL_ERROR "HIP with clang ${CMAKE_CXX_COMPILER_VERSION}: C++20 needs libstdc++ 11 "
                        "headers (clang < 16 crashes on libstdc++ 12's); install libstdc++-11-dev "
                        "(scripts/bootstrap.sh --hip does) or use a clang >= 16")
  endif()
  # clang's own wrappers of <new>, <complex> and <algorithm> (device placement new, ...) must
  # still come first: the compiler puts them before its C++ library, and -isystem would not.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-resource-dir OUTPUT_VARIABLE _resource_dir
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set(_wrappers ${_resource_dir}/include/cuda_wrappers)
  if(NOT EXISTS ${_wrappers}/new)
    message(FATAL_ERROR "HIP with clang ${CMAKE_CXX_COMPILER_VERSION}: no cuda_wrappers/new under "
                        "'${_resource_dir}' (${CMAKE_CXX_COMPILER} -print-resource-dir)")
  endif()
  set(${out} $<$<COMPILE_LANGUAGE:CXX>:-nostdinc++> $<$<COMPILE_LANGUAGE:CXX>:-isystem${_wrappers}>
             $<$<COMPILE_LANGUAGE:CXX>:-isystem${_libstdcxx11}>
             $<$<COMPILE_LANGUAGE:CXX>:-isystem${_libstdcxx11_target}> PARENT_SCOPE)
endfunction()

if(RINGKERNELS_ENABLE_HIP AND NOT DEFINED RINGKERNELS_HIP_STDLIB_APPLIED)
  ringkernels_hip_stdlib_options(_rk_options)
  if(_rk_options)
    add_compile_options(${_rk_options})
    message(STATUS "RingKernels: HIP with clang ${CMAKE_CXX_COMPILER_VERSION} compiles against "
                   "libstdc++ 11 headers (FIXME(hip-clang15))")
  endif()
  set(RINGKERNELS_HIP_STDLIB_APPLIED ON)
endif()

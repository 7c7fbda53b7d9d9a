# FIXME(hip-clang15): clang 15 (Debian 12's hipcc 5.2.3) crashes in C++20 HIP mode on libstdc++ 12
# headers (Sema::inferCUDATargetForImplicitSpecialMember -> CheckConstraintSatisfaction; the
# same crash as llvm/llvm-project#62017 and AdaptiveCpp#801, fixed in clang 16). libstdc++ 11's
# headers do not trigger it, so HIP builds compile against those (Debian's libstdc++-11-dev,
# installed by scripts/bootstrap.sh --hip) and link the system's libstdc++.so.6, which serves
# both (the library ABI is the same). A newer clang needs none of this.
if(NOT RINGKERNELS_ENABLE_HIP OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang"
   OR NOT CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  return()
endif()
set(_rk_libstdcxx11 /usr/include/c++/11)
set(_rk_libstdcxx11_target /usr/include/x86_64-linux-gnu/c++/11)
if(NOT EXISTS ${_rk_libstdcxx11}/vector OR NOT EXISTS ${_rk_libstdcxx11_target}/bits/c++config.h)
  message(FATAL_ERROR "HIP with clang ${CMAKE_CXX_COMPILER_VERSION}: C++20 needs libstdc++ 11 headers "
                      "(clang < 16 crashes on libstdc++ 12's); install libstdc++-11-dev "
                      "(scripts/bootstrap.sh --hip does) or use a clang >= 16")
endif()
# clang's own wrappers of <new>, <complex> and <algorithm> (device placement new, ...) must
# still come first: the compiler puts them before its C++ library, and -isystem would not.
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-resource-dir OUTPUT_VARIABLE _rk_resource_dir
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(_rk_wrappers ${_rk_resource_dir}/include/cuda_wrappers)
if(NOT EXISTS ${_rk_wrappers}/new)
  message(FATAL_ERROR "HIP with clang ${CMAKE_CXX_COMPILER_VERSION}: no cuda_wrappers/new under "
                      "'${_rk_resource_dir}' (${CMAKE_CXX_COMPILER} -print-resource-dir)")
endif()
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-nostdinc++>
                    $<$<COMPILE_LANGUAGE:CXX>:-isystem${_rk_wrappers}>
                    $<$<COMPILE_LANGUAGE:CXX>:-isystem${_rk_libstdcxx11}>
                    $<$<COMPILE_LANGUAGE:CXX>:-isystem${_rk_libstdcxx11_target}>)
message(STATUS "RingKernels: HIP with clang ${CMAKE_CXX_COMPILER_VERSION} compiles against libstdc++ 11 headers (FIXME(hip-clang15))")

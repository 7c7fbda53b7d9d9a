# A backend is built only where the found Kokkos provides it; each option defaults to that.
set(_rk_backends SERIAL OPENMP CUDA HIP)
foreach(_backend IN LISTS _rk_backends)
  set(_kokkos_device ${_backend})
  set(_available OFF)
  if(_backend STREQUAL "HIP")
    kokkos_check(DEVICES HIP RETURN_VALUE _available)
  else()
    kokkos_check(DEVICES ${_kokkos_device} RETURN_VALUE _available)
  endif()
  option(RINGKERNELS_ENABLE_${_backend} "Build the ${_backend} backend" ${_available})
  if(RINGKERNELS_ENABLE_${_backend} AND NOT _available)
    message(FATAL_ERROR "RINGKERNELS_ENABLE_${_backend}=ON but the Kokkos in ${Kokkos_DIR} was built "
                        "without ${_backend} (Kokkos devices: ${Kokkos_DEVICES}). Point Kokkos_ROOT "
                        "at a Kokkos with ${_backend}, or run scripts/bootstrap.sh --cuda for CUDA.")
  endif()
  message(STATUS "RingKernels: backend ${_backend} = ${RINGKERNELS_ENABLE_${_backend}}")
endforeach()

// A typed, trivially copyable reference to an array in a kernel's memory space: how data too
// large for a frame travels (the message carries the handle, not the data). The memory stays
// owned by the Kokkos::View it came from; keep that View alive until the reply arrives.
#ifndef RINGKERNELS_BUFFER_HANDLE_HPP
#define RINGKERNELS_BUFFER_HANDLE_HPP

#include <ringkernels/core/portability.hpp>

#include <cstddef>
#include <type_traits>

namespace ringkernels {

template <class T>
struct buffer_handle {
  T* data = nullptr;
  std::size_t size = 0;

  RINGKERNELS_INLINE_FUNCTION T& operator[](std::size_t i) const { return data[i]; }
  RINGKERNELS_INLINE_FUNCTION bool empty() const { return size == 0 || data == nullptr; }

  /// The handle of a rank-1 Kokkos::View (host code).
  template <class View>
  static buffer_handle from_view(const View& view) {
    static_assert(View::rank == 1, "buffer_handle refers to rank-1 Views");
    return buffer_handle{view.data(), static_cast<std::size_t>(view.extent(0))};
  }
};

static_assert(std::is_trivially_copyable_v<buffer_handle<float>>);

}  // namespace ringkernels

#endif

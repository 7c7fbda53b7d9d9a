// One poll of a sealed input ring by a warp (NVIDIA, 32 lanes) or wavefront (AMD, 64 lanes): the
// window's slots are read whole, stamp included, in one PCIe round trip, and each frame is taken
// when its stamp and seal say it is complete (messaging/frame_seal.hpp). Reading the stamp first
// and the frame after it costs two dependent round trips: 1.2 us of a 4.5 us round trip on an H200.
// GPU code shared by the CUDA and HIP backends (compiled by nvcc or hipcc only); the lane count
// comes from the backend's warp.hpp.
//
// The loads bypass the caches (a poll must see memory, not an old cached line), and such loads
// from one thread are served one after another: 7 of them per lane made a lone request's round
// trip 8.3 us against 4.5 us. So the units of a slot are spread over lanes (8 lanes for a 64 B
// request's 7 units), each lane loads one unit per group of slots, and the units meet in
// shared memory where the slot's own lane checks them. A warp load then covers whole 128 B
// slots side by side.
#ifndef RINGKERNELS_BACKENDS_COMMON_GPU_SEALED_POLL_HPP
#define RINGKERNELS_BACKENDS_COMMON_GPU_SEALED_POLL_HPP

#include <ringkernels/messaging/frame_ring.hpp>
#include <ringkernels/messaging/frame_seal.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringkernels::gpu {

/// The geometry of a poll for frames carrying a Request by `Width` lanes.
template <class Request, std::uint32_t Width>
struct sealed_poll_shape {
  static constexpr std::uint32_t header_units = sizeof(messaging::frame_header) / 16;
  /// 16-byte units in one frame.
  static constexpr std::uint32_t units =
      header_units + static_cast<std::uint32_t>((sizeof(Request) + 15) / 16);
  /// Lanes reading one slot: the units rounded up to a power of two, at most 32.
  static constexpr std::uint32_t slot_lanes = units <= 4    ? 4
                                              : units <= 8  ? 8
                                              : units <= 16 ? 16
                                                            : 32;
  static constexpr std::uint32_t slots_per_load = Width / slot_lanes;
  /// Units a lane loads of its slot (several only when a frame has more than 32).
  static constexpr std::uint32_t units_per_lane = (units + slot_lanes - 1) / slot_lanes;
  static constexpr std::size_t staging_limit = 16384;  ///< shared memory for one poll, bytes
  static_assert(units * 16 <= staging_limit,
                "a GPU ring kernel's request frame (48 B header + Request) must fit 16 KiB: pass "
                "larger data as a device-memory handle (ringkernels/buffer_handle.hpp)");
  /// The most slots one poll reads: one per lane, or what the staging holds.
  static constexpr std::uint32_t max_window =
      staging_limit / (units * 16) < Width
          ? static_cast<std::uint32_t>(staging_limit / (units * 16))
          : Width;
  static constexpr std::uint32_t loads_per_lane =
      (max_window + slots_per_load - 1) / slots_per_load * units_per_lane;
};

/// All lanes of the warp call it with the same arguments. Reads slots head .. head + width - 1
/// (width <= max_window) and returns in lane i < width whether the frame at head + i is
/// complete; `header` and `request` then hold it. A frame of another size than Request (dropped
/// as malformed by the caller) is judged through an acquire of its stamp instead: its seal
/// covers bytes this poll did not read.
template <class Warp, class Request>
__device__ bool poll_sealed_window(const messaging::ring_ref<messaging::scope::system>& ring,
                                   std::uint64_t head, std::uint32_t width, unsigned lane,
                                   messaging::frame_header& header, Request& request) {
  using shape = sealed_poll_shape<Request, Warp::width>;
  __shared__ messaging::chunk16 staging[shape::max_window * shape::units];
  // Every load is issued before the first is used, so one lane's loads overlap as far as the
  // hardware lets them.
  messaging::chunk16 loaded[shape::loads_per_lane];
  const std::uint32_t unit_lane = lane % shape::slot_lanes;
  const auto place = [&](std::uint32_t k, std::uint32_t& slot_index, std::uint32_t& unit) {
    slot_index = k / shape::units_per_lane * shape::slots_per_load + lane / shape::slot_lanes;
    unit = unit_lane + k % shape::units_per_lane * shape::slot_lanes;
    return slot_index < width && unit < shape::units;
  };
#pragma unroll
  for (std::uint32_t k = 0; k < shape::loads_per_lane; ++k) {
    std::uint32_t slot_index = 0, unit = 0;
    if (place(k, slot_index, unit)) {
      const auto* slot = reinterpret_cast<const messaging::chunk16*>(ring.slot(head + slot_index));
      loaded[k] = messaging::load_chunk_uncached(slot + unit);
    }
  }
#pragma unroll
  for (std::uint32_t k = 0; k < shape::loads_per_lane; ++k) {
    std::uint32_t slot_index = 0, unit = 0;
    if (place(k, slot_index, unit)) staging[slot_index * shape::units + unit] = loaded[k];
  }
  Warp::sync();
  bool complete = false;
  if (lane < width) {
    const std::uint64_t position = head + lane;
    const messaging::chunk16* frame = staging + lane * shape::units;
    memcpy(static_cast<void*>(&header), frame, sizeof header);
    if (header.commit_stamp == messaging::stamp_of(position)) {
      if (header.payload_bytes == sizeof(Request)) {
        memcpy(static_cast<void*>(&request), frame + shape::header_units, sizeof(Request));
        complete = header.seal ==
                   messaging::frame_seal(header, reinterpret_cast<const std::byte*>(&request),
                                         static_cast<std::uint32_t>(sizeof(Request)));
      } else if (ring.committed(position)) {
        const messaging::frame_header* slot = ring.slot(position);
        header = messaging::load_header(slot);  // the poll's copy may mix two frames
        messaging::load_payload(
            request, reinterpret_cast<const std::byte*>(slot) + sizeof(messaging::frame_header));
        complete = true;
      }
    }
  }
  Warp::sync();  // the staging is free for the next poll
  return complete;
}

}  // namespace ringkernels::gpu

#endif

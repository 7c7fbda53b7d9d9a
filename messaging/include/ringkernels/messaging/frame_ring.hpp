// Lock-free rings of frames, usable from host code and device code alike.
//
// Layout: a ring_control block (indices on separate cache lines, counters) and `slot_count`
// fixed-stride slots of slot_stride(max_payload) bytes each. Positions are 64-bit and only grow;
// slot = position & mask. Fixed strides (not variable-length packing) because a GPU block takes a
// batch as "thread i reads slot head+i" with no serial walk over headers — a walk over pinned host
// memory would cost one PCIe round trip per frame (docs/messaging.md has the measurements).
//
//   publication:     every frame is published by a release store of its header's
//                    commit_stamp = position + 1 (mod 2^32), after its bytes; the consumer
//                    learns what is ready from the stamps, which sit in the header line it
//                    reads anyway. A consumer that polled a tail index instead pulled that line
//                    from the producer's core once per frame: 42 M frames/s at batch 1 against
//                    68 M/s with stamps (docs/performance.md).
//   sealed rings:    (a GPU on one side) each frame also carries a seal over its bytes
//                    (frame_seal.hpp). A frame is complete when its stamp is the position's
//                    and its seal holds, so a GPU may read stamp and frame in one go, and write
//                    a frame, stamp included, without a fence: the reader checks the seal.
//   single producer: the producer owns `tail` and also stores it (relaxed) once per batch
//                    (push_n), for depth() and counters; consumers do not poll it.
//   multi producer:  producers reserve positions with a CAS on `tail`, write, and stamp.
//   consumer:        one consumer reads frames in place and frees them with one release store
//                    of `head` per batch. In drop_oldest rings it first claims the batch with a
//                    CAS on `claim`, the index producers advance to drop the oldest frame.
//
// Each side caches the other side's index and reads it (acquire) only when the cache says
//
// The pieces: ring_ref.hpp (ring_control, ring_ref), ring_producer.hpp, ring_consumer.hpp.
#ifndef RINGKERNELS_MESSAGING_FRAME_RING_HPP
#define RINGKERNELS_MESSAGING_FRAME_RING_HPP

#include <ringkernels/messaging/ring_consumer.hpp>
#include <ringkernels/messaging/ring_producer.hpp>
#include <ringkernels/messaging/ring_ref.hpp>

#endif
